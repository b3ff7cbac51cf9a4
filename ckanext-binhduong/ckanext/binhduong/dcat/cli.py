"""`ckan binhduong dcat ...`: the DCAT cache (dcat/warming.py); joined to the one command
group in cli.py."""
from __future__ import annotations

import time

import click

__all__ = ["dcat"]


@click.group(short_help="DCAT catalogue cache")
def dcat():
    """The DCAT catalogue's cache of per-dataset Turtle."""


@dcat.command("warm")
@click.option("--force", is_flag=True, help="Warm even if the version of code and configuration did not change.")
@click.option("--now", is_flag=True, help="Warm in this process and wait (default: enqueue a job and return).")
@click.option("--dry-run", is_flag=True, help="Say whether a warming is needed; enqueue and store nothing.")
def warm_command(force: bool, now: bool, dry_run: bool):
    """Render the catalogue's fragments that are not current, in the background (jobs worker)
    when the version of code and configuration changed since the last complete warming."""
    from ckanext.binhduong.dcat import warming

    if now and not dry_run:
        started = time.monotonic()
        report = warming.run_catalogue(pause=0)
        click.echo(f"warmed {report['datasets']} dataset(s), {report['rendered']} rendered, "
                   f"in {time.monotonic() - started:.1f} s")
        return
    state = warming.start(force=force, dry_run=dry_run)
    if state["enqueued"]:
        verdict = "warming enqueued"
    elif state["needed"]:
        verdict = "warming needed (dry run: nothing enqueued)" if dry_run else "warming needed but the cache is off"
    elif state["warming"] == state["version"]:
        verdict = "a warming for this version is already queued"
    else:
        verdict = "already warm for this version"
    click.echo(f"DCAT cache: {verdict} (version {state['version'][:12]}, last warmed "
               f"{(state['warmed'] or 'never')[:12]})")
