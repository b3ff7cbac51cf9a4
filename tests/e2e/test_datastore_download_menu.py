"""The DataStore's download menu on a resource page (CSV, TSV, JSON, XML of the table) names
itself to screen readers in the page's language: CKAN writes its aria-label in English only."""
from __future__ import annotations

import re

import requests

SEED_DATASET = "danh-muc-tram-bts-du-lieu-mau"  # starter catalogue; its CSV is in the DataStore


def _menu_label(portal_url: str, prefix: str, resource_id: str) -> str:
    page = requests.get(f"{portal_url}{prefix}/dataset/{SEED_DATASET}/resource/{resource_id}", timeout=30)
    page.raise_for_status()
    found = re.search(r'id="dropdownDownloadFormat"[^>]*aria-label="([^"]*)"', page.text)
    assert found, "no DataStore download menu on the resource page"
    return found.group(1)


def test_the_download_menu_is_labelled_in_the_page_language(portal_url, anonymous_api):
    dataset = anonymous_api.action.package_show(id=SEED_DATASET)
    (resource,) = [r for r in dataset["resources"] if r.get("datastore_active")][:1]
    assert _menu_label(portal_url, "", resource["id"]) == "danh sách định dạng có thể tải về"
    assert _menu_label(portal_url, "/en", resource["id"]) == "list of downloadable formats"
