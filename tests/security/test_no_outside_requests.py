"""Finding 10: no page loads anything from outside the portal. Gravatar received a hash of
every user's e-mail address from the avatars on activity and user pages; with
``ckan.gravatar_default = disabled`` a local placeholder is shown. Every image, script, style
sheet and frame of the pages below comes from the portal itself."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from portal_session import log_in

SEED_DATASET = "tram-bts-phu-song-4g-thue-bao-di-dong"
ANONYMOUS_PAGES = ["/", "/dataset/", f"/dataset/{SEED_DATASET}", f"/dataset/activity/{SEED_DATASET}",
                   "/organization/", "/user/login", "/thong-ke", "/huong-dan-api"]
SYSADMIN_PAGES = ["/user/quantri", "/dashboard/datasets", f"/dataset/activity/{SEED_DATASET}", "/ckan-admin"]
LOADED = (("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src"), ("source", "src"),
          ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"))


def _outside(portal_url: str, html: str, page_url: str) -> list[str]:
    portal_host = urlsplit(portal_url).netloc
    found = []
    for tag, attribute in LOADED:
        for element in BeautifulSoup(html, "html.parser").find_all(tag):
            if tag == "link" and not set(element.get("rel") or []) & {"stylesheet", "icon", "preload", "prefetch"}:
                continue  # links to other pages are not loaded
            value = element.get(attribute)
            if value and urlsplit(urljoin(page_url, value)).netloc not in ("", portal_host):
                found.append(f"<{tag} {attribute}={value}>")
    return found


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_load_nothing_from_outside(portal_url, path):
    response = requests.get(f"{portal_url}{path}", timeout=60)
    assert response.status_code == 200, path
    assert "gravatar.com" not in response.text
    assert not _outside(portal_url, response.text, response.url)


def test_signed_in_pages_show_no_gravatar(portal_url, sysadmin_password):
    browser = log_in(portal_url, "quantri", sysadmin_password)
    for path in SYSADMIN_PAGES:
        response = browser.get(f"{portal_url}{path}", timeout=60)
        assert response.status_code == 200, path
        assert "gravatar.com" not in response.text, path
        assert not _outside(portal_url, response.text, response.url), path
