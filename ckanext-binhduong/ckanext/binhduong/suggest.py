"""Suggestions as the user types in a search box (issue 15): GET /goi-y-tim-kiem?q=khai s
answers {"query": ..., "datasets": [{"title", "name", "url"}, ...]}, at most 8 public datasets
(and the caller's private ones, as package_search decides) whose title has every typed word,
the last one as a prefix ("khai s" → "Đăng ký khai sinh …"), diacritics or not. Read by
assets/search/autocomplete.js, which attaches itself to every search box (input name="q")."""
from __future__ import annotations

import re

import ckan.plugins.toolkit as toolkit
from flask import Blueprint, jsonify, request

from ckanext.binhduong.search_outage import SearchIndexUnavailable

suggest = Blueprint("bd_suggest", __name__)

MAX_QUERY = 100
MAX_WORDS = 6
ROWS = 8
WORD = re.compile(r"\w+", re.UNICODE)


def suggestion_query(text: str) -> str | None:
    """Solr query on the title's folded edge n-grams: every word typed, as a prefix."""
    words = WORD.findall(text[:MAX_QUERY])[:MAX_WORDS]
    if not words or len("".join(words)) < 2:
        return None
    # Words only (\w): nothing of Solr's syntax reaches the query.
    # Lower-cased so a typed "AND" or "OR" is a word, not an operator.
    return " AND ".join(f"title_prefix:{word.lower()}" for word in words)


@suggest.route("/goi-y-tim-kiem")
def search_suggestions():
    text = request.args.get("q", "")
    query = suggestion_query(text)
    datasets = []
    if query:
        try:
            found = toolkit.get_action("package_search")(
                {}, {"q": query, "rows": ROWS, "fl": "name,title", "sort": "score desc, title_string asc"})
        except (SearchIndexUnavailable, toolkit.ValidationError):
            found = {"results": []}
        datasets = [{"title": hit.get("title") or hit["name"], "name": hit["name"],
                     "url": toolkit.url_for("dataset.read", id=hit["name"])} for hit in found["results"]]
    response = jsonify({"query": text[:MAX_QUERY], "datasets": datasets})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
