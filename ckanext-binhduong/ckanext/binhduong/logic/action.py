"""Actions of the portal extension. Each of ours checks access first and validates its input."""
from __future__ import annotations

import logging
import os
from typing import Any

from werkzeug.datastructures import FileStorage

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import seed
from ckanext.binhduong.datastore_sql import datastore_search_sql
from ckanext.binhduong.dcat import cached_catalogue, switch, visibility
from ckanext.binhduong.dcat.switch import dcat_dataset_show
from ckanext.binhduong.dcat.visibility import dcat_catalog_search, dcat_datasets_list
from ckanext.binhduong.logic import schema
from ckanext.binhduong.logic.input_guard import package_create, package_update, resource_create, resource_update
from ckanext.binhduong.logic.not_found import package_show, resource_show
from ckanext.binhduong.logic.relationships import package_relationship_create, package_relationship_update
from ckanext.binhduong.logic.third_party_auth import NOT_ACTIONS, harvest_abort_failed_jobs, harvest_source_reindex
from ckanext.binhduong.search_outage import group_show, organization_show, package_search
from ckanext.binhduong.quality.actions import (
    binhduong_quality_agency, binhduong_quality_check_links, binhduong_quality_compute, binhduong_quality_show,
    binhduong_quality_table_report, binhduong_quality_validate_tables,
)
from ckanext.binhduong.logic.workflow_actions import (  # the approval workflow (workflow.py)
    bd_review_approve, bd_review_list, bd_review_policy_show, bd_review_policy_update, bd_review_return,
    bd_review_show, bd_review_submit,
)
from ckanext.binhduong.logic.harvest_sources import (
    binhduong_harvest_source_purge, binhduong_harvest_source_purge_orphans,
)

# The dcat_* entries chain ckanext-dcat's catalogue actions (which check access themselves)
# to keep non-public datasets out of the catalogue: see dcat/visibility.py. The catalogue
# itself is served from stored per-dataset Turtle where it can be: dcat/cached_catalogue.py.
__all__ = ["binhduong_seed_catalogue", "dcat_catalog_show", "dcat_dataset_show", "dcat_catalog_search", "dcat_datasets_list",
           "binhduong_harvest_source_purge", "binhduong_harvest_source_purge_orphans",
           # chained: input refused before CKAN writes it (logic/input_guard.py), and what a
           # reader may not see answers as missing (logic/not_found.py)
           "package_create", "package_update", "resource_create", "resource_update", "package_show", "resource_show",
           # chained: degraded but alive while the search index is down (search_outage.py)
           "package_search", "organization_show", "group_show",
           # chained: ckanext-harvest actions without an access check (logic/third_party_auth.py)
           "harvest_source_reindex", "harvest_abort_failed_jobs",
           # chained: CKAN's relationship actions answered 500 after saving (logic/relationships.py)
           "package_relationship_create", "package_relationship_update",
           # chained: a data error in a DataStore SQL query was a 500 (datastore_sql.py)
           "datastore_search_sql",
           # data quality and freshness (quality/actions.py)
           "binhduong_quality_show", "binhduong_quality_agency", "binhduong_quality_compute",
           "binhduong_quality_check_links", "binhduong_quality_table_report", "binhduong_quality_validate_tables",
           # the approval workflow (logic/workflow_actions.py)
           "bd_review_show", "bd_review_submit", "bd_review_approve", "bd_review_return", "bd_review_list",
           "bd_review_policy_show", "bd_review_policy_update",
           "registered"]

log = logging.getLogger(__name__)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_show(up_func, context, data_dict):
    """ckanext-dcat's catalogue page, public datasets only; Turtle pages of the configured
    profiles come from the DCAT cache (keyset paging, per-dataset Turtle), the rest from
    ckanext-dcat. Checks access like the action it chains (``dcat_catalog_show``)."""

    def serve(context, data_dict):
        data_dict = switch.with_our_profile(data_dict)
        if cached_catalogue.serves(data_dict):
            return cached_catalogue.catalog_show(context, data_dict)
        return up_func(context, data_dict)

    return visibility.dcat_catalog_show(serve, context, data_dict)


def _validate(data_dict: dict, action_schema: dict, context: dict) -> dict:
    data, errors = toolkit.navl_validate(data_dict, action_schema, context)
    if errors:
        raise toolkit.ValidationError(errors)
    return data


def binhduong_seed_catalogue(context: dict, data_dict: dict) -> dict[str, Any]:
    """Create or update the starter catalogue's organizations and datasets.

    Idempotent: an object whose declared fields already hold the seed values is left
    untouched, so a second run changes nothing.

    :param dry_run: report what would change without writing (default false)
    :param source: seed folder or ``module:path`` (default: the configured seed source)
    """
    toolkit.check_access("binhduong_seed_catalogue", context, data_dict)
    data = _validate(data_dict, schema.seed_catalogue_schema(), context)
    dry_run = data.get("dry_run", False)
    source = data.get("source") or toolkit.config.get("ckanext.binhduong.seed_source")
    try:
        catalogue = seed.load_catalogue(source)
    except seed.SeedSourceError as error:
        raise toolkit.ValidationError({"source": [str(error)]})

    report: dict[str, Any] = {"dry_run": dry_run, "folder": catalogue.folder}
    report["organizations"] = _sync(
        context, catalogue.organizations, "organization", dry_run
    )
    report["datasets"] = _sync(context, catalogue.datasets, "package", dry_run, catalogue.folder)
    log.info("Seed catalogue from %s: %s", catalogue.folder, report)
    return report


def _sync(context: dict, wanted_objects: list[dict], kind: str, dry_run: bool, folder: str = "") -> dict:
    counts = {"created": [], "updated": [], "unchanged": []}
    user = context.get("user")

    def fresh_context() -> dict:
        # Each nested action gets its own context: CKAN's auth audit is kept per context.
        return {"user": user}

    for wanted in wanted_objects:
        chart = wanted.get("x_seed_chart")
        wanted = {key: value for key, value in wanted.items() if not key.startswith("x_seed_")}
        wanted_resources = wanted.pop("resources", []) if kind == "package" else []
        try:
            stored = toolkit.get_action(f"{kind}_show")(fresh_context(), {"id": wanted["name"]})
        except toolkit.ObjectNotFound:
            stored = None
        if stored is None:
            outcome = "created"
            if not dry_run:
                stored = toolkit.get_action(f"{kind}_create")(fresh_context(), dict(wanted))
        elif seed.differs(wanted, stored, ignore=("resources", "users")):
            outcome = "updated"
            if not dry_run:
                stored = toolkit.get_action(f"{kind}_patch")(fresh_context(), {**wanted, "id": stored["id"]})
        else:
            outcome = "unchanged"
        if wanted_resources and _sync_resources(fresh_context, stored, wanted_resources, folder, dry_run):
            outcome = "updated" if outcome == "unchanged" else outcome
        if chart and _sync_chart_view(fresh_context, wanted["name"], chart, dry_run):
            outcome = "updated" if outcome == "unchanged" else outcome
        counts[outcome].append(wanted["name"])
    return counts


def _sync_resources(fresh_context, dataset: dict | None, wanted_resources: list[dict], folder: str,
                    dry_run: bool) -> bool:
    """Upload each resource's seed file unless the stored one has the same checksum and fields."""
    changed = False
    stored_by_name = {resource["name"]: resource for resource in (dataset or {}).get("resources", [])}
    for wanted in wanted_resources:
        wanted = dict(wanted)
        path = os.path.join(folder, wanted.pop("file"))
        try:
            checksum = seed.file_checksum(path)
        except OSError as error:
            raise toolkit.ValidationError({"resources": [f"Cannot read seed file {path}: {error}"]})
        stored = stored_by_name.get(wanted["name"])
        if stored and stored.get("sha256") == checksum and not seed.differs(wanted, stored):
            continue
        changed = True
        if dry_run:
            continue
        with open(path, "rb") as handle:
            upload = FileStorage(stream=handle, filename=os.path.basename(path))
            if stored:
                toolkit.get_action("resource_patch")(fresh_context(), {**wanted, "id": stored["id"], "upload": upload})
            else:
                toolkit.get_action("resource_create")(fresh_context(), {**wanted, "package_id": dataset["id"],
                                                                        "upload": upload})
    return changed


def _sync_chart_view(fresh_context, dataset_name: str, chart: dict, dry_run: bool) -> bool:
    """The chart the seed file asks for, as a `bd_chart` view of the dataset's first CSV."""
    if not plugins.plugin_loaded("bd_chart_view"):
        log.warning("Seed chart for %s skipped: the bd_chart_view plugin is not loaded", dataset_name)
        return False
    try:
        dataset = toolkit.get_action("package_show")(fresh_context(), {"id": dataset_name})
    except toolkit.ObjectNotFound:
        return True  # dry run of a dataset not created yet
    resource = next((r for r in dataset["resources"] if (r.get("format") or "").upper() == "CSV"), None)
    if resource is None:
        return False
    ys = chart["y"] if isinstance(chart["y"], list) else [chart["y"]]
    wanted = {"view_type": "bd_chart", "title": dataset["title"], "x": chart["x"], "y": ", ".join(ys),
              "kind": chart.get("type", "bar")}
    views = toolkit.get_action("resource_view_list")(fresh_context(), {"id": resource["id"]})
    existing = next((view for view in views if view["view_type"] == "bd_chart"), None)
    if existing and all(existing.get(key) == value for key, value in wanted.items()):
        return False
    if not dry_run:
        if existing:
            toolkit.get_action("resource_view_update")(fresh_context(), {**existing, **wanted})
        else:
            toolkit.get_action("resource_view_create")(fresh_context(), {**wanted, "resource_id": resource["id"]})
    return True


HARVEST_CHAINS = ("harvest_source_reindex", "harvest_abort_failed_jobs")


def registered() -> dict:
    """Every action the plugin registers, by name: the ones listed in ``__all__`` and the
    ckanext-harvest helpers that answer "not an action" (logic/third_party_auth.py). What is
    chained to ckanext-harvest's actions is registered only where the harvest plugin is loaded."""
    here = globals()
    actions = {name: here[name] for name in __all__ if name != "registered"}
    if not plugins.plugin_loaded("datastore"):
        del actions["datastore_search_sql"]
    if not plugins.plugin_loaded("harvest"):
        return {name: action for name, action in actions.items() if name not in HARVEST_CHAINS}
    return {**actions, **NOT_ACTIONS}
