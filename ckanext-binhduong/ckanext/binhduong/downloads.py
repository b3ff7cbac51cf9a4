"""Download counts ("Lượt tải"), kept in the tables of CKAN's `tracking` plugin.

Recording: CKAN's tracking script counts only clicks on links in a browser with JavaScript,
and keys a file by the link it was reached through, which differs between `/` and `/en/`. So
every download the portal itself serves — a resource's file (`…/resource/<id>/download…`)
or a DataStore export (`/datastore/dump/<id>`), from a browser, curl or a program alike —
is recorded on the server after a successful response, as one `tracking_raw` row of type
`resource` under a key that names the resource only: ``/resource/<id>/download``. Not
counted: a page's script fetching the file for a preview (Sec-Fetch-Mode other than
navigate), and the jobs worker reading an upload for the DataStore (xloader's API token).
The visitor key is the same anonymised hash the tracking plugin uses, so one visitor counts
once per resource and day. Clicks on links to files held elsewhere (a resource whose URL is
another site's) are counted by the tracking script under that URL.

Counting: `ckan binhduong tracking-update` (run by the harvest scheduler,
scripts/harvest_scheduler.sh) runs CKAN's `tracking update` from `counts_update_start()` and
folds the raw rows into `tracking_summary` (distinct visitors per key and day). A count is
the sum of those daily figures; it changes when the summary is next updated.
"""
from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Iterable

import ckan.model as model
import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa
from flask import request

from ckanext.tracking.model import TrackingRaw, TrackingSummary

log = logging.getLogger(__name__)

DOWNLOAD_ENDPOINTS = ("dataset_resource.download", "resource.download", "datastore.dump")


def download_key(resource_id: str) -> str:
    return f"/resource/{resource_id}/download"


def _is_download(endpoint: str) -> bool:
    return endpoint in DOWNLOAD_ENDPOINTS or endpoint.endswith("_resource.download")


def visitor_key(environ: dict) -> str:
    """The tracking plugin's anonymised visitor key (user agent, address, languages, encodings)."""
    key = "".join([environ.get("HTTP_USER_AGENT", ""), environ.get("REMOTE_ADDR", ""),
                   environ.get("HTTP_ACCEPT_LANGUAGE", ""), environ.get("HTTP_ACCEPT_ENCODING", "")])
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


def _is_portal_job() -> bool:
    """The portal's own jobs worker (xloader reading an upload to load it into the DataStore)
    fetches files with its API token; that is not a download."""
    token = toolkit.config.get("ckanext.xloader.api_token")
    header = toolkit.config.get("apitoken_header_name") or "Authorization"
    return bool(token) and request.headers.get(header) == token


def record_download(response):
    """After-request hook: a successful GET of a download route is one download."""
    if request.method != "GET" or response.status_code >= 400 or not _is_download(request.endpoint or ""):
        return response
    # A file fetched by a script of a page (a map preview loading its GeoJSON) is not a
    # download: browsers mark those requests cors/no-cors/same-origin. Navigations (a click
    # on "Tải xuống") and clients that send no Sec-Fetch-Mode (curl, programs) count.
    if request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
        return response
    if _is_portal_job():
        return response
    resource_id = (request.view_args or {}).get("resource_id")
    if not resource_id:
        return response
    try:
        TrackingRaw.create(user_key=visitor_key(request.environ), url=download_key(resource_id),
                           tracking_type="resource")
    except Exception:  # a failed count must never break the download itself
        model.Session.rollback()
        log.exception("Could not record the download of resource %s", resource_id)
    return response


def _external_url(resource: dict) -> str | None:
    """The URL the tracking script records a click under, for files held on another site."""
    url = resource.get("url") or ""
    if resource.get("url_type") or not url.startswith(("http://", "https://")):
        return None
    if url.startswith(toolkit.config.get("ckan.site_url").rstrip("/") + "/"):
        return None
    return url


def resource_downloads(resources: Iterable[dict]) -> dict[str, int]:
    """Downloads per resource id, from the tracking summary (one query)."""
    keys: dict[str, list[str]] = {}
    ids = []
    for resource in resources:
        if not resource.get("id"):
            continue
        ids.append(resource["id"])
        keys.setdefault(download_key(resource["id"]), []).append(resource["id"])
        external = _external_url(resource)
        if external:
            keys.setdefault(external, []).append(resource["id"])
    counts = dict.fromkeys(ids, 0)
    if not keys:
        return counts
    rows = (model.Session.query(TrackingSummary.url, sa.func.sum(TrackingSummary.count))
            .filter(TrackingSummary.tracking_type == "resource", TrackingSummary.url.in_(list(keys)))
            .group_by(TrackingSummary.url))
    for url, total in rows:
        for resource_id in keys[url]:
            counts[resource_id] += int(total or 0)
    return counts


MOST_DOWNLOADED_SQL = sa.text("""
    WITH per_resource AS (
        SELECT r.package_id, t.count
        FROM tracking_summary t JOIN resource r ON t.url = '/resource/' || r.id || '/download'
        WHERE t.tracking_type = 'resource' AND r.state = 'active'
        UNION ALL
        SELECT r.package_id, t.count
        FROM tracking_summary t JOIN resource r ON t.url = r.url
        WHERE t.tracking_type = 'resource' AND r.state = 'active' AND COALESCE(r.url_type, '') = ''
    )
    SELECT p.id, p.name, p.title, g.title AS organization, SUM(d.count) AS downloads
    FROM per_resource d
    JOIN package p ON p.id = d.package_id AND p.state = 'active' AND NOT p.private AND p.type = 'dataset'
    LEFT JOIN "group" g ON g.id = p.owner_org
    GROUP BY p.id, p.name, p.title, g.title
    ORDER BY downloads DESC, p.title
    LIMIT :limit
""")



def most_downloaded(limit: int = 6) -> list[dict]:
    """Public, active datasets with the most downloads (one SQL query, no search call)."""
    rows = model.Session.execute(MOST_DOWNLOADED_SQL, {"limit": limit})
    return [{"id": row.id, "name": row.name, "title": row.title, "organization": row.organization,
             "downloads": int(row.downloads)} for row in rows]


def counts_update_start() -> datetime.date:
    """The first day `tracking update` has to recompute.

    CKAN's own rule (two days before the newest summary day) when there is a summary; on a
    database with none it would start at 2011-01-01 and spend minutes on some 5,800 empty days,
    so it starts at the first day anything was recorded instead (today when nothing was).
    """
    session = model.Session
    newest = session.query(sa.func.max(TrackingSummary.tracking_date)).scalar()
    if newest is not None:
        return newest - datetime.timedelta(days=2)
    first = session.query(sa.func.min(TrackingRaw.access_timestamp)).scalar()
    return first.date() if first is not None else datetime.date.today()
