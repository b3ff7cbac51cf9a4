"""Template helpers of the quality pages (registered through helpers.py)."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.quality import compute, freshness, mqa, store

__all__ = ["bd_quality_summary", "bd_table_report"]

log = logging.getLogger(__name__)


def bd_quality_summary(pkg: dict) -> dict[str, Any] | None:
    """A dataset's score and rating for a badge: ``{"total", "max", "rating", "rating_label",
    "url", "overdue", "days_late", "stale"}`` from the stored measurement only (one indexed
    read: the page never computes; the jobs worker measures a changed dataset, quality/jobs.py).
    None when no measurement is stored yet or it cannot be read (a badge never breaks the page)."""
    if not pkg or not pkg.get("id"):
        return None
    try:
        row = store.load(pkg["id"])
        if row is None:
            return None
        options = compute.settings()
        fresh = freshness.assess(pkg, compute.now(), options["review_period"], options["update_within"])
    except Exception as error:  # noqa: BLE001 (the table missing, a database hiccup: no badge)
        log.warning("No quality summary for %s: %s", pkg.get("name"), error)
        return None
    return {
        "total": row["total"], "max": mqa.MAX_POINTS, "rating": row["rating"],
        "rating_label": toolkit._(mqa.RATING_LABELS[row["rating"]]),
        "url": toolkit.url_for("bd_quality.dataset_quality", id=pkg.get("name") or pkg["id"]),
        "overdue": fresh.get("overdue", False), "days_late": fresh.get("days_late", 0),
        "stale": row["metadata_modified"] != (pkg.get("metadata_modified") or ""),
    }


def bd_table_report(resource: dict) -> dict[str, Any] | None:
    """The stored validation report of a tabular resource as the current user may read it
    (binhduong_quality_table_report), for the resource page; None when there is none to show
    (not a table, not validated yet, not readable, a database hiccup)."""
    if not resource or not resource.get("id"):
        return None
    context = {"user": toolkit.g.user or "", "auth_user_obj": getattr(toolkit.g, "userobj", None)}
    try:
        report = toolkit.get_action("binhduong_quality_table_report")(context, {"id": resource["id"]})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized, toolkit.ValidationError):
        return None
    except Exception as error:  # noqa: BLE001 (the table missing: no report, the page still shows)
        log.warning("No table report for %s: %s", resource.get("id"), error)
        return None
    return report if report.get("validated") else None
