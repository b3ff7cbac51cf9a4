"""Fixtures of the security tests: the portal's own service addresses, and a local HTTP server
for redirects (the agency editor, the attacker of most findings, is in tests/conftest.py)."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT
from local_server import SampleServer


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
