"""Typed DataStore tables: numbers sort as numbers and dates as dates.

xloader's fast path (COPY) makes every column ``text`` unless the table already exists with
a data dictionary whose ``type_override`` names the type: then it keeps that type (loader.py,
``load_csv``). Its type guessing (``ckanext.xloader.use_type_guessing``, the slower
tabulator path) reads "1.430" as 1.43, and "12,5" not as a number, which is wrong for
Vietnamese files. So:

- **Harvested tables** (``harvest_fields`` + ``prepare_table``, called by
  harvesters/publish.py before it asks xloader to load): the harvester knows its columns
  and its values are already normalised (ints, floats, ISO dates). The table is created
  first with those types and a data dictionary (Vietnamese label and description, and the
  type as ``type_override``, so xloader's COPY keeps it).
- **Uploads** (``retype_loaded_table``, from xloader's ``after_upload``): after the COPY has
  loaded text, each column without a ``type_override`` whose every value is a number
  (``text.parse_number``: "1.430" is 1430, "12,5" is 12.5) becomes ``int4`` or ``numeric``,
  and one whose every value is a date (``text.parse_date``: "01/07/2025") becomes ``date``.
  Codes stay text: a value with a leading zero ("025741"), or a column named like a code
  (``ma_*``, ``*_id``, phone numbers). Values with units ("76%", "2.000 đồng") stay text.
  The publisher edits labels and descriptions at /dataset/<id>/dictionary/<resource_id>;
  a ``type_override`` set there wins (xloader then loads the column with that type).
"""
from __future__ import annotations

import logging
import re
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.text import parse_date, parse_number

__all__ = ["TEXT", "INT", "NUMERIC", "DATE", "TIMESTAMP", "value_type", "harvest_fields", "prepare_table",
           "guess_column", "retype_loaded_table", "after_upload"]

log = logging.getLogger(__name__)

# PostgreSQL type names, as datastore_info reports them (xloader compares those with the
# type_override of the data dictionary: the same name keeps the table, another drops it).
TEXT, INT, NUMERIC, DATE, TIMESTAMP = "text", "int4", "numeric", "date", "timestamp"
_INT4 = 2 ** 31
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")
_CODE_NAME = re.compile(r"^(ma|id|code|mst)(_|$)|_(id|ma|code)$|dien_thoai|sdt|fax|zip|buu_chinh",
                        re.IGNORECASE)
# What a number cell may hold: digits, separators, a sign, accounting brackets, spaces.
_NUMBER_CHARS = re.compile(r"[\s()+\-\u2212]*\d[\d\s.,]*\)?")
_LEADING_ZERO = re.compile(r"[+\-\u2212]?0\d")
_TIME_PART = re.compile(r"\d{1,2}:\d{2}")


# ---------------------------------------------------------------------------------------
# Harvested tables: types from the harvester's own (normalised) values

def value_type(value: Any) -> str | None:
    """The column type one normalised value asks for (None: no opinion, an empty cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return TEXT
    if isinstance(value, int):
        return INT if -_INT4 < value < _INT4 else NUMERIC
    if isinstance(value, float):
        return NUMERIC
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            try:
                parse_date(value)
                return DATE
            except ValueError:
                return TEXT
        if _ISO_TIMESTAMP.fullmatch(value):
            return TIMESTAMP
    return TEXT


def _column_type(values: Iterable[Any]) -> str:
    kinds = {kind for kind in map(value_type, values) if kind is not None}
    if not kinds:
        return TEXT
    if kinds <= {INT, NUMERIC}:
        return NUMERIC if NUMERIC in kinds else INT
    if len(kinds) == 1:
        return kinds.pop()
    return TEXT


def harvest_fields(fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """DataStore fields of a harvested table: a field's own ``type`` (an OutputField may name
    one), else the type all its values share; with the data dictionary (label, notes) and
    the type as ``type_override`` so xloader loads into it."""
    typed = []
    for field in fields:
        kind = field.get("type") or _column_type(row.get(field["name"]) for row in rows)
        info = {"label": field.get("label") or field["name"], "notes": field.get("description") or "",
                "type_override": kind}
        typed.append({"id": field["name"], "type": kind, "info": info})
    return typed


def prepare_table(resource_id: str, fields: list[dict[str, Any]], user: str) -> str:
    """Make the DataStore table of ``resource_id`` have ``fields`` (names, order, types and
    data dictionary) before xloader loads the file into it. Returns what was done:
    "created"; "dictionary" (same columns and types: only the data dictionary is written);
    "retyped" (same columns, other types: the rows converted in place, as a table loaded as
    text before types existed); "recreated" (other columns, or rows that do not convert: the
    old rows go, the load brings the new ones)."""
    context = {"ignore_auth": True, "user": user}
    try:
        current = toolkit.get_action("datastore_info")(dict(context), {"id": resource_id})
    except toolkit.ObjectNotFound:
        current = None
    wanted = [(f["id"], f["type"]) for f in fields]
    done = "created"
    if current is not None:
        have = [(f["id"], f["type"]) for f in current.get("fields", []) if f["id"] != "_id"]
        if have == wanted:
            done = "dictionary"
        elif [name for name, _ in have] == [name for name, _ in wanted] and _convert(resource_id, have, wanted):
            done = "retyped"
        else:
            toolkit.get_action("datastore_delete")(dict(context), {"resource_id": resource_id, "force": True})
            done = "recreated"
    toolkit.get_action("datastore_create")(dict(context), {"resource_id": resource_id, "force": True,
                                                           "fields": fields})
    return done


def _convert(resource_id: str, have: list[tuple[str, str]], wanted: list[tuple[str, str]]) -> bool:
    """Change the columns' types in place (the harvester's values convert as they are
    written: "3137", "65.4", "2024-01-31"); False when a value does not."""
    from ckanext.datastore.backend.postgres import get_write_engine

    clauses = ", ".join(
        f"ALTER COLUMN {_quoted(name)} TYPE {kind} USING NULLIF(btrim({_quoted(name)}::text), '')::{kind}"
        for (name, old), (_, kind) in zip(have, wanted) if old != kind)
    try:
        with get_write_engine().begin() as connection:
            connection.execute(sa.text(f"ALTER TABLE {_quoted(resource_id)} {clauses}"))
    except sa.exc.DBAPIError as error:
        log.info("DataStore table %s: columns not converted in place (%s); made again", resource_id,
                 str(error.orig).strip().splitlines()[0])
        return False
    return True


# ---------------------------------------------------------------------------------------
# Uploads: types guessed from the loaded text

def _as_number(text: str) -> int | float | None:
    """The number in a cell, or ValueError when the cell is not only a number."""
    stripped = text.strip()
    number = parse_number(stripped)  # blank, "-", "x" → None
    if number is not None and (not _NUMBER_CHARS.fullmatch(stripped) or _LEADING_ZERO.match(stripped.lstrip("("))):
        # "76%", "2.000 đồng", and codes such as "025741": not numbers to sort by.
        raise ValueError(text)
    return number


def _as_date(text: str):
    if _TIME_PART.search(text):
        raise ValueError(text)
    return parse_date(text)


def guess_column(name: str, values: Iterable[str | None]) -> tuple[str, dict[str, str | None]]:
    """The type of a text column from its distinct values, and each value's canonical text
    for that type (what PostgreSQL casts: "1.430" → "1430", "01/07/2025" → "2025-07-01";
    a blank or "-" → None). TEXT when any value is neither."""
    if _CODE_NAME.search(name):
        return TEXT, {}
    numbers: dict[str, str | None] = {}
    dates: dict[str, str | None] = {}
    can_number = can_date = True
    whole = True
    seen = False
    for value in values:
        if value is None:
            continue
        if can_number:
            try:
                number = _as_number(value)
                if number is not None:
                    seen = True
                    if isinstance(number, float):
                        whole = False
                    elif not -_INT4 < number < _INT4:
                        whole = False
                numbers[value] = None if number is None else repr(number)
            except (ValueError, ArithmeticError):
                can_number = False
        if can_date:
            try:
                day = _as_date(value)
                if day is not None:
                    seen = True
                dates[value] = None if day is None else day.isoformat()
            except ValueError:
                can_date = False
        if not (can_number or can_date):
            return TEXT, {}
    if not seen:
        return TEXT, {}
    if can_number:
        return (INT if whole else NUMERIC), numbers
    return DATE, dates


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def retype_loaded_table(resource_id: str, dry_run: bool = False) -> dict[str, str]:
    """Give each text column of a freshly loaded upload the type its values share (see the
    module's text). Returns {column: new type} of the columns changed (with ``dry_run``: of
    the columns that would change; nothing is written)."""
    from ckanext.datastore.backend.postgres import get_write_engine

    info = toolkit.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    candidates = [f["id"] for f in info.get("fields", [])
                  if f["id"] != "_id" and f.get("type") == TEXT and not (f.get("info") or {}).get("type_override")]
    if not candidates:
        return {}
    table = _quoted(resource_id)
    engine = get_write_engine()
    changes: dict[str, tuple[str, dict[str, str | None]]] = {}
    with engine.connect() as connection:
        for name in candidates:
            column = _quoted(name)
            rows = connection.execution_options(stream_results=True).execute(
                sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"))
            kind, canonical = guess_column(name, (row[0] for row in rows))
            rows.close()
            if kind != TEXT:
                changes[name] = (kind, canonical)
    if not changes or dry_run:
        return {name: kind for name, (kind, _) in changes.items()}
    with engine.begin() as connection:
        for name, (kind, canonical) in changes.items():
            rewrites = [{"src": src, "canon": canon} for src, canon in canonical.items() if src != canon]
            if not rewrites:
                continue
            connection.execute(sa.text("CREATE TEMP TABLE IF NOT EXISTS bd_retype (src text PRIMARY KEY, canon text) "
                                       "ON COMMIT DROP"))
            connection.execute(sa.text("TRUNCATE bd_retype"))
            connection.execute(sa.text("INSERT INTO bd_retype (src, canon) VALUES (:src, :canon)"), rewrites)
            column = _quoted(name)
            connection.execute(sa.text(
                f"UPDATE {table} AS t SET {column} = m.canon FROM bd_retype AS m WHERE t.{column} = m.src"))
        clauses = ", ".join(f"ALTER COLUMN {_quoted(name)} TYPE {kind} USING NULLIF(btrim({_quoted(name)}), '')::{kind}"
                            for name, (kind, _) in changes.items())
        connection.execute(sa.text(f"ALTER TABLE {table} {clauses}"))
    done = {name: kind for name, (kind, _) in changes.items()}
    log.info("DataStore table %s: column types guessed from the loaded text: %s", resource_id, done)
    return done


def after_upload(resource: dict[str, Any]) -> None:
    """xloader's ``after_upload`` (called when the rows are viewable, before xloader builds
    the column indexes, and again when the job is complete): type the upload's columns.
    A failure leaves the text columns as loaded; the load itself stands."""
    try:
        retype_loaded_table(resource["id"])
    except Exception:  # never fail the load for its types
        log.exception("DataStore table %s: column types not guessed; the columns stay text", resource["id"])
