"""A citizen's path in a real browser (Debian's Chromium driven by Playwright): search
"tram bts" typed without diacritics from the home page, find the BTS datasets, narrow the
results by district with the "Đơn vị hành chính" facet, open a dataset, see its DataStore
table preview and its chart, download the CSV and get exactly the bytes the file store holds
(and the sha256 recorded on the resource). Screenshots go to test-output/citizen/. The
tracking rows the browser leaves (page views, the download) are deleted afterwards."""
from __future__ import annotations

import configparser
import hashlib
import os
import pathlib
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect, sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
INI = os.environ.get("BD_CKAN_INI", str(ROOT / "var" / "ckan.ini"))
SCREENSHOTS = ROOT / "test-output" / "citizen"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BTS_DATASETS = ("danh-muc-tram-bts-du-lieu-mau", "tram-bts-phu-song-4g-thue-bao-di-dong")
DISTRICT = "Thành phố Thủ Dầu Một"
DISTRICT_DATASET = "so-tram-bts-theo-phuong-thu-dau-mot-du-lieu-mau"   # about Thủ Dầu Một only
OTHER_DISTRICT_DATASET = "so-tram-bts-theo-xa-huyen-dau-tieng-du-lieu-mau"  # about Dầu Tiếng only


def _ini() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(INI)
    return parser["app:main"]


@pytest.fixture
def citizen(portal_url):
    """A fresh browser page with a user agent of its own, so its tracking rows can be found
    and deleted afterwards (the portal stores an anonymised hash of the request headers)."""
    agent = f"Mozilla/5.0 (X11; Linux x86_64) binhduong-citizen-test/{uuid.uuid4().hex}"
    keys: set[str] = set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        context = browser.new_context(locale="vi-VN", user_agent=agent, accept_downloads=True)
        page = context.new_page()

        def remember(request):
            if request.url.startswith(portal_url):
                headers = request.all_headers()
                key = "".join([headers.get("user-agent", ""), "127.0.0.1", headers.get("accept-language", ""),
                               headers.get("accept-encoding", "")])
                keys.add(hashlib.md5(key.encode(), usedforsecurity=False).hexdigest())
        page.on("request", remember)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            with sa.create_engine(_ini()["sqlalchemy.url"]).begin() as connection:
                connection.execute(sa.text("DELETE FROM tracking_raw WHERE user_key = ANY(:keys)"), {"keys": sorted(keys)})


def _result_names(page: Page) -> set[str]:
    links = page.locator(".dataset-list .dataset-heading a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return {href.rstrip("/").split("/dataset/")[-1] for href in links}


def _stored_file(resource_id: str) -> bytes:
    storage = pathlib.Path(_ini()["ckan.storage_path"])
    return (storage / "resources" / resource_id[:3] / resource_id[3:6] / resource_id[6:]).read_bytes()


def test_citizen_searches_narrows_previews_and_downloads(citizen, portal_url, anonymous_api, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = citizen
    page.goto(f"{portal_url}/")
    page.fill("form.bd-home-search input[name=q]", "tram bts")
    page.locator("form.bd-home-search button[type=submit]").click()
    page.wait_for_url("**/dataset/?q=tram+bts*")
    expect(page.locator(".dataset-list")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "1-search.png", full_page=True)
    found = _result_names(page)
    assert set(BTS_DATASETS) <= found, found
    assert {DISTRICT_DATASET, OTHER_DISTRICT_DATASET} <= found, found

    # Narrow by district: the unit facet lists its first items; the district is under "more".
    facets = page.locator("#search-facets")
    expect(facets).to_contain_text("Đơn vị hành chính")
    district_link = facets.locator('a[href*="vocab_units=718"]')
    if district_link.count() == 0:
        facets.get_by_role("link", name="Hiển thị thêm Đơn vị hành chính").click()
        page.wait_for_url("**_vocab_units_limit=0*")
    expect(district_link).to_contain_text(DISTRICT)
    district_link.click()
    page.wait_for_url("**vocab_units=718*")
    expect(page.locator(".dataset-list")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "2-narrowed-by-district.png", full_page=True)
    narrowed = _result_names(page)
    # The district's own dataset and those covering the whole province stay; Dầu Tiếng's goes.
    assert {DISTRICT_DATASET, *BTS_DATASETS} <= narrowed, narrowed
    assert OTHER_DISTRICT_DATASET not in narrowed and len(narrowed) < len(found)

    page.locator(f'.dataset-list a[href$="/dataset/{DISTRICT_DATASET}"]').first.click()
    page.wait_for_url(f"**/dataset/{DISTRICT_DATASET}")
    expect(page.locator("h1")).to_contain_text("Số trạm BTS theo phường")
    expect(page.locator("body")).to_contain_text("dữ liệu mẫu")
    page.screenshot(path=SCREENSHOTS / "3-dataset.png", full_page=True)

    stored = anonymous_api.action.package_show(id=DISTRICT_DATASET)
    resource = stored["resources"][0]
    assert resource["datastore_active"], "the CSV is not loaded into the DataStore"
    views = {view["view_type"]: view for view in anonymous_api.action.resource_view_list(id=resource["id"])}
    assert {"datatables_view", "bd_chart"} <= set(views)
    page.locator(f'li.resource-item[data-id="{resource["id"]}"] a.heading').click()
    page.wait_for_url(f"**/resource/{resource['id']}*")

    # The table preview: DataTables in its frame, with the DataStore's rows.
    rows = anonymous_api.action.datastore_search(resource_id=resource["id"], limit=0)["total"]
    page.goto(f"{portal_url}/dataset/{DISTRICT_DATASET}/resource/{resource['id']}?view_id={views['datatables_view']['id']}")
    frame = page.frame_locator("iframe").first
    expect(frame.locator("table tbody tr", has_text="Phường Phú Cường")).to_have_count(1, timeout=30_000)
    expect(frame.locator("table thead").first).to_contain_text("so_tram_bts_mau")
    expect(frame.locator("body")).to_contain_text(f"trong tổng số {rows} dòng")
    page.screenshot(path=SCREENSHOTS / "4-table-preview.png", full_page=True)

    # The chart: one bar per ward of the table.
    page.goto(f"{portal_url}/dataset/{DISTRICT_DATASET}/resource/{resource['id']}?view_id={views['bd_chart']['id']}")
    chart = page.locator("svg.bd-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bd-bar")).to_have_count(rows)
    page.screenshot(path=SCREENSHOTS / "5-chart.png", full_page=True)

    # The download: exactly the bytes in the file store, and the checksum on the resource.
    with page.expect_download() as waiting:
        page.locator("a.bd-download-original").first.click()  # the file as uploaded (the main button: CSV with BOM)
    saved = tmp_path / "download.csv"
    waiting.value.save_as(saved)
    body = saved.read_bytes()
    assert body == _stored_file(resource["id"])
    assert hashlib.sha256(body).hexdigest() == resource["sha256"]
    assert body == (ROOT / "seed_datasets" / "data" / f"{DISTRICT_DATASET}.csv").read_bytes()
    page.screenshot(path=SCREENSHOTS / "6-after-download.png", full_page=True)
