"""A table file is checked when it is uploaded, so the publisher reads the reason at once, in
the page's language, and nothing half-loaded is left behind.

Found before: an empty CSV gave a resource whose DataStore table was empty but "active"; a
5,000-column CSV failed later in xloader with PostgreSQL's "at most 1600 columns" and the raw
CREATE TABLE; a PDF named .csv was loaded as text. ``check_upload`` runs in
``before_resource_create`` / ``before_resource_update`` (after the file's facts are filled in,
resources.py) and raises a ValidationError on the file field, so ``resource_create`` answers
409 and creates nothing.

Files declared CSV, TSV or XLSX are read with the harvesters' readers (harvesters/read.py: the
same encodings, delimiters and broken-workbook messages) on their first
``SAMPLE_BYTES``: a header, at least one data row, and no more columns than
``ckanext.binhduong.max_table_columns``. Other formats are stored as given.
"""
from __future__ import annotations

import io
import logging
import zipfile
from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.harvesters.read import ReadError, read_csv
from ckanext.binhduong.text import current_lang

__all__ = ["check_upload"]

log = logging.getLogger(__name__)

SAMPLE_BYTES = 2 * 1024 * 1024
TEXT_TABLES = {"CSV": ",", "TSV": "\t"}
# What a file really is, by its first bytes, when it is not text.
SIGNATURES = ((b"%PDF", "PDF"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
              (b"\xd0\xcf\x11\xe0", "XLS/DOC (Office 97-2003)"), (b"PK\x03\x04", "ZIP/XLSX/DOCX"))


def _refuse(vi: str, en: str) -> None:
    log.info("Upload refused: %s", en)
    raise toolkit.ValidationError({"url": [en if current_lang() == "en" else vi]})


def _sample(stream) -> bytes:
    stream.seek(0)
    data = stream.read(SAMPLE_BYTES + 1)
    stream.seek(0)
    return data


def _kind(data: bytes) -> str | None:
    return next((name for signature, name in SIGNATURES if data.startswith(signature)), None)


def _column_limit() -> int:
    return int(toolkit.config.get("ckanext.binhduong.max_table_columns") or 1000)


def _check_text_table(data: bytes, fmt: str, name: str) -> None:
    kind = _kind(data)
    if kind is not None or b"\x00" in data[:65536]:
        shown = kind or "nhị phân"
        _refuse(f"Tệp “{name}” không phải là bảng {fmt} dạng văn bản (tệp có vẻ là {shown}). "
                f"Hãy chọn đúng định dạng, hoặc xuất lại bảng ra {fmt}.",
                f"“{name}” is not a {fmt} text table (it looks like {kind or 'a binary file'}). "
                f"Choose the right format, or export the table as {fmt} again.")
    truncated = len(data) > SAMPLE_BYTES
    if truncated:  # the last line of the sample may be cut in the middle of a character
        data = data[: data.rfind(b"\n", 0, SAMPLE_BYTES) + 1] or data[:SAMPLE_BYTES]
    try:
        sheet = read_csv(data, delimiter=TEXT_TABLES[fmt] if fmt == "TSV" else None, name=name)
    except ReadError as error:
        _refuse(error.vi, error.en)
    _check_grid(sheet.rows, fmt, name)


def _check_grid(rows: list[list[Any]], fmt: str, name: str) -> None:
    rows = [row for row in rows if any(str(cell).strip() for cell in row if cell is not None)]
    if not rows:
        _refuse(f"Tệp “{name}” không có dữ liệu: bảng trống.", f"“{name}” holds no data: the table is empty.")
    columns = max(len(row) for row in rows)
    limit = _column_limit()
    if columns > limit:
        _refuse(f"Bảng “{name}” có {columns} cột, nhiều hơn giới hạn {limit} cột của kho dữ liệu. "
                "Hãy tách bảng thành nhiều tệp, hoặc chuyển các cột thành dòng.",
                f"“{name}” has {columns} columns, more than the DataStore's limit of {limit}. "
                "Split the table into several files, or turn columns into rows.")
    if len(rows) < 2:
        _refuse(f"Bảng “{name}” chỉ có dòng tiêu đề, chưa có dòng dữ liệu nào.",
                f"“{name}” has only a header row and no data rows.")


def _check_workbook(data: bytes, name: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        kind = _kind(data)
        _refuse(f"Tệp “{name}” không phải là tệp XLSX hợp lệ{f' (tệp có vẻ là {kind})' if kind else ''}: tệp bị hỏng "
                "hoặc có định dạng khác. Hãy lưu lại bảng dưới dạng Excel (.xlsx).",
                f"“{name}” is not a valid XLSX workbook{f' (it looks like {kind})' if kind else ''}. "
                "Save the table as Excel (.xlsx) again.")
    if "xl/workbook.xml" not in names:
        _refuse(f"Tệp “{name}” là tệp nén nhưng không phải XLSX (có thể là ODS hoặc DOCX).",
                f"“{name}” is a ZIP archive but not an XLSX workbook.")
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        columns, row_count = sheet.max_column or 0, sheet.max_row or 0
        head = [list(row) for row in sheet.iter_rows(min_row=1, max_row=min(row_count, 50), values_only=True)] \
            if columns <= _column_limit() else [[None] * columns, [None] * columns]
        workbook.close()
    except Exception as error:  # openpyxl raises many types for broken parts
        _refuse(f"Không mở được tệp XLSX “{name}”: tệp bị hỏng.",
                f"Cannot open XLSX “{name}”: {type(error).__name__}.")
    if columns > _column_limit():
        _check_grid([["x"] * columns, ["x"]], "XLSX", name)
    _check_grid(head, "XLSX", name)


def check_upload(resource: dict[str, Any]) -> None:
    """Refuse an uploaded table the DataStore could not load (ValidationError on ``url``)."""
    upload = resource.get("upload")
    stream = getattr(upload, "stream", None)
    if stream is None or not hasattr(stream, "seek"):
        return
    fmt = str(resource.get("format") or "").strip().upper()
    if fmt not in TEXT_TABLES and fmt != "XLSX":
        return
    name = getattr(upload, "filename", None) or fmt
    data = _sample(stream) if fmt in TEXT_TABLES else _whole(stream)
    if not data.strip():
        _refuse(f"Tệp “{name}” trống (0 byte hoặc chỉ có khoảng trắng).", f"“{name}” is empty.")
    if fmt in TEXT_TABLES:
        _check_text_table(data, fmt, name)
    else:
        _check_workbook(data, name)


def _whole(stream) -> bytes:
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    return data
