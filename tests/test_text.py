"""text.py: Vietnamese text and locale, as people and their spreadsheets write it. One set of
tests for folding, names, numbers, dates and the current language; the modules that used to
carry their own copies (charts, maps, places, geo, helpers, validators) are checked to agree."""
from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
import pytest

from ckanext.binhduong import charts, maps, text
from ckanext.binhduong.harvesters import geo


# ---------------------------------------------------------------------------------------
# Numbers: "." groups thousands, "," marks decimals (English-locale exports read too)

@pytest.mark.parametrize("written, number", [
    ("1.234", 1234), ("1.234,5", 1234.5), ("1,5", 1.5), ("2.000.000 đồng", 2000000), ("50.000đ", 50000),
    ("1.234.567", 1234567), ("12,5", 12.5), ("0,75", 0.75), ("2.5", 2.5), ("99.52", 99.52),
    ("1 234", 1234), ("1\u00a0234", 1234), ("12,5%", 12.5), ("-3", -3), ("(5)", -5), ("(1.234)", -1234),
    ("1,234,567", 1234567), ("1.234.567,89", 1234567.89), ("1,234.5", 1234.5), ("1.234,0", 1234.0),
    (7, 7), (7.0, 7), (7.25, 7.25), ("", None), ("-", None), ("x", None), (None, None), (float("nan"), None),
    (pd.NA, None),
])
def test_numbers_as_vietnamese_write_them(written, number):
    value = text.parse_number(written)
    assert value == number and type(value) is type(number)


@pytest.mark.parametrize("written", ["abc", "1.2.3,4,5", "12 hồ sơ", True, "1,2,3.4.5", "1.23.4", "--5"])
def test_what_is_not_a_number(written):
    with pytest.raises(ValueError):
        text.parse_number(written)
    assert text.to_number(written) is None


def test_the_quick_readings_are_babels():
    # The common forms are read without Babel, for speed; they must read as Babel reads them.
    for written in ("1.234", "2.000.000", "1234,5", "1.234,5", "12,5", "1,234", "2.5", "99.52", "1234.5", "0.5",
                    "1,234,567", "1,234.5", "1.2345"):
        assert float(text.parse_number(written)) == float(text.babel_reading(written)), written
    assert text.babel_reading("1.2.3") is None


def test_counts_must_be_whole():
    assert text.parse_int("1.500") == 1500
    with pytest.raises(ValueError):
        text.parse_int("12,5")


def test_one_separator_is_a_decimal_point_where_there_are_no_thousands():
    # Coordinates: 10.980 degrees, never ten thousand nine hundred and eighty.
    assert text.parse_number("10.980", grouping=False) == 10.98
    assert text.parse_number("106,652301", grouping=False) == 106.652301
    assert text.parse_number("1.220.345,12", grouping=False) == 1220345.12
    assert geo.parse_coordinate("10.980") == 10.98
    assert maps.coordinate("10.980", 90) == 10.98 and maps.coordinate("10,98", 90) == 10.98


def test_charts_read_numbers_as_everyone_else():
    # "1.234" in a table is one thousand two hundred and thirty-four, in a chart as in a harvest.
    for written in ("1.234", "1.234,5", "1,5", "99.52", "2.000.000 đồng"):
        assert charts.number(written) == float(text.parse_number(written))
    assert charts.number("không rõ") is None and charts.number("") is None


@pytest.mark.parametrize("value, decimals, lang, written", [
    (1887, None, "vi", "1.887"), (1234.5, None, "vi", "1.234,5"), (1234.5, None, "en", "1,234.5"),
    (76.04, 1, "vi", "76,0"), (3666, 0, "en", "3,666"), (2000000, None, "vi", "2.000.000"), (-0.5, None, "vi", "-0,5"),
    (1234.567, None, "vi", "1.234,57"),
])
def test_numbers_written_for_readers(value, decimals, lang, written):
    assert text.format_number(value, decimals, lang) == written
    if lang == "vi":
        assert text.parse_number(written) == round(value, 2 if decimals is None else decimals)


def test_outside_a_request_numbers_are_vietnamese():
    assert text.current_lang() == "vi"
    assert text.format_number(3666) == "3.666" and charts.format_vi(3666) == "3.666"


# ---------------------------------------------------------------------------------------
# Dates: day first

@pytest.mark.parametrize("value, iso", [
    ("01/07/2025", "2025-07-01"), ("1-7-2025", "2025-07-01"), ("1.7.2025", "2025-07-01"), ("01/07/25", "2025-07-01"),
    ("ngày 1 tháng 7 năm 2025", "2025-07-01"), ("Ngày 01/07/2025", "2025-07-01"), ("NGÀY 1 THÁNG 7 NĂM 2025", "2025-07-01"),
    ("2025-07-01", "2025-07-01"), ("2025-07-01 14:30:00", "2025-07-01"), ("2025-07-01T10:00:00.123456", "2025-07-01"),
    ("2025-07-01T10:00:00+07:00", "2025-07-01"), ("01/07/2025 08:15", "2025-07-01"),
    (dt.datetime(2025, 7, 1, 9), "2025-07-01"), (dt.date(2025, 7, 1), "2025-07-01"),
    (pd.Timestamp("2025-07-01"), "2025-07-01"), (45839, "2025-07-01"), (45839.0, "2025-07-01"),
])
def test_dates_as_vietnamese_write_them(value, iso):
    assert text.parse_date(value).isoformat() == iso


@pytest.mark.parametrize("value", ["31/02/2025", "13/13/2025", "mùng 5", "2025-02-30", 12, "07/2025", "1/7"])
def test_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        text.parse_date(value)
    assert text.to_date(value) is None


def test_a_date_is_never_read_month_first():
    assert text.parse_date("03/05/2024") == dt.date(2024, 5, 3)


def test_form_input_dates():
    # Forms and the API: a number is not a date there, and nothing raises.
    assert text.to_date(45839) is None and text.to_date("") is None and text.to_date(None) is None
    assert text.format_date("2025-07-01T10:00:00") == "01/07/2025"
    assert text.format_date("ngày 1 tháng 7 năm 2025") == "01/07/2025"
    assert text.format_date("") == "" and text.format_date(None) == "" and text.format_date("sắp tới") == "sắp tới"


# ---------------------------------------------------------------------------------------
# Text: cleaning, folding, names

def test_text_is_nfc_with_whitespace_and_invisible_characters_cleaned():
    decomposed = unicodedata.normalize("NFD", "  Thủ tục\u00a0 hành\n chính\u200b ")
    assert text.clean_text(decomposed) == "Thủ tục hành chính"
    assert text.clean_text("   ") is None and text.clean_text(pd.NaT) is None
    assert text.clean_text(12.0) == "12"


def test_folding_makes_labels_written_many_ways_meet():
    assert text.fold("Mã TTHC") == text.fold("MÃ TTHC") == text.fold("ma_tthc") == text.fold("maTTHC") == "matthc"
    assert text.fold("Đơn vị", " ") == "don vi"
    assert text.fold(unicodedata.normalize("NFD", "Vĩ độ"), "_") == "vi_do"
    assert maps.normalise_column(" Vĩ Độ ") == "vi_do" and maps.normalise_column("Kinh-độ") == "kinh_do"
    assert geo.resolve_crs("VN-2000") == geo.BINH_DUONG_VN2000


def test_folding_character_for_character_keeps_spans():
    original = "P.Tân Đông Hiệp, TP.Dĩ An"
    folded = text.fold_chars(original)
    assert folded == "p.tan dong hiep, tp.di an" and len(folded) == len(original)


def test_names_from_vietnamese_titles():
    assert text.slugify("Danh mục thủ tục hành chính") == "danh-muc-thu-tuc-hanh-chinh"
    assert text.slugify("Đăng ký đất đai") == "dang-ky-dat-dai"
    assert text.slugify("Số liệu " * 30, max_length=20) == "so-lieu-so-lieu-so-l"


def test_places_fold_names_the_same_way():
    from ckanext.binhduong import places

    assert places._fold("TP. Thủ  Dầu Một") == "tp. thu dau mot"
    assert places._fold(unicodedata.normalize("NFD", "Phường Chánh Nghĩa")) == "phuong chanh nghia"
