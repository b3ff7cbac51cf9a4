"""Degraded but alive (search_outage.py): with Solr stopped through the project's supervisor,
dataset, resource, agency and home pages and package_show still answer from PostgreSQL; the
search page and package_search answer 503 with Retry-After and a message in the page's
language; once Solr is back, search works again without restarting anything."""
from __future__ import annotations

import pytest
import requests

from .supervisor import state_and_pid, supervisorctl, wait_until

SEED_DATASET = "tram-bts-phu-song-4g-thue-bao-di-dong"


def _solr_answers(portal_url: str) -> bool:
    try:
        response = requests.get(f"{portal_url}/api/3/action/package_search", params={"rows": 0}, timeout=10)
    except requests.RequestException:
        return False
    return response.status_code == 200


@pytest.fixture
def solr_stopped(portal_url, anonymous_api):
    dataset = anonymous_api.action.package_show(id=SEED_DATASET)
    supervisorctl("stop", "solr")
    try:
        assert state_and_pid("solr")[0] == "STOPPED"
        yield dataset
    finally:
        supervisorctl("start", "solr")
        wait_until(lambda: _solr_answers(portal_url), 120, "search answering again after Solr's start")


def test_pages_that_do_not_need_the_index_keep_answering(portal_url, solr_stopped):
    dataset = solr_stopped
    pages = {
        f"/dataset/{dataset['name']}": dataset["title"],
        f"/dataset/{dataset['name']}/resource/{dataset['resources'][0]['id']}": dataset["resources"][0]["name"],
        f"/organization/{dataset['organization']['name']}": dataset["organization"]["title"],
        "/": "Chức năng tìm kiếm tạm thời gián đoạn",
    }
    for path, expected in pages.items():
        response = requests.get(f"{portal_url}{path}", timeout=30)
        assert response.status_code == 200, (path, response.status_code)
        assert expected in response.text, path
    shown = requests.get(f"{portal_url}/api/3/action/package_show", params={"id": dataset["name"]}, timeout=30)
    assert shown.status_code == 200 and shown.json()["result"]["id"] == dataset["id"]


def test_search_answers_503_with_retry_after_in_the_readers_language(portal_url, solr_stopped):
    page = requests.get(f"{portal_url}/dataset/", params={"q": "trạm"}, timeout=30)
    assert page.status_code == 503 and page.headers.get("Retry-After")
    assert "Chức năng tìm kiếm tạm thời gián đoạn" in page.text
    english = requests.get(f"{portal_url}/en/dataset/", params={"q": "tram"}, timeout=30)
    assert english.status_code == 503 and "Search is temporarily unavailable" in english.text
    api = requests.get(f"{portal_url}/api/3/action/package_search", params={"q": "tram"}, timeout=30)
    assert api.status_code == 503 and api.headers.get("Retry-After")
    assert api.json()["error"]["message"].startswith("Chức năng tìm kiếm tạm thời gián đoạn")
