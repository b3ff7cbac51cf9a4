"""Ranking of dataset searches for Vietnamese (issue 15).

Vietnamese writes a word as separate syllables ("khu công nghiệp"), so matching syllables one
by one ranks "công dân" for "dân số". A plain-text search (no field names, no parser chosen by
the caller) is run with edismax over our Vietnamese fields (config/solr/build_schema.py):

- title over keywords over description, the title with its diacritics above the folded title,
  so "bán" ranks an exact "bán" above "bản" and "ban" (qf below);
- syllables next to each other count far more than the same syllables apart: phrase boosts on
  pairs and triples of syllables (pf2/pf3 with ps3, set as defaults of Solr's /select handler in
  config/solr/solrconfig.xml, because CKAN passes no phrase parameter to Solr);
- a query of up to three syllables needs all of them; longer ones all but one, and from
  seven on 80 % (mm), so "khu công nghiệp" no longer returns every dataset with "công";
- synonyms and abbreviations (config/solr/synonyms-vi.txt) at query time.

Measured on the judged query set of tests/search/ (nDCG@5 and top-1; README and
tests/search/README.md give the figures for this and for stock CKAN).
"""
from __future__ import annotations

import re
import unicodedata

# Single syllables weigh little beside the phrase boosts (pf2/pf3 up to 40): a phrase in the
# description outranks the same syllables scattered over a title.
QUERY_FIELDS = "title_vi^2.5 title_fold^1.5 keywords_vi^1 keywords_fold^0.75 notes_fold^0.25 text_fold^0.1"
MINIMUM_MATCH = "3<-1 6<80%"
# A field that matches besides the best one adds 30 % of its score: a title that is also
# the dataset's keyword beats a title alone.
TIE = "0.3"

# A query naming a field ("tags:x"), or one CKAN would send to the standard parser.
FIELDED = re.compile(r"(^|[\s(+\-])[\w.]+:")


def is_plain_text(q) -> bool:
    if not isinstance(q, str):
        return False
    q = q.strip()
    return bool(q) and q not in ("*:*", '""', "''") and not q.startswith("{!") and not FIELDED.search(q)


def normalise(q: str) -> str:
    """One spelling of each letter (NFC: 'ủ' typed as u + combining hook is 'ủ'), one space."""
    return " ".join(unicodedata.normalize("NFC", q).split())


def tune(search_params: dict) -> dict:
    """Before a dataset search: our ranking for plain-text queries; others are left alone."""
    q = search_params.get("q")
    if not is_plain_text(q) or search_params.get("defType") or search_params.get("qf"):
        return search_params
    search_params["q"] = normalise(q)
    search_params["defType"] = "edismax"
    search_params["qf"] = QUERY_FIELDS
    search_params.setdefault("mm", MINIMUM_MATCH)
    search_params.setdefault("tie", TIE)
    return search_params
