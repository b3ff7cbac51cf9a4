"""Validation reports of tabular resources (CSV, XLSX) by frictionless (Frictionless Data).

- Against the data dictionary where the resource has one (the DataStore's fields as
  ``datastore_info`` gives them: a field's ``info.type_override`` or non-text type, and
  ``required``/``pkreq``/``notnull``): column names, types, required values.
- Else the structure only, with the types frictionless infers from the first rows: blank
  or duplicate headers, extra or missing cells, blank rows, cells of the wrong type.

Uploads are read from the portal's file store; links are fetched through the one outbound
policy (``harvesters/fetch.py``), at most ``table_max_bytes``. At most ``table_max_rows`` rows
are read and ``table_max_errors`` errors kept; the report keeps the errors by type and the
first ``table_report_rows`` rows with errors. Reports are stored per resource (table
``binhduong_table_report``, migration e5a9c2d4b781), made by the jobs worker after an upload,
a change of the resource or an xloader load (quality/jobs.py), and by
``ckan binhduong quality validate-tables``.

The MQA score (405 points) has no table-validity indicator and is left as it is: a table's
report is a local extra shown beside it (dataset quality page, checklist, agency dashboard).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
from collections import Counter
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.plugins.toolkit as toolkit
from ckan import model

from ckanext.binhduong.quality.mqa import N_

__all__ = ["ERROR_LABELS", "frictionless_schema", "invalid_tables", "is_tabular", "limits", "load", "load_for_dataset",
           "tabular_resources", "validate_and_store", "validate_file"]

log = logging.getLogger(__name__)

TABLE = "binhduong_table_report"
OPTION = "ckanext.binhduong.quality."
FORMATS = {"CSV": "csv", "TEXT/CSV": "csv", "XLSX": "xlsx"}

# frictionless error types, as a publisher reads them.
ERROR_LABELS = {
    "blank-label": N_("Blank column header"),
    "duplicate-label": N_("Duplicate column header"),
    "incorrect-label": N_("Column header differs from the data dictionary"),
    "missing-label": N_("Column of the data dictionary missing from the file"),
    "extra-label": N_("Column not in the data dictionary"),
    "blank-row": N_("Blank row"),
    "extra-cell": N_("More cells than column headers"),
    "missing-cell": N_("Fewer cells than column headers"),
    "type-error": N_("Value of the wrong type"),
    "constraint-error": N_("Required value missing or rule not met"),
    "unique-error": N_("Repeated value in a unique column"),
    "primary-key": N_("Repeated or missing key"),
    "encoding-error": N_("Text encoding not readable"),
    "source-error": N_("The file cannot be read as a table"),
    "format-error": N_("The file cannot be read as a table"),
    "scheme-error": N_("The file cannot be read as a table"),
    "other": N_("Other error"),
}

# DataStore types and type overrides -> frictionless field types.
TYPES = {"text": "string", "numeric": "number", "float8": "number", "float4": "number", "int": "integer",
         "int4": "integer", "int8": "integer", "integer": "integer", "bigint": "integer", "timestamp": "datetime",
         "date": "date", "time": "time", "bool": "boolean", "boolean": "boolean"}


def _int(key: str, default: int) -> int:
    value = toolkit.config.get(OPTION + key)
    return default if value in (None, "") else max(1, int(value))


def limits() -> dict[str, int]:
    return {"max_bytes": _int("table_max_bytes", 50 * 1024 * 1024), "max_rows": _int("table_max_rows", 100_000),
            "max_errors": _int("table_max_errors", 1000), "report_rows": _int("table_report_rows", 20)}


def is_tabular(resource: dict) -> str | None:
    """``csv`` or ``xlsx`` for a tabular resource (by its format, else its URL), else None."""
    fmt = (resource.get("format") or "").strip().upper().lstrip(".")
    if fmt in FORMATS:
        return FORMATS[fmt]
    if fmt:
        return None
    path = (resource.get("url") or "").split("?", 1)[0].lower()
    return next((kind for kind in ("csv", "xlsx") if path.endswith("." + kind)), None)


def frictionless_schema(fields: Iterable[dict]) -> dict | None:
    """A frictionless schema from the DataStore's fields (``datastore_info``), or None when
    the dictionary says nothing beyond text columns (then the structure alone is checked).

    Types are checked where the dictionary declares them (``type_override``: a harvester's or
    the publisher's). A column the portal typed itself after an upload (datastore_types.py) was
    typed because every cell already reads as a Vietnamese number or date ("1.430", "12,5",
    "01/07/2025"), which frictionless's plain formats would call errors."""
    schema_fields, said = [], False
    for field in fields:
        if field.get("id") == "_id":
            continue
        info = field.get("info") or {}
        declared = (info.get("type_override") or "").strip()
        kind = TYPES.get(declared, "string") if declared else "string"
        required = bool(info.get("required") or info.get("pkreq") or (field.get("schema") or {}).get("notnull"))
        said = said or bool(declared) or kind != "string" or required
        entry: dict[str, Any] = {"name": field["id"], "type": kind}
        if required:
            entry["constraints"] = {"required": True}
        schema_fields.append(entry)
    return {"fields": schema_fields} if schema_fields and said else None


def _error_entry(error) -> dict[str, Any]:
    entry = {"type": error.type if error.type in ERROR_LABELS else "other", "code": error.type}
    for attribute, key in (("field_name", "field"), ("cell", "cell"), ("label", "label"),
                           ("field_number", "column"), ("row_number", "row")):
        value = getattr(error, attribute, None)
        if value not in (None, ""):
            entry[key] = str(value)[:200] if key in ("cell", "label", "field") else value
    return entry


def validate_file(folder: str, name: str, kind: str, schema: dict | None, bounds: dict | None = None) -> dict[str, Any]:
    """frictionless's report of one file (``folder``/``name``, read as ``kind``) in our shape:
    ``valid``, ``error_count``, ``by_type`` {type: count}, ``header`` (errors of the header),
    ``rows`` (the first rows with errors: [{"row", "errors"}]), ``rows_checked``, ``truncated``."""
    from frictionless import Resource, Schema

    bounds = bounds or limits()
    options: dict[str, Any] = {"path": name, "basepath": folder, "format": kind}
    if schema:
        options["schema"] = Schema.from_descriptor(schema)
    report = Resource(**options).validate(limit_rows=bounds["max_rows"], limit_errors=bounds["max_errors"])
    task = report.tasks[0]
    errors = [_error_entry(error) for error in task.errors]
    by_type = Counter(error["type"] for error in errors)
    rows: dict[int, list[dict]] = {}
    header = []
    for error in errors:
        if "row" in error:
            rows.setdefault(int(error["row"]), []).append(error)
        else:
            header.append(error)
    rows_checked = int(task.stats.get("rows") or 0)
    return {
        "valid": not errors, "error_count": len(errors), "by_type": dict(by_type.most_common()),
        "header": header[:50], "rows": [{"row": number, "errors": rows[number][:20]}
                                         for number in sorted(rows)[:bounds["report_rows"]]],
        "rows_with_errors": len(rows), "rows_checked": rows_checked,
        "truncated": rows_checked >= bounds["max_rows"] or len(errors) >= bounds["max_errors"],
        "dictionary": bool(schema), "limits": {k: bounds[k] for k in ("max_rows", "max_errors", "report_rows")},
    }


def _site_context() -> dict:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _dictionary(resource_id: str) -> dict | None:
    try:
        info = toolkit.get_action("datastore_info")(_site_context(), {"id": resource_id})
    except (toolkit.ObjectNotFound, KeyError, toolkit.ValidationError):
        return None  # not in the DataStore (or no DataStore): no dictionary
    except Exception as error:  # noqa: BLE001 (the DataStore away: structure only, said in the log)
        log.warning("No data dictionary for %s: %s", resource_id, error)
        return None
    return frictionless_schema(info.get("fields") or [])


def _not_validated(message_vi: str, message_en: str) -> dict[str, Any]:
    return {"valid": None, "error_count": 0, "by_type": {}, "header": [], "rows": [], "rows_checked": 0,
            "problem": message_vi, "problem_en": message_en}


def _validate_resource(resource: dict, kind: str, bounds: dict, schema: dict | None) -> dict[str, Any]:
    if resource.get("url_type") == "upload":
        from ckan.lib import uploader

        path = uploader.get_resource_uploader(resource).get_path(resource["id"])
        if not path or not os.path.isfile(path):
            return _not_validated("Không tìm thấy tệp đã tải lên trong kho của cổng.",
                                  "The uploaded file is missing from the portal's storage.")
        if os.path.getsize(path) > bounds["max_bytes"]:
            return _not_validated(f"Tệp lớn hơn giới hạn kiểm tra ({bounds['max_bytes'] // 1048576} MB).",
                                  f"The file is larger than the validation limit ({bounds['max_bytes']} bytes).")
        return dict(validate_file(os.path.dirname(path), os.path.basename(path), kind, schema, bounds), source="upload")
    from ckanext.binhduong.harvesters.fetch import FetchError, FetchPolicy, fetch

    policy = FetchPolicy.from_config()
    policy = dataclasses.replace(policy, max_bytes=min(policy.max_bytes, bounds["max_bytes"]))
    try:
        answer = fetch(resource.get("url") or "", policy)
    except FetchError as error:
        return _not_validated(f"Không tải được tệp để kiểm tra: {error}", f"The file could not be fetched: {error!r}")
    with tempfile.TemporaryDirectory(prefix="bd-table-") as folder:
        name = f"table.{kind}"
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(answer.content)
        return dict(validate_file(folder, name, kind, schema, bounds), source="link")


def validate_and_store(resource_id: str) -> dict[str, Any] | None:
    """Validate one resource now and store its report; None when it is gone or not a table."""
    resource = model.Resource.get(resource_id)
    if resource is None or resource.state != "active":
        return None
    resource_dict = {"id": resource.id, "url": resource.url or "", "url_type": resource.url_type or "",
                     "format": resource.format or ""}
    kind = is_tabular(resource_dict)
    if kind is None:
        return None
    bounds = limits()
    try:
        report = _validate_resource(resource_dict, kind, bounds, _dictionary(resource.id))
    except Exception as error:  # noqa: BLE001 (a file frictionless chokes on is a finding, not a crash)
        log.warning("Validation of resource %s failed: %r", resource.id, error)
        report = _not_validated("Không đọc được tệp như một bảng dữ liệu.", f"The file could not be read: {error!r}")
    _save(resource, report)
    return report


def _save(resource, report: dict) -> None:
    modified = resource.last_modified.strftime("%Y-%m-%dT%H:%M:%S.%f") if resource.last_modified else ""
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(
            f"INSERT INTO {TABLE} (resource_id, dataset_id, url, file_modified, valid, error_count, report, checked) "
            "SELECT :id, :dataset, :url, :modified, :valid, :count, CAST(:report AS jsonb), now() at time zone 'utc' "
            "WHERE EXISTS (SELECT 1 FROM resource WHERE id = :id) "
            "ON CONFLICT (resource_id) DO UPDATE SET dataset_id = EXCLUDED.dataset_id, url = EXCLUDED.url, "
            "file_modified = EXCLUDED.file_modified, valid = EXCLUDED.valid, error_count = EXCLUDED.error_count, "
            "report = EXCLUDED.report, checked = EXCLUDED.checked"),
            {"id": resource.id, "dataset": resource.package_id, "url": resource.url or "", "modified": modified,
             "valid": report.get("valid"), "count": report.get("error_count", 0),
             "report": json.dumps(report, ensure_ascii=False)})


_COLUMNS = "t.resource_id, t.dataset_id, t.valid, t.error_count, t.report, t.checked"


def _row(row) -> dict[str, Any]:
    return {"resource_id": row[0], "dataset_id": row[1], "valid": row[2], "error_count": row[3], "report": row[4],
            "checked": row[5].isoformat() if row[5] else None}


def load(resource_id: str) -> dict[str, Any] | None:
    with model.meta.engine.connect() as connection:
        row = connection.execute(sa.text(f"SELECT {_COLUMNS} FROM {TABLE} t WHERE t.resource_id = :id"),
                                 {"id": resource_id}).first()
    return _row(row) if row else None


def load_for_dataset(dataset_id: str) -> list[dict[str, Any]]:
    """Reports of the dataset's active resources, with each resource's name."""
    with model.meta.engine.connect() as connection:
        rows = connection.execute(sa.text(
            f"SELECT {_COLUMNS}, r.name FROM {TABLE} t JOIN resource r ON r.id = t.resource_id "
            "WHERE t.dataset_id = :id AND r.state = 'active' ORDER BY r.position"), {"id": dataset_id})
        return [dict(_row(row), name=row[6]) for row in rows]


def invalid_tables(owner_org: str | None = None, public_only: bool = True) -> list[dict[str, Any]]:
    """Tables with errors in active datasets (public ones only by default; of one agency or
    all), most errors first."""
    query = (f"SELECT t.resource_id, t.error_count, r.name, p.name, p.title FROM {TABLE} t "
             "JOIN resource r ON r.id = t.resource_id JOIN package p ON p.id = r.package_id "
             "WHERE t.valid IS FALSE AND r.state = 'active' AND p.state = 'active'")
    if public_only:
        query += " AND NOT p.private"
    params = {}
    if owner_org:
        query += " AND p.owner_org = :org"
        params["org"] = owner_org
    with model.meta.engine.connect() as connection:
        return [{"resource_id": row[0], "error_count": row[1], "resource": row[2], "name": row[3], "title": row[4]}
                for row in connection.execute(sa.text(query + " ORDER BY t.error_count DESC, p.name"), params)]


def tabular_resources(dataset_id: str | None = None, changed_only: bool = True) -> list[dict[str, Any]]:
    """Active tabular resources of active datasets (all, or one dataset's); with
    ``changed_only`` those with no report or whose file changed since (url, last_modified)."""
    query = ("SELECT r.id, r.url, r.url_type, r.format, p.name, t.resource_id IS NOT NULL, "
             "t.url IS DISTINCT FROM r.url OR t.file_modified IS DISTINCT FROM "
             "coalesce(to_char(r.last_modified, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '') "
             f"FROM resource r JOIN package p ON p.id = r.package_id LEFT JOIN {TABLE} t ON t.resource_id = r.id "
             "WHERE r.state = 'active' AND p.state = 'active' AND p.type = 'dataset'")
    params = {}
    if dataset_id:
        query += " AND p.id = :id"
        params["id"] = dataset_id
    found = []
    with model.meta.engine.connect() as connection:
        for row in connection.execute(sa.text(query + " ORDER BY p.name, r.position"), params):
            resource = {"id": row[0], "url": row[1] or "", "url_type": row[2] or "", "format": row[3] or "",
                        "dataset": row[4]}
            if is_tabular(resource) and (not changed_only or not row[5] or row[6]):
                found.append(resource)
    return found
