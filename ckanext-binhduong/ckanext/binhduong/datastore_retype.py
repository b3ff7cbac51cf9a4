"""`ckan binhduong datastore-retype`: type the DataStore tables loaded before typed tables
existed (every column text, so "980" sorts after "1430"), without waiting for their source
to change.

The types come from where a new load would take them (datastore_types.py), nothing new:

- a **harvested** table (its dataset has a current harvest object whose publication wrote
  the resource's file): the harvester's own columns and values, ``harvest_fields``, written
  by ``prepare_table`` as the harvest does (columns converted in place, with the data
  dictionary); when the old rows do not convert, the table is made again and xloader loads
  the published file into it;
- a column whose **data dictionary** names a type (``type_override``, set by a publisher)
  that the table does not have: converted in place to that type;
- any other text column of an **upload**: the type its values share, as guessed after an
  upload (``retype_loaded_table``).

``--dry-run`` lists the tables and the types each column would get, and changes nothing.
"""
from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from typing import Any

import click
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import datastore_types

__all__ = ["TablePlan", "datastore_table_ids", "plan_table", "apply_plan", "datastore_retype"]

log = logging.getLogger(__name__)


@dataclass
class TablePlan:
    """What would change in one table: {column: (type now, type wanted)} by where the type
    comes from ("harvest", "dictionary", "guess"); ``fields`` are the harvester's typed fields."""
    resource_id: str
    label: str
    changes: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    fields: list[dict[str, Any]] | None = None
    reload: bool = False  # the harvester's columns are not the table's: made again, loaded again

    @property
    def empty(self) -> bool:
        return not any(self.changes.values()) and not self.reload


def datastore_table_ids(resource_ids: tuple[str, ...] = ()) -> list[str]:
    """The DataStore tables of active resources (only those of ``resource_ids`` when given)."""
    from ckanext.datastore.backend.postgres import get_read_engine

    with get_read_engine().connect() as connection:
        tables = {row[0] for row in connection.execute(
            sa.text('SELECT name FROM "_table_metadata" WHERE alias_of IS NULL'))}
    wanted = set(resource_ids) if resource_ids else tables
    query = model.Session.query(model.Resource.id).filter(model.Resource.state == "active",
                                                         model.Resource.id.in_(sorted(tables & wanted)))
    return sorted(row[0] for row in query)


def harvested_fields(resource: model.Resource) -> list[dict[str, Any]] | None:
    """The typed fields the harvester would give this resource's table today, from the
    dataset's current harvest object (the publication whose CSV is the resource's file);
    None for a table no harvester of ours wrote."""
    try:
        from ckanext.harvest.model import HarvestObject
    except ImportError:  # pragma: no cover - ckanext-harvest is part of the portal
        return None
    current = (model.Session.query(HarvestObject)
               .filter(HarvestObject.package_id == resource.package_id, HarvestObject.current.is_(True))
               .order_by(HarvestObject.import_finished.desc().nullslast()).first())
    if current is None or not current.content:
        return None
    try:
        content = json.loads(current.content)
    except ValueError:
        return None
    if not isinstance(content, dict):
        return None
    filename = (resource.url or "").rsplit("/", 1)[-1]
    for publication in content.get("publications") or []:
        if isinstance(publication, dict) and f"{publication.get('key')}.csv" == filename:
            return datastore_types.harvest_fields(publication.get("fields") or [], publication.get("rows") or [])
    return None


def plan_table(resource_id: str) -> TablePlan:
    resource = model.Resource.get(resource_id)
    package = resource.package if resource is not None else None
    plan = TablePlan(resource_id, f"{package.name if package else '?'}/{resource.name if resource else '?'}")
    info = toolkit.get_action("datastore_info")({"ignore_auth": True}, {"id": resource_id})
    have = {f["id"]: f for f in info.get("fields", []) if f["id"] != "_id"}
    if resource is not None and resource.url_type == "upload":
        plan.fields = harvested_fields(resource)
    if plan.fields is not None:
        if [f["id"] for f in plan.fields] != list(have):
            plan.reload = True
        plan.changes["harvest"] = {f["id"]: (have.get(f["id"], {}).get("type", "-"), f["type"])
                                   for f in plan.fields if have.get(f["id"], {}).get("type") != f["type"]}
        return plan
    plan.changes["dictionary"] = {
        name: (f["type"], (f.get("info") or {})["type_override"]) for name, f in have.items()
        if (f.get("info") or {}).get("type_override") and f["info"]["type_override"] != f["type"]}
    guessed = datastore_types.retype_loaded_table(resource_id, dry_run=True)
    plan.changes["guess"] = {name: (have[name]["type"], kind) for name, kind in guessed.items()}
    return plan


def apply_plan(plan: TablePlan, user: str) -> str:
    """Make the changes of ``plan``; what was done, in words for the operator."""
    if plan.fields is not None:
        done = datastore_types.prepare_table(plan.resource_id, plan.fields, user)
        if done == "recreated":
            # The old rows did not fit the harvester's columns: the published file is loaded again.
            toolkit.get_action("xloader_submit")({"ignore_auth": True, "user": user},
                                                 {"resource_id": plan.resource_id, "ignore_hash": True})
            return "made again with the harvester's types; xloader loads the published file"
        return "converted in place (harvester's types)"
    said = []
    overrides = plan.changes.get("dictionary") or {}
    if overrides:
        have = [(name, old) for name, (old, _) in overrides.items()]
        wanted = [(name, new) for name, (_, new) in overrides.items()]
        if not datastore_types._convert(plan.resource_id, have, wanted):
            said.append("data dictionary types NOT applied (a value does not convert; fix the dictionary "
                        "or load the file again)")
        else:
            said.append("data dictionary types applied")
    if plan.changes.get("guess"):
        done = datastore_types.retype_loaded_table(plan.resource_id)
        said.append(f"{len(done)} column(s) typed from their values")
    return "; ".join(said)


def _describe(plan: TablePlan) -> str:
    parts = [f"{name} {old}→{new} [{source}]" for source, columns in plan.changes.items()
             for name, (old, new) in columns.items()]
    if plan.reload:
        parts.append("columns differ from the harvester's: table made again and loaded again")
    return ", ".join(parts)


@click.command("datastore-retype")
@click.option("--resource", "resources", multiple=True, help="Only this resource's table (id; repeatable).")
@click.option("--dry-run", is_flag=True, help="List the tables and the types their columns would get; change nothing.")
def datastore_retype(resources: tuple[str, ...], dry_run: bool):
    """Give DataStore tables loaded as text the types a load would give them today (the
    harvester's columns, the data dictionary's types, or the types their values share)."""
    ids = datastore_table_ids(resources)
    missing = sorted(set(resources) - set(ids))
    for resource_id in missing:
        click.secho(f"No DataStore table for resource {resource_id!r}", fg="red", err=True)
    if missing:
        sys.exit(1)
    user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    changed = failed = 0
    for resource_id in ids:
        try:
            plan = plan_table(resource_id)
            if plan.empty:
                continue
            line = f"{resource_id} {plan.label}: {_describe(plan)}"
            if not dry_run:
                line += f" -> {apply_plan(plan, user)}"
            click.echo(line)
            changed += 1
        except Exception as error:  # one table's problem never stops the others
            log.exception("DataStore table %s: not retyped", resource_id)
            click.secho(f"{resource_id}: not retyped: {error}", fg="red", err=True)
            failed += 1
    verb = "would retype" if dry_run else "retyped"
    click.echo(f"{verb} {changed} of {len(ids)} table(s)" + (" (dry run: nothing changed)" if dry_run else "")
               + (f"; {failed} failed" if failed else ""))
    if failed:
        sys.exit(1)

