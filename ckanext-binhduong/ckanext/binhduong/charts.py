"""Bar and line charts of a DataStore table, drawn as SVG on the server.

No JavaScript library and no outside request: the chart is part of the page, readable
without scripts, printable, and its numbers are written the Vietnamese way (1.234,5)."""
from __future__ import annotations

import math

from dataclasses import dataclass
from typing import Any, Iterable

from markupsafe import Markup, escape

from ckanext.binhduong.text import format_number, to_number

WIDTH, HEIGHT = 720, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 16, 96
COLOURS = ("#1b6a8a", "#e08a1e", "#3c9a5f", "#b8404f", "#7a5aa6")
MAX_POINTS = 200


@dataclass
class Series:
    name: str
    values: list[float | None]


def number(value: Any) -> float | None:
    """A DataStore cell as a number, read as text.parse_number reads it (Vietnamese first:
    "1.234" is 1234, "1.234,5" is 1234.5; English-locale "99.52" too); None when it is not one."""
    return to_number(value)


def format_vi(value: float) -> str:
    """1234.5 -> '1.234,5'; whole numbers without decimals (the chart is drawn in Vietnamese)."""
    return format_number(value, lang="vi")


def series_from_records(records: Iterable[dict], x: str, ys: list[str]) -> tuple[list[str], list[Series]]:
    rows = list(records)[:MAX_POINTS]
    labels = [str(row.get(x, "")) for row in rows]
    return labels, [Series(y, [number(row.get(y)) for row in rows]) for y in ys]


TICKS = 4  # intervals on the value axis


def tick_step(largest: float, whole: bool) -> float:
    """The value between two gridlines: 1, 2, 2.5 or 5 times a power of ten, so that
    TICKS steps reach ``largest``. ``whole`` (counts) keeps every gridline a whole number."""
    if largest <= 0:
        return 1.0
    wanted = largest / TICKS
    magnitude = 10 ** math.floor(math.log10(wanted))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= wanted and (not whole or float(step).is_integer()):
            return step
    return 10 * magnitude


LONG_LABEL = 14      # characters: a bar chart with a longer category name is drawn horizontally
MANY_CATEGORIES = 12
H_WIDTH = 480        # horizontal charts: narrow, so their text stays readable on a phone
H_LABEL, H_BAR, H_GAP, H_TOP = 17, 16, 10, 8


def horizontal(labels: list[str], kind: str = "bar") -> bool:
    """Bars lie down when a category name is long or there are many: each name then gets a
    line of its own above its bar, whole, never rotated, clipped or overlapping."""
    return kind != "line" and (len(labels) > MANY_CATEGORIES or any(len(label) > LONG_LABEL for label in labels))


def render_svg(labels: list[str], series: list[Series], kind: str = "bar", title: str = "",
               orientation: str = "auto") -> Markup:
    """The chart as SVG markup. ``orientation``: "auto" (horizontal when ``horizontal()``
    says so), "horizontal" or "vertical"."""
    if orientation == "horizontal" or (orientation == "auto" and horizontal(labels, kind)):
        return render_horizontal(labels, series, title)
    values = [v for s in series for v in s.values if v is not None]
    step = tick_step(max(values, default=0.0), whole=all(float(v).is_integer() for v in values))
    top = step * TICKS
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    count = max(len(labels), 1)
    slot = plot_w / count

    def y_of(value: float) -> float:
        return MARGIN_TOP + plot_h - (max(value, 0.0) / top) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bd-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for tick in range(TICKS + 1):
        value = step * tick
        y = y_of(value)
        parts.append(f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{format_vi(value)}</text>')
    bar_w = slot * 0.8 / max(len(series), 1)
    for index, one in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = []
        for position, value in enumerate(one.values):
            if value is None:
                continue
            centre = MARGIN_LEFT + slot * (position + 0.5)
            tip = f"<title>{escape(labels[position])}: {format_vi(value)}</title>"
            if kind == "line":
                points.append(f"{centre:.1f},{y_of(value):.1f}")
                parts.append(f'<circle cx="{centre:.1f}" cy="{y_of(value):.1f}" r="3" fill="{colour}">{tip}</circle>')
            else:
                left = centre - slot * 0.4 + index * bar_w
                parts.append(f'<rect class="bd-bar" x="{left:.1f}" y="{y_of(value):.1f}" width="{bar_w:.1f}" '
                             f'height="{MARGIN_TOP + plot_h - y_of(value):.1f}" fill="{colour}">{tip}</rect>')
        if kind == "line" and points:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>')
    for position, label in enumerate(labels):
        centre = MARGIN_LEFT + slot * (position + 0.5)
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<text x="{centre:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 14}" font-size="11" text-anchor="end" '
                     f'transform="rotate(-35 {centre:.1f} {HEIGHT - MARGIN_BOTTOM + 14})">{escape(short)}</text>')
    for index, one in enumerate(series):
        x = MARGIN_LEFT + index * 180
        parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{COLOURS[index % len(COLOURS)]}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="11">{escape(one.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _fit(label: str, width: float, size: float) -> str:
    """A label cut with an ellipsis to what fits ``width`` at ``size`` (about 0.56 em a letter)."""
    most = max(int(width / (size * 0.56)), 4)
    return label if len(label) <= most else label[:most - 1] + "…"


def render_horizontal(labels: list[str], series: list[Series], title: str = "") -> Markup:
    """Horizontal bars: per category its name on a line of its own, then one bar per series
    with its value written at the bar's end; the legend on top when there are several series."""
    values = [v for s in series for v in s.values if v is not None]
    largest = max(values, default=0.0) or 1.0
    value_room = 64
    plot_w = H_WIDTH - value_room
    legend_h = 22 if len(series) > 1 else 0
    block = H_LABEL + H_BAR * len(series) + H_GAP
    height = H_TOP + legend_h + block * max(len(labels), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bd-chart bd-chart-horizontal" role="img" '
             f'viewBox="0 0 {H_WIDTH} {height}" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, one in enumerate(series if len(series) > 1 else []):
        x = index * 160
        parts.append(f'<rect x="{x}" y="{H_TOP}" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>'
                     f'<text x="{x + 16}" y="{H_TOP + 11}" font-size="13">{escape(_fit(one.name, 140, 13))}</text>')
    for position, label in enumerate(labels):
        top = H_TOP + legend_h + block * position
        parts.append(f'<text class="bd-chart-label" x="0" y="{top + H_LABEL - 4}" font-size="13" fill="#1d2733">'
                     f'{escape(_fit(label, H_WIDTH, 13))}<title>{escape(label)}</title></text>')
        for index, one in enumerate(series):
            value = one.values[position] if position < len(one.values) else None
            y = top + H_LABEL + H_BAR * index
            if value is None:
                parts.append(f'<text x="0" y="{y + H_BAR - 4}" font-size="12" fill="#4f5b67">–</text>')
                continue
            length = max(value, 0.0) / largest * plot_w
            colour = COLOURS[index % len(COLOURS)]
            parts.append(f'<rect class="bd-bar" x="0" y="{y + 1}" width="{length:.1f}" height="{H_BAR - 3}" fill="{colour}">'
                         f'<title>{escape(label)}: {format_vi(value)}</title></rect>'
                         f'<text x="{length + 4:.1f}" y="{y + H_BAR - 4}" font-size="12" fill="#1d2733">{format_vi(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
