"""The portal's own face, over HTTP as a citizen's browser gets it: emblem, favicon and font
served by the portal (no CKAN logo, nothing from elsewhere), the menu without "Groups", the
footer with the operating agency's contact, a real about page, /en/ without Vietnamese chrome
or "1 datasets"; every starter agency with a description and an e-mail; every starter dataset
page without repository paths, reserved ".invalid" addresses or raw Markdown backticks, and
with its first screen (download, facts box, provenance)."""
from __future__ import annotations

import pathlib
import re

import pytest
import requests
import yaml
from bs4 import BeautifulSoup

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = ROOT / "seed_datasets"


def _get(url: str) -> requests.Response:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _page(url: str) -> BeautifulSoup:
    return BeautifulSoup(_get(url).text, "html.parser")


@pytest.fixture(scope="module")
def seed_datasets() -> list[str]:
    return sorted(yaml.safe_load(path.read_text(encoding="utf-8"))["name"] for path in (SEED / "datasets").glob("*.yaml"))


@pytest.fixture(scope="module")
def seed_organizations() -> list[str]:
    return [org["name"] for org in yaml.safe_load((SEED / "organizations.yaml").read_text(encoding="utf-8"))]


def test_identity_header_footer_font_and_favicon(portal_url):
    response = _get(f"{portal_url}/")
    page = BeautifulSoup(response.text, "html.parser")
    brand = page.select_one("header.masthead a.bd-brand")
    assert brand is not None and "Cổng dữ liệu mở".upper() in brand.get_text().upper()
    assert brand.select_one("img")["src"].endswith("/bd-brand/emblem.svg")
    assert "ckan-logo" not in response.text and "/base/images/ckan" not in response.text
    assert page.select_one('link[rel="icon"]')["href"].endswith("/bd-brand/favicon.svg")
    for path in ("/bd-brand/emblem.svg", "/bd-brand/favicon.svg"):
        assert "<svg" in _get(portal_url + path).text
    # The menu: no CKAN "Groups"; the portal's own pages.
    menu = [a["href"] for a in page.select("header .main-navbar a")]
    assert not any(href.startswith("/group") for href in menu), menu
    assert {"/dataset/", "/organization/", "/thong-ke", "/huong-dan-api", "/about"} <= set(menu), menu
    # Operating agency and its contact in the top strip and the footer; the CKAN credit is small.
    footer = page.select_one("footer.site-footer")
    assert "Trung tâm Chuyển đổi số tỉnh Bình Dương" in footer.get_text()
    email = footer.select_one("a.bd-footer-email")["href"]
    assert email.startswith("mailto:") and not email.endswith(".invalid")
    assert "Vận hành trên" in footer.select_one(".bd-footer-credit").get_text()
    assert "Hiệp hội CKAN" not in footer.get_text() and "API của CKAN" not in footer.get_text()
    # The typeface is served by the portal: every font file the stylesheet names answers.
    stylesheets = [link["href"] for link in page.select('link[rel="stylesheet"]') if "portal" in link["href"]]
    assert stylesheets, "the portal's stylesheet is not on the page"
    css = _get(portal_url + stylesheets[0]).text
    fonts = set(re.findall(r'url\("(/bd-fonts/[^"]+\.woff2)"\)', css))
    assert {"/bd-fonts/be-vietnam-pro-vietnamese-400-normal.woff2", "/bd-fonts/be-vietnam-pro-latin-700-normal.woff2"} <= fonts
    for font in fonts:
        assert _get(portal_url + font).content[:4] == b"wOF2"
    assert "fonts.googleapis" not in css and "http" not in re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def test_about_page_says_what_who_licences_law_how_to_ask_and_contact(portal_url):
    page = _page(f"{portal_url}/about")
    text = page.select_one(".bd-about").get_text(" ")
    assert "CKAN là nền tảng" not in page.get_text()
    for section in ("what", "publishers", "licences", "legal", "request", "contact"):
        assert page.select_one(f"#bd-about-{section} h2") is not None, section
    assert "Nghị định 47/2020/NĐ-CP" in text and "Creative Commons Ghi công 4.0" in text
    assert page.select_one("a.bd-about-email")["href"].startswith("mailto:")
    english = _page(f"{portal_url}/en/about").select_one(".bd-about").get_text(" ")
    assert "Legal basis" in english and "How to ask for data" in english and "Căn cứ" not in english


def test_english_chrome_has_no_vietnamese_and_correct_plurals(portal_url):
    page = _page(f"{portal_url}/en/")
    chrome = " ".join(node.get_text(" ") for node in page.select("header, footer"))
    for vietnamese in ("Đơn vị vận hành", "Giới thiệu", "Bộ dữ liệu", "Thống kê", "Vận hành trên", "Thư điện tử"):
        assert vietnamese not in chrome, vietnamese
    assert "About Cổng" not in chrome
    body = page.get_text(" ")
    assert not re.search(r"\b1 datasets\b", " ".join(body.split())), "“1 datasets” on /en/"
    for tile in page.select(".bd-theme-tile .text-muted"):
        words = " ".join(tile.get_text(" ").split())
        count = int(words.split()[0].replace(",", ""))
        assert words.endswith("dataset in this theme" if count == 1 else "datasets in this theme"), words


def test_every_starter_agency_has_a_description_an_email_and_a_mark(portal_url, anonymous_api, seed_organizations):
    assert len(seed_organizations) == 19
    for name in seed_organizations:
        org = anonymous_api.action.organization_show(id=name)
        assert (org.get("notes") or org.get("description") or "").strip(), name
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", org.get("email") or ""), (name, org.get("email"))
        assert not org["email"].endswith(".invalid")
    listing = _page(f"{portal_url}/organization/")
    assert len(listing.select(".media-item .bd-monogram, .media-item img.media-image")) >= 19
    assert "placeholder-organization" not in str(listing)
    agency = _page(f"{portal_url}/organization/{seed_organizations[0]}")
    info = agency.select_one("#organization-info")
    assert info.select_one(".bd-monogram, .image img") is not None
    assert "chưa có mô tả" not in info.get_text() and info.select_one(".bd-org-email a") is not None


def test_starter_dataset_pages_are_written_for_citizens(portal_url, seed_datasets):
    assert len(seed_datasets) == 30
    session = requests.Session()
    for name in seed_datasets:
        response = session.get(f"{portal_url}/dataset/{name}", timeout=30)
        assert response.status_code == 200, name
        html = response.text
        assert "shared/" not in html, name
        assert ".invalid" not in html, name
        main = BeautifulSoup(html, "html.parser").select_one("[role=main], .primary")
        assert "`" not in main.get_text(), name
        page = BeautifulSoup(html, "html.parser")
        assert page.select_one(".bd-facts dd.bd-fact-agency a") is not None, name
        assert page.select_one(".bd-facts .bd-fact-licence") is not None, name
        assert page.select_one("a.bd-download-main") is not None, name
        assert page.select_one("#bd-provenance h2").get_text(strip=True) == "Nguồn gốc dữ liệu", name


def test_dataset_first_screen_has_download_table_map_and_facts(portal_url, anonymous_api):
    name = "danh-muc-tram-bts-du-lieu-mau"
    dataset = anonymous_api.action.package_show(id=name)
    table = next(res for res in dataset["resources"] if res.get("datastore_active"))
    page = _page(f"{portal_url}/dataset/{name}")
    head = page.select_one(".bd-dataset-head")
    assert name and dataset["title"] in head.select_one("h1").get_text(" ", strip=True)
    assert head.select_one(".bd-dataset-summary").get_text(strip=True)
    download = head.select_one("a.bd-download-main")["href"]
    assert download == f"/datastore/dump/{table['id']}?bom=True"
    assert head.select_one("a.bd-download-xlsx")["href"] == f"/datastore/xlsx/{table['id']}"
    assert "view_id=" in head.select_one("a.bd-open-table")["href"]
    assert "view_id=" in head.select_one("a.bd-open-map")["href"]
    facts = {dt.get_text(strip=True): dd.get_text(" ", strip=True)
             for dt, dd in zip(page.select(".bd-facts dt"), page.select(".bd-facts dd"))}
    assert facts["Cơ quan công bố"] == dataset["organization"]["title"]
    assert facts["Giấy phép"].startswith("Creative Commons")
    assert facts["Tần suất cập nhật"] and facts["Ngày cập nhật" if "Ngày cập nhật" in facts else "Cập nhật lần cuối"]
    assert "CSV" in facts["Định dạng"] and facts["Phạm vi"]
    assert re.fullmatch(r"[\d.]+", facts["Lượt tải"])
    # No "Groups" tab on the dataset.
    assert not page.select('a[href$="/groups/' + name + '"]') and "/dataset/groups/" not in str(page.select_one(".content_action, .page-header"))
