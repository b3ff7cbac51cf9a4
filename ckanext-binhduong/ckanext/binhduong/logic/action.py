"""Actions of the portal extension. Each checks access first and validates its input."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import seed
from ckanext.binhduong.logic import schema

__all__ = ["binhduong_seed_catalogue"]

log = logging.getLogger(__name__)


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
    report["datasets"] = _sync(context, catalogue.datasets, "package", dry_run)
    log.info("Seed catalogue from %s: %s", catalogue.folder, report)
    return report


def _sync(context: dict, wanted_objects: list[dict], kind: str, dry_run: bool) -> dict:
    counts = {"created": [], "updated": [], "unchanged": []}
    user = context.get("user")

    def fresh_context() -> dict:
        # Each nested action gets its own context: CKAN's auth audit is kept per context.
        return {"user": user}

    for wanted in wanted_objects:
        try:
            stored = toolkit.get_action(f"{kind}_show")(fresh_context(), {"id": wanted["name"]})
        except toolkit.ObjectNotFound:
            stored = None
        if stored is None:
            outcome = "created"
            if not dry_run:
                toolkit.get_action(f"{kind}_create")(fresh_context(), dict(wanted))
        elif seed.differs(wanted, stored, ignore=("resources", "users")):
            outcome = "updated"
            if not dry_run:
                toolkit.get_action(f"{kind}_patch")(
                    fresh_context(), {**wanted, "id": stored["id"]}
                )
        else:
            outcome = "unchanged"
        counts[outcome].append(wanted["name"])
    return counts
