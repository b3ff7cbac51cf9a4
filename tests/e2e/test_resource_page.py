"""A resource page as a citizen reads it: the DataStore's download menu (CSV, TSV, JSON, XML of
the table) names itself to screen readers in the page's language (CKAN writes its aria-label
in English only), and the "Additional information" table shows each field once, with a value,
numbers and the licence in the reader's language."""
from __future__ import annotations

import html
import re

import requests

SEED_DATASET = "danh-muc-tram-bts-du-lieu-mau"  # starter catalogue; its CSV is in the DataStore


def _page(portal_url: str, prefix: str, resource_id: str) -> str:
    page = requests.get(f"{portal_url}{prefix}/dataset/{SEED_DATASET}/resource/{resource_id}", timeout=30)
    page.raise_for_status()
    return page.text


def _rows(page: str) -> list[tuple[str, str]]:
    """(label, text) of each row of the page's tables."""
    def text(fragment: str) -> str:
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()
    return [(text(th), text(td)) for th, td in re.findall(r"<th[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>", page, re.S)]


def _menu_label(portal_url: str, prefix: str, resource_id: str) -> str:
    found = re.search(r'id="dropdownDownloadFormat"[^>]*aria-label="([^"]*)"', _page(portal_url, prefix, resource_id))
    assert found, "no DataStore download menu on the resource page"
    return found.group(1)


def test_the_download_menu_is_labelled_in_the_page_language(portal_url, anonymous_api):
    dataset = anonymous_api.action.package_show(id=SEED_DATASET)
    (resource,) = [r for r in dataset["resources"] if r.get("datastore_active")][:1]
    assert _menu_label(portal_url, "", resource["id"]) == "danh sách định dạng có thể tải về"
    assert _menu_label(portal_url, "/en", resource["id"]) == "list of downloadable formats"


def test_each_field_shows_once_with_a_value_in_the_readers_language(portal_url, anonymous_api):
    dataset = anonymous_api.action.package_show(id=SEED_DATASET)
    resource = next(r for r in dataset["resources"] if r["format"] == "CSV")
    assert resource["size"] >= 1000  # so that the thousands separator shows
    rows = dict(_rows(_page(portal_url, "", resource["id"])))
    labels = [label for label, _ in _rows(_page(portal_url, "", resource["id"]))]
    assert labels.count("Giấy phép") == 1 and rows["Giấy phép"] == "Creative Commons Ghi công 4.0 (CC BY 4.0)"
    assert rows["Dung lượng (byte)"] == f"{resource['size']:,}".replace(",", ".")
    assert all(value for label, value in rows.items() if label not in ("Trường",))
    english = dict(_rows(_page(portal_url, "/en", resource["id"])))
    assert english["License"] == "Creative Commons Attribution 4.0 (CC BY 4.0)"
    assert english["Size (bytes)"] == f"{resource['size']:,}"


def test_the_dataset_licence_box_names_the_licence_in_the_readers_language(portal_url):
    for prefix, title in (("", "Creative Commons Ghi công 4.0 (CC BY 4.0)"),
                          ("/en", "Creative Commons Attribution 4.0 (CC BY 4.0)")):
        page = requests.get(f"{portal_url}{prefix}/dataset/{SEED_DATASET}", timeout=30)
        page.raise_for_status()
        box = re.search(r'<section class="module module-narrow module-shallow license">(.*?)</section>', page.text, re.S)
        assert box and title in html.unescape(box.group(1)), prefix
