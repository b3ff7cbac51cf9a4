"""Fixtures of the quality tests: a local HTTP server that records when each request came
(for the link checker's per-host rate), on 127.0.0.1 as the tests' sources are."""
from __future__ import annotations

import http.server
import threading
import time

import pytest


class RecordingServer:
    """Answers 200 to HEAD and GET on any path except /missing (404) and /no-head (405 to
    HEAD, 200 to GET); records (monotonic time, method, path) of every request."""

    def __init__(self):
        self.hits: list[tuple[float, str, str]] = []
        self.broken: set[str] = set()  # more paths that answer 404
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, method: str):
                server.hits.append((time.monotonic(), method, self.path))
                status = 404 if self.path.startswith("/missing") or self.path in server.broken else 200
                if self.path.startswith("/no-head") and method == "HEAD":
                    status = 405
                body = b"a,b\n1,2\n"
                self.send_response(status)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if method == "GET":
                    self.wfile.write(body)

            def do_HEAD(self):  # noqa: N802
                self._answer("HEAD")

            def do_GET(self):  # noqa: N802
                self._answer("GET")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def recording_server():
    server = RecordingServer()
    yield server
    server.close()
