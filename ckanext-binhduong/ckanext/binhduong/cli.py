"""`ckan binhduong ...`: one command group; the logic lives in actions."""
from __future__ import annotations

import json
import sys

import click
import ckan.plugins.toolkit as toolkit

__all__ = ["binhduong"]


def _sysadmin_context() -> dict:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": False}


@click.group(short_help="Bình Dương portal commands")
def binhduong():
    """Commands of the Bình Dương open-data portal."""


@binhduong.command()
@click.option("--dry-run", is_flag=True, help="Report what would change, write nothing.")
@click.option("--source", default=None, help="Seed folder (default: configured seed source).")
def seed(dry_run: bool, source: str | None):
    """Load the starter catalogue (organizations and datasets) idempotently."""
    data_dict = {"dry_run": dry_run}
    if source:
        data_dict["source"] = source
    try:
        report = toolkit.get_action("binhduong_seed_catalogue")(_sysadmin_context(), data_dict)
    except toolkit.ValidationError as error:
        click.secho(f"Seed failed: {error.error_dict}", fg="red", err=True)
        sys.exit(1)
    for kind in ("organizations", "datasets"):
        counts = {outcome: len(names) for outcome, names in report[kind].items()}
        click.echo(f"{kind}: {json.dumps(counts)}" + (" (dry run)" if dry_run else ""))
