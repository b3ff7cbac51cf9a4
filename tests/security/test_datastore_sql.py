"""``datastore_search_sql`` (enabled on the portal) cannot read a private dataset's table.

CVE-2026-42032 (open in CKAN 2.12.0, carried in datastore_sql.py): ``ts_rewrite`` runs the
SELECT given as its text argument, past CKAN's table check. Before the fix, an anonymous call
``SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, plainto_tsquery(''simple'', ten)
FROM "<private table>"')`` answered 200 with the private value in the result (seen on this
portal on 2026-12-07). CVE-2026-42031 (fixed in CKAN 2.12.0): a second statement hidden behind
``\\'`` is refused. Each attack is made anonymously over HTTP against the running portal, next
to a control that the same kind of request works where it is allowed.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from bd_factories import valid_dataset

SECRET = "Bi-mat-7c1e"


@pytest.fixture(scope="module")
def private_table(portal_api):
    organization = portal_api.action.organization_create(name=f"so-sql-{uuid.uuid4().hex[:8]}", title="Sở thử SQL")
    dataset = portal_api.action.package_create(**valid_dataset(organization["id"], private=True))
    table = portal_api.action.datastore_create(resource={"package_id": dataset["id"], "name": "bang-mat"},
                                               fields=[{"id": "ten", "type": "text"}], records=[{"ten": SECRET}],
                                               force=True)
    yield table["resource_id"]
    portal_api.action.dataset_purge(id=dataset["id"])
    portal_api.action.organization_purge(id=organization["id"])


def _anonymous_sql(portal_url: str, sql: str) -> requests.Response:
    return requests.post(f"{portal_url}/api/3/action/datastore_search_sql", json={"sql": sql}, timeout=30)


def test_ts_rewrite_cannot_read_a_private_table(portal_url, private_table):
    leak = (f"SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, plainto_tsquery(''simple'', ten) "
            f"FROM \"{private_table}\"') AS leaked")
    answer = _anonymous_sql(portal_url, leak)
    assert answer.status_code == 403, answer.text
    assert "Not authorized to call function ts_rewrite" in answer.json()["error"]["message"]
    assert "7c1e" not in answer.text
    # The same text-search functions without a query inside are still allowed.
    allowed = _anonymous_sql(portal_url, "SELECT plainto_tsquery('simple', 'tram bts') AS q")
    assert allowed.status_code == 200 and allowed.json()["result"]["records"] == [{"q": "'tram' & 'bts'"}], allowed.text


def test_a_second_statement_behind_a_backslash_quote_is_refused(portal_url, private_table):
    answer = _anonymous_sql(portal_url, f"SELECT '\\'; SELECT ten FROM \"{private_table}\"; --'")
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["message"] == "Query is not a single statement"
    assert "7c1e" not in answer.text


@pytest.mark.parametrize("sql, reason", [
    ("SELECT 'abc'::int AS x", 'invalid input syntax for type integer: "abc"'),
    ("SELECT 1/0 AS x", "division by zero"),
])
def test_a_data_error_in_a_query_is_a_409_with_the_reason(portal_url, sql, reason):
    answer = _anonymous_sql(portal_url, sql)
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["query"] == [reason]


def test_the_allow_list_without_query_functions():
    from ckanext.binhduong.datastore_sql import without_query_functions

    assert without_query_functions({"upper", "ts_rewrite", '"TS_REWRITE"', "ts_headline", "query_to_xml"}) == \
        {"upper", "ts_headline"}
