"""How the portal's pages travel (ckanext/binhduong/delivery.py, templates/page.html), over
HTTP as a phone's browser asks for them: pages, CSS and JavaScript compressed; CKAN's
fingerprinted webassets cached for a year; downloads sent as they are; the home, search and
dataset pages without CKAN's 1 MB of scripts, other pages with them."""
from __future__ import annotations

import re

import requests

BROWSER_ENCODINGS = {"Accept-Encoding": "gzip, deflate, br, zstd"}
TABLE_DATASET = "danh-muc-tram-bts-du-lieu-mau"


def _get(url: str, **headers) -> requests.Response:
    response = requests.get(url, headers={**BROWSER_ENCODINGS, **headers}, timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _scripts(html: str) -> list[str]:
    return re.findall(r'<script[^>]+src="([^"]+)"', html)


def test_pages_and_webassets_are_compressed_and_webassets_cached_for_a_year(portal_url):
    page = _get(f"{portal_url}/")
    assert page.headers.get("Content-Encoding") in ("zstd", "br", "gzip"), page.headers
    assert "Accept-Encoding" in page.headers.get("Vary", "")
    assert page.text.rstrip().endswith("</html>")  # decoded by requests: the whole page
    css = re.search(r'href="(/webassets/[^"]+\.css)"', page.text).group(1)
    for path in (css, _scripts(page.text)[-1]):
        asset = _get(portal_url + path)
        assert asset.headers.get("Content-Encoding") in ("zstd", "br", "gzip"), (path, asset.headers)
        cache = asset.headers["Cache-Control"]
        assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache, (path, cache)
    # A client that only knows gzip gets gzip, for a streamed file too.
    assert _get(portal_url + css, **{"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") == "gzip"
    # Unfingerprinted public files (fonts, emblem): a day.
    assert "max-age=86400" in _get(f"{portal_url}/bd-brand/emblem.svg").headers["Cache-Control"]


def test_downloads_are_sent_as_they_are(portal_url, anonymous_api):
    dataset = anonymous_api.action.package_show(id=TABLE_DATASET)
    resource = next(res for res in dataset["resources"] if res.get("datastore_active"))
    dump = requests.get(f"{portal_url}/datastore/dump/{resource['id']}?bom=True", headers=BROWSER_ENCODINGS,
                        timeout=30, stream=True)
    assert dump.status_code == 200
    assert "Content-Encoding" not in dump.headers, dump.headers
    assert dump.raw.read(3) == b"\xef\xbb\xbf"  # the raw bytes on the wire begin with the BOM
    dump.close()


def test_citizen_pages_load_the_light_script_and_other_pages_ckans(portal_url):
    for path in ("/", "/dataset/?q=tram", f"/dataset/{TABLE_DATASET}", f"/en/dataset/{TABLE_DATASET}"):
        scripts = _scripts(_get(portal_url + path).text)
        assert len(scripts) == 1 and "_light.js" in scripts[0], (path, scripts)
    scripts = _scripts(_get(f"{portal_url}/organization/").text)
    assert any("jquery" in src for src in scripts) and any("/base/" in src for src in scripts), scripts
