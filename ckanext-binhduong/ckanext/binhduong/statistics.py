"""The statistics page ("Thống kê"): the public catalogue counted by theme, agency, format and
update freshness, from the search index (four Solr queries, whatever the catalogue's size).

Freshness is measured on the date the data was last updated: the schema's `modified`
(Ngày cập nhật) when the publisher gave one, otherwise `metadata_modified` (when the record
last changed on the portal). The buckets are calendar cut-offs counted back from today:
within 30 days, within 6 months, within 1 year, older.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ckan.plugins.toolkit as toolkit
from dateutil.relativedelta import relativedelta

from ckanext.binhduong import charts, vocabularies

_ = toolkit._

FACETS = ("vocab_theme", "organization", "res_format")
# (key, how far back the bucket reaches); the last bucket holds everything older.
FRESHNESS_CUTOFFS = (("30d", relativedelta(days=30)), ("6m", relativedelta(months=6)), ("1y", relativedelta(years=1)))


@dataclass
class Row:
    label: str
    count: int
    url: str | None = None
    short: str | None = None  # the chart's axis label, when the table's label is long


def freshness_filter(since: dt.date) -> str:
    """Solr filter: datasets whose data changed on or after `since` (see the module's note)."""
    day = since.isoformat()
    return (f'(modified:["{day}" TO *] OR '
            f'(metadata_modified:[{day}T00:00:00Z TO *] AND -modified:[* TO *]))')


def _search(data_dict: dict) -> dict:
    # As the public sees the catalogue, whoever is logged in.
    return toolkit.get_action("package_search")({"ignore_auth": False}, {"include_private": False, **data_dict})


def freshness_labels() -> dict[str, str]:
    return {"30d": _("Updated within the last 30 days"), "6m": _("Updated 30 days to 6 months ago"),
            "1y": _("Updated 6 months to 1 year ago"), "older": _("Updated more than 1 year ago")}


def freshness_short_labels() -> dict[str, str]:
    return {"30d": _("Last 30 days"), "6m": _("30 days to 6 months"), "1y": _("6 months to 1 year"),
            "older": _("Over 1 year")}


def freshness_counts(total: int, today: dt.date | None = None) -> dict[str, int]:
    """Datasets per freshness bucket: one count query per cut-off, differences give the buckets."""
    today = today or dt.date.today()
    counts: dict[str, int] = {}
    reached = 0
    for key, back in FRESHNESS_CUTOFFS:
        within = _search({"q": "*:*", "rows": 0, "fq": freshness_filter(today - back)})["count"]
        counts[key] = within - reached
        reached = within
    counts["older"] = total - reached
    return counts


def _facet_rows(facets: dict, field: str, lang: str) -> list[Row]:
    rows = []
    for item in facets.get(field, {}).get("items", []):
        if field == "vocab_theme":
            term = vocabularies.term("themes", item["name"])
            label = term.label(lang) if term else item["name"]
        else:
            label = item.get("display_name") or item["name"]
        rows.append(Row(label, item["count"], toolkit.h.url_for("dataset.search", **{field: item["name"]})))
    return sorted(rows, key=lambda row: (-row.count, row.label))


def _chart(rows: list[Row], series_name: str, title: str):
    # Horizontal bars: every name whole on its own line (charts.render_horizontal).
    return charts.render_svg([row.label for row in rows],
                             [charts.Series(series_name, [float(row.count) for row in rows])],
                             "bar", title, orientation="horizontal")


def page_context(lang: str) -> dict:
    search = _search({"q": "*:*", "rows": 0, "facet.field": list(FACETS), "facet.limit": -1})
    facets = search["search_facets"]
    total = search["count"]
    fresh = freshness_counts(total)
    labels, short = freshness_labels(), freshness_short_labels()
    sections = [
        ("themes", _("Datasets by theme"), _facet_rows(facets, "vocab_theme", lang)),
        ("agencies", _("Datasets by agency"), _facet_rows(facets, "organization", lang)),
        ("formats", _("Datasets by format"), _facet_rows(facets, "res_format", lang)),
        ("freshness", _("Datasets by last update"), [Row(labels[key], count, short=short[key]) for key, count in fresh.items()]),
    ]
    series_name = _("Datasets")
    return {
        "total": total,
        "sections": [{"key": key, "title": title, "rows": rows, "chart": _chart(rows, series_name, title)}
                     for key, title, rows in sections],
    }
