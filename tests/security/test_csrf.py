"""CSRF protection cannot be switched off by anyone (CVE-2026-41255, csrf_exemptions.py).

The attack, as found on CKAN 2.12.0: anonymous GETs of a form view exempt that view from CSRF
checks for the life of the worker; then a logged-in sysadmin's browser, sent by another site,
POSTs to it without a token and is obeyed. Each test first performs the anonymous GETs (enough
to reach every web worker), then the forged POST, and checks that it is refused and changed
nothing; a control POST with the page's token shows the same request works when legitimate.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from portal_session import csrf_token, log_in

FOREIGN = {"Origin": "https://ke-tan-cong.example", "Referer": "https://ke-tan-cong.example/trang.html"}
WARM_UP_GETS = 12  # more than the web workers, so each one has served the view anonymously


@pytest.fixture(scope="module")
def sysadmin_browser(portal_url, sysadmin_password):
    return log_in(portal_url, "quantri", sysadmin_password)


@pytest.fixture
def organization(portal_api):
    made = portal_api.action.organization_create(name=f"so-csrf-{uuid.uuid4().hex[:8]}", title="Sở kiểm thử CSRF")
    yield made
    portal_api.action.organization_purge(id=made["id"])


def _anonymous_gets(url: str) -> None:
    for _ in range(WARM_UP_GETS):
        requests.get(url, timeout=30, allow_redirects=False)


def test_anonymous_visits_do_not_exempt_the_organization_form(portal_url, portal_api, sysadmin_browser, organization):
    edit = f"{portal_url}/organization/edit/{organization['name']}"
    _anonymous_gets(edit)
    form = sysadmin_browser.get(edit, timeout=30)
    assert form.status_code == 200
    fields = {"name": organization["name"], "title": "Bị sửa bởi trang khác", "description": "", "save": ""}
    forged = sysadmin_browser.post(edit, data=fields, headers=FOREIGN, timeout=30, allow_redirects=False)
    assert forged.status_code == 400, forged.status_code
    assert portal_api.action.organization_show(id=organization["id"])["title"] == "Sở kiểm thử CSRF"
    # The same POST with the page's token is obeyed: the refusal above is the CSRF check.
    genuine = sysadmin_browser.post(edit, data={**fields, "title": "Sở đã sửa hợp lệ",
                                                "_csrf_token": csrf_token(form.text)}, timeout=30, allow_redirects=False)
    assert genuine.status_code in (200, 302), genuine.status_code
    assert portal_api.action.organization_show(id=organization["id"])["title"] == "Sở đã sửa hợp lệ"


def test_cookie_authenticated_api_writes_need_the_token(portal_url, portal_api, sysadmin_browser, organization):
    action = f"{portal_url}/api/3/action/organization_patch"
    _anonymous_gets(action)
    for _ in range(WARM_UP_GETS):  # anonymous API POSTs are allowed without a token (no credential)
        assert requests.post(f"{portal_url}/api/3/action/package_search", json={"rows": 0}, timeout=30).status_code == 200
    forged = sysadmin_browser.post(action, json={"id": organization["id"], "title": "Bị sửa qua API"},
                                   headers=FOREIGN, timeout=30)
    assert forged.status_code in (400, 403), forged.status_code
    assert portal_api.action.organization_show(id=organization["id"])["title"] == "Sở kiểm thử CSRF"


def test_the_login_form_needs_its_token(portal_url):
    _anonymous_gets(f"{portal_url}/user/login")
    forged = requests.post(f"{portal_url}/user/login", data={"login": "quantri", "password": "sai-mat-khau"},
                           headers=FOREIGN, timeout=30, allow_redirects=False)
    assert forged.status_code == 400, forged.status_code


def test_api_token_requests_still_work_without_a_csrf_token(portal_url, sysadmin_token, organization):
    response = requests.post(f"{portal_url}/api/3/action/organization_patch", timeout=30,
                             headers={"Authorization": sysadmin_token},
                             json={"id": organization["id"], "title": "Sửa bằng mã API"})
    assert response.status_code == 200, response.text
    assert response.json()["result"]["title"] == "Sửa bằng mã API"
