"""`POST /_tracking`, the page-view beacon every page sends (page_views.py): malformed beacons
get a 400 with a reason, never a 500; a good one is recorded once, without a CSRF token, as
tracking.js sends it."""
from __future__ import annotations

import uuid

import pytest
import requests
import sqlalchemy as sa

from portal_db import portal_engine

MALFORMED = {
    "not a form": {"data": "garbage"},
    "empty body": {"data": ""},
    "undecodable escape": {"data": "url=%ZZ&type=page"},
    "form body without its content type": {"data": "url=/dataset&type=page"},
    "unknown type": {"data": {"url": "/dataset", "type": "delete"}},
    "no url": {"data": {"type": "page"}},
    "huge url": {"data": {"url": "/" + "x" * 5000, "type": "page"}},
    "control characters": {"data": {"url": "/a\x00b", "type": "page"}},
    "json body": {"json": {"url": "/dataset", "type": "page"}},
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_beacons_are_refused_with_400(portal_url, case):
    response = requests.post(f"{portal_url}/_tracking", timeout=30, **MALFORMED[case])
    assert response.status_code == 400, (case, response.status_code, response.text[:300])


def test_a_beacon_without_user_agent_is_not_a_500(portal_url):
    session = requests.Session()
    session.headers.pop("User-Agent")
    response = session.post(f"{portal_url}/_tracking", data={"url": "/", "type": "page"}, timeout=30)
    assert response.status_code == 204, response.text[:300]
    with portal_engine().begin() as connection:
        connection.execute(sa.text("DELETE FROM tracking_raw WHERE url = '/' AND user_key = md5('127.0.0.1')"))


def test_a_page_view_is_recorded_once_without_a_csrf_token(portal_url):
    marker = f"/dataset/beacon-test-{uuid.uuid4().hex[:8]}"
    response = requests.post(f"{portal_url}/_tracking", data={"url": marker, "type": "page"},
                             headers={"X-Requested-With": "XMLHttpRequest"}, timeout=30)
    assert response.status_code == 204, response.text[:300]
    with portal_engine().begin() as connection:
        rows = connection.execute(sa.text("SELECT tracking_type FROM tracking_raw WHERE url = :url"),
                                  {"url": marker}).scalars().all()
        connection.execute(sa.text("DELETE FROM tracking_raw WHERE url = :url"), {"url": marker})
    assert rows == ["page"]
