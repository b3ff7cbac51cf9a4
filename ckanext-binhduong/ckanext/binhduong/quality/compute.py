"""Computing and storing measurements: one dataset dict in, one stored row out.

A row is keyed by the dataset's ``metadata_modified``: when the dataset changes (an edit, a
new resource, a harvest) the update hook queues a job that measures it again
(quality/jobs.py); reads (``measurement``) only read the stored row. The scheduled run
(``ckan binhduong quality compute``) recomputes everything, re-checking links older than
``link_recheck_days`` first (``ckan binhduong quality check-links``).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Iterable

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.quality import freshness, links, mqa, shacl, store

__all__ = ["check_links", "dataset_urls", "measure", "measurement", "settings", "stored_resources"]

log = logging.getLogger(__name__)

OPTION = "ckanext.binhduong.quality."


def _setting(key: str, default: Any) -> Any:
    value = toolkit.config.get(key)
    return default if value in (None, "") else value


def settings() -> dict[str, Any]:
    config = toolkit.config
    return {
        "review_period": config.get(OPTION + "review_period") or freshness.DEFAULT_REVIEW_PERIOD,
        "update_within": config.get(OPTION + "update_within") or freshness.DEFAULT_UPDATE_WITHIN,
        "review_anchor": dt.date.fromisoformat(str(config.get(OPTION + "review_anchor") or "2026-01-01")),
        "links_per_second": max(1, int(_setting(OPTION + "links_per_host_per_second", 1))),
        "link_recheck_days": max(0, int(_setting(OPTION + "link_recheck_days", 7))),
        "validate_dcat": toolkit.asbool(config.get(OPTION + "validate_dcat", True)),
    }


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _active(pkg: dict) -> list[dict]:
    return [r for r in pkg.get("resources") or [] if r.get("state", "active") == "active"]


def dataset_urls(pkg: dict) -> list[str]:
    urls: list[str] = []
    for resource in _active(pkg):
        for url in links.resource_urls(resource):
            if url not in urls:
                urls.append(url)
    return urls


def _link_statuses(pkg: dict) -> dict[str, mqa.LinkStatus]:
    """Stored link checks; uploads are looked at in the storage now (cheap, no HTTP)."""
    results = store.link_results(dataset_urls(pkg))
    for resource in _active(pkg):
        if resource.get("url_type") == "upload" and resource.get("url"):
            results[resource["url"]] = links.upload_status(resource)
    return results


def measure(pkg: dict, options: dict | None = None) -> dict[str, Any]:
    """The row to store for one dataset dict (``package_show`` as the site user sees it)."""
    options = options or settings()
    dcat_ap, violations = None, []
    if options["validate_dcat"]:
        try:
            dcat_ap, violations = shacl.validate_dataset(pkg)
        except Exception as error:  # a serializer failure is a finding, not a crash of the run
            log.warning("DCAT-AP validation of %s failed: %s", pkg.get("name"), error)
            dcat_ap, violations = False, [f"serialisation failed: {error.__class__.__name__}"]
    result = mqa.score_dataset(pkg, _link_statuses(pkg), dcat_ap=dcat_ap)
    return {
        "dataset_id": pkg["id"],
        "owner_org": pkg.get("owner_org"),
        "metadata_modified": pkg.get("metadata_modified") or "",
        "total": result["total"],
        "rating": result["rating"],
        "dcat_ap": dcat_ap,
        "dcat_ap_violations": violations[:50],
        "result": result,
        "freshness": freshness.assess(pkg, now(), options["review_period"], options["update_within"]),
    }


def measurement(pkg: dict) -> dict[str, Any]:
    """The stored measurement of a dataset, read only (a page view or an API read never
    computes or writes: the jobs worker measures a dataset after each change, quality/jobs.py,
    and the scheduled run catches up). Freshness is assessed now: it moves with the clock.

    ``stale`` says the dataset changed since it was measured (its new measurement is on the
    way). With no stored row yet (a dataset just created), a provisional measurement is
    computed without the DCAT-AP validation and without storing it (``provisional``)."""
    options = settings()
    row = store.load(pkg["id"])
    if row is None:
        row = measure(pkg, dict(options, validate_dcat=False))
        row["computed"] = None
        row["provisional"] = True
        row["stale"] = True
        return row
    row["freshness"] = freshness.assess(pkg, now(), options["review_period"], options["update_within"])
    row["provisional"] = False
    row["stale"] = row["metadata_modified"] != (pkg.get("metadata_modified") or "")
    return row


def stored_resources(dataset_id: str | None = None) -> list[dict]:
    """Active resources of active datasets, straight from the database (no package_show):
    what the scheduled link check needs for the whole catalogue."""
    import sqlalchemy as sa
    from ckan import model

    query = ("SELECT r.id, r.package_id, r.url, r.url_type, r.format FROM resource r JOIN package p ON p.id = r.package_id "
             "WHERE r.state = 'active' AND p.state = 'active' AND p.type = 'dataset'")
    params = {}
    if dataset_id:
        query += " AND p.id = :id"
        params["id"] = dataset_id
    with model.meta.engine.connect() as connection:
        return [{"id": row[0], "package_id": row[1], "url": row[2] or "", "url_type": row[3] or "", "format": row[4] or ""}
                for row in connection.execute(sa.text(query), params)]


def check_links(resources: Iterable[dict], force: bool = False, dry_run: bool = False,
                checker: links.LinkChecker | None = None) -> dict[str, Any]:
    """Check the links of these resources not checked within ``link_recheck_days`` (all with
    ``force``); uploads are checked in the storage. Returns counts, the broken URLs and the
    datasets whose links changed (reachable to broken or back), which need measuring again."""
    options = settings()
    uploads: dict[str, mqa.LinkStatus] = {}
    remote: list[str] = []
    owners: dict[str, set[str]] = {}
    for resource in resources:
        for url in links.resource_urls(resource):
            owners.setdefault(url, set()).add(resource.get("package_id") or "")
        if resource.get("url_type") == "upload":
            if resource.get("url"):
                uploads[resource["url"]] = links.upload_status(resource)
            continue
        remote.extend(u for u in links.resource_urls(resource) if u not in remote)
    due = set(remote) if force else store.stale_links(remote, now() - dt.timedelta(days=options["link_recheck_days"]))
    due_list = [url for url in remote if url in due]
    report = {"uploads": len(uploads), "links": len(remote), "checked": 0, "broken": [], "changed_datasets": [],
              "dry_run": dry_run}
    if dry_run:
        report["would_check"] = due_list
        return report
    own_checker = checker is None
    checker = checker or links.LinkChecker(per_second=options["links_per_second"])
    try:
        results = checker.check_all(due_list)
    finally:
        if own_checker:
            checker.close()
    results.update(uploads)
    before = store.link_results(results)
    store.save_links(results)
    changed = {dataset for url, status in results.items()
               if url not in before or before[url].ok != status.ok for dataset in owners.get(url, ())}
    report["checked"] = len(due_list)
    report["broken"] = sorted(url for url, status in results.items() if not status.ok)
    report["changed_datasets"] = sorted(d for d in changed if d)
    return report
