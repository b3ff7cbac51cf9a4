"""Spelling help for dataset searches ("Có phải bạn muốn tìm …", issue 15).

Solr's spellchecker (handler /bd-spell in config/solr/solrconfig.xml) reads the words of
titles, keywords, themes and places with their diacritics (field spell_vi) and offers a
collation only when that collation finds public datasets with the same edismax parameters as
our searches (search_ranking.py). The dictionary holds private datasets' words too, so a
correction that would only reach private datasets finds nothing public and is never offered.

A plain-text search that finds nothing is run again with the collation ("khaii sinh" finds
"Đăng ký khai sinh"); the answer then carries ``bd_spelling = {"query": <typed>, "corrected":
<collation>}`` so the search page can say what it searched for. Searches with results, fielded
queries and callers choosing their own parser are never changed.
"""
from __future__ import annotations

import logging

import pysolr
from ckan.lib.search import make_connection
from ckan.lib.search.common import SearchError, SolrConnectionError
from ckan.plugins import toolkit
from flask import g, has_request_context

from ckanext.binhduong import search_ranking
from ckanext.binhduong.text import fold_chars

log = logging.getLogger(__name__)

HANDLER = "bd-spell"


def public_filters() -> list[str]:
    site = toolkit.config.get("ckan.site_id")
    return [f'+site_id:"{site}"', "+state:active", "+capacity:public", "+dataset_type:dataset"]


def collation(q: str) -> str | None:
    """A corrected query that finds public datasets, or None."""
    if not search_ranking.is_plain_text(q):
        return None
    q = search_ranking.normalise(q)
    try:
        answer = make_connection(decode_dates=False).search(
            q=q, search_handler=HANDLER, qf=search_ranking.QUERY_FIELDS, mm=search_ranking.MINIMUM_MATCH,
            tie=search_ranking.TIE, fq=public_filters(), rows=0,
            **{"q.op": "AND", "spellcheck.q": q, "spellcheck.maxCollations": 5, "spellcheck.maxCollationTries": 30})
    except (pysolr.SolrError, SolrConnectionError, SearchError) as error:
        log.warning("Spellcheck failed for %r: %s", q, error)
        return None
    found = (answer.spellcheck or {}).get("collations") or []
    # json.nl=flat: ["collation", {"collationQuery": ..., "hits": ...}, ...]
    candidates = [item for item in (found[1::2] if found and isinstance(found[0], str) else found)
                  if isinstance(item, dict) and item.get("collationQuery") and item.get("hits", 0) > 0
                  and item["collationQuery"].lower() != q.lower()]
    if not candidates:
        return None
    # The dictionary keeps diacritics, so "benh vienn" is as near to "bình viên" as to "bệnh
    # viện" letter by letter: a query typed without diacritics is compared folded, one typed
    # with them as typed ("bệnh viện" is not "bình viễn"). A collation further than about one
    # slip of the finger per ten letters is another query, not a correction.
    accented = fold_chars(q) != q.lower()
    typed = q.lower() if accented else fold_chars(q)

    def cost(item: dict) -> tuple[int, int]:
        text = item["collationQuery"].lower()
        return distance(typed, text if accented else fold_chars(text)), -item["hits"]

    best = min(candidates, key=cost)
    return best["collationQuery"] if cost(best)[0] <= 1 + len(typed) // 10 else None


def distance(a: str, b: str) -> int:
    """Edit distance with a swap of two neighbouring letters as one edit ("lịhc" / "lịch")."""
    rows = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def search_with_correction(up_func, context, data_dict: dict) -> dict:
    """package_search; when a plain-text query finds nothing, once more with its collation."""
    result = up_func(context, dict(data_dict))
    q = data_dict.get("q")
    if (result.get("count") or not search_ranking.is_plain_text(q) or data_dict.get("defType")
            or data_dict.get("qf") or str(data_dict.get("start") or 0) not in ("0", "")):
        return result
    corrected = collation(q)
    if not corrected:
        return result
    retry = up_func(context, {**data_dict, "q": corrected})
    if not retry.get("count"):
        return result
    retry["bd_spelling"] = {"query": q, "corrected": corrected}
    if has_request_context():
        g.bd_spelling = retry["bd_spelling"]  # for the search page (search_help.py)
    return retry
