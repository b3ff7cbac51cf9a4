"""What a harvester produces: datasets (``DatasetPlan``) made of published tables
(``Publication``), and how a table is written as files (CSV, JSON, and any format a
harvester registers in ``RENDERERS``, such as GeoJSON).

The same data always gives the same bytes and the same ``content_hash``: that is what makes
a re-harvest of an unchanged source a no-op.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ckanext.binhduong.exports import spreadsheet_safe
from ckanext.binhduong.harvesters.problems import Problem

__all__ = [
    "OutputField", "Publication", "DatasetPlan", "Renderer", "RENDERERS", "canonical", "content_hash",
    "render_csv", "render_json", "public_url",
]

DEFAULT_FORMATS = ("csv", "json")


@dataclass(frozen=True)
class OutputField:
    """A column of a published table: machine name (CSV header, DataStore field, JSON key),
    its Vietnamese label, and what it means (for the data dictionary in the description and
    the DataStore's). ``type`` names the DataStore column type ("int4", "numeric", "date",
    "text"); empty: the type all the column's values share (datastore_types.harvest_fields)."""
    name: str
    label: str
    description: str = ""
    type: str = ""

    def as_content(self) -> dict[str, str]:
        # Without an empty type, so that contents (and hashes) published before types
        # existed stay equal.
        return {k: v for k, v in vars(self).items() if k != "type" or v}


@dataclass
class Publication:
    """One published table, written as a CSV and a JSON resource named ``key``.csv/.json."""
    key: str
    title: str
    description: str
    fields: list[OutputField]
    rows: list[dict[str, Any]]
    # Keys of RENDERERS: one resource per format, named ``key``.<extension>.
    formats: tuple[str, ...] = ("csv", "json")

    def as_content(self) -> dict[str, Any]:
        content = {"key": self.key, "title": self.title, "description": self.description,
                   "fields": [f.as_content() for f in self.fields], "rows": self.rows}
        if self.formats != DEFAULT_FORMATS:
            # Only when not the default, so that contents (and hashes) published before
            # formats were configurable stay equal.
            content["formats"] = list(self.formats)
        return content


@dataclass
class DatasetPlan:
    """What one dataset should be, from this run's data. ``guid_key`` is stable for the
    source ("procedures"); ``metadata`` holds schema fields that depend only on the data and
    the config (never the harvest time: that would make every run a change)."""
    guid_key: str
    name: str
    metadata: dict[str, Any]
    publications: list[Publication]
    problems: list[Problem] = field(default_factory=list)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_hash(metadata: dict[str, Any], publications: list[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical({"metadata": metadata, "publications": publications}).encode()).hexdigest()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return spreadsheet_safe(str(value))


def render_csv(fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 without BOM (xloader would keep a BOM in the first column's name), one header row
    of machine names, "\\n" line ends: the same data always gives the same bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = [f["name"] for f in fields]
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(row.get(name)) for name in names])
    return buffer.getvalue().encode("utf-8")


def render_json(fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> bytes:
    names = [f["name"] for f in fields]
    records = [{name: row.get(name) for name in names} for row in rows]
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Renderer:
    """How a publication becomes one file: the resource format shown in CKAN, the file
    extension, the media type, and the function writing the bytes."""
    format: str
    extension: str
    mimetype: str
    write: Callable[[list[dict[str, Any]], list[dict[str, Any]]], bytes]


RENDERERS: dict[str, Renderer] = {
    "csv": Renderer("CSV", "csv", "text/csv", render_csv),
    "json": Renderer("JSON", "json", "application/json", render_json),
}


_SECRET_PARAM = re.compile(r"key|token|secret|pass|signature|auth", re.IGNORECASE)


def public_url(url: str) -> str:
    """A source URL fit for published metadata: no credentials, no API keys."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit(parts._replace(netloc=netloc, query=query))