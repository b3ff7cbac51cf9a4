"""The home page: search box, live figures and theme tiles that match the API, newest and
most-downloaded datasets."""
from __future__ import annotations

import requests
from bs4 import BeautifulSoup


def _page(url: str) -> BeautifulSoup:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def test_home_figures_and_theme_tiles_match_the_catalogue(portal_url, anonymous_api):
    page = _page(f"{portal_url}/")
    assert page.html.get("lang") == "vi"
    assert page.select_one("form.bd-home-search input[name=q]") is not None
    search = anonymous_api.action.package_search(rows=0, **{"facet.field": '["vocab_theme"]', "facet.limit": -1})
    figures = {node["data-figure"]: int(node.get_text().replace(".", "")) for node in page.select(".bd-figure")}
    assert figures["datasets"] == search["count"]
    tiles = {tile.select_one(".h5").get_text(strip=True): int(tile.select_one(".bd-theme-count").get_text().replace(".", ""))
             for tile in page.select(".bd-theme-tile")}
    expected = {item["name"]: item["count"] for item in search["search_facets"]["vocab_theme"]["items"]}
    assert sorted(tiles.values()) == sorted(expected.values())
    assert "Khoa học và công nghệ" in tiles  # labels, not codes
    newest = anonymous_api.action.package_search(rows=1, sort="metadata_created desc")["results"][0]
    assert newest["title"] in page.select_one(".bd-newest").get_text()
    # Datasets with a table in the DataStore (read from a facet of the same search).
    tables = anonymous_api.action.package_search(rows=0, fq="res_extras_datastore_active:true")["count"]
    assert figures["tables"] == tables
    # Most downloaded: a list when anything was downloaded, a plain sentence otherwise
    # (tests/e2e/test_downloads.py checks the ranking).
    assert page.select_one("ol.bd-most-downloaded, .bd-most-downloaded-empty") is not None
    assert page.select_one('a[href="/thong-ke"]') is not None


def test_home_in_english(portal_url):
    page = _page(f"{portal_url}/en/")
    assert page.html.get("lang") == "en"
    assert "Science and technology" in page.get_text()
    assert "Newest datasets" in page.get_text()
    assert "Most downloaded datasets" in page.get_text()
