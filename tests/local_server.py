"""A local HTTP server for tests: sample sources and servers that misbehave on purpose
(redirects, loops, slow and huge answers), on 127.0.0.1 as the tests' sources are."""
from __future__ import annotations

import gzip
import http.server
import json
import pathlib
import socket
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit


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
    ``delay`` (seconds) holds every answer back, so a harvest job lasts long enough to break
    a service in its middle.
    """

    def __init__(self, root: pathlib.Path):
        self.root = root
        self.delay = 0.0
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
                if server.delay:
                    time.sleep(server.delay)
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
        self.delay = 0.0
        self.overrides.clear()
        self.requests.clear()
        self.feature_services.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ForwardingServer:
    """Passes GETs on to another base URL (the running portal) and answers with what it got:
    a source on 127.0.0.1 for harvesters, which the outbound policy refuses to point straight
    at the portal's own web port."""

    def __init__(self, target_base: str):
        target = target_base.rstrip("/")

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 (http.server's naming)
                try:
                    with urllib.request.urlopen(target + self.path, timeout=60) as answer:
                        body, status = answer.read(), answer.status
                        content_type = answer.headers.get("Content-Type", "application/octet-stream")
                except urllib.error.HTTPError as error:
                    body, status, content_type = error.read(), error.code, "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
