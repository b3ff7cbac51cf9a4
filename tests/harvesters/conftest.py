"""Fixtures of the harvester tests: a local HTTP server for the sample sources (and for the
misbehaving servers fetch.py must survive), and the bd_procedures plugin's registration.

The plugin is found by CKAN through the ``ckan.plugins`` entry point in setup.py. Until that
line is in the installed metadata, this file adds it the standard way — a ``.dist-info``
folder with an ``entry_points.txt``, on ``sys.path`` for this test session only — so the
tests exercise the real plugin loading. Once the installed distribution declares the entry
point, nothing is added.
"""
from __future__ import annotations

import atexit
import gzip
import http.server
import importlib.util
import json
import pathlib
import shutil
import socket
import sys
import tempfile
import threading
import time
from importlib.metadata import entry_points
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "harvesters" / "samples"
ENTRY_POINT = "bd_procedures = ckanext.binhduong.harvesters.procedures:ProceduresHarvester"


def _register_entry_point() -> None:
    if entry_points(group="ckan.plugins", name="bd_procedures"):
        return
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bd-harvest-entry-points-"))
    info = folder / "binhduong_harvester_tests-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: binhduong-harvester-tests\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(f"[ckan.plugins]\n{ENTRY_POINT}\n")
    sys.path.append(str(folder))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


_register_entry_point()


def load_make_samples():
    spec = importlib.util.spec_from_file_location("bd_make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_samples = load_make_samples()


def free_port() -> int:
    """A port nothing listens on (for "connection refused")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SampleServer:
    """Serves a folder, in-memory overrides (``put``) and a few misbehaviours:

    /redirect?to=URL (302), /loop (redirects to itself), /slow?seconds=N, /drip (one byte
    every 0.3 s), /big?bytes=N (no Content-Length), /big-declared?bytes=N, /gzip-bomb?bytes=N,
    and ``X.json?page=N`` answered with the file ``X-N.json`` (an API paged by number).
    """

    def __init__(self, root: pathlib.Path):
        self.root = root
        self.overrides: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        # ArcGIS FeatureServer query endpoints: path -> (page builder, number of features, max page size)
        self.feature_services: dict[str, tuple] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, content_type: str = "application/octet-stream",
                      headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802 (http.server's naming)
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                path = parts.path
                if path in server.overrides:
                    status, content_type, body = server.overrides[path]
                    return self._send(status, body, content_type)
                if path in server.feature_services:
                    # resultOffset/resultRecordCount as an ArcGIS server reads them, capped at
                    # its maxRecordCount (it then says exceededTransferLimit).
                    page, total, max_count = server.feature_services[path]
                    offset = int(query.get("resultOffset", 0))
                    count = min(int(query.get("resultRecordCount", max_count)), max_count)
                    return self._send(200, json.dumps(page(offset, count), ensure_ascii=False).encode(),
                                      "application/json; charset=utf-8")
                if path == "/redirect":
                    return self._send(302, b"", headers={"Location": query["to"]})
                if path == "/loop":
                    return self._send(302, b"", headers={"Location": "/loop"})
                if path == "/slow":
                    time.sleep(float(query.get("seconds", 5)))
                    return self._send(200, b"late", "text/plain")
                if path == "/drip":
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(40):
                        try:
                            self.wfile.write(b"x")
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(0.3)
                    return
                if path in ("/big", "/big-declared"):
                    size = int(query.get("bytes", 1000))
                    self.send_response(200)
                    self.send_header("Content-Type", "text/csv")
                    if path == "/big-declared":
                        self.send_header("Content-Length", str(size))
                    else:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    sent = 0
                    try:
                        while sent < size:
                            chunk = b"a," * min(32768, (size - sent) // 2 + 1)
                            self.wfile.write(chunk)
                            sent += len(chunk)
                    except OSError:
                        pass
                    self.close_connection = True
                    return
                if path == "/gzip-bomb":
                    body = gzip.compress(b"0" * int(query.get("bytes", 10_000_000)))
                    return self._send(200, body, "text/csv", {"Content-Encoding": "gzip"})
                file = server.root / path.lstrip("/")
                if "page" in query and file.suffix == ".json":
                    file = file.with_name(f"{file.stem}-{query['page']}.json")
                if file.is_file():
                    content_type = {".csv": "text/csv", ".json": "application/json",
                                    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
                    return self._send(200, file.read_bytes(), content_type.get(file.suffix, "application/octet-stream"))
                return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    def put(self, path: str, body: bytes, content_type: str = "text/csv", status: int = 200) -> str:
        self.overrides["/" + path.lstrip("/")] = (status, content_type, body)
        return self.url(path)

    def put_feature_service(self, path: str, page, total: int, max_count: int) -> str:
        """Serve ``page(offset, count)`` (an ArcGIS query answer) at ``path``."""
        self.feature_services["/" + path.lstrip("/")] = (page, total, max_count)
        return self.url(path)

    def reset(self) -> None:
        self.overrides.clear()
        self.requests.clear()
        self.feature_services.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def _sample_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    shutil.copytree(SAMPLES, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (root / "mau-thu-tuc-hanh-chinh.xlsx").write_bytes(
        make_samples.workbook(make_samples.procedures(), make_samples.statistics()))
    server = SampleServer(root)
    yield server
    server.close()


@pytest.fixture
def sample_server(_sample_server):
    _sample_server.reset()
    yield _sample_server
    _sample_server.reset()
