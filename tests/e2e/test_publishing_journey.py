"""The publisher's whole journey in a real browser (Debian's Chromium through Playwright): a new
editor starts the form, leaves it (the browser asks first) and comes back to the draft kept in
the browser, creates the dataset through the form's steps with a CSV and finishes it; its page
shows the editor "Chờ duyệt"; anonymous cannot see it; the agency's admin gets the e-mail,
returns it with a reason; the editor reads "Cần sửa: <reason>" on the dataset's page, fixes it
and saves (submitted again); the admin approves on the dataset's page; anonymous finds it in
search (without the review status) and reads its table through the DataStore. Screenshots in test-output/publishing/; page loads and the editor's time
in test-output/publishing/journey.json."""
from __future__ import annotations

import json
import pathlib
import re
import secrets
import time
import uuid

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "publishing"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CSV_TEXT = "ma_xa,ten_xa,so_diem_wifi\n25942,Phường Dĩ An,14\n25945,Phường Đông Hòa,9\n"


@pytest.fixture(scope="module")
def agency(portal_api):
    suffix = uuid.uuid4().hex[:6]
    people = {}
    for role in ("editor", "admin"):
        password = secrets.token_urlsafe(12)
        user = portal_api.action.user_create(name=f"hanh-trinh-{role}-{suffix}", email=f"hanh-trinh-{role}-{suffix}@example.org",
                                             password=password, fullname=f"Hành trình {role}")
        people[role] = {**user, "password": password}
    organization = portal_api.action.organization_create(
        name=f"so-hanh-trinh-{suffix}", title="Sở kiểm thử hành trình", email="vanthu-hanhtrinh@binhduong.gov.vn",
        phone="0274 3822 123",
        users=[{"name": people["editor"]["name"], "capacity": "editor"},
               {"name": people["admin"]["name"], "capacity": "admin"}])
    yield {"organization": organization, **people}
    for dataset in portal_api.action.package_search(fq=f"owner_org:{organization['id']}", include_private=True,
                                                    include_drafts=True, rows=100)["results"]:
        portal_api.action.dataset_purge(id=dataset["id"])
    portal_api.action.organization_purge(id=organization["id"])
    for person in people.values():
        portal_api.action.user_delete(id=person["id"])


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Journey:
    """Counts the editor's page loads and the time of the editor's own steps."""

    def __init__(self):
        self.page_loads = 0
        self.editor_seconds = 0.0

    def watch(self, page: Page):
        page.on("load", lambda _: setattr(self, "page_loads", self.page_loads + 1))

    def timed(self):
        journey = self

        class Timer:
            def __enter__(self):
                self.start = time.monotonic()

            def __exit__(self, *exc):
                journey.editor_seconds += time.monotonic() - self.start
        return Timer()


def _log_in(chromium, portal_url, person) -> Page:
    page = chromium.new_page(locale="vi-VN")
    page.goto(f"{portal_url}/user/login")
    page.fill("#field-login", person["name"])
    page.fill("#field-password", person["password"])
    page.locator("form button.btn-primary[type=submit]").click()
    page.wait_for_load_state()
    return page


def _anonymous_sees(portal_url, name) -> str | None:
    """The dataset's page as anonymous sees it (None: not found)."""
    answer = requests.get(f"{portal_url}/dataset/{name}", timeout=30)
    return answer.text if answer.status_code == 200 else None


def test_an_editor_publishes_with_an_approval(chromium, portal_url, portal_api, agency, smtp_sink, tmp_path):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    journey = Journey()
    title = f"Điểm wifi công cộng theo phường {uuid.uuid4().hex[:6]}"

    with journey.timed():
        editor = _log_in(chromium, portal_url, agency["editor"])
        journey.watch(editor)
        editor.goto(f"{portal_url}/dataset/new")
        # Step 1 of 4: basic description, with the progress indicator.
        expect(editor.locator(".bd-form-progress")).to_have_text("Bước 1/4")
        expect(editor.locator("#field-author")).to_have_value("Sở kiểm thử hành trình")  # from the agency
        editor.fill("#field-title", title)
        editor.fill("#field-notes", "Số điểm wifi công cộng miễn phí theo phường (dữ liệu mẫu).")
        editor.check("#field-theme-TECH")
        editor.screenshot(path=OUTPUT / "1-basic.png", full_page=True)
        # The clerk leaves: the browser asks first; back on the form, the draft is offered.
        dialogs = []
        editor.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
        editor.reload()
        assert dialogs == ["beforeunload"], dialogs
        restore = editor.locator(".bd-draft-restore")
        expect(restore).to_contain_text(re.compile(r"^Khôi phục bản nháp chưa lưu \(\d\d:\d\d \d\d/\d\d/\d{4}\)$"))
        expect(editor.locator("#field-title")).to_have_value("")
        editor.screenshot(path=OUTPUT / "1b-draft-offered.png", full_page=True)
        restore.click()
        expect(editor.locator("#field-title")).to_have_value(title)
        expect(editor.locator("#field-theme-TECH")).to_be_checked()
        editor.locator("#bd-section-basic .bd-step-next").click()
        # Step 2: coverage and time; the unit picker searches as the clerk types.
        expect(editor.locator(".bd-form-progress")).to_have_text("Bước 2/4")
        expect(editor.locator("#field-title")).to_be_hidden()
        editor.fill(".bd-unit-search", "di an")
        expect(editor.locator(".bd-unit-list label:not(.bd-hidden)", has_text="Dĩ An").first).to_be_visible()
        expect(editor.locator(".bd-unit-list label", has_text="Thủ Dầu Một").first).to_be_hidden()
        editor.press(".bd-unit-search", "Enter")
        expect(editor.locator(".bd-unit-chosen")).to_contain_text("Dĩ An")
        editor.fill("#field-issued", "15/01/2025")
        editor.screenshot(path=OUTPUT / "2-coverage.png", full_page=True)
        editor.locator("#bd-section-coverage .bd-step-next").click()
        # Step 3: licence and contact, prefilled from the agency.
        expect(editor.locator("#field-contact-0-email")).to_have_value("vanthu-hanhtrinh@binhduong.gov.vn")
        expect(editor.locator("#field-license_id")).to_have_value("CC-BY-4.0")
        expect(editor.locator(".bd-form-advanced")).to_be_visible()  # technical fields, folded
        expect(editor.locator("#field-spatial")).to_be_hidden()
        editor.screenshot(path=OUTPUT / "3-licence.png", full_page=True)
        editor.locator("button[name=save]").click()
        editor.wait_for_load_state()
        assert "/resource/new" in editor.url, editor.url
        name = editor.url.split("/dataset/")[1].split("/")[0]
        # Step 4: the file; its name comes from the file's title, not its file name.
        csv_file = tmp_path / "diem-wifi_cong-cong.csv"
        csv_file.write_text(CSV_TEXT, encoding="utf-8")
        editor.set_input_files("#field-resource-upload", str(csv_file))
        expect(editor.locator("#field-name")).to_have_value("Diem wifi cong cong")
        editor.fill("#field-name", "Điểm wifi công cộng")
        editor.screenshot(path=OUTPUT / "4-file.png", full_page=True)
        editor.locator("button[name=save][value=go-metadata]").click()
        editor.wait_for_load_state()
        expect(editor.locator("h1")).to_contain_text(title)
        expect(editor.locator("#bd-review-status")).to_contain_text("Chờ duyệt")
        expect(editor.locator("#bd-review-status")).to_contain_text("Hành trình editor gửi duyệt lúc")
        expect(editor.locator("#bd-review-status button")).to_have_count(0)  # an editor does not decide
        editor.screenshot(path=OUTPUT / "5-submitted.png", full_page=True)

    assert portal_api.action.bd_review_show(id=name)["status"] == "pending"
    assert not _anonymous_sees(portal_url, name)

    # The admin gets the e-mail and returns the dataset with a reason.
    mail = smtp_sink.wait_for(lambda m: agency["admin"]["email"] in m["to"] and title in m["message"]["Subject"])
    assert mail, [m["message"]["Subject"] for m in smtp_sink.messages]
    review_link = re.search(r"https?://\S+/review", mail[0]["message"].get_content()).group(0)
    admin = _log_in(chromium, portal_url, agency["admin"])
    admin.goto(review_link.replace(review_link.split("/dataset/")[0], portal_url))
    expect(admin.locator(".bd-workflow-status")).to_have_text("Chờ duyệt")
    admin.fill("#field-reason", "Ghi rõ nguồn và thời điểm của số liệu trong phần mô tả.")
    admin.screenshot(path=OUTPUT / "6-review.png", full_page=True)
    admin.locator("button[value=return]").click()
    admin.wait_for_load_state()
    expect(admin.locator(".bd-workflow-status")).to_have_text("Cần sửa")
    mail = smtp_sink.wait_for(lambda m: agency["editor"]["email"] in m["to"] and "[Cần sửa]" in m["message"]["Subject"])
    assert mail and "Ghi rõ nguồn" in mail[0]["message"].get_content()

    # The editor reads the reason, fixes the description and saves: submitted again.
    with journey.timed():
        editor.goto(f"{portal_url}/dataset/{name}")
        expect(editor.locator("#bd-review-status")).to_contain_text("Cần sửa: Ghi rõ nguồn")
        editor.goto(f"{portal_url}/dataset/edit/{name}")
        editor.fill("#field-notes", "Số điểm wifi công cộng miễn phí theo phường. Nguồn: Sở kiểm thử, 01/2025 (dữ liệu mẫu).")
        editor.locator("#bd-section-basic .bd-step-next").click()
        editor.locator("#bd-section-coverage .bd-step-next").click()
        editor.locator("button[name=save]").last.click()
        editor.wait_for_load_state()
    assert portal_api.action.bd_review_show(id=name)["status"] == "pending"

    admin.goto(f"{portal_url}/dashboard/review")
    expect(admin.locator(".bd-review-queue")).to_contain_text(title)
    admin.screenshot(path=OUTPUT / "7-queue.png", full_page=True)
    # The admin decides on the dataset's own page.
    admin.goto(f"{portal_url}/dataset/{name}")
    admin.locator("#bd-review-status button[value=approve]").click()
    admin.wait_for_load_state()
    expect(admin.locator("#bd-review-status")).to_contain_text("Đã duyệt")
    expect(admin.locator("#bd-review-status")).to_contain_text("Hành trình admin duyệt lúc")

    # Anonymous finds it (the review status is for the agency only) and reads the table
    # through the DataStore (loaded by xloader).
    public_page = _anonymous_sees(portal_url, name)
    assert public_page and title in public_page and "bd-review-status" not in public_page
    visitor = chromium.new_page(locale="vi-VN")
    visitor.goto(f"{portal_url}/dataset/?q=diem+wifi+cong+cong")
    expect(visitor.locator(".dataset-list")).to_contain_text(title)
    visitor.screenshot(path=OUTPUT / "8-found.png", full_page=True)
    resource_id = portal_api.action.package_show(id=name)["resources"][0]["id"]
    deadline, rows = time.monotonic() + 90, []
    while time.monotonic() < deadline:
        answer = requests.get(f"{portal_url}/api/3/action/datastore_search", params={"resource_id": resource_id},
                              timeout=30)
        if answer.status_code == 200:
            rows = answer.json()["result"]["records"]
            break
        time.sleep(1)
    assert [row["ten_xa"] for row in rows] == ["Phường Dĩ An", "Phường Đông Hòa"]

    (OUTPUT / "journey.json").write_text(json.dumps(
        {"editor_page_loads": journey.page_loads, "editor_seconds": round(journey.editor_seconds, 1)}, indent=2))
    assert journey.page_loads <= 12, journey.page_loads
