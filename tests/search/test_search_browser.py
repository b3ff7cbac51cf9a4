"""Search help in a real browser on the running portal (Debian's Chromium through Playwright):
typing "khai s" in the search box suggests the birth-registration dataset, a misspelt query is
searched corrected with "Có phải bạn muốn tìm …", and a search that finds nothing shows the
help block (themes, agencies, most-downloaded datasets). The dataset is purged afterwards."""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect, sync_playwright

from bd_factories import valid_dataset
from e2e.test_citizen_browser import CHROMIUM_FLAGS

TITLE = "Đăng ký khai sinh theo tháng (dữ liệu mẫu kiểm thử tìm kiếm)"


@pytest.fixture(scope="module")
def birth_registration(portal_api):
    organization = portal_api.action.organization_list(limit=1)[0]
    dataset = portal_api.action.package_create(**valid_dataset(
        organization, name=f"khai-sinh-tim-kiem-{uuid.uuid4().hex[:8]}", title=TITLE,
        notes="Số trường hợp đăng ký khai sinh; dữ liệu mẫu cho kiểm thử tìm kiếm.",
        tags=[{"name": "khai sinh"}, {"name": "hộ tịch"}]))
    try:
        yield dataset
    finally:
        portal_api.action.dataset_purge(id=dataset["id"])


@pytest.fixture(scope="module")
def page(portal_url):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        context = browser.new_context(locale="vi-VN", base_url=portal_url)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_typing_suggests_the_birth_registration_dataset(page, birth_registration):
    page.goto("/dataset/")
    box = page.locator("#dataset-search-form input[name=q]")
    box.press_sequentially("khai s", delay=40)
    suggestion = page.locator(".bd-suggest a", has_text=TITLE)
    expect(suggestion).to_be_visible(timeout=5000)
    assert suggestion.get_attribute("href").endswith(f"/dataset/{birth_registration['name']}")
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(f"**/dataset/{birth_registration['name']}")


def test_a_misspelt_query_gets_a_suggestion(page, birth_registration):
    page.goto("/dataset/?q=khaii+sinh")
    spelling = page.locator("#bd-search-spelling")
    expect(spelling).to_contain_text("Có phải bạn muốn tìm")
    expect(spelling.locator("a")).to_have_text("khai sinh")
    expect(page.locator("#search-results").get_by_text(TITLE)).to_be_visible()


def test_an_empty_result_shows_the_help_block(page):
    page.goto("/dataset/?q=zqxwv+kjhgf")
    help_block = page.locator("#bd-search-help")
    expect(help_block).to_be_visible()
    expect(help_block.locator(".bd-search-help-themes a").first).to_be_visible()
    expect(help_block.locator(".bd-search-help-agencies a").first).to_be_visible()
    page.goto("/en/dataset/?q=zqxwv+kjhgf")
    expect(page.locator("#bd-search-help")).to_contain_text("Browse by theme")
