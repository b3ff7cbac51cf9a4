"""Reading a civil-registry export so that only the allowed columns ever exist in memory
beyond one record at a time, fast enough for ten years of a province (≈ 600,000 records).

The shared readers (read.py) turn a file into a grid of every cell; for a record-level
export that grid is mostly personal data and, at 600,000 rows, more than a gigabyte of
Python strings. Here a CSV is decoded as a stream and walked once with the csv module; of
each record only the cells of the columns ``civil_events.EVENTS`` maps are kept, and only
as codes into a per-column dictionary of distinct values (dates, place spellings, event
wordings, sexes: a few thousand values in all). The result is a normal ``Table`` whose frame
holds, per column, the position of each record's value in ``frame.attrs["categories"][column]``
(0 = blank), so the harvester maps each distinct value once.

XLSX goes through read.read_xlsx (merged cells, legacy fonts) and then the same reduction.
Errors carry only row numbers, column labels and counts, never a cell's value.
"""
from __future__ import annotations

import codecs
import csv
import io
import logging
from array import array
from typing import Any, Iterable, Iterator

import pandas as pd

from ckanext.binhduong.harvesters import encodings, normalise
from ckanext.binhduong.harvesters import read as reading
from ckanext.binhduong.harvesters.normalise import Table, TableSpec
from ckanext.binhduong.harvesters.problems import MAX_ROWS_LISTED, Problem, TableError
from ckanext.binhduong.text import clean_text, format_number

__all__ = ["read_events", "events_table", "HEADER_SCAN_ROWS"]

log = logging.getLogger(__name__)

HEADER_SCAN_ROWS = 30
_HEAD_BYTES = 256 * 1024


def _utf8_payload(data: bytes, encoding: str) -> tuple[bytes, str, bool]:
    """(UTF-8 bytes without BOM, encoding used, repair legacy cells?). UTF-8 input is checked
    in 1 MB steps and kept as it is; other encodings are decoded by read.decode_text."""
    wanted = encodings.canonical_encoding(encoding)
    if wanted in ("auto", "utf-8", "utf-8-sig"):
        body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for start in range(0, len(body), 1 << 20):
                decoder.decode(body[start:start + (1 << 20)])
            decoder.decode(b"", final=True)
            return body, "utf-8", wanted == "auto"
        except UnicodeDecodeError:
            if wanted != "auto":
                raise reading.ReadError(
                    "Nội dung không đọc được theo bảng mã “utf-8” đã cấu hình. Hãy kiểm tra bảng mã của tệp hoặc đặt "
                    "“encoding”: “auto”.", "Content is not valid utf-8.") from None
    text, used = reading.decode_text(data, encoding)
    return text.encode("utf-8"), used, False


def _records(payload: bytes, delimiter: str) -> Iterator[list[str]]:
    stream = io.TextIOWrapper(io.BytesIO(payload), encoding="utf-8", newline="")
    return csv.reader(stream, delimiter=delimiter, strict=True)


def read_events(data: bytes, spec: TableSpec, *, source: str, fmt: str, encoding: str = "auto",
                delimiter: str | None = None, ignore_columns: Iterable[str] = (), sheet: Any = None) -> Table:
    """The events table of a CSV or XLSX export (see the module's docstring)."""
    if fmt == "xlsx":
        sheets = reading.read_xlsx(data, encoding=encoding, name=source)
        return normalise.pick_table(
            sheets, spec, sheet,
            lambda candidate: events_table(iter(candidate.rows), spec, candidate.name, ignore_columns, repair=False))
    payload, used, repair = _utf8_payload(data, encoding)
    head = payload[:_HEAD_BYTES].decode("utf-8", errors="ignore")
    if reading._HTML_START.match(head[:4096]):
        raise reading.html_error(source)
    delimiter = delimiter or reading.sniff_delimiter(head)
    try:
        return events_table(_records(payload, delimiter), spec, source, ignore_columns, repair=repair, check_width=True)
    except csv.Error as error:
        # The csv module's message quotes no cell; its line number is all it says.
        raise reading.ReadError(f"Tệp CSV {source} bị lỗi định dạng (dấu ngoặc kép không đóng?).",
                                f"Malformed CSV {source}: {type(error).__name__} near line "
                                f"{getattr(error, 'line_num', '?')}.") from None


def _header(head: list[list[Any]], spec: TableSpec, source: str, ignore_columns: Iterable[str]):
    match = normalise.locate_header(head, spec, max_scan=HEADER_SCAN_ROWS, ignore_columns=ignore_columns)
    required = [c for c in spec.columns if c.required]
    if match is not None and match.depth == 2:
        # A two-row header only when the second row is really part of it (adds a required
        # column): otherwise the "second row" is the first record, personal data included.
        single = normalise.locate_header(head[match.row:match.row + 1], spec, max_scan=1,
                                         ignore_columns=ignore_columns)
        if single is not None and len(single.missing) <= len(match.missing):
            match = normalise.HeaderMatch(match.row, 1, single.labels, single.mapping, single.unknown, single.missing)
    if match is None:
        raise TableError(
            f"Không tìm thấy dòng tiêu đề của bảng “{spec.label}” trong {source}: cần các cột "
            f"{', '.join(c.label for c in required)}.",
            f"No header row of table '{spec.key}' found in {source}: expected columns "
            f"{', '.join(c.name for c in required)}.")
    if match.missing:
        # Only the labels we recognised are listed: if the "header" found is really a
        # record, its other cells are personal data.
        missing_vi = ", ".join(f"“{spec.column(n).label}”" for n in match.missing)
        found = ", ".join(f"“{match.labels[i]}”" for i in sorted(match.mapping)) or "(không có)"
        raise TableError(
            f"Bảng “{spec.label}” trong {source} thiếu cột bắt buộc {missing_vi}. Các cột nhận ra ở dòng "
            f"{match.row + match.depth}: {found}. Hãy đổi tên cột trong tệp nguồn hoặc báo cho quản trị để bổ sung "
            "tên gọi này.",
            f"Table '{spec.key}' in {source} lacks required column(s) {', '.join(match.missing)}.")
    return match


def events_table(records: Iterator[list[Any]], spec: TableSpec, source: str, ignore_columns: Iterable[str] = (),
                 *, repair: bool = False, check_width: bool = False) -> Table:
    """The mapped columns of ``records`` as a Table of categoricals (one pass; a record is
    dropped as soon as its mapped cells are taken)."""
    ignore_columns = tuple(ignore_columns)
    head: list[list[Any]] = []
    for record in records:
        head.append(record)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    match = _header(head, spec, source, ignore_columns)
    first_data = match.row + match.depth
    width = len(head[match.row])
    mapping = sorted(match.mapping.items())
    names = [name for _, name in mapping]
    indices = [index for index, _ in mapping]
    values: list[dict[Any, int]] = [{None: 0} for _ in names]
    codes = [array("i") for _ in names]
    rows = array("i")
    bad_width: list[int] = []

    def take(record: list[Any], number: int) -> None:
        if not record:
            return
        if check_width and len(record) != width and not (
                len(record) > width and not any(str(c).strip() for c in record[width:])):
            bad_width.append(number)
            return
        empty = True
        cells = []
        for index in indices:
            cell = record[index] if index < len(record) else None
            if isinstance(cell, str):
                cell = cell.strip() or None
            if cell is not None:
                empty = False
            cells.append(cell)
        if empty:
            return
        for column, cell in enumerate(cells):
            table = values[column]
            code = table.get(cell)
            if code is None:
                code = table[cell] = len(table)
            codes[column].append(code)
        rows.append(number)

    number = 0
    numbering_checked = False
    for number, record in enumerate(head, start=1):
        if number <= first_data:
            continue
        if not numbering_checked:
            numbering_checked = True
            if normalise.is_numbering_row(record):
                continue
        take(record, number)
    for record in records:
        number += 1
        if not numbering_checked:
            numbering_checked = True
            if normalise.is_numbering_row(record):
                continue
        take(record, number)

    required = [i for i, name in enumerate(names) if spec.column(name).required]
    # Trailing rows without every required value (a signature block, a "Tổng cộng" line)
    # are not records.
    keep = len(rows)
    while keep and any(codes[i][keep - 1] == 0 for i in required):
        keep -= 1
    frame = pd.DataFrame({name: pd.Series(codes[column][:keep], dtype="int32") for column, name in enumerate(names)})
    frame["_row"] = pd.Series(rows[:keep], dtype="int64")
    # The distinct values of each column; the frame holds their positions (0 = blank).
    categories: dict[str, list[Any]] = {}
    for column, name in enumerate(names):
        distinct = [None] * len(values[column])
        for value, code in values[column].items():
            distinct[code] = value
        if repair:
            distinct = [encodings.repair_legacy(v) if isinstance(v, str) else v for v in distinct]
        categories[name] = [clean_text(v) if isinstance(v, str) else v for v in distinct]
    frame.attrs["categories"] = categories
    problems: list[Problem] = []
    unknown = [label for _, label in match.unknown]
    if unknown:
        listed = ", ".join(f"“{label}”" for label in unknown)
        problems.append(Problem(
            f"Bảng “{spec.label}” ({source}) có cột không nhận ra, không đọc và không công bố: {listed}. Nếu cột "
            "này cần cho số liệu thống kê, hãy báo quản trị; nếu không, thêm vào “ignore_columns” trong cấu hình nguồn.",
            f"Table '{spec.key}' ({source}) has unrecognised columns, not read: {', '.join(unknown)}."))
    if bad_width:
        problems.append(Problem(
            f"{format_number(len(bad_width), lang='vi')} dòng có số ô khác số cột của tiêu đề ({width}) — thường do "
            "dấu phẩy trong một ô không được đặt trong ngoặc kép; các dòng này không được đếm, hãy sửa tệp nguồn",
            f"{len(bad_width)} rows have a different number of cells than the header ({width}); not counted",
            tuple(bad_width[:MAX_ROWS_LISTED])))
    return Table(spec=spec, frame=frame, source=source, header_row=first_data,
                 columns={name: match.labels[index] or name for index, name in mapping},
                 unknown_columns=unknown, problems=problems)
