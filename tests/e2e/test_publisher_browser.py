"""The publisher's path in a real browser (Debian's Chromium driven by Playwright): log in,
fill the Vietnamese form, upload a CSV with Vietnamese text, publish, find it by search;
a rejected form shows Vietnamese messages and keeps what was typed; another agency's editor
is refused. Screenshots go to test-output/browser/."""
from __future__ import annotations

import pathlib
import secrets
import uuid

import pytest
from playwright.sync_api import Page, expect, sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "browser"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CSV_TEXT = "ma_xa,ten_xa,so_tram\n25741,Phường Hiệp Thành,12\n25747,Phường Phú Cường,9\n"


@pytest.fixture(scope="module")
def agencies(portal_api):
    """Agencies A and B, each with an editor who has a password (created through the API)."""
    suffix = uuid.uuid4().hex[:6]
    made = {"datasets": []}  # names of datasets the tests create, purged below
    try:
        yield _make_agencies(portal_api, suffix, made)
    finally:
        for name in made.pop("datasets"):
            portal_api.action.dataset_purge(id=name)
        for agency in made.values():
            portal_api.action.organization_purge(id=agency["organization"]["id"])
            portal_api.action.user_delete(id=agency["user"])


def _make_agencies(portal_api, suffix: str, made: dict) -> dict:
    for agency in ("a", "b"):
        password = secrets.token_urlsafe(12)
        user = portal_api.action.user_create(name=f"bientap-{agency}-{suffix}", email=f"bientap-{agency}-{suffix}@example.org",
                                             password=password, fullname=f"Biên tập viên {agency.upper()}")
        organization = portal_api.action.organization_create(
            name=f"so-{agency}-{suffix}", title=f"Sở {agency.upper()} (kiểm thử trình duyệt)",
            users=[{"name": user["name"], "capacity": "editor"}])
        # These tests are about the form; the approval workflow has its own (test_publishing_*.py).
        portal_api.action.bd_review_policy_update(id=organization["id"], review_required=False)
        made[agency] = {"user": user["name"], "password": password, "organization": organization}
    return made


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _log_in(browser, portal_url, user, password) -> Page:
    page = browser.new_page(locale="vi-VN")
    page.goto(f"{portal_url}/user/login")
    page.fill("#field-login", user)
    page.fill("#field-password", password)
    page.locator("form button.btn-primary[type=submit]").click()
    page.wait_for_load_state()
    return page


def _show_every_step(page: Page):
    """The form shows one step at a time (assets/form/form.js); these tests fill every field
    on one page, as the form is without JavaScript."""
    page.evaluate("""() => {
      document.querySelectorAll('.bd-form-section').forEach(s => s.classList.remove('bd-hidden'));
      document.querySelectorAll('.form-actions, .bd-form-advanced').forEach(e => { e.style.display = ''; });
      document.querySelectorAll('details.bd-form-advanced').forEach(d => { d.open = true; });
      document.querySelectorAll('select.bd-unit-select').forEach(s => { s.style.display = 'block'; });
    }""")


def _fill_dataset_form(page: Page, title: str, agency_id: str, email: str):
    _show_every_step(page)
    page.fill("#field-title", title)
    page.fill("#field-notes", "Số trạm BTS theo phường (dữ liệu mẫu cho kiểm thử trình duyệt).")
    page.select_option("#field-organizations", agency_id)
    page.select_option("#field-private", "False")
    page.fill("#field-author", "Sở Thông tin và Truyền thông")
    page.fill("#field-contact-0-name", "Phòng Bưu chính - Viễn thông")
    page.fill("#field-contact-0-email", email)
    page.fill("#field-issued", "2024-01-15")
    page.check("#field-theme-TECH")
    page.select_option("#field-spatial_units", ["718"])
    page.select_option("#field-frequency", "ANNUAL")
    page.select_option("#field-license_id", "CC-BY-4.0")
    page.check("#field-language-vi")


def _fill_every_optional_field(page: Page):
    page.fill("#field-contact-0-phone", "0274 3822 123")
    page.fill("#field-modified", "2024-03-01")
    # Keywords go through the autocomplete widget, typed and confirmed as a person would.
    keywords = page.locator("#field-tag_string + .select2 textarea.select2-search__field")
    for keyword in ("hạ tầng số", "viễn thông"):
        keywords.press_sequentially(keyword + ",")
    page.fill("#field-temporal_start", "2023-01-01")
    page.fill("#field-temporal_end", "2023-12-31")
    page.fill("#field-legal_basis-0-number", "47/2020/NĐ-CP")
    page.fill("#field-legal_basis-0-date", "2020-04-09")
    page.fill("#field-legal_basis-0-title", "Quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước")
    page.fill("#field-legal_basis-0-url", "https://vanban.chinhphu.vn/")
    page.check("#field-language-en")
    page.fill("#field-version", "1.0")
    page.locator("input[name=conforms_to]").first.fill("https://www.w3.org/TR/vocab-dcat-3/")
    page.fill("#field-url", "https://binhduong.gov.vn/")
    page.fill("#field-provenance", "Tổng hợp từ báo cáo của các doanh nghiệp viễn thông (dữ liệu mẫu).")
    page.fill("#field-maintainer", "Trung tâm Chuyển đổi số")
    page.fill("#field-maintainer_email", "cds@binhduong.gov.vn")


def test_publisher_creates_uploads_publishes_and_finds(browser, portal_url, agencies, portal_api, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    agency = agencies["a"]
    page = _log_in(browser, portal_url, agency["user"], agency["password"])
    title = f"Trạm BTS theo phường {uuid.uuid4().hex[:6]}"
    page.goto(f"{portal_url}/dataset/new")
    _fill_dataset_form(page, title, agency["organization"]["id"], "vienthong@binhduong.gov.vn")
    _fill_every_optional_field(page)
    page.screenshot(path=SCREENSHOTS / "1-dataset-form.png", full_page=True)
    page.locator("button[name=save]").click()
    page.wait_for_load_state()
    page.screenshot(path=SCREENSHOTS / "1b-after-dataset-form.png", full_page=True)
    # The first stage saved a draft at /dataset/<name>/resource/new: clean it up whatever happens next.
    assert "/resource/new" in page.url, page.url
    assert "/dataset/tram-bts-theo-phuong-" in page.url  # the URL made from the Vietnamese title
    agencies["datasets"].append(page.url.split("/dataset/")[1].split("/")[0])

    csv_file = tmp_path / "tram-bts-theo-phuong.csv"
    csv_file.write_text(CSV_TEXT, encoding="utf-8")
    page.set_input_files("#field-resource-upload", str(csv_file))
    page.fill("#field-name", "Số trạm BTS theo phường")
    page.select_option("#field-language", "vi")
    page.select_option("#field-status", "COMPLETED")
    page.screenshot(path=SCREENSHOTS / "2-resource-form.png", full_page=True)
    page.locator("button[name=save][value=go-metadata]").click()
    page.wait_for_load_state()
    page.screenshot(path=SCREENSHOTS / "3-dataset-page.png", full_page=True)

    expect(page.locator("h1")).to_contain_text(title)
    body = page.locator("body")
    expect(body).to_contain_text("Thành phố Thủ Dầu Một")       # the unit, by name
    expect(body).to_contain_text("Thành phố Hồ Chí Minh")       # ... and today's unit(s)
    expect(body).to_contain_text("Số trạm BTS theo phường")

    for text in ("15/01/2024", "01/03/2024", "01/01/2023", "31/12/2023", "47/2020/NĐ-CP", "Khoa học và công nghệ",
                 "Hằng năm", "Công khai", "Tiếng Anh", "https://www.w3.org/TR/vocab-dcat-3/", "02743822123"):
        expect(body).to_contain_text(text)

    # Every field the form offered was stored, as the API returns it.
    stored = portal_api.action.package_show(id=page.url.rstrip("/").split("/")[-1])
    assert stored["theme"] == ["TECH"] and stored["spatial_units"] == ["718"]
    assert stored["temporal_start"] == "2023-01-01" and stored["temporal_end"] == "2023-12-31"
    assert stored["modified"] == "2024-03-01" and stored["issued"] == "2024-01-15"
    assert stored["legal_basis"][0]["number"] == "47/2020/NĐ-CP" and stored["legal_basis"][0]["date"] == "2020-04-09"
    assert stored["contact"] == [{"name": "Phòng Bưu chính - Viễn thông", "email": "vienthong@binhduong.gov.vn",
                                  "phone": "02743822123"}]
    assert sorted(stored["language"]) == ["en", "vi"]
    assert stored["conforms_to"] == ["https://www.w3.org/TR/vocab-dcat-3/"]
    assert stored["access_rights"] == "PUBLIC" and stored["license_id"] == "CC-BY-4.0" and stored["frequency"] == "ANNUAL"
    assert stored["version"] == "1.0" and stored["url"] == "https://binhduong.gov.vn/"
    assert stored["provenance"].startswith("Tổng hợp") and stored["maintainer_email"] == "cds@binhduong.gov.vn"
    assert {tag["name"] for tag in stored["tags"]} == {"hạ tầng số", "viễn thông"}
    assert stored["identifier"] and '"Polygon"' in stored["spatial"]
    resource = stored["resources"][0]
    assert resource["format"] == "CSV" and resource["mimetype"] == "text/csv"
    assert resource["size"] == len(CSV_TEXT.encode("utf-8")) and len(resource["sha256"]) == 64
    assert resource["language"] == "vi" and resource["status"] == "COMPLETED" and resource["license_id"] == "CC-BY-4.0"

    # Published and found by search, typed without diacritics.
    page.goto(f"{portal_url}/dataset/?q=tram+bts+theo+phuong")
    page.screenshot(path=SCREENSHOTS / "4-search.png", full_page=True)
    expect(page.locator(".dataset-list")).to_contain_text(title)
    facets = page.locator("#search-facets")
    for text in ("Chủ đề", "Cơ quan", "Đơn vị hành chính", "Định dạng", "Giấy phép", "Tần suất cập nhật",
                 "Khoa học và công nghệ", "Thành phố Thủ Dầu Một", "Hằng năm"):
        expect(facets).to_contain_text(text)
    assert page.locator("html").get_attribute("lang") == "vi"


def test_rejected_form_shows_vietnamese_messages_and_keeps_the_typed_values(browser, portal_url, agencies):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    agency = agencies["a"]
    page = _log_in(browser, portal_url, agency["user"], agency["password"])
    page.goto(f"{portal_url}/dataset/new")
    title = "Bộ dữ liệu bị từ chối"
    _fill_dataset_form(page, title, agency["organization"]["id"], "khong-phai-email")
    page.fill("#field-temporal_start", "2024-06-30")
    page.fill("#field-temporal_end", "2024-01-01")
    page.locator("button[name=save]").click()
    page.wait_for_load_state()
    page.screenshot(path=SCREENSHOTS / "5-rejected-form.png", full_page=True)

    errors = page.locator(".error-explanation, .error-block")
    expect(errors.first).to_be_visible()
    text = page.locator("body").inner_text()
    assert "không phải địa chỉ thư điện tử" in text
    assert "sớm hơn" in text
    # What the publisher typed is still there.
    assert page.input_value("#field-title") == title
    assert page.input_value("#field-contact-0-email") == "khong-phai-email"
    assert page.input_value("#field-temporal_end") == "2024-01-01"
    assert page.is_checked("#field-theme-TECH")


def test_editor_of_another_agency_is_refused(browser, portal_url, agencies, portal_api):
    from bd_factories import valid_dataset

    dataset = portal_api.action.package_create(**valid_dataset(agencies["a"]["organization"]["id"]))
    agencies["datasets"].append(dataset["name"])
    editor_b = agencies["b"]
    page = _log_in(browser, portal_url, editor_b["user"], editor_b["password"])
    response = page.goto(f"{portal_url}/dataset/edit/{dataset['name']}")
    page.screenshot(path=SCREENSHOTS / "6-other-agency-refused.png", full_page=True)
    assert response.status == 403
    # And agency B does not appear among the agencies B's editor may publish for.
    page.goto(f"{portal_url}/dataset/new")
    options = page.locator("#field-organizations option").all_inner_texts()
    assert all("Sở A" not in option for option in options)
