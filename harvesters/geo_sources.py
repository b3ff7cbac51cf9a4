"""Reading map-shaped JSON sources into records: a GeoJSON FeatureCollection, and the pages
of an ArcGIS REST FeatureServer/MapServer ``query`` (what GIS departments publish).

Each feature becomes one record: its properties (GeoJSON) or attributes (ArcGIS), plus
``geometry`` = ``{"x": ..., "y": ..., "crs": ...}`` — x is the easting or longitude, y the
northing or latitude, as GIS formats order them, and crs the reference system the document
declares (GeoJSON: WGS84 unless an old-style ``crs`` member says otherwise; ArcGIS: the
``spatialReference`` wkid). ``read.records_to_sheet`` then flattens them to ``geometry.x`` …
columns like any JSON source.
"""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ckanext.binhduong.harvesters import geo
from ckanext.binhduong.harvesters.read import ReadError

__all__ = ["is_geojson", "is_arcgis", "geojson_records", "collect_arcgis_pages", "MAX_PAGES"]

MAX_PAGES = 1000
DEFAULT_PAGE_SIZE = 1000


def is_geojson(document: Any) -> bool:
    return isinstance(document, dict) and document.get("type") in ("FeatureCollection", "Feature")


def is_arcgis(document: Any) -> bool:
    """An ArcGIS query answer (features with ``attributes``), or an ArcGIS error object."""
    if not isinstance(document, dict):
        return False
    if isinstance(document.get("error"), dict) and "code" in document["error"]:
        return True
    features = document.get("features")
    return isinstance(features, list) and ("spatialReference" in document or "geometryType" in document
                                           or any(isinstance(f, dict) and "attributes" in f for f in features[:5]))


def _point(geometry: Any) -> tuple[Any, Any, str | None]:
    """(x, y, type) of a GeoJSON geometry; x and y None unless it is one point."""
    if not isinstance(geometry, dict):
        return None, None, None
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "MultiPoint" and isinstance(coordinates, list) and len(coordinates) == 1:
        kind, coordinates = "Point", coordinates[0]
    if kind == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
        return coordinates[0], coordinates[1], kind
    return None, None, kind


def geojson_records(document: dict[str, Any], source: str) -> list[dict[str, Any]]:
    crs = geo.DEFAULT_CRS
    declared = ((document.get("crs") or {}).get("properties") or {}).get("name") if isinstance(
        document.get("crs"), dict) else None
    if declared:
        crs = geo.resolve_crs(declared)
    features = [document] if document.get("type") == "Feature" else document.get("features")
    if not isinstance(features, list):
        raise ReadError(f"GeoJSON từ {source} không có danh sách “features”.",
                        f"GeoJSON from {source} has no 'features' list.")
    records = []
    for feature in features:
        if not isinstance(feature, dict):
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        x, y, kind = _point(feature.get("geometry"))
        record = dict(properties)
        record["geometry"] = {"x": x, "y": y, "crs": crs if x is not None else None,
                              "type": None if kind in ("Point", None) else kind}
        records.append(record)
    return records


def _arcgis_error(document: dict[str, Any], source: str) -> ReadError:
    error = document["error"]
    details = "; ".join(str(d) for d in error.get("details") or [] if d)
    message = f"{error.get('code')} {error.get('message') or ''}{f' ({details})' if details else ''}".strip()
    return ReadError(f"Máy chủ ArcGIS {source} báo lỗi: {message}. Kiểm tra địa chỉ truy vấn (…/FeatureServer/0/query"
                     "?where=1=1&outFields=*&f=json).", f"ArcGIS server {source} answered an error: {message}.")


def _arcgis_page(document: dict[str, Any], source: str) -> tuple[list[dict[str, Any]], bool]:
    if isinstance(document.get("error"), dict):
        raise _arcgis_error(document, source)
    reference = document.get("spatialReference") or {}
    crs = geo.crs_of_wkid(reference.get("latestWkid") or reference.get("wkid")) or geo.DEFAULT_CRS
    records = []
    for feature in document.get("features") or []:
        if not isinstance(feature, dict):
            continue
        attributes = feature.get("attributes") if isinstance(feature.get("attributes"), dict) else {}
        geometry = feature.get("geometry") if isinstance(feature.get("geometry"), dict) else {}
        x, y = geometry.get("x"), geometry.get("y")
        if x == "NaN" or y == "NaN":
            x = y = None
        record = dict(attributes)
        record["geometry"] = {"x": x, "y": y, "crs": crs if x is not None else None, "type": None}
        records.append(record)
    return records, bool(document.get("exceededTransferLimit"))


def _with_offset(url: str, offset: int, count: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in ("resultoffset", "resultrecordcount")]
    query += [("resultOffset", str(offset)), ("resultRecordCount", str(count))]
    return urlunsplit(parts._replace(query=urlencode(query, safe="=*,")))


def collect_arcgis_pages(first_url: str, first_page: dict[str, Any], get: Callable[[str], Any], source: str,
                         max_pages: int = MAX_PAGES) -> list[dict[str, Any]]:
    """Every feature of a paged query: while a page says ``exceededTransferLimit``, the next
    is asked for with ``resultOffset`` moved past what was received (the page size the
    server used). A page with no features that still claims more, or too many pages, is an
    error: a half register must not replace the whole one."""
    params = {k.lower(): v for k, v in parse_qsl(urlsplit(first_url).query)}
    offset = int(params.get("resultoffset") or 0)
    records, more = _arcgis_page(first_page, source)
    size = int(params.get("resultrecordcount") or 0) or len(records) or DEFAULT_PAGE_SIZE
    offset += len(records)
    pages = 1
    while more:
        if pages >= max_pages:
            raise ReadError(f"Nguồn ArcGIS {source} có hơn {max_pages} trang; dừng để tránh vòng lặp.",
                            f"ArcGIS source {source} has more than {max_pages} pages; stopped.")
        page, more = _arcgis_page(get(_with_offset(first_url, offset, size)), source)
        if not page and more:
            raise ReadError(f"Nguồn ArcGIS {source} trả về trang rỗng nhưng báo còn dữ liệu (resultOffset={offset}); "
                            "chưa cập nhật.", f"ArcGIS source {source} returned an empty page claiming more "
                            f"(resultOffset={offset}); nothing updated.")
        records.extend(page)
        offset += len(page)
        pages += 1
    return records
