#!/usr/bin/env python3
"""Fetch the browser libraries pinned in config/web-assets.txt from the npm registry.

Each package's tarball is checked against its pinned sha512 (npm's `integrity`) before any
file of it is written; the listed files go, flattened, into the destination folder with a
`.integrity` stamp, so a second run with the same pins downloads nothing. Standard library
only, so it also runs in the production image before our virtualenv exists.

    python3 scripts/fetch_web_assets.py [--root DIR] [--pins FILE]

`--root` is where the destination folders are (default: this repository). NPM_REGISTRY
points at a mirror of the registry (default https://registry.npmjs.org)."""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import pathlib
import shutil
import sys
import tarfile
import tempfile
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
REGISTRY = os.environ.get("NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")
STAMP = ".integrity"


class FetchError(Exception):
    pass


def read_pins(path: pathlib.Path) -> list[dict]:
    pins = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) < 5 or not parts[2].startswith("sha512-"):
            raise FetchError(f"{path}:{number}: want `name version sha512-... destination files...`")
        name, version, integrity, destination, *files = parts
        pins.append({"name": name, "version": version, "integrity": integrity,
                     "destination": destination, "files": files})
    return pins


def tarball_url(name: str, version: str) -> str:
    return f"{REGISTRY}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    actual = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != integrity:
        raise FetchError(f"integrity mismatch: pinned {integrity}, downloaded {actual}")


def install(pin: dict, root: pathlib.Path) -> bool:
    """Unpack one pinned package; False when it is already there."""
    destination = root / pin["destination"]
    stamp = destination / STAMP
    wanted_files = [destination / pathlib.PurePosixPath(member).name for member in pin["files"]]
    if stamp.is_file() and stamp.read_text().strip() == pin["integrity"] and all(f.is_file() for f in wanted_files):
        return False
    url = tarball_url(pin["name"], pin["version"])
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except OSError as error:
        raise FetchError(f"cannot download {url}: {error}") from error
    check_integrity(data, pin["integrity"])
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=".fetch-", dir=destination.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the web server must read it
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in pin["files"]:
                try:
                    source = archive.extractfile(member)
                except KeyError:
                    source = None
                if source is None:
                    raise FetchError(f"{member} is not a file in {url}")
                (staging / pathlib.PurePosixPath(member).name).write_bytes(source.read())
        (staging / STAMP).write_text(pin["integrity"] + "\n")
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path, default=ROOT)
    parser.add_argument("--pins", type=pathlib.Path, default=ROOT / "config" / "web-assets.txt")
    args = parser.parse_args(argv)
    try:
        for pin in read_pins(args.pins):
            if install(pin, args.root):
                print(f"fetched {pin['name']} {pin['version']} into {pin['destination']}")
    except FetchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
