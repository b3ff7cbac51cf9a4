"""Help on the dataset search page (issue 15): what a corrected search looked for
("Có phải bạn muốn tìm …", search_spelling.py), a better spelling offered beside weak results,
the notice that no dataset holds the searched words as a phrase, and, when nothing (or only
such scattered matches) is found, themes, agencies and the most-downloaded datasets to go on
from (templates/package/snippets/search_help.html)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import downloads, vocabularies
from ckanext.binhduong.search_outage import SearchIndexUnavailable
from ckanext.binhduong.text import current_lang

__all__ = ["bd_search_spelling", "bd_search_suggestion", "bd_search_phrase", "bd_search_help"]


def _from_request(name: str) -> dict | None:
    try:
        return getattr(toolkit.g, name, None)
    except RuntimeError:
        return None


def bd_search_spelling() -> dict | None:
    """{"query": typed, "corrected": searched} when this request's search was corrected."""
    return _from_request("bd_spelling")


def bd_search_suggestion() -> dict | None:
    """{"query": typed, "suggested": collation} when weak results have a better spelling."""
    return _from_request("bd_suggestion")


def bd_search_phrase() -> dict | None:
    """{"query": typed, "found": False} when no dataset holds the typed words as a phrase."""
    return _from_request("bd_phrase")


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
