"""CKAN advisories fixed in the CKAN 2.12.0 we pin, attacked on the running portal so that a
change of version or configuration that brings one back fails here (README, Security: the
advisory table). Carried fixes have their own files (test_csrf.py, test_smtp_tls.py,
test_datastore_sql.py)."""
from __future__ import annotations

import io
import struct
import uuid
import zlib

import ckanapi
import pytest
import requests
from bs4 import BeautifulSoup

from bd_factories import valid_dataset
from portal_session import csrf_token

XSS_NOTES = ("Mô tả {mark} <img src=x onerror=alert(1) <> <<script>alert(2)</script>script>alert(3)<</script>/script> "
             "[x](javascript:alert(4)) <a href=\"javascript:alert(5)\">y</a> </script><script>alert(6)</script>")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def organization(portal_api):
    made = portal_api.action.organization_create(name=f"so-cve-{uuid.uuid4().hex[:8]}", title="Sở kiểm thử CVE")
    yield made
    for dataset in portal_api.action.package_search(fq=f"owner_org:{made['id']}", include_private=True)["results"]:
        portal_api.action.dataset_purge(id=dataset["id"])
    portal_api.action.organization_purge(id=made["id"])


def test_a_session_fixed_before_the_login_is_not_logged_in(portal_url, sysadmin_password):
    """CVE-2025-64100 (fixed in 2.11.4): the session id is renewed at login."""
    victim = requests.Session()
    form = victim.get(f"{portal_url}/user/login", timeout=30)
    fixed = dict(victim.cookies)  # what an attacker planted or read before the login
    assert fixed, "the login page set no session cookie"
    victim.post(f"{portal_url}/user/login", timeout=30, data={
        "_csrf_token": csrf_token(form.text), "login": "quantri", "password": sysadmin_password})
    assert victim.get(f"{portal_url}/dashboard/datasets", timeout=30, allow_redirects=False).status_code == 200
    assert dict(victim.cookies) != fixed
    attacker = requests.get(f"{portal_url}/dashboard/datasets", cookies=fixed, timeout=30, allow_redirects=False)
    assert attacker.status_code == 302 and "/user/login" in attacker.headers["Location"]


def test_markdown_descriptions_inject_no_html(portal_url, portal_api, organization):
    """CVE-2025-54384 (fixed in 2.11.4): markdown_extract in lists, render_markdown on the
    dataset page; also the JSON-LD block (ckanext-dcat's structured_data) with ``</script>``."""
    mark = uuid.uuid4().hex[:8]
    dataset = portal_api.action.package_create(**valid_dataset(organization["id"], notes=XSS_NOTES.format(mark=mark)))
    for path in (f"/dataset/?q={mark}", f"/dataset/{dataset['name']}", f"/organization/{organization['name']}"):
        html = requests.get(f"{portal_url}{path}", timeout=30).text
        assert mark in html, path
        soup = BeautifulSoup(html, "html.parser")
        handlers = [str(tag)[:100] for tag in soup.find_all(True)
                    if any(name.lower().startswith("on") for name in tag.attrs)
                    or str(tag.get("href", "")).lower().startswith("javascript:")]
        scripts = [tag for tag in soup.find_all("script") if "alert(" in tag.text]
        assert handlers == [], (path, handlers)
        assert all(tag.get("type") == "application/ld+json" and "</" not in tag.text for tag in scripts), path


def test_an_svg_with_a_script_is_refused_as_an_organization_image(portal_api):
    """CVE-2025-24372 (fixed in 2.11.2): an image is checked by its name, declared type and
    content; an SVG (script inside) is refused even when it claims to be a PNG."""
    for name, declared in (("logo.svg", "image/svg+xml"), ("logo.png", "image/png")):
        with pytest.raises(ckanapi.ValidationError) as refused:
            portal_api.call_action("organization_create", {"name": f"so-svg-{uuid.uuid4().hex[:8]}", "title": "Sở SVG"},
                                   files={"image_upload": (name, io.BytesIO(SVG), declared)})
        assert "Unsupported upload type: image/svg+xml" in str(refused.value.error_dict["image_upload"]), name
    # Control: a real PNG passes the type check; our organization schema then takes image_url as
    # a web address only (schemas/organization.yaml), so the upload is refused there instead.
    with pytest.raises(ckanapi.ValidationError) as refused:
        portal_api.call_action("organization_create", {"name": f"so-png-{uuid.uuid4().hex[:8]}", "title": "Sở PNG"},
                               files={"image_upload": ("logo.png", io.BytesIO(_png()), "image/png")})
    assert "image_upload" not in refused.value.error_dict and "image_url" in refused.value.error_dict
