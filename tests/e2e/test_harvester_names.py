"""The harvest source form lists our source types by name and description in the page's
language: Vietnamese at /harvest/new, English at /en/harvest/new."""
from __future__ import annotations

import requests

VIETNAMESE = ["Thủ tục hành chính (TTHC) tỉnh Bình Dương", "Thống kê hộ tịch tỉnh Bình Dương (không có dữ liệu cá nhân)"]
ENGLISH = ["Administrative procedures of Bình Dương province",
           "Civil-registry statistics of Bình Dương province (no personal data)"]


def _form(portal_url: str, token: str, prefix: str) -> str:
    page = requests.get(f"{portal_url}{prefix}/harvest/new", headers={"Authorization": token}, timeout=30)
    page.raise_for_status()
    return page.text


def test_source_types_are_named_in_the_page_language(portal_url, sysadmin_token):
    vietnamese, english = _form(portal_url, sysadmin_token, ""), _form(portal_url, sysadmin_token, "/en")
    assert all(title in vietnamese for title in VIETNAMESE) and not any(title in vietnamese for title in ENGLISH)
    assert all(title in english for title in ENGLISH) and not any(title in english for title in VIETNAMESE)
    assert "Digital infrastructure of Bình Dương province" in english
