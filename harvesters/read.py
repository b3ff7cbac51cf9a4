"""Reading what the province's systems export into raw grids of cells.

Formats: CSV (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1258, and the two legacy
8-bit Vietnamese encodings still found in government files — TCVN3 "ABC" (.VnTime fonts) and
VNI-Windows), XLSX (several sheets, merged cells, title rows: the grid keeps them, header
detection is normalise.py's job) and JSON, including APIs that split records over pages.

Legacy text reaches us two ways: as bytes (a CSV saved by an old program) and as Unicode
strings whose characters are really TCVN3/VNI codes (a cell typed in a .VnTime font in Excel;
the workbook stores "Thñ tôc" and the font draws "Thủ tục"). Both are repaired with the
conversion tables of encodings.py and, when the encoding is not given, by measuring which
reading yields Vietnamese syllables. All text leaves this module in NFC.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ckanext.binhduong.harvesters import encodings

__all__ = [
    "ReadError", "Sheet", "JsonPaging", "decode_text", "sniff_format", "sniff_delimiter", "html_error",
    "read_csv", "read_xlsx", "read_json", "records_to_sheet", "collect_json_pages", "read_document",
]


class ReadError(Exception):
    """The content cannot be read as the data we expect. ``vi`` is for the harvest UI."""

    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi = vi
        self.en = en


@dataclass
class Sheet:
    """A grid of raw cell values (merged ranges filled with their value) from one source."""
    name: str
    rows: list[list[Any]]
    encoding: str | None = None
    #: The sheet's own name in a workbook (what a source config's "sheet" names).
    title: str = ""



def decode_text(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Text (NFC) and the encoding that was used.

    Given an encoding, use it. Otherwise: a byte-order mark decides; valid UTF-8 is UTF-8;
    else whichever of Windows-1258, TCVN3 and VNI reads as the most Vietnamese; else what
    charset-normalizer guesses. Raises ReadError when the bytes are not text at all."""
    encoding = encodings.canonical_encoding(encoding)
    if encoding != "auto":
        try:
            return unicodedata.normalize("NFC", encodings.decode_as(data, encoding)), encoding
        except UnicodeDecodeError as error:
            raise ReadError(
                f"Nội dung không đọc được theo bảng mã “{encoding}” đã cấu hình (byte lỗi ở vị trí {error.start}). "
                "Hãy kiểm tra lại bảng mã của tệp hoặc đặt “encoding”: “auto”.",
                f"Content is not valid {encoding} (bad byte at {error.start}).") from error
    if data.startswith(codecs.BOM_UTF8):
        return unicodedata.normalize("NFC", data[3:].decode("utf-8", errors="replace")), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return unicodedata.normalize("NFC", data.decode("utf-16", errors="replace")), "utf-16"
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data:
        # The first 64 kB tell the encoding as well as the whole file would.
        sample = data[:65536]
        scored = []
        for order, candidate in enumerate(("windows-1258", "tcvn3", "vni")):
            try:
                text = encodings.decode_as(sample, candidate)
            except UnicodeDecodeError:  # a byte Windows-1258 does not define
                continue
            scored.append((encodings.vietnamese_score(text), -order, candidate))
        if scored:
            score, _, candidate = max(scored)
            if score > 0:
                try:
                    return unicodedata.normalize("NFC", encodings.decode_as(data, candidate)), candidate
                except UnicodeDecodeError:
                    pass
    import charset_normalizer  # only for what is not Vietnamese: a rare path

    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None and guess.encoding:
        return unicodedata.normalize("NFC", str(guess)), guess.encoding
    raise ReadError(
        "Không nhận ra bảng mã của tệp (không phải văn bản UTF-8, Windows-1258, TCVN3 hay VNI). "
        "Hãy đặt “encoding” trong cấu hình nguồn.",
        "Cannot tell the text encoding (not UTF-8, Windows-1258, TCVN3 or VNI); set 'encoding' in the source config.")


# ---------------------------------------------------------------------------------------
# Formats

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


def html_error(source: str) -> ReadError:
    """The error for an HTML page where data was expected (a login or error page)."""
    return ReadError(
        f"Nguồn {source} trả về một trang web (HTML) thay vì dữ liệu: có thể hệ thống nguồn đang lỗi, "
        "yêu cầu đăng nhập hoặc đường dẫn đã đổi.",
        f"{source} returned an HTML page instead of data (source error, login page or moved URL).")


def sniff_format(data: bytes, content_type: str | None = None, source: str = "") -> str:
    """``csv``, ``xlsx`` or ``json`` from the content itself (servers often send the wrong
    Content-Type); ReadError for what we cannot read, with the reason."""
    if not data.strip():
        raise ReadError(f"Nguồn {source} trả về nội dung rỗng.", f"{source} returned an empty body.")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            f"Tệp {source} là Excel 97-2003 (.xls), chưa được hỗ trợ. Hãy lưu lại thành .xlsx hoặc .csv.",
            f"{source} is a legacy .xls workbook; save it as .xlsx or .csv.")
    if data.startswith(b"%PDF"):
        raise ReadError(f"Tệp {source} là PDF, không phải bảng dữ liệu.", f"{source} is a PDF, not a table.")
    head = data[:4096]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom):].decode("utf-16" if bom != codecs.BOM_UTF8 else "utf-8", errors="ignore").encode()
            break
    text = head.decode("latin-1").lstrip()
    if text.startswith(("{", "[")):
        return "json"
    if _HTML_START.match(text) or (content_type or "").lower().startswith("text/html"):
        raise html_error(source)
    if text.startswith("<"):
        raise ReadError(f"Nguồn {source} trả về XML, chưa được hỗ trợ.", f"{source} returned XML, not supported.")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(f"Tệp {source} là tệp nhị phân không đọc được (không phải CSV, XLSX hay JSON).",
                        f"{source} is an unreadable binary file (not CSV, XLSX or JSON).")
    return "csv"


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    def blank(value: Any) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    trimmed = []
    for row in rows:
        end = len(row)
        while end and blank(row[end - 1]):
            end -= 1
        trimmed.append(list(row[:end]))
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _nfc_cell(value: Any, repair: bool) -> Any:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
        return encodings.repair_legacy(value) if repair else value
    return value


def sniff_delimiter(text: str) -> str:
    """The CSV delimiter (, ; tab |) that splits the first lines most consistently."""
    lines = [line for line in text.splitlines() if line.strip()][:60]
    best, best_key = ",", (0, 0)
    for delimiter in (",", ";", "\t", "|"):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        modal = max(set(wide), key=wide.count)
        key = (wide.count(modal), modal)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def read_csv(data: bytes, *, encoding: str = "auto", delimiter: str | None = None, name: str = "") -> Sheet:
    text, used = decode_text(data, encoding)
    if _HTML_START.match(text[:4096]):
        raise html_error(name)
    delimiter = delimiter or sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise ReadError(f"Tệp CSV {name} bị lỗi định dạng: {error}.", f"Malformed CSV {name}: {error}.") from error
    # Cells of a UTF-8 file can still hold .VnTime text pasted from old documents.
    repair = encodings.canonical_encoding(encoding) == "auto" and used in ("utf-8", "utf-16")
    rows = [[_nfc_cell(cell, repair) for cell in row] for row in rows]
    return Sheet(name=name, rows=_trim(rows), encoding=used)


#: Uncompressed size of a workbook we agree to open: a small ZIP can expand to gigabytes.
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024


def read_xlsx(data: bytes, *, encoding: str = "auto", name: str = "",
              max_uncompressed: int = MAX_XLSX_UNCOMPRESSED) -> list[Sheet]:
    """Every visible sheet as a grid; a merged range gives its value to each of its cells
    (a merged header over two sub-columns names both; an agency merged over ten rows is the
    agency of each). Text in .VnTime (TCVN3) or VNI fonts is converted."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ReadError(f"Tệp XLSX {name} bị hỏng hoặc không tải về trọn vẹn.",
                        f"XLSX {name} is corrupt or truncated: {error}.") from error
    if "xl/workbook.xml" not in names:
        raise ReadError(f"Tệp {name} là tệp nén nhưng không phải XLSX (có thể là ODS hoặc DOCX).",
                        f"{name} is a ZIP archive but not an XLSX workbook.")
    if expanded > max_uncompressed:
        raise ReadError(f"Tệp XLSX {name} quá lớn khi giải nén ({expanded // 1048576} MB).",
                        f"XLSX {name} expands to {expanded} bytes, over the limit.")
    import openpyxl  # imported here: only XLSX sources pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as error:  # openpyxl raises many types for broken parts
        raise ReadError(f"Không mở được tệp XLSX {name}: tệp bị hỏng.",
                        f"Cannot open XLSX {name}: {type(error).__name__}: {error}.") from error
    encoding = encodings.canonical_encoding(encoding)
    sheets = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        for merged in list(sheet.merged_cells.ranges):
            min_col, min_row, max_col, max_row = merged.bounds
            value = grid[min_row - 1][min_col - 1] if min_row - 1 < len(grid) else None
            for r in range(min_row - 1, min(max_row, len(grid))):
                for c in range(min_col - 1, max_col):
                    if c < len(grid[r]):
                        grid[r][c] = value
        if encoding in encodings.LEGACY:
            grid = [[encodings.legacy_to_unicode(v, encoding) if isinstance(v, str) else v for v in row] for row in grid]
        else:
            grid = [[_nfc_cell(v, encoding == "auto") for v in row] for row in grid]
        sheets.append(Sheet(name=f"{name} — trang tính “{sheet.title}”", rows=_trim(grid),
                            encoding=encoding if encoding != "auto" else None, title=sheet.title))
    workbook.close()
    return sheets


# ---------------------------------------------------------------------------------------
# JSON and paged APIs

_RECORD_PATHS = ("data", "items", "results", "records", "rows", "value", "data.items", "data.records", "data.rows")
_NEXT_PATHS = ("links.next", "next", "meta.next", "paging.next", "pagination.next", "@odata.nextLink",
               "next_page_url", "meta.links.next")
_TOTAL_PAGES_PATHS = ("meta.total_pages", "meta.totalPages", "meta.last_page", "total_pages", "totalPages",
                      "last_page", "pagination.total_pages", "pagination.totalPages")
_PAGE_PATHS = ("meta.page", "meta.current_page", "page", "current_page", "pagination.page", "pageNumber")
_TOTAL_PATHS = ("meta.total", "total", "count", "totalRecords", "meta.count", "pagination.total", "totalCount")


@dataclass(frozen=True)
class JsonPaging:
    """How to walk a paged JSON API. Paths are dotted keys into each page; None means the
    usual places are tried (see harvesters/README.md)."""
    records: str | None = None
    next: str | None = None
    total_pages: str | None = None
    total: str | None = None
    page_param: str = "page"
    max_pages: int = 1000

    @classmethod
    def from_config(cls, options: dict[str, Any] | None) -> "JsonPaging":
        options = options or {}
        return cls(records=options.get("records"), next=options.get("next"),
                   total_pages=options.get("total_pages"), total=options.get("total"),
                   page_param=options.get("page_param", "page"), max_pages=int(options.get("max_pages", 1000)))


def _lookup(document: Any, path: str) -> Any:
    value = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _first(document: Any, configured: str | None, defaults: tuple[str, ...]) -> Any:
    for path in ((configured,) if configured else defaults):
        value = _lookup(document, path)
        if value is not None:
            return value
    return None


def read_json(data: bytes, source: str = "") -> Any:
    text, _ = decode_text(data, "auto")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if _HTML_START.match(text[:4096]):
            raise html_error(source) from error
        raise ReadError(f"Nội dung JSON từ {source} bị lỗi ở dòng {error.lineno}, cột {error.colno}.",
                        f"Malformed JSON from {source} at line {error.lineno}, column {error.colno}: {error.msg}.") from error


def _page_records(document: Any, paging: JsonPaging, source: str) -> list[dict]:
    records = document if isinstance(document, list) else _first(document, paging.records, _RECORD_PATHS)
    if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
        where = f"“{paging.records}”" if paging.records else "data/items/results/records"
        raise ReadError(
            f"Trang JSON {source} không có danh sách bản ghi ở {where}.",
            f"JSON page {source} holds no list of records at {paging.records or 'data/items/results/records'}.")
    return records


def _with_page(url: str, param: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param]
    query.append((param, str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def collect_json_pages(first_url: str, first_page: bytes, get: Callable[[str], bytes],
                       paging: JsonPaging = JsonPaging()) -> list[dict]:
    """All records of a paged API, starting from a page already fetched.

    The next page is the URL at ``next`` (absolute or relative), or, when the page states
    its number and the number of pages, the same URL with ``page_param`` incremented. A page
    seen twice, more than ``max_pages`` pages, or a declared total that differs from the
    records received (the data changed while we paged) is an error: publishing half a list
    would mark the other half as gone."""
    records: list[dict] = []
    seen: set[str] = set()
    url, data = first_url, first_page
    declared_total = None
    pages = 0
    while True:
        if url in seen:
            raise ReadError(f"API {first_url} trả về vòng lặp trang (trang {url} lặp lại).",
                            f"API {first_url} pages loop back to {url}.")
        seen.add(url)
        pages += 1
        if pages > paging.max_pages:
            raise ReadError(f"API {first_url} có hơn {paging.max_pages} trang; dừng lại để tránh tải vô hạn.",
                            f"API {first_url} has more than {paging.max_pages} pages.")
        document = read_json(data, url)
        records.extend(_page_records(document, paging, url))
        if isinstance(document, list):
            break
        total = _first(document, paging.total, _TOTAL_PATHS)
        if isinstance(total, int) and not isinstance(total, bool):
            declared_total = total
        next_url = _first(document, paging.next, _NEXT_PATHS)
        if isinstance(next_url, str) and next_url.strip():
            url = urljoin(url, next_url.strip())
        else:
            total_pages = _first(document, paging.total_pages, _TOTAL_PAGES_PATHS)
            current = _first(document, None, _PAGE_PATHS)
            current = current if isinstance(current, int) else pages
            if isinstance(total_pages, int) and current < total_pages:
                url = _with_page(url, paging.page_param, current + 1)
            else:
                break
        data = get(url)
    if declared_total is not None and declared_total != len(records):
        raise ReadError(
            f"API {first_url} báo {declared_total} bản ghi nhưng trả về {len(records)}: dữ liệu thay đổi trong "
            "lúc thu thập hoặc phân trang sai. Lần chạy này không cập nhật gì; hãy chạy lại.",
            f"API {first_url} declared {declared_total} records but returned {len(records)}.")
    return records


def _flatten(record: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "\n".join(
                json.dumps(item, ensure_ascii=False) if isinstance(item, (dict, list)) else str(item)
                for item in value if item is not None)
        else:
            flat[name] = value
    return flat


def records_to_sheet(records: list[dict], name: str) -> Sheet:
    """JSON records as a grid whose first row is the field names (nested objects flattened
    with dots, lists one item per line)."""
    flat = [_flatten(record) for record in records]
    header: list[str] = []
    for record in flat:
        header.extend(key for key in record if key not in header)
    rows = [[_nfc_cell(record.get(key), False) for key in header] for record in flat]
    return Sheet(name=name, rows=[list(header), *rows], encoding="utf-8")


def read_document(data: bytes, *, source: str, content_type: str | None = None, format: str = "auto",
                  encoding: str = "auto", delimiter: str | None = None) -> list[Sheet]:
    """The sheets of one fetched document (JSON here is a single page; use collect_json_pages
    for APIs)."""
    fmt = format if format and format != "auto" else sniff_format(data, content_type, source)
    if fmt == "csv":
        return [read_csv(data, encoding=encoding, delimiter=delimiter, name=source)]
    if fmt == "xlsx":
        return read_xlsx(data, encoding=encoding, name=source)
    if fmt == "json":
        document = read_json(data, source)
        return [records_to_sheet(_page_records(document, JsonPaging(), source), source)]
    raise ValueError(f"unknown format {fmt}")
