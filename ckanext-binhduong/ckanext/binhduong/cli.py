"""`ckan binhduong ...`: one command group; the logic lives in actions (backup and restore: backup.py)."""
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


def _print_purge(report: dict) -> None:
    click.echo(f"{report['id']}  {report['title'] or ''}  <{report['url']}>: jobs {report['jobs']}, "
               f"objects {report['objects']}, object errors {report['object_errors']}, gather errors "
               f"{report['gather_errors']}; datasets kept {report['datasets_kept']}")


@binhduong.command("harvest-source-purge")
@click.argument("source")
@click.option("--dry-run", is_flag=True, help="Report what would be removed, remove nothing.")
def harvest_source_purge(source: str, dry_run: bool):
    """Remove a harvest source for good (jobs, objects, errors, the source); keep its datasets."""
    try:
        report = toolkit.get_action("binhduong_harvest_source_purge")(
            _sysadmin_context(), {"id": source, "dry_run": dry_run})
    except toolkit.ObjectNotFound:
        click.secho(f"No harvest source {source!r}", fg="red", err=True)
        sys.exit(1)
    except toolkit.ValidationError as error:
        click.secho(f"Not purged: {error.error_dict}", fg="red", err=True)
        sys.exit(1)
    _print_purge(report)
    click.echo("dry run: nothing removed" if dry_run else "purged")


@binhduong.command("harvest-source-purge-orphans")
@click.option("--dry-run", is_flag=True, help="List them, remove nothing.")
def harvest_source_purge_orphans(dry_run: bool):
    """Remove harvest_source rows whose source dataset was purged (and their jobs, objects, errors)."""
    result = toolkit.get_action("binhduong_harvest_source_purge_orphans")(_sysadmin_context(), {"dry_run": dry_run})
    for report in result["sources"]:
        _print_purge(report)
    click.echo(f"{len(result['sources'])} orphaned source(s)" + (" (dry run: nothing removed)" if dry_run else " purged"))


@binhduong.command("backup")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (its backup files are replaced).")
@click.option("--dry-run", is_flag=True, help="Say what would be backed up, write nothing.")
def backup_command(folder: str, force: bool, dry_run: bool):
    """Back up CKAN's database, the DataStore's database and the file store into FOLDER
    (pg_dump custom format, a tar of the storage path, manifest.json with counts and sha256)."""
    from ckanext.binhduong import backup

    try:
        backup.backup(toolkit.config, folder, force=force, dry_run=dry_run, echo=click.echo)
    except backup.BackupError as error:
        click.secho(f"Backup failed: {error}", fg="red", err=True)
        sys.exit(1)


@binhduong.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--ckan-db-url", default=None, help="Restore CKAN's database here instead of sqlalchemy.url "
              "(a URL without a password borrows the configured one for the same user and host).")
@click.option("--datastore-db-url", default=None, help="Restore the DataStore here instead of ckan.datastore.write_url.")
@click.option("--storage-path", default=None, type=click.Path(file_okay=False),
              help="Restore the file store here instead of ckan.storage_path.")
@click.option("--force", is_flag=True, help="Replace non-empty databases (emptied first) and storage (moved aside).")
@click.option("--rebuild-index", is_flag=True, help="Run `ckan search-index rebuild` afterwards.")
@click.option("--dry-run", is_flag=True, help="Verify the backup and say what would be restored, change nothing.")
def restore_command(folder: str, ckan_db_url: str | None, datastore_db_url: str | None,
                    storage_path: str | None, force: bool, rebuild_index: bool, dry_run: bool):
    """Verify the backup in FOLDER against its manifest, then restore both databases, the
    DataStore's read-only permissions and the file store."""
    from ckanext.binhduong import backup

    try:
        backup.restore(toolkit.config, folder, ckan_db_url=ckan_db_url, datastore_db_url=datastore_db_url,
                       storage_path=storage_path, force=force, dry_run=dry_run,
                       rebuild_index=rebuild_index, echo=click.echo)
    except backup.BackupError as error:
        click.secho(f"Restore failed: {error}", fg="red", err=True)
        sys.exit(1)


@binhduong.command("tracking-update")
@click.option("--dry-run", is_flag=True, help="Say from which day the counts would be recomputed, change nothing.")
def tracking_update(dry_run: bool):
    """Fold recorded page views and downloads into the tracking summary (CKAN's `tracking update`)."""
    from ckanext.binhduong.downloads import counts_update_start
    from ckanext.tracking.cli.tracking import update_all

    start = counts_update_start()
    if dry_run:
        click.echo(f"would recompute the tracking summary from {start.isoformat()}")
        return
    update_all(start.isoformat())


@binhduong.command("harvest-source-credentials")
@click.option("--secrets-file", type=click.Path(dir_okay=False), default=None,
              help="Where the moved credentials go (default: harvest-credentials beside the config file's "
                   "secrets, var/secrets/harvest-credentials).")
@click.option("--dry-run", is_flag=True, help="List the sources whose URL holds credentials, change nothing.")
def harvest_source_credentials(secrets_file: str | None, dry_run: bool):
    """Move user names and passwords out of old harvest source URLs into the server's secrets."""
    import pathlib

    from ckanext.binhduong.harvest_source_credentials import move_credentials

    target = pathlib.Path(secrets_file) if secrets_file else (
        pathlib.Path(toolkit.config["__file__"]).parent / "secrets" / "harvest-credentials")
    report = move_credentials(target, dry_run=dry_run)
    for line in report:
        where = "configured" if line["configured"] else "NOT configured (space or comma in it): set it by hand"
        click.echo(f"{line['source']}: {line['user']}@{line['host']} -> {line['url']} [{where}]")
    verb = "would move" if dry_run else "moved"
    click.echo(f"{verb} the credentials of {len(report)} harvest source(s)"
               + ("" if dry_run or not report else f" into {target}; run `make up` to apply them"))


# Data quality and freshness: `ckan binhduong quality compute|check-links|show` (quality/cli.py).
from ckanext.binhduong.quality.cli import quality  # noqa: E402

binhduong.add_command(quality)

# The DCAT cache: `ckan binhduong dcat warm` (dcat/cli.py).
from ckanext.binhduong.dcat.cli import dcat  # noqa: E402

binhduong.add_command(dcat)

# Tables loaded as text before typed tables: `ckan binhduong datastore-retype` (datastore_retype.py).
from ckanext.binhduong.datastore_retype import datastore_retype  # noqa: E402

binhduong.add_command(datastore_retype)


@binhduong.command("search-index-rebuild")
@click.option("--dataset", "datasets", multiple=True, help="Index only this dataset (id or name; repeatable).")
@click.option("--only-missing", is_flag=True, help="Index only the datasets not in the index yet.")
@click.option("--workers", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("--batch-size", type=int, default=200, show_default=True, help="Datasets per Solr request.")
@click.option("--dry-run", is_flag=True, help="Count what would be indexed, change nothing.")
def search_index_rebuild(datasets: tuple[str, ...], only_missing: bool, workers: int | None, batch_size: int,
                         dry_run: bool):
    """CKAN's `search-index rebuild` (the same documents), batched, in parallel, one commit at the
    end; a full rebuild also removes the documents of datasets that are gone."""
    from ckan import model
    from ckanext.binhduong import index_rebuild

    ids = None
    if datasets:
        ids = []
        for reference in datasets:
            package = model.Package.get(reference)
            if package is None:
                click.secho(f"No dataset {reference!r}", fg="red", err=True)
                sys.exit(1)
            ids.append(package.id)
    if dry_run:
        count = len(ids) if ids is not None else len(index_rebuild.dataset_ids(only_missing))
        click.echo(f"would index {count} dataset(s) (dry run: nothing changed)")
        return
    report = index_rebuild.rebuild(ids, only_missing=only_missing, workers=workers, batch_size=batch_size,
                                   echo=lambda line: click.echo(line, err=True))
    click.echo(f"indexed {report.indexed} of {report.datasets} dataset(s) in {report.seconds:.1f} s "
               f"({report.rate:.0f}/s, {report.workers} worker(s)); {report.removed} stale document(s) removed")
    for package_id, error in report.failed[:20]:
        click.secho(f"failed: {package_id}: {error}", fg="red", err=True)
    if report.failed:
        sys.exit(1)
