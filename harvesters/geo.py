"""Coordinates for the harvesters: reading them as registers write them, reprojecting
VN-2000 grid coordinates to WGS84 with pyproj, checking that a point lies in Bình Dương,
and writing a table with longitude/latitude columns as GeoJSON (the ``geojson`` renderer of
plan.RENDERERS, registered when this module is imported).

VN-2000 in Bình Dương: the province's local grid is the 3° transverse Mercator zone on the
meridian 105°45' (scale 0.9999, false easting 500 km), which the EPSG dataset shipped with
PROJ names "VN-2000 / TM-3 105-45" (EPSG:9210; its area of use lists Bình Dương). From it
pyproj goes to WGS84 with EPSG:6960 "VN-2000 to WGS 84 (2)", whose seven parameters
(ΔX −191.90441429 m, ΔY −39.30318279 m, ΔZ −111.45032835 m, rotations −0.00928836",
0.01975479", −0.00427372", scale +0.252906278 ppm) are those of Decision 05/2007/QĐ-BTNMT of
the Ministry of Natural Resources and Environment, applied as a coordinate-frame rotation.
(A hand-written ``+towgs84=`` string with the same numbers applies them as a position-vector
rotation, i.e. with the rotations' signs flipped: about a metre off in Bình Dương.)

The province's boundary is a bounding box here: ``vietnamadminunits`` carries boxes, not
polygons, for the province and its units. ``province_bbox`` is the union of the boxes of the
province, its 9 districts and 91 communes (the province's own box is a little smaller than
its districts'). A point inside it may still be just over the border in a neighbouring
province; a point outside it is certainly not in Bình Dương.
"""
from __future__ import annotations

import functools
import json
import math
import re
from typing import Any, Iterable

from ckanext.binhduong.harvesters.plan import RENDERERS, Renderer
from ckanext.binhduong.text import fold, parse_number

__all__ = [
    "DEFAULT_CRS", "BINH_DUONG_VN2000", "CrsError", "parse_coordinate", "resolve_crs", "crs_of_wkid",
    "is_geographic", "to_wgs84", "transformation_of", "province_bbox", "inside", "locate", "bbox_polygon",
    "render_geojson", "LON_FIELDS", "LAT_FIELDS", "VALID_FIELD",
]

DEFAULT_CRS = "EPSG:4326"
BINH_DUONG_VN2000 = "EPSG:9210"
# Names registers and operators give the reference systems, folded (no accents, no spaces).
_CRS_ALIASES = {
    "wgs84": DEFAULT_CRS, "wgs1984": DEFAULT_CRS, "epsg4326": DEFAULT_CRS, "4326": DEFAULT_CRS,
    "vn2000": BINH_DUONG_VN2000, "vn2000binhduong": BINH_DUONG_VN2000, "vn200010545": BINH_DUONG_VN2000,
    "vn2000tm310545": BINH_DUONG_VN2000, "vn20001054500": BINH_DUONG_VN2000,
    "vn2000utm48n": "EPSG:3405", "vn2000utm48": "EPSG:3405", "vn2000kinhvi": "EPSG:4756",
    "vn2000geographic": "EPSG:4756",
}
# ArcGIS writes Web Mercator with its own codes.
_ESRI_WKIDS = {102100: "EPSG:3857", 102113: "EPSG:3857", 900913: "EPSG:3857"}

#: Field names the GeoJSON renderer takes as longitude and latitude.
LON_FIELDS = ("kinh_do", "lon", "longitude", "lng")
LAT_FIELDS = ("vi_do", "lat", "latitude")
#: A row whose field of this name is false is not drawn (it is flagged invalid in the table).
VALID_FIELD = "hop_le"


class CrsError(ValueError):
    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi = vi
        self.en = en


# ---------------------------------------------------------------------------------------
# Reading coordinates

_DMS = re.compile(r"""^\s*(?P<d>\d+(?:[.,]\d+)?)\s*(?:°|º|độ|d)\s*(?:(?P<m>\d+(?:[.,]\d+)?)\s*(?:'|′|’|phút|m)\s*)?
                      (?:(?P<s>\d+(?:[.,]\d+)?)\s*(?:"|″|”|''|giây|s)\s*)?(?P<h>[NSEWnsewBĐTđ])?\s*$""", re.VERBOSE)


def parse_coordinate(value: Any) -> float | None:
    """A coordinate as a float: typed numbers, "106.6523" or "106,6523" (a single separator
    is the decimal point: degrees never have thousands), "1.220.345,12" (Vietnamese
    thousands, for grid metres), or degrees-minutes-seconds ("106°39'12.5\"E").
    None for a blank cell; ValueError for anything else."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(value)
        return float(value)
    text = str(value).replace("\u00a0", " ").strip()
    if not text:
        return None
    match = _DMS.match(text) if ("°" in text or "º" in text or "độ" in text) else None
    if match:
        degrees = float(match["d"].replace(",", "."))
        minutes = float((match["m"] or "0").replace(",", "."))
        seconds = float((match["s"] or "0").replace(",", "."))
        if minutes >= 60 or seconds >= 60:
            raise ValueError(value)
        result = degrees + minutes / 60 + seconds / 3600
        return -result if (match["h"] or "").upper() in ("S", "W", "T") else result
    number = parse_number(text, grouping=False)  # ValueError for what is not a number
    return None if number is None else float(number)


# ---------------------------------------------------------------------------------------
# Reference systems

@functools.lru_cache(maxsize=64)
def resolve_crs(text: str | None) -> str:
    """A CRS as pyproj takes it ("EPSG:9210"), from what a config or a register says
    ("VN-2000", "WGS84", "EPSG:9210", "9210", a PROJ string, an OGC URN). CrsError when
    pyproj does not know it."""
    import pyproj

    if text is None or not str(text).strip():
        return DEFAULT_CRS
    raw = str(text).strip()
    alias = _CRS_ALIASES.get(fold(raw))
    if alias:
        return alias
    candidate = raw
    if re.fullmatch(r"\d{4,6}", raw):
        candidate = f"EPSG:{raw}"
    urn = re.fullmatch(r"urn:ogc:def:crs:(\w+):[\d.]*:(\w+)", raw, re.IGNORECASE)
    if urn:
        candidate = "EPSG:4326" if urn.group(2).upper() == "CRS84" else f"{urn.group(1).upper()}:{urn.group(2)}"
    try:
        crs = pyproj.CRS.from_user_input(candidate)
    except pyproj.exceptions.CRSError as error:
        raise CrsError(
            f"Không nhận ra hệ tọa độ “{raw}”. Dùng mã EPSG, vd. “EPSG:4326” (WGS84) hoặc “EPSG:9210” (VN-2000, "
            "kinh tuyến trục 105°45', múi 3° — dùng cho Bình Dương).",
            f"Unknown coordinate reference system {raw!r}: {error}") from error
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority and candidate.upper().startswith("EPSG:") else candidate


def crs_of_wkid(wkid: Any) -> str | None:
    """The CRS of an ArcGIS ``spatialReference`` wkid (or latestWkid)."""
    try:
        number = int(wkid)
    except (TypeError, ValueError):
        return None
    return _ESRI_WKIDS.get(number, f"EPSG:{number}")


@functools.lru_cache(maxsize=64)
def _crs(crs: str):
    import pyproj

    return pyproj.CRS.from_user_input(crs)


def is_geographic(crs: str) -> bool:
    return bool(_crs(crs).is_geographic)


@functools.lru_cache(maxsize=64)
def _transformer(crs: str):
    """The most accurate transformation PROJ lists for the pair (for VN-2000, the one with
    Decision 05/2007's parameters), fixed once: ``Transformer.from_crs`` would choose among
    candidates point by point."""
    import pyproj
    from pyproj.transformer import TransformerGroup

    group = TransformerGroup(_crs(crs), _crs(DEFAULT_CRS), always_xy=True)
    if group.transformers:
        return group.transformers[0]
    return pyproj.Transformer.from_crs(_crs(crs), _crs(DEFAULT_CRS), always_xy=True)


def transformation_of(crs: str) -> str:
    """What pyproj does to bring ``crs`` to WGS84 (for the dataset's provenance)."""
    if crs == DEFAULT_CRS:
        return "WGS84"
    return _transformer(crs).description


def to_wgs84(x: float, y: float, crs: str) -> tuple[float, float]:
    """(longitude, latitude) in WGS84 from (easting, northing) or (lon, lat) in ``crs``."""
    if crs == DEFAULT_CRS:
        return x, y
    lon, lat = _transformer(crs).transform(x, y)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError((x, y))
    return lon, lat


# ---------------------------------------------------------------------------------------
# Where a point is

@functools.lru_cache(maxsize=8)
def province_bbox(code: str = "74") -> tuple[float, float, float, float]:
    """(west, south, east, north) around a province, its districts and communes (legacy
    units): a bounding box, not the boundary (vietnamadminunits has no polygons)."""
    from ckanext.binhduong import places

    boxes = []
    for unit in places.all_units():
        if not unit.legacy or unit.bbox is None:
            continue
        if unit.code == code or unit.parent == code or any(a.code == code for a in places.ancestors(unit.code)):
            boxes.append(unit.bbox)
    if not boxes:
        raise ValueError(f"no bounds for unit {code}")
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def inside(lon: float, lat: float, bbox: tuple[float, float, float, float]) -> bool:
    west, south, east, north = bbox
    return west <= lon <= east and south <= lat <= north


def locate(first: float, second: float, crs: str, bbox: tuple[float, float, float, float]
           ) -> tuple[float, float, str]:
    """(lon, lat, status) of a point given as (east, north) in ``crs``: status ``ok``,
    ``swapped`` (geographic coordinates whose latitude and longitude were exchanged: they
    fall in the box only the other way round; returned the right way round) or ``outside``.

    Grid coordinates (VN-2000 metres) are taken in whichever order puts the easting (always
    under 1,000 km in a Vietnamese TM zone) before the northing (over 900 km this far north):
    registers label them both ways (the Vietnamese survey convention calls the northing X)."""
    if not is_geographic(crs):
        east, north = (first, second) if first <= second else (second, first)
        lon, lat = to_wgs84(east, north, crs)
        return lon, lat, ("ok" if inside(lon, lat, bbox) else "outside")
    lon, lat = to_wgs84(first, second, crs)
    if inside(lon, lat, bbox):
        return lon, lat, "ok"
    if -90 <= first <= 90:
        lon2, lat2 = to_wgs84(second, first, crs)
        if inside(lon2, lat2, bbox):
            return lon2, lat2, "swapped"
    return lon, lat, "outside"


def bbox_polygon(points: Iterable[tuple[float, float]], pad: float = 0.001) -> dict[str, Any] | None:
    """GeoJSON Polygon of the box around points (counter-clockwise), padded so that one point
    or a line of points still makes a valid polygon."""
    points = list(points)
    if not points:
        return None
    west = round(min(p[0] for p in points) - pad, 6)
    south = round(min(p[1] for p in points) - pad, 6)
    east = round(max(p[0] for p in points) + pad, 6)
    north = round(max(p[1] for p in points) + pad, 6)
    return {"type": "Polygon",
            "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]}


# ---------------------------------------------------------------------------------------
# The GeoJSON renderer

def _field(names: list[str], candidates: tuple[str, ...]) -> str | None:
    return next((name for name in candidates if name in names), None)


def render_geojson(fields: list[dict[str, Any]], rows: list[dict[str, Any]]) -> bytes:
    """A FeatureCollection (RFC 7946, WGS84) with one Point per row that has a longitude and
    a latitude (``kinh_do``/``vi_do``, or lon/lat); every other field is a property. Rows
    without coordinates, and rows flagged invalid (``hop_le`` false), are left out: a map
    cannot show the first and must not show the second as if it were right (the CSV has both)."""
    names = [f["name"] for f in fields]
    lon_name, lat_name = _field(names, LON_FIELDS), _field(names, LAT_FIELDS)
    features = []
    for row in rows:
        lon = row.get(lon_name) if lon_name else None
        lat = row.get(lat_name) if lat_name else None
        if not isinstance(lon, (int, float)) or not isinstance(lat, (int, float)) or isinstance(lon, bool):
            continue
        if row.get(VALID_FIELD) is False:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]},
            "properties": {name: row.get(name) for name in names},
        })
    collection = {"type": "FeatureCollection", "features": features}
    return (json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


RENDERERS.setdefault("geojson", Renderer("GeoJSON", "geojson", "application/geo+json", render_geojson))
