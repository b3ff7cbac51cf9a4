"""Every abbreviation in config/solr/synonyms-vi.txt finds the dataset its long form finds."""
from __future__ import annotations

import pathlib

import pytest
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("judged_catalogue", "with_plugins", "with_request_context")

SYNONYMS = pathlib.Path(__file__).resolve().parents[2] / "config" / "solr" / "synonyms-vi.txt"


def abbreviations() -> list[tuple[str, str]]:
    """(abbreviation, long form) for each rule "abbr, long form[, ...]" (a one-word term beside
    a term of several words); spelling variants and one-way topic rules are not abbreviations."""
    pairs = []
    for raw in SYNONYMS.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or "=>" in line:
            continue
        terms = [term.strip() for term in line.split(",")]
        if " " not in terms[0] and any(" " in term for term in terms[1:]):
            pairs.append((terms[0], next(term for term in terms[1:] if " " in term)))
    return pairs


def names(query: str, rows: int) -> list[str]:
    return [hit["name"] for hit in call_action("package_search", q=query, rows=rows, fl=["name"])["results"]]


def test_the_file_has_the_abbreviations_of_the_issue():
    found = {abbreviation for abbreviation, _ in abbreviations()}
    assert {"tthc", "dvc", "kcn", "ccn", "ubnd", "hđnd", "cccd", "bhxh", "thpt", "bts", "gpmb"} <= found


def test_an_abbreviation_finds_what_its_long_form_finds():
    # One test over the whole file (plugins load once; about 2 s instead of 35 apart).
    wrong = []
    for abbreviation, long_form in abbreviations():
        meant = names(long_form, 1)
        if not meant:
            wrong.append(f"the judged catalogue has nothing for {long_form!r}")
        elif meant[0] not in names(abbreviation, 10) or meant[0] not in names(abbreviation.upper(), 10):
            wrong.append(f"{abbreviation!r} does not find {meant[0]} ({long_form!r})")
    assert len(abbreviations()) >= 30
    assert not wrong, wrong
