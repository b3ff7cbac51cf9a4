"""scripts/fetch_web_assets.py against a registry served here (NPM_REGISTRY): a tarball that
matches its pinned sha512 is unpacked, a second run downloads nothing, a tampered one is
refused and writes nothing; and the real pin file names Leaflet the way the map view needs."""
from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import io
import os
import pathlib
import subprocess
import sys
import tarfile
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "fetch_web_assets.py"


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(tmp_path):
    """A folder served over HTTP in the npm registry's tarball layout; yields (folder, url)."""
    folder = tmp_path / "registry"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _publish(folder: pathlib.Path, name: str, version: str, data: bytes) -> None:
    (folder / name / "-").mkdir(parents=True, exist_ok=True)
    (folder / name / "-" / f"{name}-{version}.tgz").write_bytes(data)


def _fetch(tmp_path, registry_url: str, pins: str) -> subprocess.CompletedProcess:
    pin_file = tmp_path / "pins.txt"
    pin_file.write_text(pins, encoding="utf-8")
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(tmp_path / "tree"), "--pins", str(pin_file)],
                          env={**os.environ, "NPM_REGISTRY": registry_url}, capture_output=True, text=True, timeout=60)


def test_matching_tarball_is_unpacked_once(tmp_path, registry):
    folder, url = registry
    tarball = _tarball({"package/dist/lib.js": b"var lib = 1;", "package/LICENSE": b"BSD"})
    _publish(folder, "mylib", "1.2.3", tarball)
    pins = f"# comment\nmylib 1.2.3 {_integrity(tarball)} assets/vendor/mylib package/dist/lib.js package/LICENSE\n"

    first = _fetch(tmp_path, url, pins)
    assert first.returncode == 0, first.stderr
    destination = tmp_path / "tree" / "assets" / "vendor" / "mylib"
    assert (destination / "lib.js").read_bytes() == b"var lib = 1;"
    assert (destination / "LICENSE").read_bytes() == b"BSD"
    assert "fetched mylib 1.2.3" in first.stdout

    (folder / "mylib" / "-" / "mylib-1.2.3.tgz").unlink()  # a second run must not need the registry
    second = _fetch(tmp_path, url, pins)
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""


def test_tampered_tarball_is_refused_and_nothing_is_written(tmp_path, registry):
    folder, url = registry
    genuine = _tarball({"package/dist/lib.js": b"var lib = 1;"})
    tampered = _tarball({"package/dist/lib.js": b"var lib = 1; stealCookies();"})
    _publish(folder, "mylib", "1.2.3", tampered)
    result = _fetch(tmp_path, url, f"mylib 1.2.3 {_integrity(genuine)} assets/vendor/mylib package/dist/lib.js\n")
    assert result.returncode != 0
    assert "integrity mismatch" in result.stderr
    assert not (tmp_path / "tree" / "assets" / "vendor" / "mylib").exists()


def test_missing_file_in_the_tarball_fails(tmp_path, registry):
    folder, url = registry
    tarball = _tarball({"package/dist/lib.js": b"var lib = 1;"})
    _publish(folder, "mylib", "1.2.3", tarball)
    result = _fetch(tmp_path, url, f"mylib 1.2.3 {_integrity(tarball)} assets/vendor/mylib package/dist/lib.css\n")
    assert result.returncode != 0 and "package/dist/lib.css is not a file" in result.stderr


def test_pinned_leaflet_is_what_the_map_view_serves():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import fetch_web_assets
    finally:
        sys.path.remove(str(SCRIPT.parent))
    pins = {pin["name"]: pin for pin in fetch_web_assets.read_pins(ROOT / "config" / "web-assets.txt")}
    leaflet = pins["leaflet"]
    assert leaflet["destination"] == "ckanext-binhduong/ckanext/binhduong/assets/bd_map/vendor/leaflet"
    webassets = (ROOT / "ckanext-binhduong" / "ckanext" / "binhduong" / "assets" / "bd_map" / "webassets.yml").read_text()
    for member in leaflet["files"]:
        name = pathlib.PurePosixPath(member).name
        if name.endswith((".js", ".css")):
            assert f"vendor/leaflet/{name}" in webassets
    # The copy the running portal serves is the pinned one (make up fetched it).
    served = ROOT / leaflet["destination"]
    assert (served / ".integrity").read_text().strip() == leaflet["integrity"]
    assert subprocess.run(["git", "check-ignore", "-q", str(served / "leaflet.js")], cwd=ROOT).returncode == 0
