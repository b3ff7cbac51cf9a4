"""Interface text made in the browser is Vietnamese too: CKAN's JavaScript translations
(/api/i18n/vi, which CKAN builds from its own and the plugins' catalogues) hold every string
CKAN's scripts and the DataTables preview use, and a real browser (Debian's Chromium through
Playwright) shows the DataTables preview of a resource with no English interface text and
dates as dd/mm/yyyy. The browser set-up also takes the Vietnamese screenshots of the home
page, a dataset page, a resource page with its preview and the dataset form
(test-output/browser/i18n-*.png)."""
from __future__ import annotations

import pathlib
import re
import secrets
import uuid

import ckan
import polib
import pytest
import requests
from playwright.sync_api import Page, sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "browser"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEED_DATASET = "ioc-ket-noi-du-lieu-voi-co-quan"
# DataTables' own English (its built-in language, used wherever the language file lacks a key).
DATATABLES_ENGLISH = re.compile(
    r"\b(Showing|entries|Search:|Previous|Next|First|Last|Loading|Processing|No data available|"
    r"No matching records|activate to sort|Copy to clipboard|Copied|Print|rows? selected|Show all|Show none|"
    r"Column visibility)\b")


def _js_msgids() -> set[str]:
    """The msgids CKAN's own scripts and the DataTables preview's script translate: those
    ckan.pot places in a .js file (what `ckan translation js` exports)."""
    pot = polib.pofile(str(pathlib.Path(ckan.__file__).parent / "i18n" / "ckan.pot"))
    return {entry.msgid for entry in pot if any(path.endswith(".js") for path, _ in entry.occurrences)}


JS_MSGIDS = _js_msgids()


def test_the_javascript_catalogue_translates_every_script_string(portal_url):
    catalogue = requests.get(f"{portal_url}/api/i18n/vi", timeout=30).json()
    missing = sorted(msgid for msgid in JS_MSGIDS
                     if not any(text for text in (catalogue.get(msgid) or [None, ""])[1:] if text))
    assert not missing, f"{len(missing)} of {len(JS_MSGIDS)} script strings untranslated: {missing[:10]}"
    english = requests.get(f"{portal_url}/api/i18n/en", timeout=30).json()
    assert not english.keys() - {""}, "the English catalogue should be empty (msgids are English)"


@pytest.fixture(scope="module")
def editor(portal_api):
    suffix = uuid.uuid4().hex[:6]
    password = secrets.token_urlsafe(12)
    user = portal_api.action.user_create(name=f"bientap-js-{suffix}", email=f"bientap-js-{suffix}@example.org",
                                         password=password, fullname="Biên tập viên kiểm thử trình duyệt")
    try:
        organization = portal_api.action.organization_create(
            name=f"so-js-{suffix}", title="Sở kiểm thử giao diện trình duyệt",
            users=[{"name": user["name"], "capacity": "editor"}])
        try:
            yield {"name": user["name"], "password": password}
        finally:
            portal_api.action.organization_purge(id=organization["id"])
    finally:
        portal_api.action.user_delete(id=user["id"])


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def seed(anonymous_api):
    dataset = anonymous_api.action.package_show(id=SEED_DATASET)
    resource = next(resource for resource in dataset["resources"] if resource.get("datastore_active"))
    views = anonymous_api.action.resource_view_list(id=resource["id"])
    view = next(view for view in views if view["view_type"] == "datatables_view")
    return {"dataset": dataset, "resource": resource, "view": view}


def _texts(frame) -> list[str]:
    """Visible text and the texts people meet as tooltips and labels."""
    return frame.evaluate("""() => {
        const texts = [document.body.innerText];
        for (const node of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
            for (const name of ['title', 'placeholder', 'aria-label']) {
                const value = node.getAttribute(name);
                if (value) texts.push(value);
            }
        }
        return texts;
    }""")


def _english_in(texts: list[str]) -> list[str]:
    found = set()
    for text in texts:
        found |= {match.group(0) for match in DATATABLES_ENGLISH.finditer(text)}
        found |= {msgid for msgid in JS_MSGIDS if len(msgid) > 3 and msgid in text}
    return sorted(found)


def test_datatables_preview_shows_no_english_and_vietnamese_dates(browser, portal_url, seed):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    dataset, resource, view = seed["dataset"], seed["resource"], seed["view"]
    page.goto(f"{portal_url}/dataset/{dataset['name']}/resource/{resource['id']}?view_id={view['id']}")
    page.wait_for_load_state("networkidle")
    frame = page.frame_locator("iframe").first
    table_info = frame.locator("#dtprv_info")
    table_info.wait_for()
    # Sorting by a column writes the "sort" line, made from translated script strings.
    frame.locator(".dataTables_scrollHead thead tr").first.locator("th").nth(1).click()
    frame.locator("div.sortinfo").wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=SCREENSHOTS / "i18n-resource-preview.png", full_page=True)

    preview = page.frames[1] if len(page.frames) > 1 else page.main_frame
    texts = _texts(preview)
    assert not _english_in(texts), _english_in(texts)
    # The Vietnamese DataTables language file and the script strings really reached the page.
    body = texts[0]
    assert re.search(r"Dòng \d+ đến \d+ trong tổng số \d+ dòng", body), body[:500]
    assert "Sắp xếp" in body, body[-500:]
    assert "1.000" in body  # page-length choices with the Vietnamese thousands separator
    assert "1,000" not in body
    # Dates the browser formats (CKAN's automatic-local-datetime) read dd/mm/yyyy.
    dates = preview.locator("#dtv-resource-info .automatic-local-datetime").all_inner_texts()
    assert dates and all(re.match(r"\d{2}/\d{2}/\d{4}, \d{2}:\d{2}", date.strip()) for date in dates), dates


def _log_in(browser, portal_url, name, password) -> Page:
    page = browser.new_page(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page.goto(f"{portal_url}/user/login")
    page.fill("#field-login", name)
    page.fill("#field-password", password)
    page.locator("form button.btn-primary[type=submit]").click()
    page.wait_for_load_state()
    return page


def test_vietnamese_screenshots_of_home_dataset_and_form(browser, portal_url, seed, editor):
    """The pages a citizen and a publisher meet first, in Vietnamese, kept as screenshots; each
    page's script-made text (select boxes, upload buttons, date conversion) has no English."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = _log_in(browser, portal_url, editor["name"], editor["password"])
    shots = {"i18n-home": "/", "i18n-dataset": f"/dataset/{seed['dataset']['name']}", "i18n-dataset-form": "/dataset/new"}
    for name, path in shots.items():
        page.goto(portal_url + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == "vi"
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        texts = _texts(page.main_frame)
        assert not _english_in(texts), (path, _english_in(texts))
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
    # The dataset page's "last updated" dates, converted by the browser, read dd/mm/yyyy.
    page.goto(f"{portal_url}/dataset/{seed['dataset']['name']}")
    page.wait_for_load_state("networkidle")
    dates = page.locator(".automatic-local-datetime").all_inner_texts()
    assert all(re.match(r"\d{2}/\d{2}/\d{4}", date.strip()) for date in dates), dates
