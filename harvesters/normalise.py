"""Tabular normalisation shared by every Bình Dương harvester (procedures now; civil registry
and infrastructure next).

Source systems export tables the way people lay them out for printing: title rows above the
header, two-row headers under merged cells, a row of column numbers "(1) (2) (3)", signature
blocks at the bottom, Vietnamese numbers (``1.234,5``) and dates (``dd/mm/yyyy``), text in
decomposed or precomposed Unicode. This module turns such a grid into a clean pandas frame
whose columns are a harvester's own names, and says in Vietnamese (and English, for the logs)
what it could not read.

Nothing here talks to CKAN, so every rule can be tested on its own.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

__all__ = [
    "Problem", "TableError", "Column", "TableSpec", "Table",
    "nfc", "clean_text", "clean_multiline", "fold", "name_key", "slugify",
    "parse_number", "parse_int", "parse_date", "parse_month", "month_bounds",
    "tthc_code", "format_vn_number", "row_list",
    "locate_header", "table_from_grid", "coerce", "PARSERS",
]

# ---------------------------------------------------------------------------------------
# Problems: what the operator reads in the harvest UI (Vietnamese) and the logs (English)

#: Row numbers listed in one message before "and N more": a 2,000-row file with a systematic
#: mistake must give one readable message, not a wall of numbers.
MAX_ROWS_LISTED = 15


@dataclass(frozen=True)
class Problem:
    """Something wrong in the source that the operator should fix there.

    ``rows`` are row numbers as the publisher sees them in the file (1-based, counting title
    rows), so the message can be acted on without our code at hand.
    """
    vi: str
    en: str
    rows: tuple[int, ...] = ()

    def message(self) -> str:
        return f"{self.vi}{_rows_vi(self.rows)} [EN] {self.en}{_rows_en(self.rows)}"

    def as_dict(self) -> dict[str, Any]:
        return {"vi": self.vi, "en": self.en, "rows": list(self.rows)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Problem":
        return cls(data["vi"], data["en"], tuple(data.get("rows") or ()))


def _listed(rows: Sequence[int]) -> tuple[str, int]:
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_LISTED])
    return shown, max(0, len(rows) - MAX_ROWS_LISTED)


def _rows_vi(rows: Sequence[int]) -> str:
    if not rows:
        return ""
    shown, more = _listed(rows)
    return f" (dòng {shown}{f' và {more} dòng khác' if more else ''})"


def _rows_en(rows: Sequence[int]) -> str:
    if not rows:
        return ""
    shown, more = _listed(rows)
    return f" (rows {shown}{f' and {more} more' if more else ''})"


class TableError(Exception):
    """The table as a whole cannot be used (no header found, a required column missing)."""

    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi = vi
        self.en = en


# ---------------------------------------------------------------------------------------
# Text

# Invisible characters that Word and web forms leave in cells; a code "1.004227\u200b" must
# still match. (U+00AD is TCVN3's "ư": legacy conversion in read.py runs before this.)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_BULLET = re.compile(r"^\s*(?:[-+*•·–—]|\d+[.)])\s+")


def _missing(value: Any) -> bool:
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
    if _missing(value):
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
    if _missing(value):
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
    if _missing(value):
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
    if _missing(value):
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
    if _missing(value):
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
    if _missing(value):
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
# Table layout: which row is the header, which source column is which

@dataclass(frozen=True)
class Column:
    """One column a harvester reads: its own name, the Vietnamese label used in messages,
    and the labels (``aliases``) source systems give it, in any case or accent."""
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # a key of PARSERS
    required: bool = False
    #: Personal data (names, ID numbers, birth dates): problems about it never quote values.
    sensitive: bool = False

    def keys(self) -> set[str]:
        return {fold(alias) for alias in (self.label, self.name, *self.aliases)} - {""}


@dataclass(frozen=True)
class TableSpec:
    """What a harvester expects of one source table."""
    key: str
    label: str
    columns: tuple[Column, ...]
    #: Source columns that are known and deliberately not published (row numbers, notes).
    ignore: tuple[str, ...] = ()
    required: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass
class Table:
    """A source table after layout detection: raw cell values under our column names, plus
    ``_row`` (the row number in the file) and what was noticed on the way."""
    spec: TableSpec
    frame: pd.DataFrame
    source: str
    header_row: int  # 1-based, the (last) header row in the file
    columns: dict[str, str]  # our name → the source's label
    unknown_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class HeaderMatch:
    row: int  # 0-based index of the first header row
    depth: int  # 1 or 2 rows
    labels: tuple[str | None, ...]
    mapping: dict[int, str]  # grid column index → our column name
    unknown: tuple[tuple[int, str], ...]
    missing: tuple[str, ...]  # required columns not found

    @property
    def score(self) -> tuple[int, int, int]:
        # Most required columns, then most columns, then the shallower header.
        required_found = -len(self.missing)
        return required_found, len(self.mapping), -self.depth


_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?|\(?[a-z]\)?", re.IGNORECASE)


def _label_candidates(top: Any, sub: Any, depth: int) -> list[str]:
    top_text, sub_text = clean_text(top), clean_text(sub)
    if depth == 1:
        return [top_text] if top_text else []
    if not sub_text or sub_text == top_text:
        return [top_text] if top_text else []
    if not top_text:
        return [sub_text]
    # A merged top cell over sub-columns ("Tiếp nhận" over "Tổng số" / "Trực tuyến"): try the
    # combined label first, then the sub-label, then the top label.
    return [f"{top_text} {sub_text}", sub_text, top_text]


def _match_header(grid: list[list[Any]], row: int, depth: int, spec: TableSpec,
                  ignore_keys: set[str]) -> HeaderMatch:
    width = max(len(grid[row]), len(grid[row + depth - 1]))
    keys = {column.name: column.keys() for column in spec.columns}
    mapping: dict[int, str] = {}
    labels: list[str | None] = []
    unknown: list[tuple[int, str]] = []
    for index in range(width):
        top = grid[row][index] if index < len(grid[row]) else None
        sub = grid[row + 1][index] if depth == 2 and index < len(grid[row + 1]) else None
        candidates = _label_candidates(top, sub, depth)
        labels.append(candidates[0] if candidates else None)
        if not candidates:
            continue
        found = None
        for candidate in candidates:
            key = fold(candidate)
            found = next((name for name, aliases in keys.items()
                          if key in aliases and name not in mapping.values()), None)
            if found or key in ignore_keys:
                break
        if found:
            mapping[index] = found
        elif fold(candidates[0]) not in ignore_keys and not any(fold(c) in ignore_keys for c in candidates):
            unknown.append((index, candidates[0]))
    missing = tuple(c.name for c in spec.columns if c.required and c.name not in mapping.values())
    return HeaderMatch(row, depth, tuple(labels), mapping, tuple(unknown), missing)


def locate_header(grid: list[list[Any]], spec: TableSpec, max_scan: int = 30,
                  ignore_columns: Iterable[str] = ()) -> HeaderMatch | None:
    """The header among the first ``max_scan`` rows: one row, or two rows under merged cells,
    whichever names the required columns and most others. None when no row names any."""
    ignore_keys = {fold(label) for label in (*spec.ignore, *ignore_columns)} - {""}
    best: HeaderMatch | None = None
    for row in range(min(max_scan, len(grid))):
        if not any(clean_text(cell) for cell in grid[row]):
            continue
        for depth in (1, 2):
            if row + depth > len(grid):
                continue
            match = _match_header(grid, row, depth, spec, ignore_keys)
            if match.mapping and (best is None or match.score > best.score):
                best = match
    return best


def _is_numbering_row(row: list[Any]) -> bool:
    # Vietnamese report templates number their columns under the header: (1) (2) (3) or A B 1 2.
    values = [clean_text(cell) for cell in row]
    values = [v for v in values if v]
    return len(values) >= 2 and all(_COLUMN_NUMBER.fullmatch(v) for v in values)


def table_from_grid(grid: list[list[Any]], spec: TableSpec, source: str,
                    ignore_columns: Iterable[str] = ()) -> Table:
    """Find the header, map the columns, and return the data rows (raw cell values).

    Raises TableError when no header names the required columns. Dropped without a word:
    blank rows, a numbering row under the header, and a trailing signature block (rows after
    the last blank row that fill at most half the columns or miss a required one, and
    trailing rows without any required value). Everything else reaches the harvester, which reports what it skips.
    """
    match = locate_header(grid, spec, ignore_columns=ignore_columns)
    labels = ", ".join(c.label for c in spec.columns if c.required)
    if match is None:
        raise TableError(
            f"Không tìm thấy dòng tiêu đề của bảng “{spec.label}” trong {source}: cần các cột {labels}.",
            f"No header row of table '{spec.key}' found in {source}: expected columns "
            f"{', '.join(c.name for c in spec.columns if c.required)}.")
    if match.missing:
        missing_vi = ", ".join(f"“{spec.column(n).label}”" for n in match.missing)
        found = ", ".join(f"“{label}”" for label in match.labels if label) or "(trống)"
        raise TableError(
            f"Bảng “{spec.label}” trong {source} thiếu cột bắt buộc {missing_vi}. "
            f"Các cột tìm thấy ở dòng {match.row + match.depth}: {found}. "
            "Hãy đổi tên cột trong tệp nguồn hoặc báo cho quản trị để bổ sung tên gọi này.",
            f"Table '{spec.key}' in {source} lacks required column(s) {', '.join(match.missing)}; "
            f"header row {match.row + match.depth} has: {', '.join(l for l in match.labels if l)}.")

    first_data = match.row + match.depth
    names = list(match.mapping.values())
    records: list[dict[str, Any]] = []
    for offset, row in enumerate(grid[first_data:]):
        if offset == 0 and _is_numbering_row(row):
            continue
        record = {name: (row[index] if index < len(row) else None) for index, name in match.mapping.items()}
        record["_row"] = first_data + offset + 1
        records.append(record)

    required = [c.name for c in spec.columns if c.required]

    def has_required(record: dict[str, Any]) -> bool:
        return any(clean_text(record.get(name)) for name in required)

    def is_blank(record: dict[str, Any]) -> bool:
        return not any(clean_text(record.get(name)) for name in names)

    def is_complete(record: dict[str, Any]) -> bool:
        return all(clean_text(record.get(name)) for name in required)

    def is_sparse(record: dict[str, Any]) -> bool:
        return sum(1 for name in names if clean_text(record.get(name))) * 2 <= len(names)

    # A signature block ("Người lập biểu ... Thủ trưởng đơn vị") sits after a blank row and
    # fills a cell or two; a short data row directly under the data does not qualify and is
    # reported by the harvester instead.
    blanks = [index for index, record in enumerate(records) if is_blank(record)]
    if blanks and all(is_sparse(r) or not is_complete(r) for r in records[blanks[-1] + 1:]):
        records = records[:blanks[-1]]
    while records and not has_required(records[-1]):
        records.pop()
    records = [r for r in records if not is_blank(r)]
    frame = pd.DataFrame.from_records(records, columns=[*names, "_row"]).astype(object)
    problems: list[Problem] = []
    unknown = [label for _, label in match.unknown]
    if unknown:
        listed = ", ".join(f"“{label}”" for label in unknown)
        problems.append(Problem(
            f"Bảng “{spec.label}” ({source}) có cột không nhận ra, đã bỏ qua: {listed}. "
            "Nếu cột này cần công bố, hãy báo quản trị; nếu không, thêm vào “ignore_columns” trong cấu hình nguồn.",
            f"Table '{spec.key}' ({source}) has unrecognised columns, ignored: {', '.join(unknown)}."))
    return Table(spec=spec, frame=frame, source=source, header_row=first_data,
                 columns={name: match.labels[index] or name for index, name in match.mapping.items()},
                 unknown_columns=unknown, problems=problems)


# ---------------------------------------------------------------------------------------
# Typed columns

PARSERS: dict[str, Callable[[Any], Any]] = {
    "raw": lambda value: None if _missing(value) else value,
    "text": clean_text,
    "multiline": clean_multiline,
    "number": parse_number,
    "int": parse_int,
    "date": lambda value: (d.isoformat() if (d := parse_date(value)) else None),
    "month": parse_month,
    "tthc_code": tthc_code,
}

_KIND_VI = {
    "number": "không phải là số", "int": "không phải là số nguyên", "date": "không phải là ngày (dd/mm/yyyy)",
    "month": "không phải là tháng (mm/yyyy)", "tthc_code": "không đúng dạng mã TTHC (vd. 1.004227)",
}


def coerce(table: Table) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply each column's parser. A value that does not parse becomes None and is reported
    once per column, with the row numbers and a few of the values seen."""
    frame = table.frame.copy()
    problems: list[Problem] = []
    for column in table.spec.columns:
        if column.name not in frame.columns:
            continue
        parser = PARSERS[column.kind]
        bad_rows: list[int] = []
        bad_values: list[str] = []

        def convert(value: Any, row: int) -> Any:
            try:
                return parser(value)
            except (ValueError, TypeError):
                bad_rows.append(int(row))
                if len(bad_values) < 3 and not column.sensitive:
                    bad_values.append(str(clean_text(value)))
                return None

        frame[column.name] = pd.Series(
            [convert(v, r) for v, r in zip(frame[column.name], frame["_row"])], index=frame.index, dtype=object)
        if bad_rows:
            label = table.columns.get(column.name, column.label)
            samples = f" ({', '.join(f'“{v}”' for v in bad_values)})" if bad_values else ""
            problems.append(Problem(
                f"Cột “{label}”: giá trị {_KIND_VI.get(column.kind, 'không đọc được')}{samples}; ô được để trống",
                f"Column '{column.name}': unreadable {column.kind} values"
                f"{' (' + ', '.join(bad_values) + ')' if bad_values else ''}; left empty",
                tuple(bad_rows)))
    return frame, problems


def row_list(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as plain Python values (None for missing), for JSON and CSV output: pandas would
    turn a count column with one blank into floats ("12.0")."""
    rows = []
    for record in frame.to_dict("records"):
        rows.append({name: (None if _missing(record.get(name)) else record.get(name)) for name in columns})
    return rows
