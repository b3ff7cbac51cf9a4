"""Coordinates (harvesters/geo.py, geo_sources.py) and the infrastructure values, as pure
functions: reading coordinates as registers write them, VN-2000 → WGS84 against an
independent computation, swap detection, the province's bounding box, the GeoJSON writer
and the ArcGIS paging."""
from __future__ import annotations

import json
import math

import pytest

from ckanext.binhduong import places
from ckanext.binhduong.harvesters import geo, geo_sources
from ckanext.binhduong.harvesters.infrastructure_values import (
    operator_of, parse_bandwidth, parse_percent, parse_shared, parse_technologies,
)
from ckanext.binhduong.harvesters.plan import RENDERERS
from ckanext.binhduong.harvesters.read import ReadError

# ---------------------------------------------------------------------------------------
# An independent VN-2000 → WGS84 computation (textbook formulas, no PROJ): inverse
# transverse Mercator on the WGS84 ellipsoid (VN-2000 uses it), then the seven parameters of
# Decision 05/2007/QĐ-BTNMT as a coordinate-frame Helmert transformation.

A, F = 6378137.0, 1 / 298.257223563
E2 = F * (2 - F)


def _tm_inverse(easting, northing, lon0=105.75, k0=0.9999, false_easting=500000.0):
    x, y = (easting - false_easting) / k0, northing / k0
    ep2 = E2 / (1 - E2)
    mu = y / (A * (1 - E2 / 4 - 3 * E2 ** 2 / 64 - 5 * E2 ** 3 / 256))
    e1 = (1 - math.sqrt(1 - E2)) / (1 + math.sqrt(1 - E2))
    phi1 = (mu + (3 * e1 / 2 - 27 * e1 ** 3 / 32) * math.sin(2 * mu) + (21 * e1 ** 2 / 16 - 55 * e1 ** 4 / 32)
            * math.sin(4 * mu) + (151 * e1 ** 3 / 96) * math.sin(6 * mu) + (1097 * e1 ** 4 / 512) * math.sin(8 * mu))
    c1, t1 = ep2 * math.cos(phi1) ** 2, math.tan(phi1) ** 2
    n1 = A / math.sqrt(1 - E2 * math.sin(phi1) ** 2)
    r1 = A * (1 - E2) / (1 - E2 * math.sin(phi1) ** 2) ** 1.5
    d = x / n1
    phi = phi1 - (n1 * math.tan(phi1) / r1) * (d ** 2 / 2 - (5 + 3 * t1 + 10 * c1 - 4 * c1 ** 2 - 9 * ep2) * d ** 4 / 24
                                               + (61 + 90 * t1 + 298 * c1 + 45 * t1 ** 2 - 252 * ep2 - 3 * c1 ** 2)
                                               * d ** 6 / 720)
    lam = (d - (1 + 2 * t1 + c1) * d ** 3 / 6 + (5 - 2 * c1 + 28 * t1 - 3 * c1 ** 2 + 8 * ep2 + 24 * t1 ** 2)
           * d ** 5 / 120) / math.cos(phi1)
    return math.radians(lon0) + lam, phi


def _to_cartesian(lam, phi):
    n = A / math.sqrt(1 - E2 * math.sin(phi) ** 2)
    return n * math.cos(phi) * math.cos(lam), n * math.cos(phi) * math.sin(lam), n * (1 - E2) * math.sin(phi)


def _to_geodetic(x, y, z):
    lam, p = math.atan2(y, x), math.hypot(x, y)
    phi = math.atan2(z, p * (1 - E2))
    for _ in range(10):
        n = A / math.sqrt(1 - E2 * math.sin(phi) ** 2)
        h = p / math.cos(phi) - n
        phi = math.atan2(z, p * (1 - E2 * n / (n + h)))
    return math.degrees(lam), math.degrees(phi)


def _decision_05_2007(x, y, z):
    arcsec = math.radians(1 / 3600)
    tx, ty, tz = -191.90441429, -39.30318279, -111.45032835
    rx, ry, rz = -0.00928836 * arcsec, 0.01975479 * arcsec, -0.00427372 * arcsec
    m = 1 + 0.252906278e-6
    return (tx + m * (x + rz * y - ry * z), ty + m * (-rz * x + y + rx * z), tz + m * (ry * x - rx * y + z))


def independent_vn2000_to_wgs84(easting, northing):
    return _to_geodetic(*_decision_05_2007(*_to_cartesian(*_tm_inverse(easting, northing))))


@pytest.mark.parametrize("easting, northing", [(569000.0, 1220000.0), (612345.67, 1238765.43), (600000.0, 1250000.0)])
def test_vn2000_tm3_105_45_points_reproject_like_the_independent_computation(easting, northing):
    lon, lat = geo.to_wgs84(easting, northing, geo.resolve_crs("VN-2000"))
    expected_lon, expected_lat = independent_vn2000_to_wgs84(easting, northing)
    # 1e-7 degree is about a centimetre.
    assert abs(lon - expected_lon) < 1e-7 and abs(lat - expected_lat) < 1e-7
    assert geo.inside(lon, lat, geo.province_bbox())


def test_the_transformation_is_the_decisions_not_the_mekong_delta_one():
    assert "VN-2000 to WGS 84 (2)" in geo.transformation_of("EPSG:9210")
    # PROJ's per-point choice would apply another parameter set (EPSG:5194, offshore Mekong
    # delta blocks) about 0.8 m away; the one fixed here matches the decision.
    lon, _ = geo.to_wgs84(599227.46, 1215458.78, "EPSG:9210")
    assert abs(lon - independent_vn2000_to_wgs84(599227.46, 1215458.78)[0]) < 1e-7


@pytest.mark.parametrize("text, crs", [
    ("VN-2000", "EPSG:9210"), ("vn2000", "EPSG:9210"), ("EPSG:9210", "EPSG:9210"), ("9210", "EPSG:9210"),
    ("WGS84", "EPSG:4326"), ("WGS 84", "EPSG:4326"), (None, "EPSG:4326"), ("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"),
    ("urn:ogc:def:crs:EPSG::9210", "EPSG:9210"), ("VN-2000 UTM 48N", "EPSG:3405"),
])
def test_reference_systems_are_named_the_ways_registers_name_them(text, crs):
    assert geo.resolve_crs(text) == crs


def test_an_unknown_reference_system_has_a_vietnamese_message():
    with pytest.raises(geo.CrsError) as raised:
        geo.resolve_crs("VN-1999")
    assert "Không nhận ra hệ tọa độ “VN-1999”" in raised.value.vi and "EPSG:9210" in raised.value.vi


def test_arcgis_wkids_include_web_mercator():
    assert geo.crs_of_wkid(102100) == "EPSG:3857" and geo.crs_of_wkid("9210") == "EPSG:9210"
    assert geo.crs_of_wkid(None) is None


@pytest.mark.parametrize("value, expected", [
    (106.65, 106.65), ("106.652301", 106.652301), ("106,652301", 106.652301), ("10.981", 10.981),
    ("1.220.345,12", 1220345.12), ("1,220,345.12", 1220345.12), ("569000", 569000.0),
    ("106°39'12.5\"E", 106 + 39 / 60 + 12.5 / 3600), ("10° 58' 30\" N", 10.975), ("-0,5", -0.5),
    (None, None), ("", None),
])
def test_coordinates_are_read_as_registers_write_them(value, expected):
    assert geo.parse_coordinate(value) == pytest.approx(expected) if expected is not None else \
        geo.parse_coordinate(value) is None


@pytest.mark.parametrize("value", ["abc", "106.6.5,2,1x", True, float("nan"), "10°75'E"])
def test_unreadable_coordinates_are_refused(value):
    with pytest.raises(ValueError):
        geo.parse_coordinate(value)


def test_the_province_box_holds_every_unit_and_is_a_box():
    west, south, east, north = geo.province_bbox()
    for unit in places.all_units():
        if unit.legacy and unit.bbox and (unit.code == "74" or "74" in {a.code for a in places.ancestors(unit.code)}):
            assert west <= unit.bbox[0] and unit.bbox[2] <= east and south <= unit.bbox[1] and unit.bbox[3] <= north
    # Thủ Dầu Một is in; Hồ Chí Minh City's centre and Tây Ninh are out.
    assert geo.inside(106.6523, 10.9804, (west, south, east, north))
    assert not geo.inside(106.7009, 10.7769, (west, south, east, north))
    assert not geo.inside(106.10, 11.35, (west, south, east, north))


def test_swapped_latitude_and_longitude_are_detected_and_turned_back():
    bbox = geo.province_bbox()
    assert geo.locate(106.6523, 10.9804, "EPSG:4326", bbox) == (106.6523, 10.9804, "ok")
    assert geo.locate(10.9804, 106.6523, "EPSG:4326", bbox) == (106.6523, 10.9804, "swapped")
    # Outside whichever way round: not called swapped.
    assert geo.locate(11.35, 106.10, "EPSG:4326", bbox)[2] == "outside"
    assert geo.locate(106.10, 11.35, "EPSG:4326", bbox)[2] == "outside"


def test_grid_metres_are_taken_in_either_order():
    bbox = geo.province_bbox()
    east_first = geo.locate(569000.0, 1220000.0, "EPSG:9210", bbox)
    assert geo.locate(1220000.0, 569000.0, "EPSG:9210", bbox) == east_first and east_first[2] == "ok"


def test_the_extent_is_a_valid_polygon_even_for_one_point():
    from shapely.geometry import shape

    polygon = geo.bbox_polygon([(106.65, 10.98)])
    assert shape(polygon).is_valid and shape(polygon).area > 0
    assert geo.bbox_polygon([]) is None


def test_the_geojson_renderer_writes_valid_points_only():
    renderer = RENDERERS["geojson"]
    assert (renderer.format, renderer.extension, renderer.mimetype) == ("GeoJSON", "geojson", "application/geo+json")
    fields = [{"name": n} for n in ("ma_tram", "kinh_do", "vi_do", "hop_le")]
    rows = [{"ma_tram": "A", "kinh_do": 106.6523456789, "vi_do": 10.98, "hop_le": True},
            {"ma_tram": "B", "kinh_do": 106.1, "vi_do": 11.35, "hop_le": False},
            {"ma_tram": "C", "kinh_do": None, "vi_do": None, "hop_le": True}]
    data = renderer.write(fields, rows)
    collection = json.loads(data)
    assert [f["properties"]["ma_tram"] for f in collection["features"]] == ["A"]
    assert collection["features"][0]["geometry"] == {"type": "Point", "coordinates": [106.652346, 10.98]}
    assert renderer.write(fields, rows) == data  # same rows, same bytes


def test_geojson_features_become_records_with_their_geometry():
    document = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:9210"}},
                "features": [{"type": "Feature", "properties": {"ma_tram": "A"},
                              "geometry": {"type": "Point", "coordinates": [569000, 1220000]}},
                             {"type": "Feature", "properties": {"ma_tram": "B"},
                              "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}}]}
    records = geo_sources.geojson_records(document, "mau.geojson")
    assert records[0]["geometry"] == {"x": 569000, "y": 1220000, "crs": "EPSG:9210", "type": None}
    assert records[1]["geometry"]["x"] is None and records[1]["geometry"]["type"] == "LineString"


def test_arcgis_pages_are_followed_until_the_limit_is_no_longer_exceeded():
    features = [{"attributes": {"MA_TRAM": f"T{i}"}, "geometry": {"x": 569000 + i, "y": 1220000}} for i in range(7)]

    def page(offset, count):
        body = {"spatialReference": {"wkid": 9210}, "features": features[offset:offset + count]}
        if offset + count < len(features):
            body["exceededTransferLimit"] = True
        return body

    asked = []

    def get(url):
        asked.append(url)
        offset = int(url.split("resultOffset=")[1].split("&")[0])
        return page(offset, 3)

    first = "https://gis.binhduong.gov.vn/arcgis/rest/services/BTS/FeatureServer/0/query?where=1%3D1&f=json"
    records = geo_sources.collect_arcgis_pages(first, page(0, 3), get, "gis")
    assert [r["MA_TRAM"] for r in records] == [f"T{i}" for i in range(7)]
    assert len(asked) == 2 and "resultOffset=6" in asked[-1] and "resultRecordCount=3" in asked[-1]
    assert records[0]["geometry"]["crs"] == "EPSG:9210"


def test_an_arcgis_error_object_is_a_clear_error():
    with pytest.raises(ReadError) as raised:
        geo_sources.collect_arcgis_pages("https://x/query", {"error": {"code": 498, "message": "Invalid token"}},
                                         lambda url: {}, "gis")
    assert "Máy chủ ArcGIS gis báo lỗi: 498 Invalid token" in raised.value.vi


@pytest.mark.parametrize("written, operator", [
    ("Viettel", "Viettel"), ("VIETTEL Bình Dương", "Viettel"), ("VNPT-VinaPhone", "VNPT (VinaPhone)"),
    ("Viễn thông Bình Dương", "VNPT (VinaPhone)"), ("Tổng Công ty Viễn thông MobiFone", "MobiFone"),
    ("Vietnamobile", "Vietnamobile"), ("Gmobile", "Gtel (Gmobile)"), ("Beeline", "Gtel (Gmobile)"),
    ("FPT Telecom", None), ("Viettel + VNPT", None), ("", None),
])
def test_operators_are_recognised_under_their_names_and_brands(written, operator):
    assert operator_of(written) == operator


def test_technologies_shared_towers_bandwidths_and_percentages():
    assert parse_technologies("2G/3G/4G") == (["2G", "3G", "4G"], [])
    assert parse_technologies("GSM + LTE") == (["2G", "4G"], [])
    assert parse_technologies("4G, 5G NR")[0] == ["4G", "5G"]
    assert parse_technologies("6G") == ([], ["6G"])
    assert [parse_shared(v) for v in ("Có", "x", "Không", 1, None, "abc")] == [
        (True, True), (True, True), (False, True), (True, True), (None, True), (None, False)]
    assert [parse_bandwidth(v) for v in (100, "100 Mbps", "1 Gbps", "200Mb", None)] == [100, 100, 1000, 200, None]
    with pytest.raises(ValueError):
        parse_bandwidth("nhanh")
    assert [parse_percent(v) for v in (95, "95%", "95,5 %", 0.955)] == [95, 95, 95.5, 95.5]
    with pytest.raises(ValueError):
        parse_percent("150%")
