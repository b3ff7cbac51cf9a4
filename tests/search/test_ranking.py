"""Ranking on the judged query set (issue 15): nDCG@5 and top-1 of our search, beside the same
figures for CKAN's stock ranking on the same index (dismax over name, title, tags, groups and
the catch-all text field, CKAN's own minimum-match)."""
from __future__ import annotations

import pytest
from ckan.lib.search import make_connection
from ckan.lib.search.query import QUERY_FIELDS
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action

from search.judgements import QUERIES
from search.ranking import ndcg_at, top1

pytestmark = pytest.mark.usefixtures("judged_catalogue", "with_plugins", "with_request_context")


def ours(query: str) -> list[str]:
    result = call_action("package_search", q=query, rows=5, fl=["name"])
    return [hit["name"] for hit in result["results"]]


def stock(query: str) -> list[str]:
    """What package_search sends Solr for a plain query without our plugin (query.py)."""
    site = toolkit.config.get("ckan.site_id")
    hits = make_connection(decode_dates=False).search(
        q=query, defType="dismax", qf=QUERY_FIELDS, mm="2<-1 5<80%", tie="0.1", df="text",
        **{"q.op": "AND"}, fq=[f'+site_id:"{site}"', "+state:active", "+capacity:public"],
        rows=5, fl="name", sort="score desc, metadata_modified desc")
    return [doc["name"] for doc in hits.docs]


def figures(search) -> tuple[float, float, list[str]]:
    ndcgs, firsts, misses = [], [], []
    for query, judged in QUERIES:
        ranked = search(query)
        ndcgs.append(ndcg_at(5, ranked, judged))
        firsts.append(top1(ranked, judged))
        if not firsts[-1] or ndcgs[-1] < 0.8:
            misses.append(f"{query!r}: {ranked[:5]} nDCG@5 {ndcgs[-1]:.2f}")
    return sum(ndcgs) / len(ndcgs), sum(firsts) / len(firsts), misses


def test_the_judged_set_is_large_enough(judged_catalogue):
    assert len(QUERIES) >= 60 and len(judged_catalogue) >= 60


def test_our_ranking_on_the_judged_set():
    ndcg, first, misses = figures(ours)
    stock_ndcg, stock_first, stock_misses = figures(stock)
    print(f"\nours:  nDCG@5 {ndcg:.3f}  top-1 {first:.1%}  ({len(QUERIES)} queries)")
    print(f"stock: nDCG@5 {stock_ndcg:.3f}  top-1 {stock_first:.1%}")
    print("ours, weakest:\n  " + "\n  ".join(misses))
    assert ndcg >= 0.95 and first >= 0.95, misses
