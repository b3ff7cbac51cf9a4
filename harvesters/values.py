"""Values as Vietnamese source systems write them, read into Python values: text cleaned and
in NFC, Vietnamese numbers (``1.234,5``), dates (``dd/mm/yyyy``, Excel serials, "ngày 5
tháng 3 năm 2024"), months, procedure codes. Pure functions shared by every harvester;
normalise.py re-exports them.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

import pandas as pd

__all__ = [
    "nfc", "clean_text", "clean_multiline", "fold", "name_key", "slugify", "format_vn_number",
    "parse_number", "parse_int", "parse_date", "parse_month", "month_bounds", "tthc_code", "is_missing",
]


# ---------------------------------------------------------------------------------------
# Text

# Invisible characters that Word and web forms leave in cells; a code "1.004227\u200b" must
# still match. (U+00AD is TCVN3's "ư": legacy conversion in read.py runs before this.)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_BULLET = re.compile(r"^\s*(?:[-+*•·–—]|\d+[.)])\s+")


def is_missing(value: Any) -> bool:
    """None, NaN and pandas' missing markers: an empty cell, however it was read."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_text(value: Any) -> str | None:
    """NFC, invisible characters removed, runs of whitespace (line breaks too) made one space."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    text = _SPACES.sub(" ", nfc(str(value)).translate(_INVISIBLE)).strip()
    return text or None


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


def fold(value: Any, separator: str = "") -> str:
    """An ASCII, lower-case key for comparing labels written many ways: "Mã TTHC", "MÃ TTHC",
    "ma_tthc" and "maTTHC" all give "matthc"; with ``separator=' '`` words stay apart."""
    text = clean_text(value) or ""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", separator, text).strip(separator)


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


def slugify(value: Any, max_length: int = 100) -> str:
    """A CKAN name from Vietnamese text: "Danh mục thủ tục hành chính" → danh-muc-thu-tuc-hanh-chinh.
    CKAN's own munging drops "đ" instead of writing "d"."""
    return fold(value, "-")[:max_length].strip("-")


def format_vn_number(value: int | float, decimals: int = 0) -> str:
    """1887 → "1.887", 76.54 → "76,5" (decimals=1): how Vietnamese readers write numbers."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# ---------------------------------------------------------------------------------------
# Numbers, dates, months, codes

_NO_VALUE = {"", "-", "–", "—", "x", "n/a", "na", "k/c", "kc"}
_DIGITS = re.compile(r"[+-]?\d+(?:\.\d+)?")
_VN_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")


def parse_number(value: Any) -> int | float | None:
    """A number written the Vietnamese way, or by a spreadsheet.

    Rules (Vietnamese convention: "." groups thousands, "," marks decimals):
    ``1.234,5`` → 1234.5; ``1.234`` → 1234; ``1.234.567`` → 1234567; ``12,5`` → 12.5;
    ``2.5`` → 2.5 (one dot not followed by exactly three digits is a decimal point, as
    English-locale exports write it); ``1 234`` → 1234; ``12,5%`` → 12.5. Blank, "-", "x" →
    None. Anything else raises ValueError.
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    text = clean_text(value)
    if text is None or text.lower() in _NO_VALUE:
        return None
    text = re.sub(r"[\s\u00a0\u202f]", "", text).rstrip("%")
    if text.startswith("(") and text.endswith(")"):  # accounting style negative
        text = "-" + text[1:-1]
    if "." in text and "," in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "," in text:
        text = text.replace(",", "") if text.count(",") > 1 else text.replace(",", ".")
    elif text.count(".") > 1 or _VN_THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"not a number: {value!r}")
    number = float(text)
    return int(number) if "." not in text else number


def parse_int(value: Any) -> int | None:
    """A count: a number without a fractional part."""
    number = parse_number(value)
    if number is None:
        return None
    if isinstance(number, float):
        if not number.is_integer():
            raise ValueError(f"not a whole number: {value!r}")
        number = int(number)
    return number


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY_WORDS = re.compile(r"(\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_DAY_WORD = re.compile(r"^ng[aà]y\s*", re.IGNORECASE)


def _excel_serial(value: float) -> dt.date:
    # Serial numbers reach us when a date column was formatted as a number in Excel; the
    # accepted range (1954–2119) keeps small counts from passing as dates.
    if not 20000 <= value <= 80000:
        raise ValueError(f"not a date: {value!r}")
    return _EXCEL_EPOCH + dt.timedelta(days=int(value))


def parse_date(value: Any) -> dt.date | None:
    """``dd/mm/yyyy`` (also with "-" or ".", one-digit day/month, two-digit year), ISO
    ``yyyy-mm-dd``, "ngày 5 tháng 3 năm 2024", spreadsheet dates and serial numbers.
    Blank → None; anything else (including 31/02/2024) raises ValueError."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, (int, float)):
        return _excel_serial(float(value))
    text = clean_text(value)
    if text is None or text.lower() in _NO_VALUE:
        return None
    text = _DAY_WORD.sub("", unicodedata.normalize("NFC", text))
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
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
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


# ---------------------------------------------------------------------------------------
