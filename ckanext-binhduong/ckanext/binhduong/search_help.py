"""Help on the dataset search page (issue 15): what a corrected search looked for
("Có phải bạn muốn tìm …", search_spelling.py), and, when nothing is found, themes, agencies
and the most-downloaded datasets to go on from (templates/package/snippets/search_help.html)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import downloads, vocabularies
from ckanext.binhduong.search_outage import SearchIndexUnavailable
from ckanext.binhduong.text import current_lang

__all__ = ["bd_search_spelling", "bd_search_help"]


def bd_search_spelling() -> dict | None:
    """{"query": typed, "corrected": searched} when this request's search was corrected."""
    try:
        return getattr(toolkit.g, "bd_spelling", None)
    except RuntimeError:
        return None


def bd_search_help() -> dict:
    """Themes and agencies with datasets (one faceted search) and the most-downloaded datasets."""
    try:
        search = toolkit.get_action("package_search")(
            {}, {"q": "*:*", "rows": 0, "facet.field": ["vocab_theme", "organization"], "facet.limit": 12})
    except SearchIndexUnavailable:
        search = {"search_facets": {}}
    facets = search.get("search_facets") or {}
    lang = current_lang()
    themes = []
    for item in facets.get("vocab_theme", {}).get("items", []):
        term = vocabularies.term("themes", item["name"])
        themes.append({"code": item["name"], "label": term.label(lang) if term else item["name"],
                       "count": item["count"]})
    agencies = [{"name": item["name"], "label": item.get("display_name") or item["name"], "count": item["count"]}
                for item in facets.get("organization", {}).get("items", [])]
    return {"themes": sorted(themes, key=lambda item: -item["count"]),
            "agencies": sorted(agencies, key=lambda item: -item["count"]),
            "most_downloaded": downloads.most_downloaded(6)}
