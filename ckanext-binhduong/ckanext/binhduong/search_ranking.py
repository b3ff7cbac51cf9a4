"""Ranking of dataset searches for Vietnamese (issue 15).

Vietnamese writes a word as separate syllables ("khu công nghiệp"), so matching syllables one
by one ranks "công dân" for "dân số". A plain-text search (no field names, no parser chosen by
the caller) is run with edismax over our Vietnamese fields (config/solr/build_schema.py):

- title over keywords over description, the title with its diacritics above the folded title,
  so "bán" ranks an exact "bán" above "bản" and "ban" (qf below);
- syllables next to each other count far more than the same syllables apart: phrase boosts on
  pairs and triples of syllables (pf2/pf3 with ps3, set as defaults of Solr's /select handler in
  config/solr/solrconfig.xml, because CKAN passes no phrase parameter to Solr);
- a query of one or two words needs them all, of three to five all but one, longer ones 80 %
  (mm; a word is a syllable, or a phrase of synonyms-vi.txt such as "khai sinh" or "khu công
  nghiệp"), so "khu công nghiệp" no longer returns every dataset with "công", "mật độ dân"
  no dataset with "dân" alone, and "khai sinh cho bé" still finds "Đăng ký khai sinh" although
  no dataset has "bé";
- synonyms and abbreviations (config/solr/synonyms-vi.txt) at query time.

Why a query of three syllables or more starts with ``{!edismax q.op=OR}`` (one or two are
sent as they are, with defType=edismax: all are needed either way, and the conjunction is
cheaper): CKAN sends every search with ``q.op=AND``
and lets no ``q.op`` through ``package_search``. Solr 9's edismax builds its clauses with the
default operator q.op before it applies mm, and with AND they are all required, so mm changes
nothing (``debugQuery`` shows ``+a +b +c``, and every pf2 pair required for the pair boost);
with ``sow=false`` (multi-word synonyms) that holds inside each field's clause too. Local
parameters at the start of q take precedence over request parameters, so q.op=OR there gives
optional clauses, and mm decides how many are needed (Solr reads them only under the lucene
default parser, hence defType=lucene; edismax then takes qf, mm, tie and pf2/pf3 from the
request). CKAN accepts local parameters only for
the parsers of ``ckan.search.solr_allowed_query_parsers``; ``allow_our_parser`` adds edismax
to that list, and ``tune`` refuses edismax local parameters in anything the caller sent (q, fq,
sort, ...) with CKAN's own error, so a user still cannot choose edismax's options (uf, bf,
boost, qf) through local parameters, as with stock CKAN. Other parsers stay as CKAN's check
and the site's configuration decide.

Measured on the judged query set of tests/search/ (nDCG@5 and top-1; the README
section "Search in Vietnamese" gives the figures for this and for stock CKAN).
"""
from __future__ import annotations

import re
import unicodedata

from ckan.lib.search.common import SearchError
# The very parsing CKAN's own check uses (query.py), so what it would accept as edismax is
# exactly what is refused here.
from ckan.lib.search.query import _get_local_query_parser

# Single syllables weigh little beside the phrase boosts (pf2/pf3 up to 40): a phrase in the
# description outranks the same syllables scattered over a title.
QUERY_FIELDS = "title_vi^2.5 title_fold^1.5 keywords_vi^1 keywords_fold^0.75 notes_fold^0.25 text_fold^0.1"
# Counted in clauses: a multi-word synonym ("khai sinh", "khu công nghiệp") is one clause.
# One or two: all; three to five: all but one; more: 80 %.
MINIMUM_MATCH = "2<-1 5<80%"
# A field that matches besides the best one adds 30 % of its score: a title that is also
# the dataset's keyword beats a title alone.
TIE = "0.3"
PARSER = "edismax"
# Optional clauses, so that mm applies (see above).
LOCAL_PARAMS = "{!edismax q.op=OR}"
ALLOWED_PARSERS = "ckan.search.solr_allowed_query_parsers"

WORD = re.compile(r"\w+")
# A query naming a field ("tags:x"), or one CKAN would send to the standard parser.
FIELDED = re.compile(r"(^|[\s(+\-])[\w.]+:")


def allow_our_parser(config) -> None:
    """At start-up (IConfigurer): CKAN lets local parameters for edismax through (only ours: tune)."""
    allowed = list(config.get(ALLOWED_PARSERS) or [])
    if PARSER not in allowed:
        config[ALLOWED_PARSERS] = allowed + [PARSER]


def is_plain_text(q) -> bool:
    if not isinstance(q, str):
        return False
    q = q.strip()
    return bool(q) and q not in ("*:*", '""', "''") and not q.startswith("{!") and not FIELDED.search(q)


def normalise(q: str) -> str:
    """One spelling of each letter (NFC: 'ủ' typed as u + combining hook is 'ủ'), one space."""
    return " ".join(unicodedata.normalize("NFC", q).split())


def refuse_edismax_local_params(search_params: dict) -> None:
    """The caller's parameters may not choose edismax by local parameters ({!edismax ...}):
    allowed by allow_our_parser for our own q only. CKAN's message and error."""
    for name, value in search_params.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, str) and item.strip().startswith("{!") and _get_local_query_parser(item) == PARSER:
                raise SearchError(f"Local parameters are not supported in param '{name}'.")


def tune(search_params: dict) -> dict:
    """Before a dataset search: our ranking for plain-text queries; others are left alone."""
    refuse_edismax_local_params(search_params)
    q = search_params.get("q")
    if not is_plain_text(q) or search_params.get("defType") or search_params.get("qf"):
        return search_params
    text = normalise(q)
    if len(WORD.findall(text)) <= 2:
        # One or two words: mm needs them all, which CKAN's q.op=AND already gives, with the
        # same scores; Solr answers that conjunction faster than the same clauses under mm.
        search_params["q"], search_params["defType"] = text, PARSER
    else:
        # Solr reads local parameters at the start of q only when the default parser is
        # lucene (since Solr 7.2); they then choose edismax, which takes qf, mm, tie and the
        # handler's pf2/pf3 from the request.
        search_params["q"], search_params["defType"] = LOCAL_PARAMS + text, "lucene"
    search_params["qf"] = QUERY_FIELDS
    search_params.setdefault("mm", MINIMUM_MATCH)
    search_params.setdefault("tie", TIE)
    return search_params
