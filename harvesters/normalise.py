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

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

from ckanext.binhduong.harvesters.problems import Problem, TableError
from ckanext.binhduong.harvesters.values import clean_multiline, parse_month, tthc_code
from ckanext.binhduong.text import clean_text, fold, is_missing, parse_date, parse_int, parse_number

__all__ = [
    "Column", "TableSpec", "Table", "row_list",
    "locate_header", "is_numbering_row", "table_from_grid", "pick_table", "coerce", "PARSERS",
]

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


def is_numbering_row(row: list[Any]) -> bool:
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
        if offset == 0 and is_numbering_row(row):
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
    "raw": lambda value: None if is_missing(value) else value,
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
        rows.append({name: (None if is_missing(record.get(name)) else record.get(name)) for name in columns})
    return rows


def pick_table(sheets: Sequence[Any], spec: TableSpec, wanted: Any, build: Callable[[Any], Table]) -> Table:
    """The table ``spec`` from the sheets of a source (``read.Sheet``s): from the sheet the
    config names (title, or 1-based number), else from the sheet whose header names the most
    columns. ``build`` lays one sheet out as a table (TableError when it holds none)."""
    if wanted is not None:
        if isinstance(wanted, int):
            chosen = list(sheets[wanted - 1:wanted]) if wanted >= 1 else []
        else:
            chosen = [s for s in sheets if fold(s.title) == fold(str(wanted))]
        if not chosen:
            titles = ", ".join(f"“{s.title}”" for s in sheets if s.title)
            raise TableError(f"Không có trang tính “{wanted}” cho bảng “{spec.label}”. Các trang tính: {titles}.",
                             f"No sheet {wanted!r} for table {spec.key}.")
        sheets = chosen
    best: Table | None = None
    first_error: TableError | None = None
    for sheet in sheets:
        try:
            table = build(sheet)
        except TableError as error:
            first_error = first_error or error
            continue
        if best is None or len(table.columns) > len(best.columns):
            best = table
    if best is None:
        raise first_error or TableError(f"Nguồn không có bảng “{spec.label}”.", f"No table {spec.key} in source.")
    return best
