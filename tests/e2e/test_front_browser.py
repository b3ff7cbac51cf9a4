"""Every kind of page a citizen, a developer or a publisher opens, in a real browser (Debian's
Chromium driven by Playwright) at 1366 px and at 390 px (a phone): no page wider than the
window, no error in the browser's console, no request to any host but the portal, the dataset
page's content before its sidebars on the phone, and tap targets of at least 44 px in the
first screen of the phone. Screenshots go to test-output/front/. One browser, one page per
window size, reused across pages; the tracking rows the browser leaves are deleted afterwards."""
from __future__ import annotations

import hashlib
import pathlib
import uuid
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import sync_playwright

from portal_db import portal_engine
from portal_session import log_in

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "front"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TABLE_DATASET = "danh-muc-tram-bts-du-lieu-mau"           # a table with a map view
CHART_DATASET = "so-tram-bts-theo-phuong-thu-dau-mot-du-lieu-mau"  # a table with a chart view
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def _view_urls(api) -> dict[str, str]:
    urls = {}
    for name, wanted in ((TABLE_DATASET, ("datatables_view", "bd_map")), (CHART_DATASET, ("bd_chart",))):
        dataset = api.action.package_show(id=name)
        resource = next(res for res in dataset["resources"] if res.get("datastore_active"))
        views = {view["view_type"]: view["id"] for view in api.action.resource_view_list(id=resource["id"])}
        for view_type in wanted:
            urls[view_type] = f"/dataset/{name}/resource/{resource['id']}?view_id={views[view_type]}"
    return urls


@pytest.fixture(scope="module")
def page_kinds(anonymous_api, seed_organization) -> dict[str, str]:
    views = _view_urls(anonymous_api)
    return {
        "home": "/",
        "search": "/dataset/?q=tram+bts",
        "dataset": f"/dataset/{TABLE_DATASET}",
        "table": views["datatables_view"],
        "map": views["bd_map"],
        "chart": views["bd_chart"],
        "organizations": "/organization/",
        "organization": f"/organization/{seed_organization}",
        "statistics": "/thong-ke",
        "api-guide": "/huong-dan-api",
        "about": "/about",
        "login": "/user/login",
        "not-found": "/dataset/khong-co-bo-du-lieu-nay",
        "en-home": "/en/",
        "en-dataset": f"/en/dataset/{CHART_DATASET}",
        "form": "/dataset/new",
    }


@pytest.fixture(scope="module")
def seed_organization() -> str:
    return "so-thong-tin-va-truyen-thong"


def _tap_targets_too_small(page) -> list[str]:
    """Links and buttons in the phone's first screen smaller than 44 px in both directions
    (a line of running text is exempt: WCAG's inline exception)."""
    return page.evaluate("""() => {
      const small = [];
      for (const el of document.querySelectorAll('header a, header button, .bd-actions a, .bd-actions button, footer a, footer select, .toolbar a')) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || r.top > window.innerHeight || r.bottom < 0) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') continue;
        if (r.height < 44 && r.width < 44) small.push(el.outerHTML.slice(0, 80) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
        else if (r.height < 44 && el.closest('.bd-actions, header, .toolbar')) small.push(el.outerHTML.slice(0, 80) + ' h=' + Math.round(r.height));
      }
      return small;
    }""")


def test_every_page_kind_fits_the_window_without_errors_or_outside_requests(portal_url, anonymous_api, page_kinds,
                                                                           sysadmin_password):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    host = urlparse(portal_url).netloc
    agent = f"Mozilla/5.0 (X11; Linux x86_64) binhduong-front-test/{uuid.uuid4().hex}"
    keys: set[str] = set()
    problems: list[str] = []
    seen_kinds: set[str] = set()
    # The publisher's form needs a logged-in user: the login form's session cookie is handed
    # to the browser, so the browser does not spend time on the login itself.
    session = log_in(portal_url, "quantri", sysadmin_password)
    cookies = [{"name": cookie.name, "value": cookie.value, "url": portal_url} for cookie in session.cookies]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
            for size, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN", user_agent=agent)
                page = context.new_page()
                current = {"kind": "", "errors": [], "outside": []}

                def on_console(message, current=current, page=page):
                    if message.type != "error":
                        return
                    # The browser reports the 404 page's own status as a console error; that is
                    # the page doing its job, not a broken part of it.
                    if current["kind"] == "not-found" and message.location.get("url", "").rstrip("/").endswith(
                            page_kinds["not-found"].rstrip("/")):
                        return
                    current["errors"].append(message.text)

                def on_request(request, current=current):
                    parsed = urlparse(request.url)
                    if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != host:
                        current["outside"].append(request.url)
                    if parsed.netloc == host:
                        headers = request.headers
                        keys.add(hashlib.md5("".join([agent, "127.0.0.1", headers.get("accept-language", ""),
                                                      headers.get("accept-encoding", "")]).encode(),
                                             usedforsecurity=False).hexdigest())

                page.on("console", on_console)
                page.on("pageerror", lambda error, current=current: current["errors"].append(f"page error: {error}"))
                page.on("request", on_request)
                for kind, path in page_kinds.items():
                    if kind == "form":
                        context.add_cookies(cookies)
                    current.update(kind=kind, errors=[], outside=[])
                    # Loaded, and every jQuery request of the page answered (the page-view beacon
                    # tracking.js sends from every page among them).
                    response = page.goto(portal_url + path, wait_until="load")
                    page.wait_for_function("() => !window.jQuery || window.jQuery.active === 0", timeout=15_000)
                    expected = 404 if kind == "not-found" else 200
                    if response.status != expected:
                        problems.append(f"{size} {kind}: HTTP {response.status}")
                    if kind == "map":
                        page.wait_for_selector('.bd-map-view[data-state]', timeout=15_000)
                        # The offline background: province outlines with their names, no tiles,
                        places = page.locator(".bd-map-place-name").all_inner_texts()
                        # and the home province's districts by name (map_view.home_places).
                        if ("Bình Dương" not in places or "Thủ Dầu Một" not in places
                                or page.locator(".leaflet-tile").count()):
                            problems.append(f"{size} map: no offline background ({places})")
                    if kind == "table":
                        page.frame_locator("iframe").first.locator("table tbody tr").first.wait_for(timeout=30_000)
                    scroll_width = page.evaluate("document.documentElement.scrollWidth")
                    if scroll_width > width:
                        problems.append(f"{size} {kind}: {scroll_width} px wide in a {width} px window")
                    if current["errors"]:
                        problems.append(f"{size} {kind}: console errors {current['errors'][:3]}")
                    if current["outside"]:
                        problems.append(f"{size} {kind}: requests to other hosts {current['outside'][:3]}")
                    if size == "phone" and kind in ("home", "dataset", "about", "organization"):
                        small = _tap_targets_too_small(page)
                        if small:
                            problems.append(f"phone {kind}: tap targets under 44 px: {small[:4]}")
                    if size == "phone" and kind == "dataset":
                        order = page.evaluate("""() => {
                          const main = document.querySelector('.primary'), side = document.querySelector('.secondary');
                          return [main.getBoundingClientRect().top, side.getBoundingClientRect().top,
                                  document.querySelector('.bd-download-main').getBoundingClientRect().bottom];
                        }""")
                        if not order[0] < order[1]:
                            problems.append(f"phone dataset: the sidebar comes before the content {order}")
                        if order[2] > height:
                            problems.append(f"phone dataset: the download button is below the first screen ({order[2]} px)")
                    page.screenshot(path=SCREENSHOTS / f"{kind}-{width}.png", full_page=True)
                    seen_kinds.add(kind)
                context.close()
            browser.close()
    finally:
        with portal_engine().begin() as connection:
            connection.execute(sa.text("DELETE FROM tracking_raw WHERE user_key = ANY(:keys)"), {"keys": sorted(keys)})
    assert len(seen_kinds) >= 15, seen_kinds
    assert not problems, "\n".join(problems)
