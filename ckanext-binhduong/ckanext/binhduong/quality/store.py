"""Stored quality measurements and link checks (tables ``binhduong_quality`` and
``binhduong_link_check`` of the plugin's Alembic migration).

Reads and writes go on a connection of their own, never through the request's ORM session,
as the DCAT cache does (dcat/fragments.py): a failure here costs a quality figure, not the
caller's transaction.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

import sqlalchemy as sa

from ckan import model

from ckanext.binhduong.quality.mqa import LinkStatus

__all__ = ["delete_links", "link_results", "load", "load_all", "save", "save_links", "stale_links"]

QUALITY = "binhduong_quality"
LINKS = "binhduong_link_check"


def _engine():
    return model.meta.engine


def save(rows: Iterable[dict[str, Any]]) -> int:
    """Insert or replace measurements (keys: dataset_id, owner_org, metadata_modified, total,
    rating, dcat_ap, dcat_ap_violations, result, freshness). A dataset purged meanwhile is skipped."""
    rows = [
        {**row, "result": json.dumps(row["result"]), "freshness": json.dumps(row["freshness"]),
         "dcat_ap_violations": json.dumps(row.get("dcat_ap_violations") or [])}
        for row in rows
    ]
    if not rows:
        return 0
    upsert = sa.text(
        f"INSERT INTO {QUALITY} (dataset_id, owner_org, metadata_modified, total, rating, dcat_ap, "
        "dcat_ap_violations, result, freshness, computed) "
        "SELECT :dataset_id, :owner_org, :metadata_modified, :total, :rating, :dcat_ap, "
        "CAST(:dcat_ap_violations AS jsonb), CAST(:result AS jsonb), CAST(:freshness AS jsonb), now() at time zone 'utc' "
        "WHERE EXISTS (SELECT 1 FROM package WHERE id = :dataset_id) "
        "ON CONFLICT (dataset_id) DO UPDATE SET owner_org = EXCLUDED.owner_org, "
        "metadata_modified = EXCLUDED.metadata_modified, total = EXCLUDED.total, rating = EXCLUDED.rating, "
        "dcat_ap = EXCLUDED.dcat_ap, dcat_ap_violations = EXCLUDED.dcat_ap_violations, "
        "result = EXCLUDED.result, freshness = EXCLUDED.freshness, computed = EXCLUDED.computed"
    )
    with _engine().begin() as connection:
        connection.execute(upsert, rows)
    return len(rows)


_COLUMNS = "dataset_id, owner_org, metadata_modified, total, rating, dcat_ap, dcat_ap_violations, result, freshness, computed"


def _row(row) -> dict[str, Any]:
    return {"dataset_id": row[0], "owner_org": row[1], "metadata_modified": row[2], "total": row[3],
            "rating": row[4], "dcat_ap": row[5], "dcat_ap_violations": row[6], "result": row[7],
            "freshness": row[8], "computed": row[9].isoformat() if row[9] else None}


def load(dataset_id: str) -> dict[str, Any] | None:
    with _engine().connect() as connection:
        row = connection.execute(sa.text(f"SELECT {_COLUMNS} FROM {QUALITY} WHERE dataset_id = :id"),
                                 {"id": dataset_id}).first()
    return _row(row) if row else None


def load_all(owner_org: str | None = None, public_only: bool = True) -> list[dict[str, Any]]:
    """Measurements of active datasets (public ones only by default), of one agency or all."""
    where = ["p.state = 'active'", "p.type = 'dataset'"]
    if public_only:
        where.append("NOT p.private")
    params: dict[str, Any] = {}
    if owner_org:
        where.append("p.owner_org = :org")
        params["org"] = owner_org
    query = sa.text(
        f"SELECT {', '.join('q.' + c.strip() for c in _COLUMNS.split(','))}, p.name, p.title "
        f"FROM {QUALITY} q JOIN package p ON p.id = q.dataset_id WHERE {' AND '.join(where)} "
        "ORDER BY q.total, p.name"
    )
    with _engine().connect() as connection:
        return [dict(_row(row), name=row[10], title=row[11]) for row in connection.execute(query, params)]


def link_results(urls: Iterable[str]) -> dict[str, LinkStatus]:
    wanted = sorted({url for url in urls if url})
    if not wanted:
        return {}
    with _engine().connect() as connection:
        rows = connection.execute(sa.text(f"SELECT url, ok, status, error FROM {LINKS} WHERE url = ANY(:urls)"),
                                  {"urls": wanted})
        return {row[0]: LinkStatus(ok=row[1], status=row[2], error=row[3] or "") for row in rows}


def stale_links(urls: Iterable[str], older_than: dt.datetime) -> set[str]:
    """Of ``urls``, those never checked or last checked before ``older_than``."""
    wanted = sorted({url for url in urls if url})
    if not wanted:
        return set()
    with _engine().connect() as connection:
        fresh = {row[0] for row in connection.execute(
            sa.text(f"SELECT url FROM {LINKS} WHERE url = ANY(:urls) AND checked >= :since"),
            {"urls": wanted, "since": older_than})}
    return set(wanted) - fresh


def save_links(results: dict[str, LinkStatus]) -> None:
    if not results:
        return
    upsert = sa.text(
        f"INSERT INTO {LINKS} (url, ok, status, error, checked) VALUES (:url, :ok, :status, :error, now() at time zone 'utc') "
        "ON CONFLICT (url) DO UPDATE SET ok = EXCLUDED.ok, status = EXCLUDED.status, error = EXCLUDED.error, "
        "checked = EXCLUDED.checked"
    )
    with _engine().begin() as connection:
        connection.execute(upsert, [{"url": url, "ok": r.ok, "status": r.status, "error": r.error[:500]}
                                    for url, r in results.items()])


def delete_links(urls: Iterable[str]) -> None:
    wanted = sorted(set(urls))
    if wanted:
        with _engine().begin() as connection:
            connection.execute(sa.text(f"DELETE FROM {LINKS} WHERE url = ANY(:urls)"), {"urls": wanted})
