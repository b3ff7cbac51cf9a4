"""The bd_infrastructure harvester through ckanext-harvest, in process, on the test databases,
Solr core and Redis: BTS station registers (CSV in WGS84, XLSX in VN-2000, GeoJSON, a paged
ArcGIS FeatureServer query) and the per-commune network table, served over HTTP on
127.0.0.1 from the SAMPLE files that harvesters/samples/make_infrastructure_samples.py makes."""
from __future__ import annotations

import csv
import io
import json
import logging

import pytest
from ckan import model
from ckan.lib import uploader
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject

from ckanext.binhduong import places
from ckanext.binhduong.harvesters import geo
from ckanext.binhduong.harvesters.samples import make_infrastructure_samples as samples

from local_server import free_port

from .harvest_support import Source, gather_errors, object_errors, statuses




def _plugins() -> str:
    configured = toolkit.config.get("ckan.plugins") or []
    names = configured.split() if isinstance(configured, str) else list(configured)
    wanted = ["bd_infrastructure", "bd_map_view"]
    return " ".join([name for name in names if name not in wanted] + wanted)


pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", _plugins()),
    pytest.mark.ckan_config("ckanext.binhduong.harvest_allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.binhduong.harvest_timeout_seconds", "5"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]

STATIONS = "tram-bts-binh-duong"
SUMMARY = "ha-tang-so-theo-xa-phuong"
CSV_SOURCE = "ha-tang/mau-tram-bts.wgs84.csv"
XLSX_SOURCE = "ha-tang/mau-tram-bts.vn2000.xlsx"
GEOJSON_SOURCE = "ha-tang/mau-tram-bts.geojson"
COVERAGE_SOURCE = "ha-tang/mau-ha-tang-mang-theo-xa.csv"
ARCGIS_PATH = "arcgis/rest/services/HaTang/TramBTS/FeatureServer/0/query"
SAMPLE_ROWS = samples.stations()
COVERAGE_ROWS = samples.coverage()


@pytest.fixture
def served(sample_server):
    """The sample files under /ha-tang/ (made once per session into the server's folder)."""
    folder = sample_server.root / "ha-tang"
    if not folder.exists():
        for name, data in samples.files().items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return sample_server


@pytest.fixture
def publisher():
    return factories.Organization(name="so-thong-tin-va-truyen-thong", title="Sở Thông tin và Truyền thông tỉnh Bình Dương",
                                  email="stttt@binhduong.gov.vn")


@pytest.fixture
def make_source(sysadmin, publisher):
    return Source.maker(sysadmin, publisher, "bd_infrastructure", "nguon-ha-tang", "Danh sách trạm BTS (mẫu)")


def dataset(name: str) -> dict:
    return call_action("package_show", id=name)


def resource(package: dict, fmt: str) -> dict:
    found = [r for r in package["resources"] if r["format"].upper() == fmt.upper()]
    assert len(found) == 1, [r["format"] for r in package["resources"]]
    return found[0]


def file_of(res: dict) -> bytes:
    with open(uploader.get_resource_uploader(dict(res)).get_path(res["id"]), "rb") as handle:
        return handle.read()


def csv_rows(package: dict) -> list[dict]:
    return list(csv.DictReader(io.StringIO(file_of(resource(package, "CSV")).decode("utf-8"))))


def activities(name: str) -> int:
    from ckanext.activity.model import Activity

    return model.Session.query(Activity).filter(Activity.object_id == dataset(name)["id"]).count()


def map_views(package: dict) -> list[dict]:
    return call_action("resource_view_list", id=resource(package, "GeoJSON")["id"])


def snapshot(name: str) -> dict:
    package = dataset(name)
    return {"metadata_modified": package["metadata_modified"], "activities": activities(name),
            "resources": [(r["id"], r.get("last_modified"), r.get("sha256"), file_of(r)) for r in package["resources"]]}


def expected_valid(arcgis: bool = False) -> list[dict]:
    return [s for s in SAMPLE_ROWS if s["code"] and samples.is_valid(s, arcgis)]


# ---------------------------------------------------------------------------------------
# Publishing

def test_the_plugin_is_a_registered_harvester():
    info = queue.get_harvester("bd_infrastructure").info()
    assert info["name"] == "bd_infrastructure" and "Hạ tầng số" in info["title"]


def test_a_wgs84_csv_register_publishes_stations_with_a_map_and_the_commune_summary(served, make_source, publisher):
    source = make_source(served.url(CSV_SOURCE), {"coverage": {"url": served.url(COVERAGE_SOURCE)}})
    job = source.run()

    assert gather_errors(job) == []
    assert statuses(job) == {"stations": "added", "summary": "added"}
    stations = dataset(STATIONS)
    assert stations["title"] == "Trạm thu phát sóng di động (BTS) tỉnh Bình Dương"
    assert stations["owner_org"] == publisher["id"] and stations["theme"] == ["TECH"]
    assert {r["format"] for r in stations["resources"]} == {"CSV", "GEOJSON"}

    rows = csv_rows(stations)
    assert len(rows) == len([s for s in SAMPLE_ROWS if s["code"]])  # the row without a code is skipped
    valid = expected_valid()
    assert sum(r["hop_le"] == "true" for r in rows) == len(valid)
    by_code = {}
    for row in rows:
        by_code.setdefault(row["ma_tram"], []).append(row)
    for station in SAMPLE_ROWS:
        if not station["code"] or station["problem"] == "duplicate":
            continue
        row = by_code[station["code"]][0]
        assert (row["hop_le"] == "true") == samples.is_valid(station), (station, row)
        if station["problem"] is None:
            assert row["doanh_nghiep"] == station["operator"]
            assert row["ma_xa"] == station["commune_code"]
            assert row["ma_huyen"] == station["district_code"]
            assert abs(float(row["kinh_do"]) - station["lon"]) < 1e-6 and abs(float(row["vi_do"]) - station["lat"]) < 1e-6
            assert (row["dung_chung"] == "true") == station["shared"]
    problem = {s["problem"]: s for s in SAMPLE_ROWS if s["problem"]}
    swapped = by_code[problem["swapped"]["code"]][0]
    assert "vĩ độ và kinh độ bị đảo chỗ" in swapped["loi"]
    assert (float(swapped["kinh_do"]), float(swapped["vi_do"])) == (problem["swapped"]["lon"], problem["swapped"]["lat"])
    assert "nằm ngoài khung bao tỉnh Bình Dương" in by_code[problem["outside"]["code"]][0]["loi"]
    assert [r["hop_le"] for r in by_code[problem["duplicate"]["code"]]] == ["true", "false"]
    assert "không nhận ra" in by_code[problem["operator"]["code"]][0]["loi"]
    assert by_code[problem["commune"]["code"]][0]["hop_le"] == "true"  # only a note: the point is known

    # Every flagged station is reported on the harvest object, by code, in both languages.
    errors = "\n".join(object_errors(job))
    for kind, text in (("outside", "nằm ngoài khung bao tỉnh Bình Dương"), ("swapped", "bị đảo chỗ"),
                       ("duplicate", "mã trạm trùng"), ("operator", "Công ty Viễn thông ABC"),
                       ("no_coordinates", "không có tọa độ")):
        assert f"Trạm {problem[kind]['code']}: " in errors and text in errors, kind
    assert "Dòng không có mã trạm" in errors and "[EN]" in errors

    # The GeoJSON has the valid stations only, as WGS84 points; the extent is their box.
    collection = json.loads(file_of(resource(stations, "GeoJSON")))
    assert collection["type"] == "FeatureCollection"
    mapped = {f["properties"]["ma_tram"]: f["geometry"]["coordinates"] for f in collection["features"]}
    assert set(mapped) == {s["code"] for s in valid}
    assert all(f["properties"]["hop_le"] is True for f in collection["features"])
    bbox = geo.province_bbox()
    assert all(geo.inside(lon, lat, bbox) for lon, lat in mapped.values())
    spatial = json.loads(stations["spatial"])
    ring = spatial["coordinates"][0]
    assert ring[0][0] < min(lon for lon, _ in mapped.values()) and ring[2][1] > max(lat for _, lat in mapped.values())

    # The map view is on the GeoJSON resource.
    views = map_views(stations)
    assert [v["view_type"] for v in views].count("bd_map") == 1

    # The summary: the province, 9 districts, 91 communes, valid stations only.
    summary = csv_rows(dataset(SUMMARY))
    assert [r["cap"] for r in summary].count("xã") == 91 and [r["cap"] for r in summary].count("huyện") == 9
    province = summary[0]
    assert (province["cap"], province["ma_dvhc"]) == ("tỉnh", "74")
    assert int(province["so_tram"]) == len(valid)
    assert int(province["tram_viettel"]) == sum(s["operator"] == "Viettel" for s in valid)
    shared = sum(s["shared"] for s in valid)
    assert int(province["tram_dung_chung"]) == shared
    assert float(province["ty_le_dung_chung"]) == round(100 * shared / len(valid), 1)
    assert float(province["chi_tieu_dung_chung"]) == 30
    assert province["dat_chi_tieu_dung_chung"] == ("true" if 100 * shared / len(valid) >= 30 else "false")
    communes = {r["ma_dvhc"]: r for r in summary if r["cap"] == "xã"}
    for code in {s["commune_code"] for s in valid if s["commune_code"]}:
        assert int(communes[code]["so_tram"]) == sum(s["commune_code"] == code for s in valid)
    # The station whose commune is unknown counts in its district, not in a commune.
    districts = {r["ma_dvhc"]: r for r in summary if r["cap"] == "huyện"}
    for code, row in districts.items():
        assert int(row["so_tram"]) == sum(s["district_code"] == code for s in valid)
    # Coverage: every commune connected or not, the lowest bandwidth against 100 Mbps.
    connected = sum(r["network"] == "Đã kết nối" for r in COVERAGE_ROWS)
    assert int(province["so_xa_ket_noi_tslcd"]) == connected and int(province["so_xa"]) == 91
    assert province["dat_chi_tieu_tslcd"] == "false"  # the sample has unconnected communes and 50 Mbps links
    first = COVERAGE_ROWS[0]
    assert int(communes[first["code"]]["so_khu_pho_ap"]) == first["hamlets"]
    assert "chỉ tiêu 30%" in dataset(SUMMARY)["notes"]
    assert "Xã Không Có Thật" in "\n".join(object_errors(job))


def test_a_vn2000_workbook_is_reprojected_and_its_coverage_sheet_read(served, make_source, publisher):
    job = make_source(served.url(XLSX_SOURCE)).run()

    assert gather_errors(job) == []
    rows = {r["ma_tram"]: r for r in csv_rows(dataset(STATIONS)) if r["hop_le"] == "true"}
    assert set(rows) == {s["code"] for s in expected_valid()}
    for station in expected_valid():
        row = rows[station["code"]]
        # Grid metres rounded to the centimetre come back within a few centimetres.
        assert abs(float(row["kinh_do"]) - station["lon"]) < 2e-6, station
        assert abs(float(row["vi_do"]) - station["lat"]) < 2e-6, station
        assert row["he_toa_do_nguon"] == ("EPSG:4326" if station["problem"] == "swapped" else "EPSG:9210")
    notes = dataset(STATIONS)["notes"]
    assert "EPSG:9210" in notes and "05/2007/QĐ-BTNMT" in notes
    province = csv_rows(dataset(SUMMARY))[0]
    assert int(province["so_xa_ket_noi_tslcd"]) == sum(r["network"] == "Đã kết nối" for r in COVERAGE_ROWS)


def test_a_geojson_register(served, make_source, publisher):
    job = make_source(served.url(GEOJSON_SOURCE)).run()

    assert gather_errors(job) == []
    assert statuses(job) == {"stations": "added", "summary": "added"}
    rows = csv_rows(dataset(STATIONS))
    assert {r["ma_tram"] for r in rows if r["hop_le"] == "true"} == {s["code"] for s in expected_valid()}
    assert "bị đảo chỗ" in "\n".join(object_errors(job))
    # Without a coverage table the summary has the stations and empty coverage columns.
    province = csv_rows(dataset(SUMMARY))[0]
    assert int(province["so_tram"]) == len(expected_valid()) and province["so_xa_ket_noi_tslcd"] == ""


def test_a_paged_arcgis_feature_service(served, make_source, publisher):
    features = samples.arcgis_features(SAMPLE_ROWS)
    url = served.put_feature_service(ARCGIS_PATH, lambda offset, count: samples.arcgis_page(features, offset, count),
                                     len(features), max_count=25)
    job = make_source(url + "?where=1%3D1&outFields=*&f=json").run()

    assert gather_errors(job) == []
    pages = [r for r in served.requests if r.startswith("/" + ARCGIS_PATH)]
    assert len(pages) == 3 and "resultOffset=50" in pages[-1]
    rows = csv_rows(dataset(STATIONS))
    assert {r["ma_tram"] for r in rows if r["hop_le"] == "true"} == {s["code"] for s in expected_valid(arcgis=True)}
    for station in expected_valid(arcgis=True):
        row = next(r for r in rows if r["ma_tram"] == station["code"])
        assert abs(float(row["kinh_do"]) - station["lon"]) < 2e-6 and row["he_toa_do_nguon"] == "EPSG:9210"


@pytest.mark.ckan_config("ckan.views.default_views", "datatables_view")
def test_without_the_map_view_plugin_the_stations_are_published_without_a_view(served, make_source, publisher):
    from ckan import plugins

    warnings: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = warnings.append
    logger = logging.getLogger("ckanext.binhduong.harvesters.infrastructure")
    # The ini's logging config (fileConfig) disables loggers that existed before it ran.
    was_disabled, logger.disabled = logger.disabled, False
    logger.addHandler(handler)
    plugins.unload("bd_map_view")
    try:
        assert not plugins.plugin_loaded("bd_map_view")
        job = make_source(served.url(GEOJSON_SOURCE)).run()
    finally:
        plugins.load("bd_map_view")
        logger.removeHandler(handler)
        logger.disabled = was_disabled

    assert statuses(job) == {"stations": "added", "summary": "added"}
    assert map_views(dataset(STATIONS)) == []
    assert any("Plugin bd_map_view is not loaded: no map view added" in r.getMessage() for r in warnings)


# ---------------------------------------------------------------------------------------
# Re-runs and changes

def test_a_second_run_changes_nothing_and_adds_no_second_map_view(served, make_source, publisher):
    source = make_source(served.url(XLSX_SOURCE))
    source.run()
    before = {name: snapshot(name) for name in (STATIONS, SUMMARY)}

    job = source.run()

    assert statuses(job) == {"stations": "not modified", "summary": "not modified"}
    assert {name: snapshot(name) for name in (STATIONS, SUMMARY)} == before
    assert [v["view_type"] for v in map_views(dataset(STATIONS))].count("bd_map") == 1


def test_a_changed_station_updates_the_datasets_in_place(served, make_source, publisher):
    rows = [dict(r) for r in SAMPLE_ROWS]
    url = served.put("nguon/tram.csv", samples.stations_csv(rows))
    source = make_source(url)
    source.run()
    before, activities_before = dataset(STATIONS), activities(STATIONS)

    changed = next(r for r in rows if r["problem"] is None and r["operator"] != "MobiFone")
    changed.update(operator_written="MobiFone", operator="MobiFone")
    served.put("nguon/tram.csv", samples.stations_csv(rows))
    job = source.run()

    assert statuses(job) == {"stations": "updated", "summary": "updated"}
    after = dataset(STATIONS)
    assert after["id"] == before["id"]
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in before["resources"]]
    assert next(r for r in csv_rows(after) if r["ma_tram"] == changed["code"])["doanh_nghiep"] == "MobiFone"
    assert activities(STATIONS) == activities_before + 1  # one "changed package"; the view is not made again
    assert [v["view_type"] for v in map_views(after)].count("bd_map") == 1


def test_a_truncated_register_is_not_taken_for_removed_stations(served, make_source, publisher):
    url = served.put("nguon/tram.csv", samples.stations_csv(SAMPLE_ROWS))
    source = make_source(url)
    source.run()
    before = snapshot(STATIONS)

    served.put("nguon/tram.csv", samples.stations_csv(SAMPLE_ROWS[:12]))
    job = source.run()

    errors = gather_errors(job)
    assert any("Nguồn chỉ còn" in e and "trạm hợp lệ" in e for e in errors), errors
    assert snapshot(STATIONS) == before


def test_a_coverage_table_that_cannot_be_read_keeps_the_summary(served, make_source, publisher):
    source = make_source(served.url(CSV_SOURCE), {"coverage": {"url": served.url(COVERAGE_SOURCE)}})
    source.run()
    summary_before = snapshot(SUMMARY)

    served.put(COVERAGE_SOURCE, b"<html><body>Bao tri</body></html>", "text/html", status=503)
    job = source.run()

    errors = "\n".join(gather_errors(job))
    assert "bảng tổng hợp theo xã chưa được cập nhật" in errors
    assert statuses(job) == {"stations": "not modified"}
    assert snapshot(SUMMARY) == summary_before


# ---------------------------------------------------------------------------------------
# Bad sources

@pytest.mark.parametrize("break_source, message", [
    ("refused", "Không kết nối được tới máy chủ nguồn"),
    ("404", "Không tìm thấy dữ liệu tại"),
    ("html", "trả về một trang web (HTML) thay vì dữ liệu"),
    ("garbage", "tệp nhị phân không đọc được"),
    ("arcgis error", "Máy chủ ArcGIS"),
    ("arcgis empty page", "trả về trang rỗng nhưng báo còn dữ liệu"),
    ("bad geojson", "không có danh sách “features”"),
])
def test_a_broken_source_records_a_vietnamese_error_and_keeps_the_datasets(
        break_source, message, served, make_source, publisher):
    url = served.put("nguon/tram.csv", samples.stations_csv(SAMPLE_ROWS))
    source = make_source(url)
    source.run()
    before = {name: snapshot(name) for name in (STATIONS, SUMMARY)}

    if break_source == "refused":
        source.set_url(f"http://127.0.0.1:{free_port()}/tram.csv")
    elif break_source == "404":
        served.put("nguon/tram.csv", b"<html><body>Not Found</body></html>", "text/html", status=404)
    elif break_source == "html":
        served.put("nguon/tram.csv", "<!DOCTYPE html><html><body>Đang bảo trì</body></html>".encode(), "text/html")
    elif break_source == "garbage":
        served.put("nguon/tram.csv", bytes(range(256)) * 20)
    elif break_source == "arcgis error":
        served.put("nguon/tram.csv", json.dumps({"error": {"code": 400, "message": "Invalid query parameters",
                                                           "details": ["'where' parameter is invalid"]}}).encode(),
                   "application/json")
    elif break_source == "arcgis empty page":
        source.set_url(served.put_feature_service(
            ARCGIS_PATH, lambda offset, count: {**samples.arcgis_page(samples.arcgis_features(SAMPLE_ROWS), 0, 25),
                                                **({"features": []} if offset else {})}, 60, 25))
    else:
        served.put("nguon/tram.csv", json.dumps({"type": "FeatureCollection", "features": None}).encode(),
                   "application/geo+json")
    job = source.run()

    errors = gather_errors(job)
    assert errors and message in errors[0], errors
    assert "[EN]" in errors[0]
    assert model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id).count() == 0
    assert {name: snapshot(name) for name in (STATIONS, SUMMARY)} == before


def test_a_bad_config_is_refused_when_the_source_is_created(served, sysadmin, publisher):
    with pytest.raises(toolkit.ValidationError) as raised:
        call_action("harvest_source_create", context={"user": sysadmin["name"]}, name="nguon-loi",
                    url=served.url(CSV_SOURCE), source_type="bd_infrastructure", owner_org=publisher["id"],
                    config=json.dumps({"crs": "VN-1999", "max_removed_share": 3, "summary": {"titel": "x"}}))
    message = str(raised.value.error_dict["config"])
    assert "Không nhận ra hệ tọa độ “VN-1999”" in message and "EPSG:9210" in message
    assert "“max_removed_share” phải trong khoảng (0, 1]" in message
    assert "summary.titel" in message


def test_the_configured_crs_applies_to_a_register_without_one(served, make_source, publisher):
    """A CSV of grid metres whose columns say nothing of the system: the config names it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã trạm", "Doanh nghiệp", "Xã", "Huyện", "Công nghệ", "X", "Y"])
    for station in expected_valid()[:25]:
        easting, northing = samples._to_vn2000(station["lon"], station["lat"])
        writer.writerow([station["code"], station["operator_written"], station["commune"], station["district"],
                         "4G", f"{northing:.2f}", f"{easting:.2f}"])
    url = served.put("nguon/toa-do-phang.csv", buffer.getvalue().encode())
    make_source(url, {"crs": "EPSG:9210"}).run()
    rows = {r["ma_tram"]: r for r in csv_rows(dataset(STATIONS))}
    for station in expected_valid()[:25]:
        assert abs(float(rows[station["code"]]["vi_do"]) - station["lat"]) < 2e-6
        assert rows[station["code"]]["hop_le"] == "true"
    unit = places.get_unit(expected_valid()[0]["commune_code"])
    assert rows[expected_valid()[0]["code"]]["xa_phuong"] == unit.name
