"""Writing one harvested dataset into the catalogue: its files into the FileStore and its
metadata through package_create/package_update, checked against the catalogue schema
first, in one database transaction with the harvest object that produced it.

A failure leaves the published dataset as it was: the schema is checked before any file is
overwritten, overwritten files are put back when an exception follows, and the harvest
object becomes current only in the transaction that writes the dataset (a run killed
before the commit leaves the previous version current; the next run redoes the work).
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import logging
import os
import uuid
from typing import Any, Callable

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.lib import plugins as lib_plugins
from ckan.lib import uploader

from ckanext.harvest.model import HarvestObject

from ckanext.binhduong import datastore_types
from ckanext.binhduong.harvesters.problems import Problem
from ckanext.binhduong.harvesters.plan import DEFAULT_FORMATS, RENDERERS

__all__ = ["write_dataset", "request_datastore_load", "validation_problem"]

log = logging.getLogger(__name__)

# Keys of package_show output that package_update does not take back.
_SHOW_ONLY = {
    "extras", "organization", "num_resources", "num_tags", "metadata_created", "metadata_modified",
    "creator_user_id", "revision_id", "tracking_summary", "relationships_as_object",
    "relationships_as_subject", "harvest_object_id", "harvest_source_id", "harvest_source_title",
}
# Keys of a resource in package_show output that are not resource fields to send back.
_RESOURCE_SHOW_ONLY = {"package_id", "position", "created", "metadata_modified", "tracking_summary", "revision_id"}


def write_dataset(harvest_object, content: dict[str, Any], existing: dict[str, Any] | None, *, user: str,
                  new_name: Callable[[str], str], provenance: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create or update the dataset described by a harvest object's ``content``; returns the
    package dict written and the resources whose files were written: {id: the typed
    DataStore fields of its table (CSV), or None}."""
    now_utc = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    files = []  # (publication, renderer, filename, bytes)
    for publication in content["publications"]:
        for key in publication.get("formats", DEFAULT_FORMATS):
            renderer = RENDERERS[key]
            files.append((publication, renderer, f"{publication['key']}.{renderer.extension}",
                          renderer.write(publication["fields"], publication["rows"])))

    existing_files = {}
    for resource in (existing or {}).get("resources", []):
        if resource.get("url_type") == "upload":
            existing_files[(resource.get("url") or "").rsplit("/", 1)[-1]] = resource
    ours, written = [], {}
    loading = _loader_available()
    for publication, renderer, filename, data in files:
        previous_resource = existing_files.pop(filename, {})
        resource_id = previous_resource.get("id") or str(uuid.uuid4())
        # The harvester knows its columns: the DataStore table gets their types (numbers sort
        # as numbers) and their Vietnamese labels as its data dictionary.
        table = loading and renderer.format == "CSV"
        written[resource_id] = (datastore_types.harvest_fields(publication["fields"], publication["rows"])
                                if table else None)
        ours.append({
            # Other extensions' fields (xloader's datastore_active) stay with the resource.
            **{k: v for k, v in previous_resource.items() if k not in _RESOURCE_SHOW_ONLY},
            "id": resource_id, "name": f"{publication['title']} ({renderer.format})",
            "description": publication["description"], "format": renderer.format, "mimetype": renderer.mimetype,
            "url": filename, "url_type": "upload", "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "last_modified": now_utc.isoformat(), "language": "vi",
            # Its table is made right after this write (request_datastore_load): flagged in the
            # same revision, so that making it is not one more dataset update in the stream.
            **({"datastore_active": True} if table else {}),
        })
    # Resources someone added by hand (a methodology PDF) stay, after ours.
    kept = [r for r in (existing or {}).get("resources", []) if r["id"] not in written]

    package = _package_dict(content, existing, ours + kept, new_name, provenance)
    context = {"model": model, "session": model.Session, "user": user, "ignore_auth": True}
    _dry_run(package, existing, context)
    stored = _StoredFiles()
    try:
        for (_, renderer, filename, data), resource in zip(files, ours):
            upload = uploader.get_resource_uploader(
                {"url": filename, "upload": FileStorage(stream=io.BytesIO(data), filename=filename,
                                                        content_type=renderer.mimetype)})
            stored.before_write(upload, resource["id"])
            upload.upload(resource["id"], uploader.get_max_resource_size())
        _save(harvest_object, package, existing, context)
    except BaseException:
        # An exception (not a kill) after some files were written: put the published files
        # back, so the dataset's files and metadata keep matching.
        stored.restore()
        raise
    return package, written


def _save(harvest_object, package: dict[str, Any], existing: dict[str, Any] | None,
          context: dict[str, Any]) -> None:
    # The harvest object becomes current in the same transaction as the dataset.
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


def _package_dict(content: dict[str, Any], existing: dict[str, Any] | None, resources: list[dict[str, Any]],
                  new_name: Callable[[str], str], provenance: str) -> dict[str, Any]:
    harvested_at = dt.datetime.fromisoformat(content["harvested_at"])
    if existing:
        # Fields we do not set (a maintainer, groups, a licence note typed by hand) stay.
        package = {k: v for k, v in existing.items() if k not in _SHOW_ONLY}
        if "tag_string" in content["metadata"]:
            package.pop("tags", None)
    else:
        package = {"id": str(uuid.uuid4()), "name": new_name(content["name"]), "type": "dataset"}
    package.update(copy.deepcopy(content["metadata"]))
    package["state"] = "active"
    package["issued"] = (existing or {}).get("issued") or harvested_at.date().isoformat()
    package["modified"] = harvested_at.date().isoformat()
    package["provenance"] = provenance
    package["resources"] = resources
    return package


def _loader_available() -> bool:
    try:
        toolkit.get_action("xloader_submit")
        toolkit.get_action("datastore_create")
    except KeyError:
        return False
    return True


def request_datastore_load(package: dict[str, Any], written: dict[str, Any], user: str) -> list[Problem]:
    """Ask xloader to load each CSV we wrote (package_create does not call the resource hooks
    xloader listens to; xloader skips a resource that already has a pending job), into a
    table made first with the columns' types and data dictionary (xloader's COPY keeps the
    types of an existing table's dictionary). Returns the problems of requests that failed:
    the dataset is published, only its table load is late (or, if the typed table could not
    be made, its columns are text until the next change)."""
    try:
        submit = toolkit.get_action("xloader_submit")
    except KeyError:
        log.info("xloader is not loaded: no DataStore load requested for %s", package["name"])
        return []
    problems = []
    for resource in package["resources"]:
        if resource["id"] in written and resource.get("format") == "CSV":
            request = {"resource_id": resource["id"]}
            if written[resource["id"]]:
                done, problem = _prepare_table(resource, written[resource["id"]], user)
                problems += problem
                if done == "recreated":
                    # The old rows are gone with the old columns: load even a file xloader saw.
                    request["ignore_hash"] = True
            try:
                submit({"ignore_auth": True, "user": user}, request)
            except Exception as error:
                log.warning("DataStore load of resource %s not requested: %s", resource["id"], error)
                problems.append(Problem(
                    f"Đã công bố “{resource['name']}” nhưng chưa gửi được yêu cầu nạp vào DataStore; quản trị "
                    "có thể nạp lại từ trang tài nguyên.",
                    f"Resource {resource['id']} published but the DataStore load was not requested: {error}"))
    return problems


def _prepare_table(resource: dict[str, Any], fields: list[dict[str, Any]], user: str) -> tuple[str, list[Problem]]:
    try:
        done = datastore_types.prepare_table(resource["id"], fields, user)
    except Exception as error:  # the load still runs, into text columns
        log.warning("Typed DataStore table of resource %s not prepared: %s", resource["id"], error)
        return "failed", [Problem(
            f"Chưa tạo được bảng có kiểu dữ liệu cho “{resource['name']}”; bảng được nạp với các cột dạng văn bản.",
            f"Typed DataStore table of resource {resource['id']} not prepared (loaded as text): {error}")]
    log.info("DataStore table of resource %s: %s (%s)", resource["id"], done,
             ", ".join(f"{f['id']} {f['type']}" for f in fields))
    return done, []


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


def validation_problem(title: str, error_dict: dict[str, Any]) -> Problem:
    details = "; ".join(_flatten_errors(error_dict))
    return Problem(
        f"Bộ dữ liệu “{title}” không đạt lược đồ siêu dữ liệu của cổng nên chưa được cập nhật "
        f"(bản đang công bố giữ nguyên): {details}",
        f"Dataset '{title}' refused by the catalogue schema; nothing changed: {details}")