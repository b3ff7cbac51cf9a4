"""Spelling help for dataset searches ("Có phải bạn muốn tìm …", issue 15).

Solr's spellchecker (handler /bd-spell in config/solr/solrconfig.xml) reads the words of
titles, keywords, themes and places with their diacritics (field spell_vi) and offers a
collation only when that collation finds public datasets with the same edismax parameters as
our searches (search_ranking.py). The dictionary holds private datasets' words too, so a
correction that would only reach private datasets finds nothing public and is never offered.

A plain-text search that finds nothing is run again with the collation ("khaii sinh" finds
"Đăng ký khai sinh"); the answer then carries ``bd_spelling = {"query": <typed>, "corrected":
<collation>}`` so the search page can say what it searched for.

A search of two syllables or more that finds datasets is checked for the phrase: does any public
dataset hold the syllables next to each other (folded, synonyms applied: "khai sinh" also finds
"hộ tịch")? If none does, the results only share single syllables with the query ("giao
thong" → "tài khoản giao dịch … điện thoại thông minh"); the answer carries ``bd_phrase =
{"query": <typed>, "found": false}`` and the page says so. Weak results (no phrase, or at most
WEAK_COUNT datasets) also try the collation: if it holds the phrase (or finds at least
BETTER_FACTOR times as many datasets), the answer carries ``bd_suggestion = {"query": <typed>,
"suggested": <collation>}`` ("Có phải bạn muốn tìm …" with the typed query's results kept).
Cost on the hot path: none when a shown title, keyword or description holds the phrase (the
phrase boosts rank those first), else one rows=0 spelling request whose q is the phrase query
and whose collations are tried with our edismax (phrase_and_collation: the collation is needed
whenever the phrase is missing, so one request instead of two); for weak results with the
phrase shown, the spelling request alone; all on one kept Solr connection. (The phrase count
cannot come from the main request: package_search passes no facet.query or stats, and a
``query()`` pseudo-field in fl needs local parameters or a $parameter, which CKAN refuses there.) Fielded queries, later pages and callers choosing
their own parser are never changed.
"""
from __future__ import annotations

import logging
import os
import re
import threading

import pysolr
from ckan.lib.search import make_connection
from ckan.lib.search.common import SearchError, SolrConnectionError
from ckan.plugins import toolkit
from flask import g, has_request_context

from ckanext.binhduong import search_ranking
from ckanext.binhduong.text import fold_chars

log = logging.getLogger(__name__)

HANDLER = "bd-spell"
WORD = re.compile(r"\w+")
# At most this many results is weak enough to look for a better spelling.
WEAK_COUNT = 2
# A collation that finds this many times the datasets is clearly better.
BETTER_FACTOR = 3
# Equally near collations checked for the phrase, at most.
TIES_CHECKED = 2


_KEPT = threading.local()


def connection():
    """One Solr connection kept per process and thread (and Solr URL): the phrase and spelling
    requests reuse its HTTP connection instead of opening one each (CKAN's make_connection
    makes a new session every call)."""
    key = (os.getpid(), toolkit.config.get("solr_url"))
    if getattr(_KEPT, "key", None) != key:
        _KEPT.key, _KEPT.solr = key, make_connection(decode_dates=False)
    return _KEPT.solr


def public_filters() -> list[str]:
    site = toolkit.config.get("ckan.site_id")
    return [f'+site_id:"{site}"', "+state:active", "+capacity:public", "+dataset_type:dataset"]


def collation(q: str) -> str | None:
    """A corrected query that finds public datasets, or None."""
    found = collation_hits(q)
    return found[0] if found else None


# Public datasets holding the query's syllables next to each other, anywhere in their text
# (folded field text_fold, query-time synonyms applied).
PHRASE_QUERY = "{!field f=text_fold v=$bdq}"


def phrase_hits(q: str) -> int | None:
    """How many public datasets hold the query's words together (PHRASE_QUERY); None if Solr
    cannot say."""
    try:
        answer = connection().search(q=PHRASE_QUERY, bdq=search_ranking.normalise(q), fq=public_filters(), rows=0)
    except (pysolr.SolrError, SolrConnectionError, SearchError) as error:
        log.warning("Phrase check failed for %r: %s", q, error)
        return None
    return answer.hits


def collation_hits(q: str) -> tuple[str, int, bool | None] | None:
    """A corrected query that finds public datasets, how many it finds, and True if it is
    known to be found as a phrase (None: not checked); or None."""
    return phrase_and_collation(q, with_phrase=False)[1]


def phrase_and_collation(q: str, with_phrase: bool = True) -> tuple[int | None, tuple[str, int, bool | None] | None]:
    """(phrase_hits(q), collation_hits(q)) from one spelling request: its q is then the phrase
    query (numFound), while the collations are tried with edismax as our searches
    (spellcheck.q, spellcheck.collateParam.defType). (None, None) if Solr cannot say."""
    if not search_ranking.is_plain_text(q):
        return None, None
    q = search_ranking.normalise(q)
    # q.op=AND: a collation counts only if it finds datasets with all its words (edismax then
    # requires every clause; mm has no effect). Under our searches' mm, any collation sharing
    # most words with the query would "find" datasets ("xã hồ" for "xã hộ").
    params = {"search_handler": HANDLER, "qf": search_ranking.QUERY_FIELDS, "mm": search_ranking.MINIMUM_MATCH,
              "tie": search_ranking.TIE, "fq": public_filters(), "rows": 0, "q.op": "AND", "spellcheck.q": q,
              "spellcheck.maxCollations": 3, "spellcheck.maxCollationTries": 10}
    if with_phrase:
        params.update({"q": PHRASE_QUERY, "bdq": q, "defType": "lucene", "spellcheck.collateParam.defType": "edismax"})
    else:
        params["q"] = q
    try:
        answer = connection().search(**params)
    except (pysolr.SolrError, SolrConnectionError, SearchError) as error:
        log.warning("Spellcheck failed for %r: %s", q, error)
        return None, None
    return (answer.hits if with_phrase else None), best_collation(q, answer)


def best_collation(q: str, answer) -> tuple[str, int, bool | None] | None:
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

    nearest = min(cost(item)[0] for item in candidates)
    if nearest > 1 + len(typed) // 10:
        return None
    tied = sorted((item for item in candidates if cost(item)[0] == nearest), key=cost)
    # "khu cong nghep" is one letter from "khu công nghiệp" and from "khu công nghệ": the
    # collation whose words stand together in some dataset wins (one rows=0 request each, for
    # the first TIES_CHECKED by hits, stopping at the first found).
    if len(tied) > 1 and len(typed.split()) > 1:
        for item in tied[:TIES_CHECKED]:
            if phrase_hits(item["collationQuery"]):
                return item["collationQuery"], item["hits"], True
    return tied[0]["collationQuery"], tied[0]["hits"], None


def distance(a: str, b: str) -> int:
    """Edit distance with a swap of two neighbouring letters as one edit ("lịhc" / "lịch")."""
    rows = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def _remember(name: str, value: dict) -> None:
    if has_request_context():
        setattr(g, name, value)  # for the search page (search_help.py)


def _words(text: str) -> str:
    return " " + " ".join(WORD.findall(fold_chars(text))) + " "


def shown_phrase(q: str, results: list[dict]) -> bool:
    """Does a result's title, keyword or description hold the query's words together? (No
    request: the phrase boosts rank such datasets first, so this usually answers the phrase
    check.)"""
    words = _words(q)
    return any(words in _words(" | ".join([dataset.get("title") or "", dataset.get("notes") or ""] + [
        tag.get("name", "") if isinstance(tag, dict) else str(tag) for tag in dataset.get("tags") or []]))
        for dataset in results)


def weak_results(q: str, count: int, results: list[dict] = ()) -> tuple[dict | None, dict | None]:
    """(bd_phrase, bd_suggestion) for a first page of results, each None when not needed."""
    q = search_ranking.normalise(q)
    phrase = None
    asked = False
    if len(q.split()) >= 2 and not shown_phrase(q, results):
        # Not among the shown results: one request for the phrase and the collation, which
        # is needed whenever the phrase is missing (the usual case when it is not shown).
        hits, found = phrase_and_collation(q)
        asked = True
        if hits == 0:
            phrase = {"query": q, "found": False}
    if phrase is None and count > WEAK_COUNT:
        return None, None
    if not asked:
        found = collation_hits(q)
    if not found or fold_chars(found[0]) == fold_chars(q):  # diacritics alone: the same search
        return phrase, None
    suggested, hits, as_phrase = found
    better = hits >= BETTER_FACTOR * max(count, 1)
    if phrase is not None and not better:
        better = as_phrase or bool(phrase_hits(suggested))
    return phrase, ({"query": q, "suggested": suggested} if better else None)


def search_with_correction(up_func, context, data_dict: dict) -> dict:
    """package_search; when a plain-text query finds nothing, once more with its collation;
    when it finds only weak results, the phrase notice and a better spelling (weak_results)."""
    result = up_func(context, dict(data_dict))
    q = data_dict.get("q")
    if (not search_ranking.is_plain_text(q) or data_dict.get("defType")
            or data_dict.get("qf") or str(data_dict.get("start") or 0) not in ("0", "")):
        return result
    if result.get("count"):
        phrase, suggestion = weak_results(q, result["count"], result.get("results") or [])
        if phrase:
            result["bd_phrase"] = phrase
            _remember("bd_phrase", phrase)
        if suggestion:
            result["bd_suggestion"] = suggestion
            _remember("bd_suggestion", suggestion)
        return result
    corrected = collation(q)
    if not corrected:
        return result
    retry = up_func(context, {**data_dict, "q": corrected})
    if not retry.get("count"):
        return result
    retry["bd_spelling"] = {"query": q, "corrected": corrected}
    _remember("bd_spelling", retry["bd_spelling"])
    return retry
