"""Values only harvesters read: cells listing several items, agency names, reporting months,
administrative-procedure codes. Text, numbers and dates in general are read by
``ckanext.binhduong.text`` (one home for Vietnamese text and locale), which these build on.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ckanext.binhduong.text import clean_text, fold, is_missing, nfc, parse_date, parse_int

__all__ = ["clean_multiline", "name_key", "parse_month", "month_bounds", "tthc_code"]

_BULLET = re.compile(r"^\s*(?:[-+*•·–—]|\d+[.)])\s+")
_NO_VALUE = {"", "-", "–", "—", "x", "n/a", "na", "k/c", "kc"}


def clean_multiline(value: Any, separator: str = "; ") -> str | None:
    """Cells that list several items on separate lines (legal bases, fees): one item each,
    bullets dropped, joined with ``separator`` so a CSV row stays on one line."""
    if is_missing(value):
        return None
    if not isinstance(value, str):
        return clean_text(value)
    items = []
    for line in re.split(r"[\r\n]+", nfc(value)):
        line = _BULLET.sub("", line)
        line = clean_text(line)
        if line:
            items.append(line.rstrip(";").strip())
    return separator.join(item for item in items if item) or None


# Abbreviations of administrative names that are written out in other sources.
_ABBREVIATIONS = (
    (re.compile(r"\bubnd\b"), "uy ban nhan dan"),
    (re.compile(r"\bhdnd\b"), "hoi dong nhan dan"),
    (re.compile(r"\btp\b"), "thanh pho"),
    (re.compile(r"\btx\b"), "thi xa"),
    (re.compile(r"\bvp\b"), "van phong"),
    (re.compile(r"\bso gd dt\b"), "so giao duc va dao tao"),
    (re.compile(r"\bso kh dt\b"), "so ke hoach va dau tu"),
    (re.compile(r"\bso ld tb xh\b"), "so lao dong thuong binh va xa hoi"),
)
_PROVINCE_SUFFIX = re.compile(r"\s+(?:tinh\s+)?binh\s+duong$")


def name_key(value: Any) -> str:
    """A key for matching agency names: folded words, abbreviations written out, the trailing
    "tỉnh Bình Dương" dropped (one source writes "Sở Tư pháp", the portal "Sở Tư pháp tỉnh
    Bình Dương")."""
    key = fold(value, " ")
    for pattern, replacement in _ABBREVIATIONS:
        key = pattern.sub(replacement, key)
    return _PROVINCE_SUFFIX.sub("", key).strip()


# Matched on fold(value, " "), where "/", "-" and "." have become spaces.
_MONTH_YEAR = re.compile(r"(?:thang |t ?)?(\d{1,2}) (?:nam )?(\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4}) (\d{1,2})")
_MONTH_ONLY = re.compile(r"(?:thang |t ?)?(\d{1,2})")


def _month(year: int, month: int, original: Any) -> str:
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        raise ValueError(f"not a month: {original!r}")
    return f"{year:04d}-{month:02d}"


def parse_month(value: Any, year: Any = None) -> str | None:
    """A reporting month as ``yyyy-mm``: "01/2024", "1/2024", "T1/2024", "Tháng 01/2024",
    "tháng 1 năm 2024", "2024-01", a date (its month) — or a bare month number "3" / "Tháng 3"
    when the year comes from a separate column (``year``). Blank → None; else ValueError."""
    if is_missing(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return _month(value.year, value.month, value)
    bare_year = parse_int(year)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= 12 and bare_year:
            return _month(bare_year, int(value), value)
        date = parse_date(value)  # a serial number from a month cell formatted as a number
        return _month(date.year, date.month, value)
    text = fold(value, " ")
    if not text or text in _NO_VALUE:
        return None
    if match := _YEAR_MONTH.fullmatch(text):
        return _month(int(match.group(1)), int(match.group(2)), value)
    if match := _MONTH_YEAR.fullmatch(text):
        return _month(int(match.group(2)), int(match.group(1)), value)
    if bare_year and (match := _MONTH_ONLY.fullmatch(text)):
        return _month(bare_year, int(match.group(1)), value)
    try:
        date = parse_date(value)
    except ValueError:
        date = None
    if date is None:
        raise ValueError(f"not a month: {value!r}")
    return _month(date.year, date.month, value)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a ``yyyy-mm`` month."""
    year, number = (int(part) for part in month.split("-"))
    first = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


# National procedure code (CSDL quốc gia về TTHC): one digit, a dot, six digits; provincial
# systems sometimes append the agency part ".000.00.00.H12".
_TTHC_CODE = re.compile(r"\d\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?")
_TTHC_TRUNCATED = re.compile(r"\d\.\d{1,5}")


def tthc_code(value: Any) -> str | None:
    """An administrative-procedure code like ``1.004227``. Blank → None; malformed → ValueError.

    Spreadsheets store "1.004220" as the number 1.00422 and drop the trailing zero (and a
    Vietnamese-locale Excel writes it "1,00422"): such a value is given its six digits back,
    which is exact because only trailing zeros are ever lost."""
    if is_missing(value):
        return None
    if isinstance(value, bool) or isinstance(value, int):
        raise ValueError(f"not a procedure code: {value!r}")
    if isinstance(value, float):
        text = f"{value:.6f}"
    else:
        text = clean_text(value)
        if text is None:
            return None
        text = re.sub(r"\s+", "", text).upper().replace(",", ".")
        if _TTHC_TRUNCATED.fullmatch(text):
            whole, digits = text.split(".")
            text = f"{whole}.{digits.ljust(6, '0')}"
    if not _TTHC_CODE.fullmatch(text):
        raise ValueError(f"not a procedure code: {value!r}")
    return text
