"""Files the portal writes for spreadsheets: no cell a spreadsheet would run as a formula.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run by
Excel and LibreOffice as a formula when the CSV is opened: ``=HYPERLINK(...)`` typed into a
source or a table becomes a link in a clerk's spreadsheet. Such a cell is written with a
leading apostrophe, which spreadsheets show as text. Numbers (``-5``, ``+84``, ``-1.234,5``)
are left as they are.

``xlsx_workbook`` writes a DataStore table as an Excel workbook (the "Excel (.xlsx)" download
of a table): numeric columns as numbers, dates as dates, text through the same rule.

``spreadsheet_safe`` is the one rule, used by our harvesters' CSV files (harvesters/plan.py)
and by the DataStore's CSV and TSV exports (``/datastore/dump/<id>``): ckanext-datastore writes
the rows PostgreSQL gives as they are and has no hook around its writers, so
``secure_datastore_dump`` wraps the two writer functions its dump view calls.
"""
from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from typing import Any

__all__ = ["DUMP_FORMATS", "check_dump_request", "secure_datastore_dump", "spreadsheet_safe", "xlsx_workbook"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*|\.\d+)([eE][+-]?\d+)?$")
DUMP_FORMATS = ("csv", "tsv", "json", "xml")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it."""
    if text.startswith(FORMULA_START) and not NUMBER.match(text):
        return "'" + text
    return text


class _SafeRows:
    """Wraps a datastore TextWriter: each chunk of CSV/TSV text is re-read and re-written
    with every cell made spreadsheet-safe."""

    def __init__(self, inner, dialect: str):
        self.inner = inner
        self.dialect = dialect

    def write_records(self, records: Any) -> bytes:
        if isinstance(records, str) and records:
            output = io.StringIO()
            writer = csv.writer(output, dialect=self.dialect)
            for row in csv.reader(io.StringIO(records, newline=""), dialect=self.dialect):
                writer.writerow([spreadsheet_safe(cell) for cell in row])
            records = output.getvalue()
        return self.inner.write_records(records)

    def end_file(self) -> bytes:
        return self.inner.end_file()


def _safe_writer(writer_factory, dialect: str):
    @contextmanager
    def safe_writer(fields: list[dict[str, Any]], bom: bool = False):
        safe_fields = [{**field, "id": spreadsheet_safe(str(field.get("id", "")))} for field in fields]
        with writer_factory(safe_fields, bom=bom) as inner:
            yield _SafeRows(inner, dialect)

    safe_writer.binhduong_safe = True
    return safe_writer


def secure_datastore_dump() -> None:
    """Make ckanext-datastore's CSV and TSV dumps spreadsheet-safe (idempotent)."""
    try:
        from ckanext.datastore import blueprint
    except ImportError:
        return
    if not getattr(blueprint.csv_writer, "binhduong_safe", False):
        blueprint.csv_writer = _safe_writer(blueprint.csv_writer, "excel")
    if not getattr(blueprint.tsv_writer, "binhduong_safe", False):
        blueprint.tsv_writer = _safe_writer(blueprint.tsv_writer, "excel-tab")


def check_dump_request():
    """``before_app_request`` for ``/datastore/dump/<id>``: its parameters checked before the
    export starts streaming. CKAN checks the format with a message that fails to format
    (``?format=xlsx`` gave a 500), and the search parameters only inside the stream, where a
    refusal (``?limit=-5``, ``?sort=abc``, ``?filters=x``) can only be a 500. Here: an unknown
    format or a negative limit or offset is a 400 naming what is allowed, and the search is
    tried once with no rows, so a refusal of it is a 400 with the DataStore's message."""
    from flask import request
    import ckan.plugins.toolkit as toolkit
    from ckan.lib.navl.dictization_functions import validate
    from ckanext.datastore.blueprint import dump_schema

    if request.endpoint != "datastore.dump":
        return None
    fmt = request.args.get("format", "csv")
    if fmt.lower() not in DUMP_FORMATS:
        return toolkit.abort(400, toolkit._("Unknown export format “{format}”. Choose one of: {formats}.").format(
            format=fmt[:20], formats=", ".join(DUMP_FORMATS)))
    data, errors = validate(request.args.to_dict(), dump_schema())
    for name in ("limit", "offset"):
        if not errors.get(name) and data.get(name) is not None and not 0 <= data[name] < 2 ** 62:
            errors[name] = [toolkit._("Must be a whole number, 0 or more.")]  # and fit PostgreSQL's bigint
    if errors:
        return toolkit.abort(400, _message(errors))
    search = {key: data[key] for key in ("filters", "q", "distinct", "plain", "language", "fields", "sort")
              if key in data}
    try:
        toolkit.get_action("datastore_search")(
            {"user": toolkit.g.user}, {"resource_id": (request.view_args or {}).get("resource_id"), "limit": 0,
                                       "include_total": False, **search})
    except toolkit.ValidationError as error:
        return toolkit.abort(400, _message(error.error_dict))
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return None  # the dump view answers these as it always has (404)
    return None


def _message(errors: dict) -> str:
    return "; ".join(f"{name}: {' '.join(map(str, messages)) if isinstance(messages, list) else messages}"
                     for name, messages in errors.items() if name != "__type")


XLSX_PAGE_ROWS = 5000
NUMERIC_TYPES = ("int", "int4", "int8", "integer", "bigint", "numeric", "float", "float8", "double precision", "real")


def _xlsx_value(value: Any, column_type: str) -> Any:
    if value is None:
        return None
    if column_type in NUMERIC_TYPES and isinstance(value, (int, float)):
        return value
    if column_type in NUMERIC_TYPES:
        try:
            return float(value) if any(mark in str(value) for mark in ".eE") else int(value)
        except (TypeError, ValueError):
            pass
    if column_type in ("timestamp", "date") and isinstance(value, str):
        import datetime
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, (dict, list)):
        import json
        value = json.dumps(value, ensure_ascii=False)
    return spreadsheet_safe(str(value))


def xlsx_workbook(resource_id: str, context: dict, max_rows: int | None = None) -> bytes:
    """The DataStore table ``resource_id`` as XLSX bytes, read through ``datastore_search``
    with the caller's rights (``context``), page by page. Headers are the data dictionary's
    labels when the publisher gave them, else the column names."""
    from openpyxl import Workbook
    import ckan.plugins.toolkit as toolkit

    search = toolkit.get_action("datastore_search")
    first = search(dict(context), {"resource_id": resource_id, "limit": 0, "include_total": True})
    fields = [field for field in first["fields"] if field["id"] != "_id"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Du lieu")
    sheet.append([spreadsheet_safe(str((field.get("info") or {}).get("label") or field["id"])) for field in fields])
    offset = 0
    total = first.get("total") or 0
    wanted = total if max_rows is None else min(total, max_rows)
    while offset < wanted:
        page = search(dict(context), {"resource_id": resource_id, "limit": min(XLSX_PAGE_ROWS, wanted - offset),
                                      "offset": offset, "sort": "_id", "include_total": False})
        records = page["records"]
        if not records:
            break
        for record in records:
            sheet.append([_xlsx_value(record.get(field["id"]), field.get("type", "text")) for field in fields])
        offset += len(records)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
