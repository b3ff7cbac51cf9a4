"""Vietnamese text and locale, in one place: cleaning and folding text, names from titles,
numbers and dates as Vietnamese people and their spreadsheets write them, and the language
of the current page. Every other module (harvesters, places, maps, charts, helpers,
validators, DCAT) calls these; nothing here talks to CKAN except ``current_lang``.

**Numbers.** The Vietnamese convention (TCVN, and Babel's ``vi`` locale from CLDR) writes
"." between thousands and "," before decimals: ``1.234`` is one thousand two hundred and
thirty-four, ``1.234,5`` is 1234.5, ``1,5`` is one and a half. Parsing reads a text first the
Vietnamese way and, only when that is not a well-formed Vietnamese number, the English way,
because English-locale exports reach us too (``2.5``, ``1,234.5``); both readings are
Babel's strict ``parse_decimal``. So ``"1.234"`` is 1234 everywhere in the portal (harvested
tables, charts, messages). Coordinates are the one exception: degrees never have thousands,
so ``parse_number(..., grouping=False)`` reads one separator as the decimal point
(``10.980`` → 10.98). Formatting is Babel's ``format_decimal`` in the page's language.

**Dates.** ``dd/mm/yyyy`` (also with "-" or ".", one-digit day and month, two-digit year),
ISO ``yyyy-mm-dd`` (with a time and zone after it), "ngày 1 tháng 7 năm 2025", and
spreadsheet serial numbers; written back as ``dd/mm/yyyy``.

**Folding.** Lower case without diacritics, "đ" as "d": "Vĩ độ", "VI DO" and "vi_do" meet.
Names (CKAN slugs) are folded words joined by "-"; this keeps the names harvested datasets
already carry (CKAN's own munging drops "đ" instead of writing "d").
"""
from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import numbers
import re
import unicodedata
from typing import Any

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

__all__ = [
    "is_missing", "nfc", "clean_text", "fold_chars", "fold", "slugify",
    "parse_number", "parse_int", "to_number", "format_number",
    "parse_date", "to_date", "format_date", "current_lang",
]

# ---------------------------------------------------------------------------------------
# Text

# Invisible characters that Word and web forms leave in cells; a code "1.004227\u200b" must
# still match. (U+00AD is TCVN3's "ư": the legacy-encoding conversion runs before this.)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
# pandas' missing markers, recognised by type name so this module does not import pandas.
_PANDAS_MISSING = {"NAType", "NaTType"}


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' missing markers: an empty cell, however it was read."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in _PANDAS_MISSING


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _number_text(value: numbers.Real) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_text(value: Any) -> str | None:
    """NFC, invisible characters removed, runs of whitespace (line breaks too) made one space;
    None for an empty cell."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, numbers.Real):
        return _number_text(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    text = _SPACES.sub(" ", nfc(str(value)).translate(_INVISIBLE)).strip()
    return text or None


def _base_letter(char: str) -> str:
    if char in "đĐ":
        return "d"
    return unicodedata.normalize("NFD", char)[0].lower()


def fold_chars(text: str) -> str:
    """Lower case without diacritics, one character for each character of ``text`` (NFC
    input), so that a span found in the folded text is the same span of the original."""
    return "".join(_base_letter(char) for char in text)


def fold(value: Any, separator: str = "") -> str:
    """An ASCII, lower-case key for comparing labels written many ways: "Mã TTHC", "MÃ TTHC",
    "ma_tthc" and "maTTHC" all give "matthc"; with ``separator=' '`` words stay apart
    ("Vĩ độ" → "vi do"), with "_" they make a column name ("vi_do")."""
    text = fold_chars(clean_text(value) or "")
    return re.sub(r"[^a-z0-9]+", separator, text).strip(separator)


def slugify(value: Any, max_length: int = 100) -> str:
    """A CKAN name from Vietnamese text: "Danh mục thủ tục hành chính" →
    danh-muc-thu-tuc-hanh-chinh."""
    return fold(value, "-")[:max_length].strip("-")


# ---------------------------------------------------------------------------------------
# Numbers

_NO_VALUE = {"", "-", "–", "—", "x", "n/a", "na", "k/c", "kc"}
_WHOLE = re.compile(r"\d+")
# The forms spreadsheets write most, read here as Babel's strict readings read them
# (tests/test_text.py checks both agree); anything else goes to Babel.
_VI_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")          # 1.234, 2.000.000
_VI_DECIMAL = re.compile(r"(?:\d{1,3}(?:\.\d{3})+|\d+),\d+")  # 1234,5 and 1.234,5
_POINT_DECIMAL = re.compile(r"\d+\.\d+")                  # 2.5, 99.52 (not 1.234: grouped above)
_UNSIGNED = re.compile(r"[\d.,]*\d[\d.,]*")
_CURRENCY = re.compile(r"(?:đồng|đ|₫|vnđ|vnd)$", re.IGNORECASE)


def _as_python(number: decimal.Decimal, negative: bool) -> int | float:
    if negative:
        number = -number
    if number.as_tuple().exponent >= 0:
        return int(number)
    return float(number)


def _single_separator_decimal(text: str) -> decimal.Decimal | None:
    if text.count(".") + text.count(",") == 1:
        return decimal.Decimal(text.replace(",", "."))
    return None


def parse_number(value: Any, grouping: bool = True) -> int | float | None:
    """A number written the Vietnamese way, or by a spreadsheet: ``1.234`` → 1234,
    ``1.234,5`` → 1234.5, ``1,5`` → 1.5, ``1.234.567`` → 1234567, ``2.5`` and ``1,234.5`` (an
    English-locale export) → 2.5 and 1234.5, ``1 234`` → 1234, ``12,5%`` → 12.5,
    ``2.000.000 đồng`` → 2000000, ``(1.234)`` → -1234. Whole numbers come back as ``int``.
    With ``grouping=False`` (coordinates) one separator is always the decimal point.
    Blank, "-", "x" → None; anything else raises ValueError."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"not a number: {value!r}")
        return int(number) if number.is_integer() else number
    text = clean_text(value)
    if text is None or text.lower() in _NO_VALUE:
        return None
    text = _CURRENCY.sub("", text.rstrip("%")).replace(" ", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):  # accounting style
        text, negative = text[1:-1], True
    if text and text[0] in "+-\u2212":  # ("%" or "đồng" alone leave nothing: not a number, below)
        negative, text = negative != (text[0] != "+"), text[1:]
    if _WHOLE.fullmatch(text):
        return -int(text) if negative else int(text)
    if not _UNSIGNED.fullmatch(text):
        raise ValueError(f"not a number: {value!r}")
    if not grouping and (single := _single_separator_decimal(text)) is not None:
        return _as_python(single, negative)
    number = _read_decimal(text)
    if number is None:
        raise ValueError(f"not a number: {value!r}")
    return _as_python(number, negative)


@functools.lru_cache(maxsize=4096)
def _read_decimal(text: str) -> decimal.Decimal | None:
    """An unsigned number of digits, "." and ",": the Vietnamese reading first, then the
    English one (Babel's strict parse_decimal in locales vi and en); None for neither."""
    if _VI_GROUPED.fullmatch(text):
        return decimal.Decimal(text.replace(".", ""))
    if _VI_DECIMAL.fullmatch(text):
        return decimal.Decimal(text.replace(".", "").replace(",", "."))
    if _POINT_DECIMAL.fullmatch(text):
        return decimal.Decimal(text)
    return babel_reading(text)


def babel_reading(text: str) -> decimal.Decimal | None:
    """Babel's strict reading of ``text`` in Vietnamese, else in English; None for neither."""
    for locale in ("vi", "en"):
        try:
            return parse_decimal(text, locale=locale, strict=True)
        except NumberFormatError:
            continue
    return None


def parse_int(value: Any) -> int | None:
    """A count: a number without a fractional part."""
    number = parse_number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(f"not a whole number: {value!r}")
        return int(number)
    return number


def to_number(value: Any, grouping: bool = True) -> float | None:
    """``parse_number`` for display code (charts, maps): a float, or None for anything that is
    not a number, never an error."""
    try:
        number = parse_number(value, grouping=grouping)
    except (ValueError, TypeError, decimal.InvalidOperation):
        return None
    return None if number is None else float(number)


def format_number(value: Any, decimals: int | None = None, lang: str | None = None) -> str:
    """A number as readers of ``lang`` (default: the current page's language) write it:
    1234.5 → "1.234,5" (vi) or "1,234.5" (en). ``decimals=None`` shows up to two decimals
    and none for a whole number; an int gives exactly that many ("76,0" for decimals=1)."""
    pattern = "#,##0.##" if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=lang or current_lang())


# ---------------------------------------------------------------------------------------
# Dates

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})" + _TIME)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_DMY_WORDS = re.compile(r"(\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_DAY_WORD = re.compile(r"^ng[aà]y\s*", re.IGNORECASE)


def _excel_serial(value: float) -> dt.date:
    # Serial numbers reach us when a date column was formatted as a number in Excel; the
    # accepted range (1954–2119) keeps small counts from passing as dates.
    if not 20000 <= value <= 80000:
        raise ValueError(f"not a date: {value!r}")
    return _EXCEL_EPOCH + dt.timedelta(days=int(value))


def parse_date(value: Any) -> dt.date | None:
    """"01/07/2025", "1-7-2025", "1.7.25", "2025-07-01" (and "2025-07-01T10:00:00+07:00"),
    "ngày 1 tháng 7 năm 2025", date objects and spreadsheet serial numbers. Blank → None;
    anything else (including 31/02/2025) raises ValueError."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, numbers.Real):
        return _excel_serial(float(value))
    text = clean_text(value)
    if text is None or text.lower() in _NO_VALUE:
        return None
    text = _DAY_WORD.sub("", text)
    try:
        if match := _YMD.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        if match := _DMY.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year + 2000 if year < 100 else year, month, day)
        if match := _DMY_WORDS.fullmatch(fold(text, " ")):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError as error:
        raise ValueError(f"not a date: {value!r}") from error
    raise ValueError(f"not a date: {value!r}")


def to_date(value: Any) -> dt.date | None:
    """``parse_date`` for form and API input: None for anything that is not a date, never an
    error; a bare number is not a date there (serial numbers come only from spreadsheets)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return None
    try:
        return parse_date(value)
    except (ValueError, TypeError):
        return None


def format_date(value: Any) -> str:
    """A date as ``dd/mm/yyyy`` (how Vietnamese readers and forms write it); "" for no date,
    the value itself when it is not a date."""
    parsed = to_date(value)
    if parsed is None:
        return "" if is_missing(value) else str(value or "")
    return f"{parsed.day:02d}/{parsed.month:02d}/{parsed.year:04d}"


# ---------------------------------------------------------------------------------------
# Language

def current_lang() -> str:
    """"en" under /en/, else "vi" (also outside a web request: CLI, jobs, harvesters)."""
    from ckan.lib.i18n import get_lang

    try:
        return "en" if get_lang() == "en" else "vi"
    except RuntimeError:
        return "vi"
