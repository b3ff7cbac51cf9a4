"""How many of a query's words a dataset needs (search_ranking.py: mm "2<-1 5<80%" with
q.op=OR given in the query's local parameters, so that Solr applies mm), and that a caller
still cannot choose edismax by local parameters."""
from __future__ import annotations

import pytest
from ckan.lib.search.common import SearchError
from ckan.tests.helpers import call_action

from ckanext.binhduong.search_spelling import phrase_hits

pytestmark = pytest.mark.usefixtures("judged_catalogue", "with_plugins", "with_request_context")


def search(query: str, **params) -> dict:
    return call_action("package_search", q=query, rows=100, **params)


def names(query: str) -> set[str]:
    return {dataset["name"] for dataset in search(query, fl=["name"])["results"]}


def test_four_syllables_with_one_no_dataset_has_still_find_the_dataset():
    assert phrase_hits("nay") == 0  # no dataset of the catalogue has the syllable "nay"
    result = search("dân số năm nay")
    assert "bd_spelling" not in result  # found as typed, not by the spelling step
    assert result["results"][0]["name"] == "dan-so-trung-binh"


def test_three_syllables_do_not_match_datasets_sharing_one():
    # Which datasets hold each syllable, anywhere Solr looks (folded: "mặt" is "mật", "đô" "độ").
    held = {word: names(word) for word in ("mật", "độ", "dân")}
    sharing_one = {name for word, found in held.items() for name in found
                   if sum(name in other for other in held.values()) == 1}
    assert "chu-ky-so-cong-dan" in sharing_one  # "công dân", "người dân"
    found = search("mật độ dân")["results"]
    assert found[0]["name"] == "dan-so-trung-binh"  # "mật độ dân số"
    assert not {dataset["name"] for dataset in found} & sharing_one
    # A phrase of the synonyms file is one word: "khu công nghiệp" needs its three syllables.
    whole = names("khu") & names("công") & names("nghiệp")
    assert names("khu công nghiệp") <= whole | names("kcn") and names("công") - whole - names("kcn")


@pytest.mark.parametrize("params", [
    {"q": "{!edismax qf=name}khai sinh"},
    {"q": "{!type=edismax qf=name}khai"},
    {"q": "khai sinh", "fq": "{!edismax q.op=OR}tags:x"},
    {"q": "{!lucene}khai sinh"},  # refused by CKAN itself, as before
])
def test_a_caller_cannot_choose_a_parser_by_local_parameters(params):
    with pytest.raises(SearchError, match="Local parameters are not supported"):
        call_action("package_search", **params)
