"""Server-side SVG charts: numbers read the Vietnamese way, bars proportional, text escaped."""
from __future__ import annotations

import math
import re

import pytest

from ckanext.binhduong import charts


def test_numbers_in_either_notation():
    assert charts.number("1.234,5") == 1234.5
    assert charts.number("99.52") == 99.52
    assert charts.number(12) == 12.0
    assert charts.number("") is None and charts.number("không rõ") is None


def test_vietnamese_number_format():
    assert charts.format_vi(1234.5) == "1.234,5"
    assert charts.format_vi(3666) == "3.666"


def test_bar_heights_are_proportional_and_labels_escaped():
    labels, series = charts.series_from_records(
        [{"ten": "Sở <A>", "gia_tri": "10"}, {"ten": "Sở B", "gia_tri": "20"}], "ten", ["gia_tri"])
    svg = str(charts.render_svg(labels, series, "bar", "Số liệu"))
    heights = [float(h) for h in re.findall(r'class="bd-bar"[^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 2 and abs(heights[1] - 2 * heights[0]) < 0.2
    assert "Sở &lt;A&gt;" in svg and "<A>" not in svg


def test_line_chart_skips_missing_values():
    labels, series = charts.series_from_records([{"x": "1", "y": "5"}, {"x": "2", "y": ""}, {"x": "3", "y": "7"}], "x", ["y"])
    svg = str(charts.render_svg(labels, series, "line"))
    assert svg.count("<circle") == 2 and "<polyline" in svg


@pytest.mark.parametrize("largest, whole", [(25, True), (3, True), (1887, True), (7, True), (0.3, False),
                                            (76.5, False), (100, True), (1, True)])
def test_gridlines_are_round_and_reach_the_largest_value(largest, whole):
    step = charts.tick_step(largest, whole)
    assert step * charts.TICKS >= largest
    if not (whole and step == 1):  # the axis is not much taller than the data needs
        assert largest > step * (charts.TICKS - 1) / 2
    assert float(step / 10 ** math.floor(math.log10(step))) in (1.0, 2.0, 2.5, 5.0)
    if whole:
        assert float(step).is_integer()


def test_a_count_chart_has_whole_number_gridlines():
    svg = str(charts.render_svg(["a", "b"], [charts.Series("n", [25.0, 3.0])]))
    assert "6,25" not in svg and ">10<" in svg and ">40<" in svg
