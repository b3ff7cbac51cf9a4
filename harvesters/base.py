"""The one base class of the Bình Dương harvesters.

A harvester of ours reads one source (a paged JSON API, an XLSX workbook or CSV files) and
publishes a few open datasets built from it, each with CSV and JSON resources loaded into
the DataStore. ``BinhDuongHarvester`` owns everything that is the same for all of them:

- the source config (JSON): parsing, and ``validate_config`` messages an operator can act on;
- fetching safely (fetch.py), reading (read.py) and laying out tables (normalise.py);
- one harvest object per dataset, whose content is the normalised data itself, hashed: a
  dataset whose hash equals the one last published is skipped (no package_update, no new
  activity, no re-upload);
- creating or updating the dataset and its files in one database transaction, linked to the
  harvest object, after checking the result against the catalogue schema; the DataStore load
  is then requested from xloader;
- errors: a Vietnamese message for the harvest UI with its English text (also logged), per
  job (the source is down, a file cannot be read) or per dataset (a bad row, a schema
  refusal). A failure never deletes or blanks what is already published.

Subclasses declare the tables they read (``TABLES``) and turn them into ``DatasetPlan``s
(``build_datasets``); they never talk to CKAN or the harvest models themselves.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import logging
import os
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.lib import plugins as lib_plugins
from ckan.lib import uploader

from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import (
    HarvestGatherError, HarvestObject, HarvestObjectError, HarvestObjectExtra,
)

from ckanext.binhduong.harvesters import fetch as fetching
from ckanext.binhduong.harvesters import normalise
from ckanext.binhduong.harvesters import read as reading
from ckanext.binhduong.harvesters.normalise import Problem, Table, TableError, TableSpec

__all__ = [
    "BinhDuongHarvester", "HarvestProblem", "ConfigError", "HarvestRun", "DatasetPlan", "Publication",
    "OutputField", "OrganizationIndex", "content_hash", "render_csv", "render_json", "public_url",
]

log = logging.getLogger(__name__)

CONTENT_VERSION = 1
HASH_KEY = "content_hash"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class HarvestProblem(Exception):
    """A problem the harvest cannot work around; ``vi`` goes to the harvest UI."""

    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi = vi
        self.en = en

    def problem(self) -> Problem:
        return Problem(self.vi, self.en)


class ConfigError(ValueError):
    """The source config is not usable; every problem found is listed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            "Cấu hình nguồn thu thập chưa đúng: " + " ".join(p.vi for p in problems)
            + " [EN] Invalid source configuration: " + " ".join(p.en for p in problems))


def _problem_of(error: Exception) -> Problem:
    """Our modules' errors carry ``vi`` and ``en``; anything else is a bug worth its type name."""
    vi = getattr(error, "vi", None)
    en = getattr(error, "en", None)
    if vi and en:
        return Problem(vi, en)
    return Problem("Lỗi không mong đợi khi thu thập; quản trị xem nhật ký (log) để biết chi tiết.",
                   f"Unexpected {type(error).__name__}: {error}")


# ---------------------------------------------------------------------------------------
# What a subclass produces

@dataclass(frozen=True)
class OutputField:
    """A column of a published table: machine name (CSV header, DataStore field, JSON key),
    its Vietnamese label, and what it means (for the data dictionary in the description)."""
    name: str
    label: str
    description: str = ""


@dataclass
class Publication:
    """One published table, written as a CSV and a JSON resource named ``key``.csv/.json."""
    key: str
    title: str
    description: str
    fields: list[OutputField]
    rows: list[dict[str, Any]]

    def as_content(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "description": self.description,
                "fields": [vars(f) for f in self.fields], "rows": self.rows}


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


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_hash(metadata: dict[str, Any], publications: list[dict[str, Any]]) -> str:
    return hashlib.sha256(_canonical({"metadata": metadata, "publications": publications}).encode()).hexdigest()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)


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


_SECRET_PARAM = re.compile(r"key|token|secret|pass|signature|auth", re.IGNORECASE)


def public_url(url: str) -> str:
    """A source URL fit for published metadata: no credentials, no API keys."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


# ---------------------------------------------------------------------------------------
# Organizations: which agency is which organization of the portal

class OrganizationIndex:
    """Matches agency names as source systems write them ("Sở Tư pháp", "UBND huyện Dầu
    Tiếng") to the portal's organizations: by the config's ``agency_map``, by agency code,
    by title (accents, case, "UBND" and a trailing "tỉnh Bình Dương" ignored), by name."""

    def __init__(self, organizations: list[dict[str, Any]], aliases: dict[str, str] | None = None,
                 site_url: str = ""):
        self.site_url = site_url.rstrip("/")
        self._by_ref: dict[str, dict] = {}
        self._by_key: dict[str, list[dict]] = {}
        for org in organizations:
            for ref in (org["id"], org["name"], (org.get("agency_code") or "").upper()):
                if ref:
                    self._by_ref[ref] = org
            self._by_key.setdefault(normalise.name_key(org.get("title") or org["name"]), []).append(org)
        self._aliases = {normalise.name_key(k): v for k, v in (aliases or {}).items()}

    @classmethod
    def from_database(cls, aliases: dict[str, str] | None = None) -> "OrganizationIndex":
        groups = (model.Session.query(model.Group)
                  .filter(model.Group.is_organization.is_(True), model.Group.state == "active").all())
        organizations = [{"id": g.id, "name": g.name, "title": g.title or g.name,
                          "agency_code": (g.extras or {}).get("agency_code"),
                          "email": (g.extras or {}).get("email")} for g in groups]
        return cls(organizations, aliases, toolkit.config.get("ckan.site_url", ""))

    def get(self, reference: str | None) -> dict[str, Any] | None:
        return self._by_ref.get(reference or "")

    def lookup(self, agency: Any) -> tuple[dict[str, Any] | None, bool]:
        """(organization or None, whether the agency is accounted for). An ``agency_map``
        entry with an empty value says "known, no organization of its own" (e.g. "UBND cấp
        xã", which is 91 communes), so it is not reported as unknown."""
        key = normalise.name_key(agency)
        if not key:
            return None, True
        if key in self._aliases:
            target = self._aliases[key]
            return (self._by_ref.get(target), True) if target else (None, True)
        text = normalise.clean_text(agency) or ""
        if text.upper() in self._by_ref:
            return self._by_ref[text.upper()], True
        found = self._by_key.get(key, [])
        if len(found) == 1:
            return found[0], True
        if not found and normalise.slugify(agency) in self._by_ref:
            return self._by_ref[normalise.slugify(agency)], True
        return None, False

    def match(self, agency: Any) -> dict[str, Any] | None:
        return self.lookup(agency)[0]

    def url(self, org: dict[str, Any]) -> str:
        return f"{self.site_url}/organization/{org['name']}"


# ---------------------------------------------------------------------------------------
# One harvest run

@dataclass
class HarvestRun:
    """What a subclass may use while building datasets."""
    job: Any
    source_id: str
    source_url: str
    source_title: str
    config: dict[str, Any]
    now: dt.datetime
    owner_org: dict[str, Any]
    organizations: OrganizationIndex
    policy: fetching.FetchPolicy
    defaults: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def report(self, problem: Problem) -> None:
        """A problem for the job as a whole (shown with the job's errors)."""
        self.problems.append(problem)

    def guid(self, key: str) -> str:
        return f"{self.source_id}:{key}"

    def table_options(self, key: str) -> dict[str, Any]:
        """Options of one table: the table's own block over the top-level ones."""
        inherited = {k: self.config[k] for k in TABLE_OPTIONS if k in self.config and k not in ("url", "name", "title")}
        return {**inherited, **(self.config.get(key) or {})}

    def metadata(self, table_key: str, **fields: Any) -> dict[str, Any]:
        """Schema fields every dataset of ours carries, then the subclass's own; a frequency
        set in the config (for this table, or for all) wins over the subclass's default."""
        metadata = {**self.defaults, **fields}
        frequency = (self.config.get(table_key) or {}).get("frequency") or self.config.get("frequency")
        if frequency:
            metadata["frequency"] = frequency.upper()
        return metadata

    def previous_content(self, key: str) -> dict[str, Any] | None:
        """The content last published for this dataset (its rows included), or None."""
        current = _current_object(self.source_id, self.guid(key))
        if current is None or not current.content:
            return None
        try:
            content = json.loads(current.content)
        except ValueError:
            log.warning("Harvest object %s has unreadable content; ignoring it", current.id)
            return None
        return content if content.get("version") == CONTENT_VERSION and "publications" in content else None


def _current_object(source_id: str, guid: str, exclude: str | None = None) -> HarvestObject | None:
    query = (model.Session.query(HarvestObject)
             .filter(HarvestObject.harvest_source_id == source_id, HarvestObject.guid == guid,
                     HarvestObject.current.is_(True)))
    if exclude:
        query = query.filter(HarvestObject.id != exclude)
    return query.order_by(HarvestObject.import_finished.desc().nullslast()).first()


# ---------------------------------------------------------------------------------------
# Source config

# Options of one table, allowed at the top level (for every table) or in the table's block.
TABLE_OPTIONS = {
    "url": str, "format": str, "encoding": str, "delimiter": str, "sheet": (str, int), "json": dict,
    "ignore_columns": list, "frequency": str, "name": str, "title": str, "enabled": bool,
}
COMMON_OPTIONS = {
    "owner_org": str, "author": str, "contact": (dict, list), "license_id": str, "theme": list,
    "spatial_units": list, "tags": list, "agency_map": dict,
    **{k: v for k, v in TABLE_OPTIONS.items() if k not in ("url", "name", "title", "enabled")},
}
JSON_OPTIONS = {"records": str, "next": str, "total_pages": str, "total": str, "page_param": str, "max_pages": int}
FORMATS = ("auto", "csv", "xlsx", "json")
_TYPE_VI = {str: "chuỗi", int: "số nguyên", float: "số", bool: "true/false", list: "danh sách [...]",
            dict: "đối tượng {...}"}
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


def _types_vi(expected: Any) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " hoặc ".join(_TYPE_VI.get(t, t.__name__) for t in types)


def _check_type(where: str, value: Any, expected: Any, problems: list[Problem]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok:
        problems.append(Problem(f"“{where}” phải là {_types_vi(expected)}.",
                                f"'{where}' must be {' or '.join(t.__name__ for t in types)}."))
    return ok


def _unknown_key(where: str, key: str, allowed: Iterable[str], problems: list[Problem]) -> None:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint_vi = f" Có phải ý bạn là “{close[0]}”?" if close else ""
    hint_en = f" Did you mean '{close[0]}'?" if close else ""
    problems.append(Problem(
        f"Không có tùy chọn “{where}{key}”.{hint_vi} Các tùy chọn: {', '.join(sorted(allowed))}.",
        f"Unknown option '{where}{key}'.{hint_en}"))


def _check_table_block(prefix: str, block: dict[str, Any], problems: list[Problem]) -> None:
    for key, value in block.items():
        if key not in TABLE_OPTIONS:
            _unknown_key(prefix, key, TABLE_OPTIONS, problems)
        elif _check_type(prefix + key, value, TABLE_OPTIONS[key], problems):
            _check_value(prefix + key, key, value, problems)


def _check_value(where: str, key: str, value: Any, problems: list[Problem]) -> None:
    from ckanext.binhduong import places, vocabularies

    if key == "url":
        if urlsplit(value).scheme not in ("http", "https"):
            problems.append(Problem(f"“{where}” phải là địa chỉ http:// hoặc https://.",
                                    f"'{where}' must be an http(s) URL."))
    elif key == "format" and value not in FORMATS:
        problems.append(Problem(f"“{where}” phải là một trong: {', '.join(FORMATS)}.",
                                f"'{where}' must be one of {', '.join(FORMATS)}."))
    elif key == "encoding":
        try:
            reading.canonical_encoding(value)
        except ValueError:
            problems.append(Problem(
                f"Bảng mã “{value}” không được hỗ trợ; dùng auto, utf-8, windows-1258, tcvn3 hoặc vni.",
                f"Unsupported encoding '{value}'."))
    elif key == "delimiter" and len(value) != 1:
        problems.append(Problem(f"“{where}” phải là đúng một ký tự (vd. “;”).", f"'{where}' must be one character."))
    elif key == "frequency" and vocabularies.term("frequencies", value) is None:
        problems.append(Problem(f"Tần suất “{value}” không có trong danh mục (vd. MONTHLY, WEEKLY, DAILY).",
                                f"Unknown frequency '{value}'."))
    elif key == "theme":
        for code in value:
            if vocabularies.term("themes", str(code)) is None:
                problems.append(Problem(f"Chủ đề “{code}” không có trong danh mục chủ đề EU (vd. GOVE).",
                                        f"Unknown theme '{code}'."))
    elif key == "spatial_units":
        for code in value:
            if places.get_unit(str(code)) is None:
                problems.append(Problem(f"Mã đơn vị hành chính “{code}” không tồn tại (vd. 74 là tỉnh Bình Dương).",
                                        f"Unknown administrative unit '{code}'."))
    elif key == "license_id" and value not in vocabularies.open_licence_ids():
        problems.append(Problem(f"Giấy phép “{value}” không phải giấy phép mở của cổng (vd. CC-BY-4.0).",
                                f"'{value}' is not one of the portal's open licences."))
    elif key == "contact":
        contacts = value if isinstance(value, list) else [value]
        for contact in contacts:
            if not isinstance(contact, dict) or not contact.get("name") or not _EMAIL.match(str(contact.get("email", ""))):
                problems.append(Problem(
                    "“contact” cần tên và thư điện tử hợp lệ, vd. {\"name\": \"Phòng Kiểm soát TTHC\", "
                    "\"email\": \"kstthc@binhduong.gov.vn\"}.",
                    "'contact' needs a name and a valid email."))
    elif key == "json":
        for option, option_value in value.items():
            if option not in JSON_OPTIONS:
                _unknown_key(f"{where}.", option, JSON_OPTIONS, problems)
            else:
                _check_type(f"{where}.{option}", option_value, JSON_OPTIONS[option], problems)
    elif key == "name" and not _NAME.match(value):
        problems.append(Problem(f"“{where}” chỉ gồm chữ thường không dấu, số, “-” và “_” (2–100 ký tự).",
                                f"'{where}' must be a CKAN name (a-z, 0-9, - and _)."))
    elif key == "agency_map":
        for agency, org in value.items():
            if not isinstance(org, str):
                problems.append(Problem(
                    f"“agency_map”: cơ quan “{agency}” phải ứng với tên tổ chức trên cổng (hoặc \"\" nếu không có).",
                    f"'agency_map' entry '{agency}' must name an organization (or be \"\")."))


# ---------------------------------------------------------------------------------------
# The base class

class BinhDuongHarvester(HarvesterBase):
    """Subclasses set HARVESTER_NAME, TITLE, DESCRIPTION, TABLES (and EXTRA_OPTIONS for
    their own config keys) and implement build_datasets()."""

    HARVESTER_NAME = ""
    TITLE = ""
    DESCRIPTION = ""
    TABLES: tuple[TableSpec, ...] = ()
    EXTRA_OPTIONS: dict[str, Any] = {}
    DEFAULT_THEME: tuple[str, ...] = ("GOVE",)
    DEFAULT_FREQUENCY = "MONTHLY"
    DEFAULT_LICENCE = "CC-BY-4.0"
    DEFAULT_UNITS: tuple[str, ...] = ("74",)

    # -- to implement --------------------------------------------------------------------

    def build_datasets(self, tables: dict[str, Table], run: HarvestRun) -> list[DatasetPlan]:
        raise NotImplementedError

    def check_options(self, config: dict[str, Any]) -> list[Problem]:
        """Checks of the subclass's own options (EXTRA_OPTIONS types are checked already)."""
        return []

    # -- IHarvester ----------------------------------------------------------------------

    def info(self) -> dict[str, str]:
        return {"name": self.HARVESTER_NAME, "title": self.TITLE, "description": self.DESCRIPTION,
                "form_config_interface": "Text"}

    def validate_config(self, config: str | None) -> str | None:
        self.parse_config(config)
        return config

    def get_original_url(self, harvest_object_id: str) -> str | None:
        obj = HarvestObject.get(harvest_object_id)
        return public_url(obj.source.url) if obj is not None and obj.source is not None else None

    def parse_config(self, text: str | None) -> dict[str, Any]:
        """The config as a dict; ConfigError listing every problem (in both languages)."""
        if not text or not text.strip():
            return {}
        try:
            config = json.loads(text)
        except ValueError as error:
            raise ConfigError([Problem(
                f"Cấu hình không phải JSON hợp lệ (dòng {getattr(error, 'lineno', '?')}, cột "
                f"{getattr(error, 'colno', '?')}). Ví dụ đúng: {{\"encoding\": \"tcvn3\"}}.",
                f"Config is not valid JSON: {error}.")]) from error
        if not isinstance(config, dict):
            raise ConfigError([Problem("Cấu hình phải là một đối tượng JSON {...}.", "Config must be a JSON object.")])
        problems: list[Problem] = []
        tables = {spec.key for spec in self.TABLES}
        allowed = {**COMMON_OPTIONS, **self.EXTRA_OPTIONS, **{key: dict for key in tables}}
        for key, value in config.items():
            if key not in allowed:
                _unknown_key("", key, allowed, problems)
            elif not _check_type(key, value, allowed[key], problems):
                continue
            elif key in tables:
                _check_table_block(f"{key}.", value, problems)
            elif key in COMMON_OPTIONS:
                _check_value(key, key, value, problems)
        problems.extend(self.check_options(config) if not problems else [])
        if problems:
            raise ConfigError(problems)
        return config

    def _get_user_name(self) -> str:
        # HarvesterBase caches the name on the singleton; the user can be gone since (a
        # renamed harvest user, a test database reset), so ask each time.
        self._user_name = None
        return super()._get_user_name()

    # -- gather ----------------------------------------------------------------------------

    def gather_stage(self, harvest_job) -> list[str] | None:
        source = harvest_job.source
        log.info("Harvest job %s (%s): gathering %s", harvest_job.id, self.HARVESTER_NAME, public_url(source.url))
        try:
            run = self._start_run(harvest_job)
        except (ConfigError, HarvestProblem) as error:
            problems = error.problems if isinstance(error, ConfigError) else [error.problem()]
            for problem in problems:
                self._gather_error(problem, harvest_job)
            return None
        tables = self._read_tables(run)
        plans: list[DatasetPlan] = []
        if tables:
            try:
                plans = self.build_datasets(tables, run)
            except HarvestProblem as error:
                run.report(error.problem())
        seen = set()
        for problem in run.problems:
            if problem.message() not in seen:
                seen.add(problem.message())
                self._gather_error(problem, harvest_job)
        if not plans:
            return None
        object_ids = []
        for plan in plans:
            content = self._content(plan, run)
            obj = HarvestObject(guid=run.guid(plan.guid_key), job=harvest_job,
                                content=json.dumps(content, ensure_ascii=False))
            obj.extras = [HarvestObjectExtra(key=HASH_KEY, value=content[HASH_KEY])]
            obj.save()
            object_ids.append(obj.id)
        log.info("Harvest job %s: %d dataset(s) gathered", harvest_job.id, len(object_ids))
        return object_ids

    def _start_run(self, harvest_job) -> HarvestRun:
        source = harvest_job.source
        config = self.parse_config(source.config)
        source_package = model.Package.get(source.id)
        org_ref = config.get("owner_org") or (source_package.owner_org if source_package else None)
        organizations = OrganizationIndex.from_database(config.get("agency_map"))
        owner = organizations.get(org_ref)
        if owner is None:
            raise HarvestProblem(
                "Nguồn thu thập chưa gắn với cơ quan công bố: chọn tổ chức cho nguồn, hoặc đặt “owner_org” "
                f"trong cấu hình{f' (không tìm thấy “{org_ref}”)' if org_ref else ''}.",
                f"No publishing organization for the source (owner_org {org_ref!r} not found).")
        contact = config.get("contact")
        if contact is None:
            if not owner.get("email"):
                raise HarvestProblem(
                    f"Thiếu đầu mối liên hệ cho các bộ dữ liệu: thêm “contact” vào cấu hình nguồn, hoặc điền thư "
                    f"điện tử cho tổ chức “{owner['title']}”.",
                    f"No contact point: set 'contact' in the config or an email on organization {owner['name']}.")
            contact = {"name": owner["title"], "email": owner["email"]}
        defaults = {
            "owner_org": owner["id"],
            "author": config.get("author") or owner["title"],
            "contact": contact if isinstance(contact, list) else [contact],
            "license_id": config.get("license_id", self.DEFAULT_LICENCE),
            "theme": list(config.get("theme") or self.DEFAULT_THEME),
            "spatial_units": [str(c) for c in (config.get("spatial_units") or self.DEFAULT_UNITS)],
            "frequency": (config.get("frequency") or self.DEFAULT_FREQUENCY).upper(),
            "language": ["vi"],
            "access_rights": "PUBLIC",
        }
        if config.get("tags"):
            defaults["tag_string"] = ",".join(str(t) for t in config["tags"])
        return HarvestRun(
            job=harvest_job, source_id=source.id, source_url=source.url, source_title=source.title or source.url,
            config=config, now=_now(), owner_org=owner, organizations=organizations,
            policy=fetching.FetchPolicy.from_config(), defaults=defaults)

    def _read_tables(self, run: HarvestRun) -> dict[str, Table]:
        documents: dict[Any, Any] = {}
        tables: dict[str, Table] = {}
        for spec in self.TABLES:
            options = run.table_options(spec.key)
            if options.get("enabled") is False:
                continue
            # An optional table is looked for in the source document too; only when its own
            # URL is configured is its absence an error.
            explicit = spec.required or "url" in (run.config.get(spec.key) or {})
            url = options.get("url") or run.source_url
            try:
                sheets = self._document(url, options, run, documents)
                tables[spec.key] = self._pick_sheet(sheets, spec, options)
            except (fetching.FetchError, reading.ReadError, TableError) as error:
                problem = _problem_of(error)
                if explicit:
                    log.warning("Table %s of source %s not read: %s", spec.key, run.source_id, problem.en)
                    run.report(problem)
                else:
                    log.info("Optional table %s not found in %s: %s", spec.key, public_url(url), problem.en)
        return tables

    def _document(self, url: str, options: dict[str, Any], run: HarvestRun,
                  cache: dict[Any, Any]) -> list[reading.Sheet]:
        key = (url, options.get("format", "auto"), options.get("encoding", "auto"), options.get("delimiter"),
               _canonical(options.get("json") or {}))
        if key not in cache:
            try:
                cache[key] = self._read_document(url, options, run.policy)
            except (fetching.FetchError, reading.ReadError) as error:
                cache[key] = error
        if isinstance(cache[key], Exception):
            raise cache[key]
        return cache[key]

    def _read_document(self, url: str, options: dict[str, Any], policy: fetching.FetchPolicy) -> list[reading.Sheet]:
        shown = public_url(url)
        result = fetching.fetch(url, policy)
        fmt = options.get("format") or "auto"
        if fmt == "auto":
            fmt = reading.sniff_format(result.content, result.content_type, shown)
        if fmt == "json":
            paging = reading.JsonPaging.from_config(options.get("json"))
            records = reading.collect_json_pages(result.final_url, result.content,
                                                 lambda next_url: fetching.fetch(next_url, policy).content, paging)
            return [reading.records_to_sheet(records, shown)]
        return reading.read_document(result.content, source=shown, content_type=result.content_type, format=fmt,
                                     encoding=options.get("encoding", "auto"), delimiter=options.get("delimiter"))

    @staticmethod
    def _pick_sheet(sheets: list[reading.Sheet], spec: TableSpec, options: dict[str, Any]) -> Table:
        ignore = options.get("ignore_columns") or ()
        wanted = options.get("sheet")
        if wanted is not None:
            if isinstance(wanted, int):
                chosen = sheets[wanted - 1:wanted] if wanted >= 1 else []
            else:
                chosen = [s for s in sheets if normalise.fold(s.title) == normalise.fold(wanted)]
            if not chosen:
                titles = ", ".join(f"“{s.title}”" for s in sheets if s.title)
                raise TableError(f"Không có trang tính “{wanted}” cho bảng “{spec.label}”. Các trang tính: {titles}.",
                                 f"No sheet {wanted!r} for table {spec.key}.")
            return normalise.table_from_grid(chosen[0].rows, spec, chosen[0].name, ignore)
        best: Table | None = None
        first_error: TableError | None = None
        for sheet in sheets:
            try:
                table = normalise.table_from_grid(sheet.rows, spec, sheet.name, ignore)
            except TableError as error:
                first_error = first_error or error
                continue
            if best is None or len(table.columns) > len(best.columns):
                best = table
        if best is None:
            raise first_error or TableError(f"Nguồn không có bảng “{spec.label}”.", f"No table {spec.key} in source.")
        return best

    def _content(self, plan: DatasetPlan, run: HarvestRun) -> dict[str, Any]:
        publications = [p.as_content() for p in plan.publications]
        return {
            "version": CONTENT_VERSION,
            "harvester": self.HARVESTER_NAME,
            "guid_key": plan.guid_key,
            "name": plan.name,
            "metadata": plan.metadata,
            "publications": publications,
            "problems": [p.as_dict() for p in plan.problems],
            "source_url": public_url(run.source_url),
            "harvested_at": run.now.isoformat(timespec="seconds"),
            HASH_KEY: content_hash(plan.metadata, publications),
        }

    # -- fetch ---------------------------------------------------------------------------

    def fetch_stage(self, harvest_object) -> bool | str:
        """Report the dataset's row problems, and stop here when nothing changed."""
        try:
            content = json.loads(harvest_object.content or "")
        except ValueError:
            self._object_error(Problem("Nội dung thu thập bị hỏng; hãy chạy lại.", "Unreadable harvest object content."),
                               harvest_object, "Fetch")
            return False
        for problem in content.get("problems", []):
            self._object_error(Problem.from_dict(problem), harvest_object, "Fetch")
        previous = _current_object(harvest_object.harvest_source_id, harvest_object.guid, exclude=harvest_object.id)
        if previous is not None and self._stored_hash(previous) == content[HASH_KEY] \
                and _is_active(previous.package_id):
            # Keep the content of the object that is current only; this one repeats it.
            harvest_object.content = json.dumps({"version": CONTENT_VERSION, "unchanged": True,
                                                 HASH_KEY: content[HASH_KEY]})
            harvest_object.save()
            log.info("Dataset %s unchanged (hash %s)", harvest_object.guid, content[HASH_KEY][:12])
            return "unchanged"
        return True

    @staticmethod
    def _stored_hash(obj: HarvestObject) -> str | None:
        return next((extra.value for extra in obj.extras if extra.key == HASH_KEY), None)

    # -- import --------------------------------------------------------------------------

    def import_stage(self, harvest_object) -> bool | str:
        try:
            content = json.loads(harvest_object.content or "")
        except ValueError:
            content = {}
        if content.get("unchanged"):
            return "unchanged"
        if "publications" not in content:
            self._object_error(Problem("Nội dung thu thập bị hỏng; hãy chạy lại.", "Harvest object has no data."),
                               harvest_object, "Import")
            return False
        previous = _current_object(harvest_object.harvest_source_id, harvest_object.guid, exclude=harvest_object.id)
        title = content["metadata"].get("title", content["name"])
        try:
            existing = self._existing_package(previous)
            package, written = self._publish(harvest_object, content, existing)
        except toolkit.ValidationError as error:
            model.Session.rollback()
            problem = _validation_problem(title, error.error_dict)
            log.warning("Dataset %s refused by the schema: %s", harvest_object.guid, problem.en)
            self._object_error(problem, harvest_object, "Import")
            return False
        except Exception as error:  # the dataset must stay as published, whatever went wrong
            model.Session.rollback()
            log.exception("Import of %s failed", harvest_object.guid)
            problem = _problem_of(error)
            self._object_error(Problem(
                f"Không ghi được bộ dữ liệu “{title}”; bản đang công bố được giữ nguyên. {problem.vi}",
                f"Could not write dataset {harvest_object.guid}; the published version is kept. {problem.en}"),
                harvest_object, "Import")
            return False
        log.info("Dataset %s %s (%s)", package["name"], "updated" if existing else "created", harvest_object.guid)
        self._request_datastore_load(package, written, harvest_object)
        return True

    def _existing_package(self, previous: HarvestObject | None) -> dict[str, Any] | None:
        if previous is None or not previous.package_id:
            return None
        try:
            return toolkit.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                                      {"id": previous.package_id})
        except toolkit.ObjectNotFound:
            return None

    def _publish(self, harvest_object, content: dict[str, Any],
                 existing: dict[str, Any] | None) -> tuple[dict[str, Any], set[str]]:
        user = self._get_user_name()
        now_utc = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        files = []  # (publication, format, filename, bytes, mimetype)
        for publication in content["publications"]:
            files.append((publication, "CSV", f"{publication['key']}.csv",
                          render_csv(publication["fields"], publication["rows"]), "text/csv"))
            files.append((publication, "JSON", f"{publication['key']}.json",
                          render_json(publication["fields"], publication["rows"]), "application/json"))

        existing_files = {}
        for resource in (existing or {}).get("resources", []):
            if resource.get("url_type") == "upload":
                existing_files[(resource.get("url") or "").rsplit("/", 1)[-1]] = resource
        ours, written = [], set()
        for publication, fmt, filename, data, mimetype in files:
            previous_resource = existing_files.pop(filename, {})
            resource_id = previous_resource.get("id") or str(uuid.uuid4())
            written.add(resource_id)
            ours.append({
                # Other extensions' fields (xloader's datastore_active) stay with the resource.
                **{k: v for k, v in previous_resource.items() if k not in _RESOURCE_SHOW_ONLY},
                "id": resource_id, "name": f"{publication['title']} ({fmt})",
                "description": publication["description"], "format": fmt, "mimetype": mimetype,
                "url": filename, "url_type": "upload", "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(), "last_modified": now_utc.isoformat(), "language": "vi",
            })
        # Resources someone added by hand (a methodology PDF) stay, after ours.
        kept = [r for r in (existing or {}).get("resources", []) if r["id"] not in written]

        package = self._package_dict(content, existing, ours + kept)
        context = {"model": model, "session": model.Session, "user": user, "ignore_auth": True}
        _dry_run(package, existing, context)
        stored = _StoredFiles()
        try:
            for (_, _, filename, data, mimetype), resource in zip(files, ours):
                upload = uploader.get_resource_uploader(
                    {"url": filename, "upload": FileStorage(stream=io.BytesIO(data), filename=filename,
                                                            content_type=mimetype)})
                stored.before_write(upload, resource["id"])
                upload.upload(resource["id"], uploader.get_max_resource_size())
            self._save(harvest_object, package, existing, context)
        except BaseException:
            # An exception (not a kill) after some files were written: put the published files
            # back, so the dataset's files and metadata keep matching.
            stored.restore()
            raise
        return package, written

    @staticmethod
    def _save(harvest_object, package: dict[str, Any], existing: dict[str, Any] | None,
              context: dict[str, Any]) -> None:
        # The harvest object becomes current in the same transaction as the dataset: a run
        # killed before the commit leaves the previous version current, and the next run
        # redoes the work.
        query = model.Session.query(HarvestObject).filter(HarvestObject.id != harvest_object.id)
        if existing:
            query = query.filter(sa.or_(HarvestObject.package_id == existing["id"],
                                        sa.and_(HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
                                                HarvestObject.guid == harvest_object.guid)))
        else:
            query = query.filter(HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
                                 HarvestObject.guid == harvest_object.guid)
        query.update({"current": False}, synchronize_session=False)
        harvest_object.package_id = package["id"]
        harvest_object.current = True
        harvest_object.add()
        if existing:
            toolkit.get_action("package_update")(dict(context), package)
        else:
            # The dataset is indexed inside package_create, when the harvest object must
            # already point at it (ckanext-harvest adds the harvest extras at index time).
            model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
            model.Session.flush()
            toolkit.get_action("package_create")(dict(context), package)
        model.Session.commit()

    def _package_dict(self, content: dict[str, Any], existing: dict[str, Any] | None,
                      resources: list[dict[str, Any]]) -> dict[str, Any]:
        harvested_at = dt.datetime.fromisoformat(content["harvested_at"])
        if existing:
            # Fields we do not set (a maintainer, groups, a licence note typed by hand) stay.
            package = {k: v for k, v in existing.items() if k not in _SHOW_ONLY}
            if "tag_string" in content["metadata"]:
                package.pop("tags", None)
        else:
            package = {"id": str(uuid.uuid4()), "name": self._ensure_name_is_unique(content["name"]),
                       "type": "dataset"}
        package.update(copy.deepcopy(content["metadata"]))
        package["state"] = "active"
        package["issued"] = (existing or {}).get("issued") or harvested_at.date().isoformat()
        package["modified"] = harvested_at.date().isoformat()
        package["provenance"] = self._provenance(content, harvested_at)
        package["resources"] = resources
        return package

    def _provenance(self, content: dict[str, Any], harvested_at: dt.datetime) -> str:
        return "\n".join([
            f"Thu thập tự động bằng trình thu thập “{self.TITLE}” ({self.HARVESTER_NAME}) của cổng dữ liệu mở.",
            "",
            f"- Nguồn: {content['source_url']}",
            f"- Thời điểm thu thập: {harvested_at.strftime('%d/%m/%Y %H:%M')} (giờ Việt Nam)",
            f"- Mã băm nội dung (SHA-256): `{content[HASH_KEY]}`",
            "- Dữ liệu được chuẩn hóa (Unicode NFC, số và ngày theo chuẩn ISO) trước khi công bố; "
            "các dòng lỗi được báo cho đơn vị quản lý nguồn.",
        ])

    def _request_datastore_load(self, package: dict[str, Any], written: set[str], harvest_object) -> None:
        # package_create does not call the resource hooks xloader listens to, so ask for the
        # load of each CSV we wrote; xloader skips a resource that already has a pending job.
        try:
            submit = toolkit.get_action("xloader_submit")
        except KeyError:
            log.info("xloader is not loaded: no DataStore load requested for %s", package["name"])
            return
        for resource in package["resources"]:
            if resource["id"] in written and resource.get("format") == "CSV":
                try:
                    submit({"ignore_auth": True, "user": self._get_user_name()}, {"resource_id": resource["id"]})
                except Exception as error:  # the dataset is published; only the table load is late
                    log.warning("DataStore load of resource %s not requested: %s", resource["id"], error)
                    self._object_error(Problem(
                        f"Đã công bố “{resource['name']}” nhưng chưa gửi được yêu cầu nạp vào DataStore; quản trị "
                        "có thể nạp lại từ trang tài nguyên.",
                        f"Resource {resource['id']} published but the DataStore load was not requested: {error}"),
                        harvest_object, "Import")

    # -- errors ----------------------------------------------------------------------------

    @staticmethod
    def _gather_error(problem: Problem, harvest_job) -> None:
        log.warning("Harvest job %s: %s", harvest_job.id, problem.en)
        HarvestGatherError.create(problem.message(), harvest_job)

    @staticmethod
    def _object_error(problem: Problem, harvest_object, stage: str) -> None:
        log.info("Harvest object %s (%s): %s", harvest_object.id, stage, problem.en)
        HarvestObjectError.create(problem.message(), harvest_object, stage,
                                  problem.rows[0] if problem.rows else None)


# Keys of package_show output that package_update does not take back.
_SHOW_ONLY = {
    "extras", "organization", "num_resources", "num_tags", "metadata_created", "metadata_modified",
    "creator_user_id", "revision_id", "tracking_summary", "relationships_as_object",
    "relationships_as_subject", "harvest_object_id", "harvest_source_id", "harvest_source_title",
}


class _StoredFiles:
    """Copies of the files a failed import overwrote, and the new files it added, so that
    an exception leaves the file store as it was. (Only for CKAN's own file store; an
    uploader plugin without local paths relies on the next run instead.)"""

    def __init__(self):
        self._old: list[tuple[str, bytes | None]] = []

    def before_write(self, upload: Any, resource_id: str) -> None:
        get_path = getattr(upload, "get_path", None)
        if get_path is None or getattr(upload, "storage_path", None) is None:
            return
        path = get_path(resource_id)
        try:
            with open(path, "rb") as handle:
                self._old.append((path, handle.read()))
        except FileNotFoundError:
            self._old.append((path, None))

    def restore(self) -> None:
        for path, data in reversed(self._old):
            try:
                if data is None:
                    if os.path.exists(path):
                        os.remove(path)
                else:
                    with open(path + "~", "wb") as handle:
                        handle.write(data)
                    os.replace(path + "~", path)
            except OSError as error:
                log.error("Could not restore %s after a failed import: %s", path, error)


# Keys of a resource in package_show output that are not resource fields to send back.
_RESOURCE_SHOW_ONLY = {"package_id", "position", "created", "metadata_modified", "tracking_summary", "revision_id"}


def _now() -> dt.datetime:
    name = toolkit.config.get("ckan.display_timezone", DEFAULT_TIMEZONE) or DEFAULT_TIMEZONE
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    return dt.datetime.now(zone).replace(microsecond=0)


def _is_active(package_id: str | None) -> bool:
    package = model.Package.get(package_id) if package_id else None
    return package is not None and package.state == "active"


def _dry_run(package: dict[str, Any], existing: dict[str, Any] | None, context: dict[str, Any]) -> None:
    """Validate against the catalogue schema before any file is overwritten: a refusal must
    leave the published files as they are."""
    plugin = lib_plugins.lookup_package_plugin(package.get("type", "dataset"))
    check_context = dict(context)
    if existing:
        check_context["package"] = model.Package.get(existing["id"])
        schema, action = plugin.update_package_schema(), "package_update"
    else:
        schema, action = plugin.create_package_schema(), "package_create"
    _, errors = lib_plugins.plugin_validate(plugin, check_context, copy.deepcopy(package), schema, action)
    if errors:
        raise toolkit.ValidationError(errors)


def _flatten_errors(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        return [item for key, value in errors.items() for item in _flatten_errors(value, f"{prefix}{key}.")]
    if isinstance(errors, list):
        if all(isinstance(item, str) for item in errors):
            return [f"{prefix.rstrip('.')}: {item}" for item in errors] if errors else []
        return [item for index, value in enumerate(errors) for item in _flatten_errors(value, f"{prefix}{index}.")]
    return [f"{prefix.rstrip('.')}: {errors}"]


def _validation_problem(title: str, error_dict: dict[str, Any]) -> Problem:
    details = "; ".join(_flatten_errors(error_dict))
    return Problem(
        f"Bộ dữ liệu “{title}” không đạt lược đồ siêu dữ liệu của cổng nên chưa được cập nhật "
        f"(bản đang công bố giữ nguyên): {details}",
        f"Dataset '{title}' refused by the catalogue schema; nothing changed: {details}")
