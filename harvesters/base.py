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
(``build_datasets``); they never talk to CKAN or the harvest models themselves. What they
may change is a set of public hooks, each with a working default:

- ``read_document(url, options, run)``: the fetched source as sheets (or anything
  ``pick_sheet`` understands); ``read_json(result, shown, options, run)`` for JSON sources;
- ``pick_sheet(sheets, spec, options)``: the table ``spec`` among them;
- ``content(plan, run)``: what the harvest object carries to the fetch and import stages;
- ``object_extras(plan, content, run)``: what is stored beside it (read back next time
  through ``run.published(key)``);
- ``check_options``, ``after_publish``.

Per-job state lives on the ``HarvestRun`` (``run.state``), never on the harvester: CKAN
keeps one harvester object per process for every job.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckan.plugins import implements
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError, HarvestObjectExtra

from ckanext.binhduong.harvesters import fetch as fetching
from ckanext.binhduong.harvesters import normalise
from ckanext.binhduong.harvesters import publish as publishing
from ckanext.binhduong.harvesters import read as reading
from ckanext.binhduong.harvesters import run_test
from ckanext.binhduong.harvesters.normalise import Table, TableSpec
from ckanext.binhduong.harvesters.organizations import OrganizationIndex
from ckanext.binhduong.harvesters.plan import DatasetPlan, canonical, content_hash, public_url
from ckanext.binhduong.harvesters.problems import HarvestProblem, Problem, TableError, problem_of
from ckanext.binhduong.harvesters.source_config import TABLE_OPTIONS, ConfigError, parse_source_config
from ckanext.binhduong.text import current_lang

__all__ = ["BinhDuongHarvester", "HarvestRun", "Published", "CONTENT_VERSION", "HASH_KEY"]

log = logging.getLogger(__name__)

CONTENT_VERSION = 1
HASH_KEY = "content_hash"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Published:
    """A dataset as this source last published it, as far as a harvester may know it: its
    name and the extras stored beside its harvest object (``object_extras``)."""
    package_name: str
    extras: dict[str, str]


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
    #: A harvester's own state for this job (between read_document, build_datasets,
    #: content and object_extras).
    state: dict[str, Any] = field(default_factory=dict)

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

    def published(self, key: str) -> Published | None:
        """The dataset ``key`` as last published, while it is still published (active)."""
        current = _current_object(self.source_id, self.guid(key))
        if current is None or not _is_active(current.package_id):
            return None
        package = model.Package.get(current.package_id)
        return Published(package.name, {extra.key: extra.value for extra in current.extras})


def _current_object(source_id: str, guid: str, exclude: str | None = None) -> HarvestObject | None:
    query = (model.Session.query(HarvestObject)
             .filter(HarvestObject.harvest_source_id == source_id, HarvestObject.guid == guid,
                     HarvestObject.current.is_(True)))
    if exclude:
        query = query.filter(HarvestObject.id != exclude)
    return query.order_by(HarvestObject.import_finished.desc().nullslast()).first()


# ---------------------------------------------------------------------------------------
# The base class

class BinhDuongHarvester(HarvesterBase):
    """Subclasses set HARVESTER_NAME, TITLE, DESCRIPTION, TABLES (and EXTRA_OPTIONS for
    their own config keys) and implement build_datasets()."""

    # Only for before_download (run_test.dcat_before_download): ckanext-dcat's dcat_rdf
    # harvester calls it in its gather stage; the interface's other hooks keep their defaults.
    implements(IDCATRDFHarvester, inherit=True)

    HARVESTER_NAME = ""
    TITLE = ""  # Vietnamese, shown in the harvest UI and written into provenance
    DESCRIPTION = ""
    TITLE_EN = ""  # shown under /en/
    DESCRIPTION_EN = ""
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

    def after_publish(self, package: dict[str, Any], content: dict[str, Any]) -> list[Problem]:
        """Called after a dataset was written (not when unchanged), with the package dict
        written (resource ids included): a subclass may add what lives beside the dataset,
        such as resource views. Must be idempotent; returns problems for the harvest object
        (the dataset stays published whatever happens here)."""
        return []

    # -- IHarvester ----------------------------------------------------------------------

    def info(self) -> dict[str, str]:
        # The harvest pages list harvesters by these texts: English under /en/.
        english = current_lang() == "en"
        return {"name": self.HARVESTER_NAME,
                "title": self.TITLE_EN if english and self.TITLE_EN else self.TITLE,
                "description": self.DESCRIPTION_EN if english and self.DESCRIPTION_EN else self.DESCRIPTION,
                "form_config_interface": "Text"}

    def validate_config(self, config: str | None) -> str | None:
        self.parse_config(config)
        return config

    def get_original_url(self, harvest_object_id: str) -> str | None:
        obj = HarvestObject.get(harvest_object_id)
        return public_url(obj.source.url) if obj is not None and obj.source is not None else None

    def parse_config(self, text: str | None) -> dict[str, Any]:
        """The config as a dict; ConfigError listing every problem (in both languages)."""
        return parse_source_config(text, [spec.key for spec in self.TABLES], self.EXTRA_OPTIONS, self.check_options)

    def _get_user_name(self) -> str:
        # HarvesterBase caches the name on the singleton; the user can be gone since (a
        # renamed harvest user, a test database reset), so ask each time.
        self._user_name = None
        return super()._get_user_name()

    # -- gather ----------------------------------------------------------------------------

    def gather_stage(self, harvest_job) -> list[str] | None:
        # `ckan harvester run-test` gathers in its own process a job it has also put on the
        # gather queue, where the gather consumer takes it too: one of them does the work.
        # run-test runs the whole job here, or waits for the process that took it, and prints
        # the job's real outcome (run_test.py).
        if run_test.in_run_test():
            return run_test.run_job(self, harvest_job, self._claim_and_gather)
        taken, object_ids = self._claim_and_gather(harvest_job)
        if not taken:
            log.info("Harvest job %s was gathered by another process; nothing left to do", harvest_job.id)
            return []
        return object_ids

    def _claim_and_gather(self, harvest_job) -> tuple[bool, list[str] | None]:
        """(True, ids) when this process gathered the job, (False, []) when another one had."""
        with _exclusive(f"bd-harvest-gather:{harvest_job.id}"):
            if _already_gathered(harvest_job.id):
                return False, []
            return True, self._gather(harvest_job)

    # -- ckanext-dcat's dcat_rdf harvester under run-test (IDCATRDFHarvester) ---------------

    def before_download(self, url, harvest_job):
        return run_test.dcat_before_download(url, harvest_job)

    def _gather(self, harvest_job) -> list[str] | None:
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
            content = self.content(plan, run)
            obj = HarvestObject(guid=run.guid(plan.guid_key), job=harvest_job,
                                content=json.dumps(content, ensure_ascii=False))
            obj.extras = [HarvestObjectExtra(key=key, value=value)
                          for key, value in self.object_extras(plan, content, run).items()]
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
                tables[spec.key] = self.pick_sheet(sheets, spec, options)
            except (fetching.FetchError, reading.ReadError, TableError) as error:
                problem = problem_of(error)
                if explicit:
                    log.warning("Table %s of source %s not read: %s", spec.key, run.source_id, problem.en)
                    run.report(problem)
                else:
                    log.info("Optional table %s not found in %s: %s", spec.key, public_url(url), problem.en)
        return tables

    def _document(self, url: str, options: dict[str, Any], run: HarvestRun,
                  cache: dict[Any, Any]) -> list[reading.Sheet]:
        key = (url, options.get("format", "auto"), options.get("encoding", "auto"), options.get("delimiter"),
               canonical(options.get("json") or {}))
        if key not in cache:
            try:
                cache[key] = self.read_document(url, options, run)
            except (fetching.FetchError, reading.ReadError) as error:
                cache[key] = error
        if isinstance(cache[key], Exception):
            raise cache[key]
        return cache[key]

    # -- public hooks: reading -----------------------------------------------------------

    def read_document(self, url: str, options: dict[str, Any], run: HarvestRun) -> list[Any]:
        """The document at ``url`` (a table's options say how to read it) as sheets; a
        harvester with its own reader returns what its ``pick_sheet`` takes."""
        shown = public_url(url)
        result = fetching.fetch(url, run.policy)
        fmt = options.get("format") or "auto"
        if fmt == "auto":
            fmt = reading.sniff_format(result.content, result.content_type, shown)
        if fmt == "json":
            return self.read_json(result, shown, options, run)
        return reading.read_document(result.content, source=shown, content_type=result.content_type, format=fmt,
                                     encoding=options.get("encoding", "auto"), delimiter=options.get("delimiter"))

    def read_json(self, result: fetching.FetchResult, shown: str, options: dict[str, Any],
                  run: HarvestRun) -> list[reading.Sheet]:
        """A JSON source: records over pages as the config's ``json`` block says. Harvesters
        that know other JSON shapes (GeoJSON, ArcGIS) extend this."""
        paging = reading.JsonPaging.from_config(options.get("json"))
        records = reading.collect_json_pages(result.final_url, result.content,
                                             lambda next_url: fetching.fetch(next_url, run.policy).content, paging)
        return [reading.records_to_sheet(records, shown)]

    def pick_sheet(self, sheets: list[Any], spec: TableSpec, options: dict[str, Any]) -> Table:
        """The table ``spec`` from a document's sheets (the one the config names, or the
        one whose header names the most columns)."""
        ignore = options.get("ignore_columns") or ()
        return normalise.pick_table(sheets, spec, options.get("sheet"),
                                    lambda sheet: normalise.table_from_grid(sheet.rows, spec, sheet.name, ignore))

    # -- public hooks: what a harvest object carries ----------------------------------------

    def content(self, plan: DatasetPlan, run: HarvestRun) -> dict[str, Any]:
        """The harvest object's content: the dataset's metadata, rows and problems, hashed
        (the fetch stage compares the hash with the one published)."""
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

    def object_extras(self, plan: DatasetPlan, content: dict[str, Any], run: HarvestRun) -> dict[str, str]:
        """Extras stored with the harvest object (the content hash; a harvester adds its own
        and reads them back next time through ``run.published``)."""
        return {HASH_KEY: content[HASH_KEY]}

    # -- fetch ---------------------------------------------------------------------------

    def fetch_stage(self, harvest_object) -> bool | str:
        """Report the dataset's row problems, and stop here when nothing changed."""
        try:
            content = json.loads(harvest_object.content or "")
        except ValueError:
            self._object_error(Problem("Nội dung thu thập bị hỏng; hãy chạy lại.", "Unreadable harvest object content."),
                               harvest_object, "Fetch")
            return False
        # ckanext-harvest may hand one object to the fetch stage twice (harvest_jobs_run
        # re-queues objects it cannot see in Redis while a consumer holds them): the
        # problems are recorded once.
        with _exclusive(f"bd-harvest-object:{harvest_object.id}"):
            if not _has_errors(harvest_object.id, "Fetch"):
                for problem in content.get("problems", []):
                    self._object_error(Problem.from_dict(problem), harvest_object, "Fetch")
        return "unchanged" if self._repeats_published(harvest_object, content) else True

    def _repeats_published(self, harvest_object, content: dict[str, Any]) -> bool:
        """Whether the dataset as published already has this content; if so the object
        keeps only a marker (the content stays with the object that is current)."""
        previous = _current_object(harvest_object.harvest_source_id, harvest_object.guid, exclude=harvest_object.id)
        if previous is None or self._stored_hash(previous) != content[HASH_KEY] or not _is_active(previous.package_id):
            return False
        harvest_object.content = json.dumps({"version": CONTENT_VERSION, "unchanged": True, HASH_KEY: content[HASH_KEY]})
        harvest_object.save()
        log.info("Dataset %s unchanged (hash %s)", harvest_object.guid, content[HASH_KEY][:12])
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
        # Two objects of one dataset may be imported at once (two jobs of a source, by two
        # fetch consumers or run-test beside one): one at a time, and the second finds the
        # first's result.
        with _exclusive(f"bd-harvest-import:{harvest_object.harvest_source_id}:{harvest_object.guid}"):
            if self._repeats_published(harvest_object, content):
                return "unchanged"
            return self._import(harvest_object, content)

    def _import(self, harvest_object, content: dict[str, Any]) -> bool | str:
        model.Session.refresh(harvest_object)
        if harvest_object.current and harvest_object.package_id:
            # A second delivery of an object already imported (see fetch_stage): done.
            log.info("Harvest object %s was imported already", harvest_object.id)
            return True
        previous = _current_object(harvest_object.harvest_source_id, harvest_object.guid, exclude=harvest_object.id)
        title = content["metadata"].get("title", content["name"])
        try:
            existing = self._existing_package(previous)
            package, written = publishing.write_dataset(
                harvest_object, content, existing, user=self._get_user_name(),
                new_name=self._ensure_name_is_unique,
                provenance=self._provenance(content, dt.datetime.fromisoformat(content["harvested_at"])))
        except toolkit.ValidationError as error:
            model.Session.rollback()
            problem = publishing.validation_problem(title, error.error_dict)
            log.warning("Dataset %s refused by the schema: %s", harvest_object.guid, problem.en)
            self._object_error(problem, harvest_object, "Import")
            return False
        except Exception as error:  # the dataset must stay as published, whatever went wrong
            model.Session.rollback()
            log.exception("Import of %s failed", harvest_object.guid)
            problem = problem_of(error)
            self._object_error(Problem(
                f"Không ghi được bộ dữ liệu “{title}”; bản đang công bố được giữ nguyên. {problem.vi}",
                f"Could not write dataset {harvest_object.guid}; the published version is kept. {problem.en}"),
                harvest_object, "Import")
            return False
        log.info("Dataset %s %s (%s)", package["name"], "updated" if existing else "created", harvest_object.guid)
        self._request_datastore_load(package, written, harvest_object)
        try:
            after = self.after_publish(package, content)
        except Exception as error:  # the dataset is committed; only the extras are missing
            model.Session.rollback()
            log.exception("after_publish of %s failed", harvest_object.guid)
            after = [problem_of(error)]
        for problem in after:
            self._object_error(problem, harvest_object, "Import")
        return True

    def _existing_package(self, previous: HarvestObject | None) -> dict[str, Any] | None:
        if previous is None or not previous.package_id:
            return None
        try:
            return toolkit.get_action("package_show")({"ignore_auth": True, "use_cache": False},
                                                      {"id": previous.package_id})
        except toolkit.ObjectNotFound:
            return None

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
        for problem in publishing.request_datastore_load(package, written, self._get_user_name()):
            self._object_error(problem, harvest_object, "Import")

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



@contextlib.contextmanager
def _exclusive(name: str) -> Iterator[None]:
    """A PostgreSQL advisory lock held on a connection of its own, so that it lasts across
    the commits the harvest session makes meanwhile, across processes."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    connection = model.meta.engine.connect()
    try:
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
        yield
    finally:
        try:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        finally:
            connection.close()


def _has_errors(object_id: str, stage: str) -> bool:
    errors = model.Session.query(HarvestObjectError.id).filter(
        HarvestObjectError.harvest_object_id == object_id, HarvestObjectError.stage == stage)
    return model.Session.query(errors.exists()).scalar()


def _already_gathered(job_id: str) -> bool:
    objects = model.Session.query(HarvestObject.id).filter(HarvestObject.harvest_job_id == job_id)
    errors = model.Session.query(HarvestGatherError.id).filter(HarvestGatherError.harvest_job_id == job_id)
    return model.Session.query(objects.exists()).scalar() or model.Session.query(errors.exists()).scalar()


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
