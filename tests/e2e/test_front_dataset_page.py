"""A dataset page says things once and names agencies as the menu does: the provenance in its
own section only (not again under "Thông tin bổ sung"), and "Cơ quan" / "Agencies" in the
breadcrumb of dataset and agency pages, never CKAN's "Tổ chức" / "Organizations"."""
from __future__ import annotations

import requests
from bs4 import BeautifulSoup

DATASET = "danh-muc-tram-bts-du-lieu-mau"
AGENCY = "so-thong-tin-va-truyen-thong"


def _page(url: str) -> BeautifulSoup:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, url
    return BeautifulSoup(response.text, "html.parser")


def test_provenance_is_shown_once(portal_url):
    page = _page(f"{portal_url}/dataset/{DATASET}")
    assert page.select_one("#bd-provenance h2").get_text(strip=True) == "Nguồn gốc dữ liệu"
    labels = [cell.get_text(strip=True) for cell in page.select(".additional-info th.dataset-label")]
    assert labels and "Nguồn gốc dữ liệu" not in labels, labels


def test_breadcrumbs_name_agencies_as_the_menu_does(portal_url):
    for prefix, word, ckan_word in (("", "Cơ quan", "Tổ chức"), ("/en", "Agencies", "Organizations")):
        for path in (f"/dataset/{DATASET}", f"/organization/{AGENCY}", "/organization/"):
            page = _page(f"{portal_url}{prefix}{path}")
            crumbs = [item.get_text(strip=True) for item in page.select(".breadcrumb li")]
            assert word in crumbs and ckan_word not in crumbs, (prefix + path, crumbs)
            assert ckan_word not in page.title.get_text(), (prefix + path, page.title)
