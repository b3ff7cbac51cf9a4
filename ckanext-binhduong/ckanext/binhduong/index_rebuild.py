"""`ckan binhduong search-index-rebuild`: CKAN's `search-index rebuild`, batched and parallel.

Stock CKAN rebuilds the index one dataset at a time: `package_show` (about fifteen SQL
queries: the dataset, its resources, tags, groups, organization and relationships, then the
plugins' own), the two schema validations, CKAN's document building, and one HTTP request to
Solr per dataset on a fresh connection. Here the same document is built by the same code,
but for a batch of datasets at once:

- the batch's datasets and their rows (resources, tags, groups, organizations, relationships)
  are read with one query each, and CKAN's own row dictizers (`resource_list_dictize`,
  `obj_list_dictize`, `group_list_dictize`) turn them into the dict `package_dictize` makes;
- then, per dataset and unchanged: the IPackageController/IResourceController hooks that
  `package_show` runs, the default and custom show schemas, the after-show hooks, and
  `PackageSearchIndex.index_package` (the plugins' `before_dataset_index`, permission labels),
  whose Solr document is collected instead of being sent;
- the batch goes to Solr in one request on a kept connection, without a commit;
- batches are shared among worker processes (one per core by default);
- one commit at the end, after the documents of datasets that no longer exist (or are
  deleted) are removed, so searches never see a half-empty index.

`tests/test_index_rebuild.py` checks that the index it builds is the one CKAN builds dataset
by dataset (every stored field of every document, index timestamps aside). Figures:
bench/README.md, section "Scale".
"""
from __future__ import annotations

import collections
import dataclasses
import logging
import multiprocessing
import os
import time
from typing import Any, Callable, Iterable

import pysolr
from sqlalchemy import select, false

import ckan.lib.dictization as dictization
import ckan.lib.plugins as lib_plugins
import ckan.model as model
import ckan.plugins as plugins
from ckan import logic
from ckan.common import config
from ckan.lib.dictization import model_dictize
from ckan.lib.search import index as search_index
from ckan.lib.search.common import SearchIndexError, make_connection
from ckan.logic.schema import default_show_package_schema

__all__ = ["RebuildReport", "build_documents", "dataset_ids", "rebuild"]

log = logging.getLogger(__name__)

DEFAULT_BATCH = 200


@dataclasses.dataclass
class RebuildReport:
    datasets: int = 0                 # datasets asked for
    indexed: int = 0                  # documents sent to Solr
    failed: list[tuple[str, str]] = dataclasses.field(default_factory=list)   # (id, error)
    removed: int = 0                  # stale documents deleted
    seconds: float = 0.0
    workers: int = 1

    @property
    def rate(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0


def dataset_ids(only_missing: bool = False) -> list[str]:
    """The datasets CKAN's `search-index rebuild` indexes: every dataset, less the deleted
    ones when `ckan.search.remove_deleted_packages` is on (the default)."""
    query = model.Session.query(model.Package.id)
    if config.get("ckan.search.remove_deleted_packages"):
        query = query.filter(model.Package.state != "deleted")
    ids = [row[0] for row in query.order_by(model.Package.id)]
    if only_missing:
        indexed = set(_indexed_ids())
        ids = [package_id for package_id in ids if package_id not in indexed]
    return ids


# -- building the documents ------------------------------------------------------------------

class _Collector:
    """Stands in for the Solr connection inside `index_package`: keeps the documents."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []
        self.deleted: list[str] = []

    def add(self, docs, commit=None, **_kwargs) -> None:
        self.docs.extend(docs)

    def delete(self, q=None, id=None, commit=None, **_kwargs) -> None:  # noqa: A002 - pysolr's name
        self.deleted.append(q or id)


class _collecting:
    """`PackageSearchIndex.index_package` asks `make_connection()` for a connection; within
    this block it gets a collector, so CKAN's whole document building runs and only the
    sending is left out. The indexing code itself is not copied, so it cannot drift."""

    def __enter__(self) -> _Collector:
        self.collector = _Collector()
        self.original = search_index.make_connection
        search_index.make_connection = lambda *args, **kwargs: self.collector
        return self.collector

    def __exit__(self, *exc) -> None:
        search_index.make_connection = self.original


def _grouped(rows: Iterable[Any], key: str) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = collections.defaultdict(list)
    for row in rows:
        groups[getattr(row, key)].append(row)
    return groups


def _prefetch(ids: list[str]) -> dict[str, Any]:
    """One query per kind of row for the whole batch (package_dictize makes one per dataset)."""
    session = model.Session
    # populate_existing: the rows as stored (a dataset already in the session keeps, for one,
    # its extras in the order they were assigned, where the database returns JSONB's order).
    packages = session.query(model.Package).filter(model.Package.id.in_(ids)).populate_existing().all()
    res = model.resource_table
    tag, pkg_tag = model.tag_table, model.package_tag_table
    member, group = model.member_table, model.group_table
    rel = model.package_relationship_table
    owners = {package.owner_org for package in packages if package.owner_org}
    return {
        # Kept in the session's identity map while the batch is built: Package.get (in
        # package_show's hooks, resource dictizing, permission labels) then reads no row.
        "packages": {package.id: package for package in packages},
        "resources": _grouped(session.execute(select(res).where(res.c["package_id"].in_(ids))), "package_id"),
        "tags": _grouped(session.execute(
            select(tag, pkg_tag.c["state"], pkg_tag.c["package_id"].label("_package_id"))
            .join(pkg_tag, tag.c["id"] == pkg_tag.c["tag_id"]).where(pkg_tag.c["package_id"].in_(ids))),
            "_package_id"),
        "groups": _grouped(session.execute(
            select(member.c["table_id"]).join(group, group.c["id"] == member.c["group_id"]).where(
                member.c["table_id"].in_(ids), member.c["state"] == "active", group.c["is_organization"] == false())),
            "table_id"),
        "organizations": {row.id: row for row in session.execute(
            select(group).where(group.c["id"].in_(owners), group.c["state"] == "active"))} if owners else {},
        "related": {row[0] for row in session.execute(
            select(rel.c["subject_package_id"]).where(rel.c["subject_package_id"].in_(ids)))}
        | {row[0] for row in session.execute(
            select(rel.c["object_package_id"]).where(rel.c["object_package_id"].in_(ids)))},
    }


def _tag_dicts(rows: list[Any], context: dict) -> list[dict[str, Any]]:
    """obj_list_dictize of package_dictize's tag rows (tag columns, package_tag's state);
    ours carry the dataset's id too, dropped here."""
    active = context.get("active", True)
    tags = []
    for row in rows:
        tag = dictization.table_dictize(row, context)
        tag.pop("_package_id")
        if active and row.state != "active":
            continue
        tags.append(tag)
    return sorted(tags, key=lambda x: x["name"])


def _dictize(package: model.Package, batch: dict[str, Any], context: dict) -> dict[str, Any]:
    """`package_dictize(package, context)` from the batch's rows. Datasets in groups or in
    relationships (rare here) go through CKAN's own package_dictize."""
    if package.id in batch["groups"] or package.id in batch["related"]:
        return model_dictize.package_dictize(package, context)
    result = dictization.table_dictize(package, context)
    if result.get("title"):
        result["title"] = result["title"].strip()
    result.pop("plugin_data", None)
    result["resources"] = model_dictize.resource_list_dictize(batch["resources"].get(package.id, []), context)
    result["num_resources"] = len(result["resources"])
    result["tags"] = _tag_dicts(batch["tags"].get(package.id, []), context)
    result["num_tags"] = len(result["tags"])
    for tag_dict in result["tags"]:
        tag_dict["display_name"] = tag_dict["name"]
    result["extras"] = [{"key": k, "value": v} for k, v in (result["extras"] or {}).items()]
    context["with_capacity"] = False
    result["groups"] = []
    organization = batch["organizations"].get(package.owner_org) if package.owner_org else None
    if organization is not None:
        result["organization"] = dictization.table_dictize(organization, context)
        del result["organization"]["extras"]
    else:
        result["organization"] = None
    result["relationships_as_subject"] = []
    result["relationships_as_object"] = []
    result["isopen"] = package.isopen()
    result["type"] = package.type or "dataset"
    if package.license and package.license.url:
        result["license_url"] = package.license.url
        result["license_title"] = package.license.title.split("::")[-1]
    elif package.license:
        result["license_title"] = package.license.title
    else:
        result["license_title"] = package.license_id
    result["metadata_modified"] = package.metadata_modified.isoformat()
    result["metadata_created"] = package.metadata_created.isoformat() if package.metadata_created else None
    return result


def _show_both_schemas(package: model.Package, batch: dict[str, Any]) -> tuple[dict, dict]:
    """What `logic.package_show_default_and_custom_schemas` returns, from the batch's rows:
    package_show with validate=False (its hooks included), then both show schemas and the
    after-show hooks."""
    context = logic.fresh_context({"ignore_auth": True}, ignore_auth=True, use_cache=False, validate=False)
    context.update({"model": model, "session": model.Session, "user": "", "package": package})
    package_dict = _dictize(package, batch, context)
    for item in plugins.PluginImplementations(plugins.IPackageController):
        item.read(package)
    for item in plugins.PluginImplementations(plugins.IResourceController):
        for resource_dict in package_dict["resources"]:
            item.before_resource_show(resource_dict)

    default_schema = default_show_package_schema()
    with_default, _errors = lib_plugins.plugin_validate(object(), context, package_dict, default_schema, "package_show")
    package_plugin = lib_plugins.lookup_package_plugin(package_dict["type"])
    custom_schema = package_plugin.show_package_schema()
    if custom_schema == default_schema:
        with_custom = with_default
    else:
        with_custom, _errors = lib_plugins.plugin_validate(package_plugin, context, package_dict, custom_schema,
                                                           "package_show")
    logic.apply_after_dataset_show_plugins(context, with_custom)
    return with_default, with_custom


class _tracking_from_batch:
    """ckanext-tracking's hooks (after_dataset_show, before_dataset_index) ask the database
    for the latest summary row of the dataset and of each resource URL: five queries a
    dataset (two for after_dataset_show with search_tracking.py). Within this block those
    lookups answer from two queries for the whole batch, made by search_tracking's own reader
    (`_newest`: the newest row per package and per URL); other ids or URLs still go to the
    database."""

    def __init__(self, ids: list[str], urls: list[str]) -> None:
        self.ids, self.urls = ids, urls

    def __enter__(self) -> None:
        try:
            from ckanext.tracking.model import TrackingSummary
        except ImportError:
            self.summary = None
            return
        if not plugins.plugin_loaded("tracking"):
            self.summary = None
            return
        from ckanext.binhduong import search_tracking

        self.summary = TrackingSummary
        by_package = search_tracking._newest("package_id", self.ids)
        by_url = search_tracking._newest("url", self.urls)
        known_ids, known_urls = set(self.ids), set(self.urls)
        original_package, original_resource = TrackingSummary.get_for_package, TrackingSummary.get_for_resource
        self.originals = (TrackingSummary.__dict__["get_for_package"], TrackingSummary.__dict__["get_for_resource"])

        def get_for_package(cls, package_id: str) -> dict[str, int]:
            if package_id in known_ids:
                return dict(by_package.get(package_id) or search_tracking.ZERO)
            return original_package(package_id)

        def get_for_resource(cls, url: str) -> dict[str, int]:
            if url in known_urls:
                return dict(by_url.get(url) or search_tracking.ZERO)
            return original_resource(url)

        TrackingSummary.get_for_package = classmethod(get_for_package)
        TrackingSummary.get_for_resource = classmethod(get_for_resource)

        # search_tracking.py gives the plugin's after_dataset_show the same rows through
        # _newest(column, keys); answered from the batch as well.
        self.newest = search_tracking._newest
        known = {"package_id": (known_ids, by_package), "url": (known_urls, by_url)}

        def newest(column: str, keys) -> dict[str, dict[str, int]]:
            keys = {key for key in keys if key}
            ids, rows = known.get(column, (set(), {}))
            if keys <= ids:
                return {key: dict(rows[key]) for key in keys if key in rows}
            return self.newest(column, keys)

        search_tracking._newest = newest

    def __exit__(self, *exc) -> None:
        if self.summary is not None:
            from ckanext.binhduong import search_tracking

            self.summary.get_for_package, self.summary.get_for_resource = self.originals
            search_tracking._newest = self.newest


class _NoOtherRow:
    """What `session.query(query.exists()).scalar()` answers when the batch has shown that
    no row matches: the query is built as usual and answers False without a round trip."""

    def filter(self, *_args, **_kwargs) -> "_NoOtherRow":
        return self

    def exists(self) -> "_NoOtherRow":
        return self

    def scalar(self) -> bool:
        return False


class _NamesKnownFree:
    """The session `package_name_validator` sees for a name the batch has checked: one query
    for the batch found no other live dataset holding it (package.name is unique, so a stored
    dataset's name never is), so the validator's own query, one a dataset and a schema, is
    answered without a round trip. Anything else it asks goes to the real session."""

    def __init__(self, session) -> None:
        self._session = session

    def query(self, *entities):
        if len(entities) == 1 and (entities[0] is model.Package.id or isinstance(entities[0], _NoOtherRow)):
            return _NoOtherRow()
        return self._session.query(*entities)

    def __getattr__(self, name: str):
        return getattr(self._session, name)


class _names_from_batch:
    """Within this block, `package_name_validator` (in both show schemas, via CKAN's
    validator registry) is answered from one query for the batch for the names of the
    batch's datasets; other names (or a name another live dataset holds) still ask the
    database through the unchanged validator."""

    def __init__(self, packages: dict[str, model.Package]) -> None:
        names = {package.name: package.id for package in packages.values()}
        taken = collections.Counter(row[0] for row in model.Session.execute(
            select(model.package_table.c["name"]).where(
                model.package_table.c["name"].in_(list(names)), model.package_table.c["state"] != "deleted")))
        self.free = {(name, package_id) for name, package_id in names.items() if taken[name] <= 1}

    def __enter__(self) -> None:
        logic.get_validator("package_name_validator")  # the registry, filled
        self.original = logic._validators_cache["package_name_validator"]
        original, free = self.original, self.free

        def package_name_validator(key, data, errors, context):
            package = context.get("package")
            if package is not None and (data.get(key), package.id) in free:
                context = dict(context, session=_NamesKnownFree(context["session"]))
            return original(key, data, errors, context)

        logic._validators_cache["package_name_validator"] = package_name_validator

    def __exit__(self, *exc) -> None:
        logic._validators_cache["package_name_validator"] = self.original


class _harvest_from_batch:
    """ckanext-harvest's before_dataset_index asks, for every dataset, for its newest current
    harvest object. Within this block the plugin's query is answered from one query for the
    batch when the dataset has none (the plugin then leaves the document as it is); datasets
    that were harvested go through the plugin's own query."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    def __enter__(self) -> None:
        try:
            from ckanext.harvest import plugin as harvest_plugin
            from ckanext.harvest.model import HarvestObject
        except ImportError:
            self.module = None
            return
        if not plugins.plugin_loaded("harvest"):
            self.module = None
            return
        table = HarvestObject.__table__
        harvested = {row[0] for row in model.Session.execute(select(table.c["package_id"]).where(
            table.c["package_id"].in_(self.ids), table.c["current"] == True))}  # noqa: E712
        unharvested = set(self.ids) - harvested
        self.module, self.model = harvest_plugin, harvest_plugin.model

        class _Session:
            @staticmethod
            def query(*entities):
                query = model.Session.query(*entities)
                if entities == (HarvestObject,):
                    return _HarvestQuery(query, unharvested, HarvestObject)
                return query

            def __getattr__(self, name):
                return getattr(model.Session, name)

        class _Model:
            Session = _Session()

            def __getattr__(self, name):
                return getattr(model, name)

        harvest_plugin.model = _Model()

    def __exit__(self, *exc) -> None:
        if self.module is not None:
            self.module.model = self.model


class _HarvestQuery:
    """The plugin's `query(HarvestObject).filter(package_id == X).filter(current).order_by(...)
    .first()`: None without a round trip when X is a batch dataset without a current harvest
    object; otherwise the real query."""

    def __init__(self, query, unharvested: set[str], harvest_object) -> None:
        self.query, self.unharvested, self.column = query, unharvested, harvest_object.package_id
        self.package_id = None

    def filter(self, *criteria):
        for criterion in criteria:
            left = getattr(criterion, "left", None)
            right = getattr(criterion, "right", None)
            if left is not None and left.compare(self.column.expression) and hasattr(right, "value"):
                self.package_id = right.value
        self.query = self.query.filter(*criteria)
        return self

    def order_by(self, *clauses):
        self.query = self.query.order_by(*clauses)
        return self

    def first(self):
        if self.package_id in self.unharvested:
            return None
        return self.query.first()


def build_documents(ids: list[str]) -> tuple[list[dict[str, Any]], list[str], list[tuple[str, str]]]:
    """The Solr documents CKAN's indexer would send for these datasets, with the queries of
    deletions (deleted datasets, when they are to be removed) and failures (id, error)."""
    batch = _prefetch(ids)
    failures: list[tuple[str, str]] = []
    index = search_index.PackageSearchIndex()
    urls = [row.url for rows in batch["resources"].values() for row in rows if row.url]
    with _collecting() as collected, _tracking_from_batch(ids, urls), _names_from_batch(batch["packages"]), \
            _harvest_from_batch(ids):
        for package_id in ids:
            package = batch["packages"].get(package_id)
            if package is None:
                failures.append((package_id, "no such dataset"))
                continue
            try:
                with_default, with_custom = _show_both_schemas(package, batch)
                index.index_package(dict(with_default, with_custom_schema=with_custom), defer_commit=True)
            except Exception as error:  # noqa: BLE001 - reported per dataset, as stock's --force does
                log.error("Error while indexing dataset %s: %r", package_id, error)
                failures.append((package_id, repr(error)))
    return collected.docs, collected.deleted, failures


# -- sending ---------------------------------------------------------------------------------

_CONNECTION: dict[str, pysolr.Solr] = {}


def _connection() -> pysolr.Solr:
    # One connection per process, kept between batches (CKAN makes one per document).
    pid = str(os.getpid())
    if pid not in _CONNECTION:
        _CONNECTION.clear()
        _CONNECTION[pid] = make_connection()
    return _CONNECTION[pid]


def _send(docs: list[dict[str, Any]], deleted: list[str]) -> None:
    connection = _connection()
    try:
        if docs:
            connection.add(docs, commit=False)
        for query in deleted:
            connection.delete(q=query, commit=False)
    except pysolr.SolrError as error:
        raise SearchIndexError(f"Solr returned an error: {str(error)[:1000]}") from error


def _index_batch(ids: list[str]) -> tuple[int, list[tuple[str, str]]]:
    try:
        docs, deleted, failures = build_documents(ids)
        _send(docs, deleted)
        return len(docs), failures
    finally:
        model.Session.remove()


def _worker_start() -> None:
    # A forked worker gets connections of its own (the parent's pool is not shared).
    model.meta.engine.dispose(close=False)
    _CONNECTION.clear()


def _indexed_ids() -> list[str]:
    from ckan.lib.search import query_for

    count = make_connection().search(q="*:*", fq=f'+site_id:"{config.get("ckan.site_id")}" +entity_type:package',
                                     rows=0).hits
    return query_for(model.Package).get_all_entity_ids(max_results=max(count, 1))


def _remove_stale(keep: set[str]) -> int:
    stale = [package_id for package_id in _indexed_ids() if package_id not in keep]
    connection = _connection()
    site = config.get("ckan.site_id")
    for start in range(0, len(stale), 500):
        chunk = " OR ".join(f'"{package_id}"' for package_id in stale[start:start + 500])
        connection.delete(q=f'+site_id:"{site}" +entity_type:package +id:({chunk})', commit=False)
    return len(stale)


def rebuild(package_ids: list[str] | None = None, *, only_missing: bool = False, workers: int | None = None,
            batch_size: int = DEFAULT_BATCH, echo: Callable[[str], None] | None = None) -> RebuildReport:
    """Index the given datasets (default: all, as `ckan search-index rebuild`), in batches
    shared by `workers` processes (default: one per core), then commit once. A full rebuild
    also removes the documents of datasets that are gone or deleted."""
    started = time.perf_counter()
    full = package_ids is None and not only_missing
    ids = list(package_ids) if package_ids is not None else dataset_ids(only_missing)
    workers = max(1, workers or os.cpu_count() or 1)
    report = RebuildReport(datasets=len(ids), workers=workers)
    batches = [ids[start:start + batch_size] for start in range(0, len(ids), batch_size)]
    workers = min(workers, max(1, len(batches)))

    def progress(done: int) -> None:
        if echo and (done % 10 == 0 or done == len(batches)):
            elapsed = time.perf_counter() - started
            echo(f"indexed {report.indexed}/{len(ids)} datasets in {elapsed:.1f} s")

    if workers == 1:
        for done, batch in enumerate(batches, 1):
            count, failures = _index_batch(batch)
            report.indexed += count
            report.failed.extend(failures)
            progress(done)
    else:
        # Forked workers inherit the loaded configuration, plugins and request context;
        # no database connection may be open in the parent when they start.
        model.Session.remove()
        model.meta.engine.dispose()
        with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start) as pool:
            for done, (count, failures) in enumerate(pool.imap_unordered(_index_batch, batches), 1):
                report.indexed += count
                report.failed.extend(failures)
                progress(done)
    if full:
        report.removed = _remove_stale(set(ids))
    try:
        _connection().commit()
    except pysolr.SolrError as error:
        raise SearchIndexError(f"Solr returned an error on commit: {str(error)[:1000]}") from error
    report.seconds = time.perf_counter() - started
    return report
