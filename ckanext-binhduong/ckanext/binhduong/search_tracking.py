"""The cost of CKAN's `tracking` plugin on package_search, removed (issue 15; CKAN #8772).

ckanext-tracking's ``after_dataset_search`` adds a ``tracking_summary`` to every result and
to every resource of every result, each with its own SQL query
(``TrackingSummary.get_for_package`` / ``get_for_resource``: the newest summary row of that
package or URL). A page of 10 datasets with 3 files each is 40 queries, on every search, the
API's included: at 10,000 datasets `package_search` took 53 ms at the median instead of 16 ms.
``after_dataset_show`` does the same per resource on every dataset page.

Here the same figures come from two queries per search or dataset, whatever the number of
results (the newest row per package and per URL with PostgreSQL's DISTINCT ON, over the same
indexes). Nothing else of the plugin changes: its tables, `ckan tracking update`, the
`/_tracking` beacon, the "views_recent" sort and our download counts (downloads.py) stay as
they are. Installed once, from the plugin's update_config.
"""
from __future__ import annotations

from typing import Any, Iterable

import ckan.model as model
import sqlalchemy as sa

ZERO = {"total": 0, "recent": 0}

_NEWEST = {
    "package_id": sa.text("""
        SELECT DISTINCT ON (package_id) package_id AS key, running_total, recent_views
        FROM tracking_summary WHERE package_id = ANY(:keys)
        ORDER BY package_id, tracking_date DESC"""),
    "url": sa.text("""
        SELECT DISTINCT ON (url) url AS key, running_total, recent_views
        FROM tracking_summary WHERE url = ANY(:keys)
        ORDER BY url, tracking_date DESC"""),
}


def _newest(column: str, keys: Iterable[str]) -> dict[str, dict[str, int]]:
    keys = sorted({key for key in keys if key})
    if not keys:
        return {}
    rows = model.Session.execute(_NEWEST[column], {"keys": keys})
    return {row.key: {"total": row.running_total, "recent": row.recent_views} for row in rows}


def add_summaries(datasets: list[dict[str, Any]]) -> None:
    """What ckanext-tracking adds to each dataset and resource, in two queries."""
    datasets = [dataset for dataset in datasets if "id" in dataset]
    resources = [resource for dataset in datasets for resource in dataset.get("resources") or []
                 if "url" in resource]
    by_package = _newest("package_id", (dataset["id"] for dataset in datasets))
    by_url = _newest("url", (resource["url"] for resource in resources))
    for dataset in datasets:
        dataset["tracking_summary"] = dict(by_package.get(dataset["id"], ZERO))
    for resource in resources:
        resource["tracking_summary"] = dict(by_url.get(resource["url"], ZERO))


def _after_dataset_search(self, search_results: dict, search_params: dict) -> dict:
    add_summaries(search_results.get("results") or [])
    return search_results


def _after_dataset_show(self, context, pkg_dict: dict) -> dict:
    add_summaries([pkg_dict])
    return pkg_dict


STOCK_HOOKS = None


def batch_tracking_summaries() -> None:
    """Give ckanext-tracking's plugin the batched hooks (idempotent)."""
    from ckanext.tracking.plugin import TrackingPlugin

    global STOCK_HOOKS
    if STOCK_HOOKS is None:  # the plugin's own hooks, kept for bench/bench_search.py
        STOCK_HOOKS = (TrackingPlugin.after_dataset_search, TrackingPlugin.after_dataset_show)
    TrackingPlugin.after_dataset_search = _after_dataset_search
    TrackingPlugin.after_dataset_show = _after_dataset_show
