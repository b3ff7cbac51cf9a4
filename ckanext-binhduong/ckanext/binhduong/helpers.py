"""Template helpers of the portal extension (also the scheming choices helpers)."""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import downloads, indexing, places, vocabularies
from ckanext.binhduong.text import current_lang, format_date, format_number
from ckanext.binhduong.formatting import render_datetime  # noqa: F401 (a helper: dd/mm/yyyy on Vietnamese pages)
from ckanext.binhduong.error_pages import bd_error_text  # noqa: F401 (a helper: error pages in the reader's language)
from ckanext.binhduong.front import *  # noqa: F401,F403 (helpers of the portal's public pages)
from ckanext.binhduong import front as _front
from ckanext.binhduong.publisher_form import *  # noqa: F401,F403 (helpers of the publisher's forms)
from ckanext.binhduong import publisher_form as _publisher_form

__all__ = [
    "binhduong_portal_title", "bd_vocabulary_choices", "bd_unit_choices", "bd_units_described",
    "bd_facet_label_function", "bd_format_date", "bd_format_number", "bd_home_summary",
    "render_datetime", "bd_error_text",
    "bd_dataset_downloads", "bd_resource_downloads", "bd_licence_title",
    "scheming_flatten_subfield",
] + list(_publisher_form.__all__)

__all__ += list(_front.__all__)

# The quality badge (quality/helpers.py).
from ckanext.binhduong.quality.helpers import bd_quality_summary, bd_table_report  # noqa: E402,F401

__all__ += ["bd_quality_summary", "bd_table_report"]

# Help on the search page: corrected spelling, and where to go when nothing is found (search_help.py).
from ckanext.binhduong.search_help import (  # noqa: E402,F401
    bd_search_help, bd_search_phrase, bd_search_spelling, bd_search_suggestion)

__all__ += ["bd_search_help", "bd_search_spelling", "bd_search_suggestion", "bd_search_phrase"]

# Facet fields whose values are vocabulary codes, shown to readers by label.
FACET_VOCABULARIES = {"vocab_theme": "themes", "vocab_frequency": "frequencies", "vocab_access_rights": "access_rights"}


def binhduong_portal_title() -> str:
    """The portal's name in the language of the current request."""
    return toolkit.config.get(f"ckanext.binhduong.portal_title_{current_lang()}")


def bd_vocabulary_choices(field: dict) -> list[dict]:
    """Scheming choices for a field naming its vocabulary (``vocabulary: themes``)."""
    return vocabularies.choices(field["vocabulary"], current_lang())


def bd_unit_choices(field: dict) -> list[dict]:
    return places.choices(current_lang())


def bd_units_described(value: Any) -> list[dict]:
    """Each unit with its name, its parents and, for a legacy unit, today's unit(s)."""
    described = []
    for code in indexing.stored_codes(value):
        unit = places.get_unit(code)
        if unit is None:
            described.append({"code": code, "name": code, "within": [], "legacy": False, "today": [], "today_within": []})
            continue
        successors = places.successors(code)
        described.append({
            "code": unit.code,
            "name": unit.name,
            "within": [parent.name for parent in places.ancestors(code)],
            "legacy": unit.legacy,
            "today": [successor.name for successor in successors],
            "today_within": _common_parents(successors),
        })
    return described


def _common_parents(units: list) -> list[str]:
    """Names of the parents shared by all the given units (e.g. Hồ Chí Minh City)."""
    if not units:
        return []
    shared = [parent.name for parent in places.ancestors(units[0].code)]
    for unit in units[1:]:
        names = {parent.name for parent in places.ancestors(unit.code)}
        shared = [name for name in shared if name in names]
    return shared


def bd_facet_label_function(facet_name: str) -> Callable[[dict], str] | None:
    """A label function for facet items whose values are codes (themes, units, ...)."""
    lang = current_lang()
    if facet_name in FACET_VOCABULARIES:
        vocabulary = FACET_VOCABULARIES[facet_name]

        def vocabulary_label(item: dict) -> str:
            term = vocabularies.term(vocabulary, item["name"])
            return term.label(lang) if term else item["display_name"]
        return vocabulary_label
    if facet_name == "vocab_units":
        def unit_label(item: dict) -> str:
            unit = places.get_unit(item["name"])
            return unit.name if unit else item["display_name"]
        return unit_label
    return None


def bd_format_date(value: Any) -> str:
    """Dates as dd/mm/yyyy for Vietnamese readers (English pages too: unambiguous)."""
    return format_date(value)


def bd_format_number(value: Any) -> str:
    """Whole numbers with Vietnamese thousands separators (3.666); English keeps 3,666."""
    return format_number(int(value or 0))


def bd_licence_title(licence_id: str | None) -> str:
    """A licence of the portal's register by its title in the page's language ("" if unknown)."""
    from ckanext.binhduong import vocabularies

    entry = vocabularies.licence(licence_id) if licence_id else None
    if entry is None:
        return ""
    return (entry.get("title_en") if current_lang() == "en" else None) or entry.get("title") or licence_id


def bd_home_summary() -> dict:
    """The home page's live figures: one search (counts, theme tiles, newest datasets, and the
    datasets with DataStore tables as a facet) and one SQL query (most downloaded). While the
    search index is down the page shows what the database knows (search_outage.py)."""
    from ckanext.binhduong.search_outage import SearchIndexUnavailable

    try:
        search = toolkit.get_action("package_search")(
            {"ignore_auth": False},
            {"q": "*:*", "rows": 6, "sort": "metadata_created desc", "include_private": False,
             "facet.field": ["vocab_theme", "organization", "res_extras_datastore_active"], "facet.limit": -1},
        )
    except SearchIndexUnavailable:
        search = {"count": None, "search_facets": {}, "results": []}
    facets = search["search_facets"]
    lang = current_lang()
    themes = []
    for item in sorted(facets.get("vocab_theme", {}).get("items", []), key=lambda item: -item["count"]):
        term = vocabularies.term("themes", item["name"])
        themes.append({"code": item["name"], "label": term.label(lang) if term else item["name"], "count": item["count"]})
    # res_extras_* is a text field: a dataset with a DataStore table has the token "true".
    tables = sum(item["count"] for item in facets.get("res_extras_datastore_active", {}).get("items", [])
                 if item["name"] == "true")
    return {
        "datasets": search["count"],
        "agencies": len(facets.get("organization", {}).get("items", [])),
        "tables": tables,
        "themes": themes,
        "newest": search["results"],
        "most_downloaded": downloads.most_downloaded(6),
    }


def bd_dataset_downloads(pkg_dict: dict) -> dict:
    """Downloads of a dataset: {"total": n, "resources": {resource id: n}}, once per request."""
    cache_key = f"bd_downloads_{pkg_dict.get('id')}"
    try:
        cached = getattr(toolkit.g, cache_key, None)
    except RuntimeError:
        cached = None
    if cached is not None:
        return cached
    per_resource = downloads.resource_downloads(pkg_dict.get("resources") or [])
    result = {"total": sum(per_resource.values()), "resources": per_resource}
    try:
        setattr(toolkit.g, cache_key, result)
    except RuntimeError:
        pass
    return result


def bd_resource_downloads(pkg_dict: dict, resource_id: str) -> int:
    return bd_dataset_downloads(pkg_dict)["resources"].get(resource_id, 0)


@toolkit.chained_helper
def scheming_flatten_subfield(next_helper: Callable, subfield: dict, data: dict) -> dict:
    """ckanext-scheming's helper, for a repeating block whose error is a message about the
    whole block ("add at least one") rather than one per row: scheming expected only rows and
    failed with a 500, losing what the clerk typed. The message is shown in the form's error
    summary; the rows typed are re-rendered."""
    name = subfield.get("field_name")
    value = data.get(name) if isinstance(data, dict) else None
    if isinstance(value, list) and any(not isinstance(item, dict) for item in value):
        data = {**data, name: [item for item in value if isinstance(item, dict)]}
    return next_helper(subfield, data)
