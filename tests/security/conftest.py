"""Fixtures of the security tests: an agency with an editor (the attacker of most findings),
the portal's own service addresses, and a local HTTP server for redirects."""
from __future__ import annotations

import re
import secrets
import uuid

import pytest

from conftest import ROOT
from local_server import SampleServer
from portal_session import log_in


@pytest.fixture(scope="session")
def portal_services() -> dict[str, str]:
    """URLs of the running portal's internal services, from its rendered config."""
    ini = (ROOT / "var" / "ckan.ini").read_text()
    solr = re.search(r"^solr_url\s*=\s*(http://[^/\s]+)", ini, re.M).group(1)
    redis_port = re.search(r"^ckan\.redis\.url\s*=\s*redis://[^:/\s]+:(\d+)", ini, re.M).group(1)
    return {"solr_status": f"{solr}/solr/admin/cores?action=STATUS&wt=json", "redis": f"http://127.0.0.1:{redis_port}/"}


@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    server = SampleServer(tmp_path_factory.mktemp("security-server"))
    yield server
    server.close()


@pytest.fixture(scope="module")
def agency_editor(portal_url, portal_api):
    """An agency with an editor who logs in with a password; purged at the end."""
    suffix = uuid.uuid4().hex[:8]
    password = secrets.token_urlsafe(12)
    editor = portal_api.action.user_create(name=f"bientap-attt-{suffix}", email=f"bientap-attt-{suffix}@example.org",
                                           password=password, fullname="Biên tập viên kiểm thử an toàn")
    organization = portal_api.action.organization_create(
        name=f"so-attt-{suffix}", title="Sở kiểm thử an toàn thông tin",
        users=[{"name": editor["name"], "capacity": "editor"}])
    token = portal_api.action.api_token_create(user=editor["name"], name="kiem-thu-attt")["token"]
    # Harvest sources the tests make are listed here (the search index does not return them).
    sources: list[str] = []
    yield {"user": editor, "organization": organization, "password": password, "token": token,
           "browser": log_in(portal_url, editor["name"], password), "sources": sources}
    for source_id in sources:
        portal_api.action.harvest_source_clear(id=source_id)
        portal_api.action.dataset_purge(id=source_id)
    for dataset in portal_api.action.package_search(fq=f"owner_org:{organization['id']}", include_private=True,
                                                    include_drafts=True, rows=1000)["results"]:
        portal_api.action.dataset_purge(id=dataset["id"])
    portal_api.action.organization_purge(id=organization["id"])
    portal_api.action.user_delete(id=editor["id"])
