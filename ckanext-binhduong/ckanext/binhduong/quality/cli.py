"""`ckan binhduong quality ...`: measure datasets, check links, show a measurement. The
logic lives in the actions (quality/actions.py); joined to the one command group in cli.py."""
from __future__ import annotations

import json
import sys

import click
import ckan.plugins.toolkit as toolkit

__all__ = ["quality"]


def _sysadmin_context() -> dict:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": False}


def _run(action: str, data_dict: dict) -> dict:
    try:
        return toolkit.get_action(action)(_sysadmin_context(), data_dict)
    except toolkit.ObjectNotFound as error:
        click.secho(f"Not found: {error}", fg="red", err=True)
        sys.exit(1)
    except toolkit.ValidationError as error:
        click.secho(f"Refused: {error.error_dict}", fg="red", err=True)
        sys.exit(1)


@click.group(short_help="Data quality (MQA score) and freshness")
def quality():
    """Data quality (the MQA score of data.europa.eu) and freshness of the catalogue."""


@quality.command("compute")
@click.option("--dataset", default=None, help="One dataset (id or name); default: every dataset that changed.")
@click.option("--all", "everything", is_flag=True, help="Recompute datasets that did not change too.")
@click.option("--check-links", is_flag=True, help="Check the links due for a check first.")
@click.option("--validate-tables", is_flag=True, help="Validate the tables not validated yet or changed since too.")
@click.option("--dry-run", is_flag=True, help="Say what would be computed, store nothing.")
def compute_command(dataset: str | None, everything: bool, check_links: bool, validate_tables: bool, dry_run: bool):
    """Measure datasets (score, SHACL, freshness) and store the results."""
    data_dict = {"all": everything, "check_links": check_links, "validate_tables": validate_tables, "dry_run": dry_run}
    if dataset:
        data_dict["id"] = dataset
    report = _run("binhduong_quality_compute", data_dict)
    if dry_run:
        click.echo(f"would compute {report['datasets']} dataset(s): {', '.join(report['would_compute'])}")
        return
    if "links" in report:
        links = report["links"]
        click.echo(f"links: {links['checked']} checked of {links['links']}, {links['uploads']} uploads, "
                   f"{len(links['broken'])} broken")
    click.echo(f"computed {report['datasets']} dataset(s); average {report.get('average')}; ratings "
               f"{json.dumps(report.get('ratings', {}))}; DCAT-AP violations in {report.get('dcat_ap_violations', 0)}")
    if "tables" in report:
        click.echo(f"tables: {report['tables']['validated']} validated, {report['tables']['invalid']} with errors")


@quality.command("check-links")
@click.option("--dataset", default=None, help="One dataset (id or name); default: every dataset.")
@click.option("--force", is_flag=True, help="Re-check links checked recently too.")
@click.option("--dry-run", is_flag=True, help="List the links that would be checked, fetch nothing.")
def check_links_command(dataset: str | None, force: bool, dry_run: bool):
    """Check access and download URLs through the outbound policy, throttled per host."""
    data_dict = {"force": force, "dry_run": dry_run}
    if dataset:
        data_dict["id"] = dataset
    report = _run("binhduong_quality_check_links", data_dict)
    if dry_run:
        for url in report["would_check"]:
            click.echo(url)
        click.echo(f"would check {len(report['would_check'])} of {report['links']} link(s) (dry run)")
        return
    for url in report["broken"]:
        click.echo(f"broken: {url}")
    click.echo(f"checked {report['checked']} of {report['links']} link(s), {report['uploads']} upload(s); "
               f"{len(report['broken'])} broken")


@quality.command("show")
@click.argument("dataset")
def show_command(dataset: str):
    """Print a dataset's measurement as JSON."""
    click.echo(json.dumps(_run("binhduong_quality_show", {"id": dataset}), ensure_ascii=False, indent=1))


@quality.command("validate-tables")
@click.option("--dataset", default=None, help="One dataset (id or name); default: every dataset.")
@click.option("--all", "everything", is_flag=True, help="Validate tables whose file did not change too.")
@click.option("--dry-run", is_flag=True, help="List the tables that would be validated, read nothing.")
def validate_tables_command(dataset: str | None, everything: bool, dry_run: bool):
    """Validate CSV/XLSX resources with frictionless (against the data dictionary) and store the reports."""
    data_dict = {"all": everything, "dry_run": dry_run}
    if dataset:
        data_dict["id"] = dataset
    report = _run("binhduong_quality_validate_tables", data_dict)
    if dry_run:
        for name in report["would_validate"]:
            click.echo(name)
        click.echo(f"would validate {report['resources']} table(s) (dry run)")
        return
    for line in report["invalid"]:
        click.echo(f"errors: {line}")
    for line in report["not_validated"]:
        click.echo(f"not validated: {line}")
    click.echo(f"validated {report['resources']} table(s): {report['valid']} valid, {len(report['invalid'])} with errors, "
               f"{len(report['not_validated'])} not validated")


@quality.command("digest")
@click.option("--organization", default=None, help="One agency (name or id); default: every agency.")
@click.option("--force", is_flag=True, help="Send now even if the last digest is more recent than the interval.")
@click.option("--dry-run", is_flag=True, help="Print the messages, send and record nothing.")
def digest_command(organization: str | None, force: bool, dry_run: bool):
    """E-mail each agency's admins its quality digest (overdue datasets, broken links, lowest
    scores, the six-monthly review), when ckanext.binhduong.quality.digest_interval_days have
    passed since the last one (the scheduler runs this on every round)."""
    from ckanext.binhduong.quality import compute, digest

    report = digest.run(compute.now(), force=force or bool(organization), dry_run=dry_run, organization=organization)
    if not report["messages"] and not (report["due"] or force or organization):
        click.echo(f"digest not due (last sent {report['last_sent']})")
        return
    for message in report["messages"]:
        click.echo(f"to {', '.join(message['to'])}: {message['subject']}")
        if dry_run:
            click.echo(message["body"])
    verb = "would send" if dry_run else "sent"
    click.echo(f"{verb} {report['sent'] if not dry_run else len(report['messages'])} digest(s)"
               + (" (dry run)" if dry_run else ""))
