"""Template helpers of the quality pages (registered through helpers.py)."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.quality import compute, mqa

__all__ = ["bd_quality_summary"]

log = logging.getLogger(__name__)


def bd_quality_summary(pkg: dict) -> dict[str, Any] | None:
    """A dataset's score and rating for a badge: ``{"total", "max", "rating", "rating_label",
    "url", "overdue", "days_late"}``, recomputed first when the dataset changed; None when it
    cannot be had (a badge never breaks the page that shows it)."""
    if not pkg or not pkg.get("id"):
        return None
    try:
        row = compute.measurement(pkg)
    except Exception as error:  # noqa: BLE001 (the table missing, a database hiccup: no badge)
        log.warning("No quality summary for %s: %s", pkg.get("name"), error)
        return None
    return {
        "total": row["total"], "max": mqa.MAX_POINTS, "rating": row["rating"],
        "rating_label": toolkit._(mqa.RATING_LABELS[row["rating"]]),
        "url": toolkit.url_for("bd_quality.dataset_quality", id=pkg.get("name") or pkg["id"]),
        "overdue": row["freshness"].get("overdue", False), "days_late": row["freshness"].get("days_late", 0),
    }
