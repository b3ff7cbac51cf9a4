"""End-to-end smoke test over HTTP against the running portal, as a developer and a
citizen would use it: Action API, Solr-backed search, the dataset page, the DCAT catalogue."""
from __future__ import annotations

import time
import uuid

import pytest
import requests
from bs4 import BeautifulSoup

from bd_factories import valid_dataset


@pytest.fixture
def scratch(portal_api):
    """An organization and dataset made for one test and purged after it, so the running
    portal's catalogue is left as it was."""
    suffix = uuid.uuid4().hex[:8]
    made = {"organization": None, "dataset": None}
    yield suffix, made
    if made["dataset"]:
        portal_api.action.dataset_purge(id=made["dataset"])
    if made["organization"]:
        portal_api.action.organization_purge(id=made["organization"])


def test_status_lists_our_plugins_and_ckan_version(anonymous_api):
    status = anonymous_api.action.status_show()
    assert status["ckan_version"] == "2.12.0"
    assert status["locale_default"] == "vi"
    for plugin in (
        "binhduong scheming_datasets scheming_organizations dcat dcat_json_interface "
        "structured_data harvest datastore xloader datatables_view activity"
    ).split():
        assert plugin in status["extensions"], plugin


def test_create_search_view_and_publish_as_dcat(portal_url, portal_api, scratch):
    suffix, made = scratch
    organization = portal_api.action.organization_create(
        name=f"so-thu-nghiem-{suffix}", title="Sở Thử nghiệm (kiểm thử tự động)"
    )
    made["organization"] = organization["id"]
    dataset = portal_api.action.package_create(**valid_dataset(
        organization["id"],
        name=f"tram-bts-kiem-thu-{suffix}",
        title=f"Trạm BTS kiểm thử {suffix}",
        notes="Bộ dữ liệu mẫu do kiểm thử tự động tạo ra.",
    ))
    made["dataset"] = dataset["id"]

    # Found through Solr: a query typed without diacritics finds the accented title.
    found = portal_api.action.package_search(q=f"tram bts kiem thu {suffix}")
    assert found["results"][0]["id"] == dataset["id"]

    page = requests.get(f"{portal_url}/dataset/{dataset['name']}", timeout=30)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.html.get("lang") == "vi"
    assert dataset["title"] in soup.get_text()
    # Interface text from the Vietnamese catalogue, not dataset content.
    navigation = soup.get_text(" ", strip=True)
    assert "Bộ dữ liệu" in navigation and "Cơ quan" in navigation  # organizations are "agencies" (front.py)

    english = requests.get(f"{portal_url}/en/dataset/{dataset['name']}", timeout=30)
    assert BeautifulSoup(english.text, "html.parser").html.get("lang") == "en"
    assert "Agencies" in english.text

    catalogue = _get_until(f"{portal_url}/catalog.ttl", dataset["name"])
    assert catalogue.headers["Content-Type"].startswith("text/turtle")
    # Turtle is UTF-8 by definition (the response names no charset).
    assert dataset["title"] in catalogue.content.decode("utf-8")


def _get_until(url: str, expected: str, seconds: float = 10) -> requests.Response:
    # The catalogue is built from the search index, which commits within a second.
    deadline = time.monotonic() + seconds
    while True:
        response = requests.get(url, timeout=30)
        if expected in response.content.decode("utf-8") or time.monotonic() > deadline:
            return response
        time.sleep(0.5)
