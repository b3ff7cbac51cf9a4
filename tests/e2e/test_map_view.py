"""The map view (`bd_map`) in a real browser (Debian's Chromium driven by Playwright) on the
running portal: GeoJSON points and a DataStore table's lat/lon rows on a Leaflet map, popups
that show hostile values as text, and the messages for a resource without coordinates and
for data that cannot be loaded, in Vietnamese and on /en/. Every dataset and agency made here
is purged. Screenshots go to test-output/map/.

The sample points are commune centroids inside Bình Dương taken from the `vietnamadminunits`
package (the same ones as the starter catalogue's sample BTS list): sample data, not stations."""
from __future__ import annotations

import csv
import io
import json
import pathlib
import time
import uuid

import ckanapi
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from bd_factories import valid_dataset

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "map"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = '<script>window.bdMapPwned = 1</script><img src="x" onerror="window.bdMapPwned = 2">'
# (name, latitude, longitude): commune centroids from vietnamadminunits, all inside Bình Dương.
SAMPLE_POINTS = [("Phường Hiệp Thành, Thủ Dầu Một", 10.995089, 106.657617),
                 ("Phường Dĩ An, Dĩ An", 10.896464, 106.752820),
                 ("Phường Mỹ Phước, Bến Cát", 11.148853, 106.611447),
                 ("Thị trấn Dầu Tiếng, Dầu Tiếng", 11.267209, 106.367542)]
MESSAGES = {"vi": {"no_coordinates": "Tài nguyên này không có tọa độ để hiển thị trên bản đồ.",
                   "error": "Không tải được dữ liệu bản đồ."},
            "en": {"no_coordinates": "This resource has no coordinates that can be shown on a map.",
                   "error": "The map data could not be loaded."}}


def _feature_collection(points, **extra_properties) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"ten": name, "du_lieu_mau": "có", **extra_properties}}
        for name, lat, lon in points]}


def _upload(portal_api, dataset_id: str, name: str, data: dict) -> dict:
    body = io.BytesIO(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return portal_api.action.resource_create(package_id=dataset_id, name=name, format="GeoJSON",
                                             upload=(f"{name}.geojson", body))


def _csv(portal_api, dataset_id: str, name: str, text: str) -> dict:
    """An uploaded CSV, once xloader (through the jobs worker) has loaded it into the DataStore:
    its default views are created when loading ends, so the table view marks the end."""
    resource = portal_api.action.resource_create(package_id=dataset_id, name=name, format="CSV",
                                                 upload=(f"{name}.csv", io.BytesIO(text.encode("utf-8"))))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if "datatables_view" in _view_types(portal_api, resource):
            return portal_api.action.resource_show(id=resource["id"])
        try:
            status = portal_api.action.xloader_status(resource_id=resource["id"])
        except ckanapi.NotFound:
            status = {}
        if status.get("status") == "error":
            pytest.fail(f"{name}: xloader failed: {status.get('task_info')}")
        time.sleep(1)
    pytest.fail(f"{name}: not loaded into the DataStore within 120 s (is the jobs worker running?)")


def _csv_text(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def _view_types(portal_api, resource: dict) -> list[str]:
    return [view["view_type"] for view in portal_api.action.resource_view_list(id=resource["id"])]


def _map_view(portal_api, resource: dict) -> dict:
    existing = [view for view in portal_api.action.resource_view_list(id=resource["id"]) if view["view_type"] == "bd_map"]
    return existing[0] if existing else portal_api.action.resource_view_create(
        resource_id=resource["id"], view_type="bd_map", title="Bản đồ")


@pytest.fixture(scope="module")
def maps(portal_api):
    """One sample dataset with the resources the tests look at, purged afterwards."""
    suffix = uuid.uuid4().hex[:6]
    organization = portal_api.action.organization_create(name=f"so-ban-do-{suffix}",
                                                         title="Sở kiểm thử bản đồ (dữ liệu mẫu)")
    made = {"organization": organization}
    try:
        dataset = portal_api.action.package_create(**valid_dataset(
            organization["id"], name=f"ban-do-mau-{suffix}", title="Điểm mẫu trên bản đồ (dữ liệu mẫu)"))
        made["dataset"] = dataset
        made["geojson"] = _upload(portal_api, dataset["id"], "diem-mau", _feature_collection(SAMPLE_POINTS))
        made["hostile"] = _upload(portal_api, dataset["id"], "diem-doc-hai",
                                  _feature_collection(SAMPLE_POINTS[:1], ghi_chu=HOSTILE))
        made["empty"] = _upload(portal_api, dataset["id"], "khong-co-diem",
                                {"type": "FeatureCollection", "features": []})
        made["unreachable"] = portal_api.action.resource_create(
            package_id=dataset["id"], name="khong-tai-duoc", format="GeoJSON",
            url=f"{portal_api.address}/khong-co-tep-nay/diem.geojson")
        made["table"] = _csv(portal_api, dataset["id"], "bang-toa-do", _csv_text(
            ["ma_diem", "ten", "lat", "lon", "ghi_chu", "hop_le"],
            [[f"MAU-{index}", name, lat, lon, "dữ liệu mẫu", "true"]
             for index, (name, lat, lon) in enumerate(SAMPLE_POINTS[:3], 1)]
            + [["MAU-9", "Dòng thiếu tọa độ", "", "", "dữ liệu mẫu", "true"],
               # A row a harvester flagged (a point in Hà Nội): not drawn, counted.
               ["MAU-8", "Dòng bị đánh dấu lỗi", 21.0285, 105.8542, "dữ liệu mẫu", "false"]]))
        made["no_coordinates"] = _csv(portal_api, dataset["id"], "bang-khong-toa-do",
                                      "ma_xa,ten_xa,so_tram\n25741,Phường Hiệp Thành,12\n25747,Phường Phú Cường,9\n")
        made["views_of_plain_csv"] = _view_types(portal_api, made["no_coordinates"])
        for key in ("no_coordinates", "unreachable"):
            _map_view(portal_api, made[key])
        for key in ("geojson", "hostile", "empty", "unreachable", "table", "no_coordinates"):
            made[key]["map_view_id"] = next(view["id"] for view in portal_api.action.resource_view_list(
                id=made[key]["id"]) if view["view_type"] == "bd_map")
        yield made
    finally:
        if "dataset" in made:
            portal_api.action.dataset_purge(id=made["dataset"]["id"])
        portal_api.action.organization_purge(id=organization["id"])


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(locale="vi-VN", viewport={"width": 1280, "height": 1000})
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "data:")) else None)
    yield page
    page.close()
    assert not outside, f"the map page fetched from outside the portal: {outside}"


def _open(page: Page, portal_url: str, resource: dict, language: str = "") -> None:
    prefix = f"/{language}" if language else ""
    page.goto(f"{portal_url}{prefix}/dataset/{resource['package_id']}/resource/{resource['id']}"
              f"?view_id={resource['map_view_id']}")


def _wait_for_map(page: Page):
    view = page.locator(".bd-map-view")
    expect(view).to_have_attribute("data-state", "ready", timeout=15000)
    return view


def test_geojson_resource_gets_the_map_view_by_default(portal_api, maps):
    views = portal_api.action.resource_view_list(id=maps["geojson"]["id"])
    assert [view["view_type"] for view in views] == ["bd_map"]


def test_geojson_points_on_the_map_with_popups(page, portal_url, maps):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _open(page, portal_url, maps["geojson"])
    view = _wait_for_map(page)
    points = page.locator(".bd-map-view path.bd-map-point")
    expect(points).to_have_count(len(SAMPLE_POINTS))
    assert view.get_attribute("data-points") == str(len(SAMPLE_POINTS))
    # Fitted to the data: every point is inside the visible map.
    canvas = page.locator(".bd-map-canvas").bounding_box()
    for index in range(len(SAMPLE_POINTS)):
        box = points.nth(index).bounding_box()
        assert canvas["x"] <= box["x"] and box["x"] + box["width"] <= canvas["x"] + canvas["width"]
        assert canvas["y"] <= box["y"] and box["y"] + box["height"] <= canvas["y"] + canvas["height"]
    points.first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("du_lieu_mau")
    assert any(name in popup.inner_text() for name, _, _ in SAMPLE_POINTS)
    # No tile server is configured here: the province outlines shipped with the portal are the
    # background (no tiles), with their names, and the page says so.
    assert page.locator(".leaflet-tile").count() == 0
    assert page.locator("path.bd-map-province").count() >= 1
    expect(view.locator(".bd-map-place-name", has_text="Bình Dương")).to_have_count(1)
    expect(view).to_contain_text("ranh giới các tỉnh")
    # The rivers of the area (GSHHG, prepared at set-up), drawn under the points and credited.
    assert page.locator("path.bd-map-river").count() >= 5
    expect(view.locator(".leaflet-control-attribution")).to_contain_text("sông: GSHHG (LGPL)")
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=SCREENSHOTS / "1-geojson-popup.png", full_page=True)


def test_hostile_property_value_is_shown_as_text(page, portal_url, maps):
    _open(page, portal_url, maps["hostile"])
    _wait_for_map(page)
    page.locator(".bd-map-view path.bd-map-point").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(HOSTILE)
    assert popup.locator("script, img").count() == 0
    assert page.evaluate("window.bdMapPwned") is None
    page.wait_for_timeout(400)
    page.screenshot(path=SCREENSHOTS / "2-hostile-value-as-text.png", full_page=True)


def test_table_rows_with_latitude_and_longitude_on_the_map(page, portal_url, maps):
    _open(page, portal_url, maps["table"])
    view = _wait_for_map(page)
    expect(page.locator(".bd-map-view path.bd-map-point")).to_have_count(3)
    expect(view).to_contain_text("lat")
    expect(view).to_contain_text("Số dòng không có tọa độ hợp lệ, không hiển thị trên bản đồ: 1")
    expect(view).to_contain_text("Số dòng bị đánh dấu không hợp lệ ở cột hop_le, không hiển thị trên bản đồ: 1")
    page.locator(".bd-map-view path.bd-map-point").nth(1).click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("MAU-")
    expect(popup).to_contain_text("dữ liệu mẫu")
    assert "_id" not in popup.locator("th").all_inner_texts()
    page.wait_for_timeout(400)
    page.screenshot(path=SCREENSHOTS / "3-table-lat-lon.png", full_page=True)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_resource_without_coordinates_says_so(page, portal_url, maps, language):
    for key in ("no_coordinates", "empty"):
        _open(page, portal_url, maps[key], "" if language == "vi" else language)
        view = page.locator(".bd-map-view")
        expect(view).to_have_attribute("data-problem", "no_coordinates", timeout=15000)
        expect(view).to_contain_text(MESSAGES[language]["no_coordinates"])
        assert page.locator(".bd-map-view path.bd-map-point").count() == 0
    page.screenshot(path=SCREENSHOTS / f"4-no-coordinates-{language}.png", full_page=True)


def test_geojson_that_cannot_be_loaded_says_so(page, portal_url, maps):
    _open(page, portal_url, maps["unreachable"])
    view = page.locator(".bd-map-view")
    expect(view).to_have_attribute("data-problem", "error", timeout=15000)
    expect(view).to_contain_text(MESSAGES["vi"]["error"])
    expect(page.locator(".bd-map-canvas")).to_be_hidden()


def test_csv_with_coordinates_gets_its_map_view_once_loaded(portal_api, maps):
    """Added by the view's xloader hook (bd_map is a default view), exactly once; a CSV without
    coordinates gets none by itself."""
    assert sorted(_view_types(portal_api, maps["table"])) == ["bd_map", "datatables_view"]
    vietnamese_csv = _csv(portal_api, maps["dataset"]["id"], "tram-mau-vi-do-kinh-do", "ma_tram,vi_do,kinh_do\n" + "".join(
        f"MAU-{index},{lat},{lon}\n" for index, (_, lat, lon) in enumerate(SAMPLE_POINTS, 1)))
    assert sorted(_view_types(portal_api, vietnamese_csv)) == ["bd_map", "datatables_view"]
    assert maps["views_of_plain_csv"] == ["datatables_view"]


def test_starter_catalogue_bts_sample_is_on_the_map(page, portal_url, anonymous_api):
    """The seed's sample BTS list (vi_do/kinh_do columns) gets its map once xloader has loaded it."""
    seed_csv = ROOT / "seed_datasets" / "data" / "danh-muc-tram-bts-du-lieu-mau.csv"
    with seed_csv.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        stations = [row for row in reader if row["vi_do"] and row["kinh_do"]]
    resource = anonymous_api.action.package_show(id="danh-muc-tram-bts-du-lieu-mau")["resources"][0]
    deadline, views = time.monotonic() + 180, []
    while time.monotonic() < deadline:
        views = [view for view in anonymous_api.action.resource_view_list(id=resource["id"]) if view["view_type"] == "bd_map"]
        if views:
            break
        time.sleep(2)
    assert len(views) == 1, "the seed BTS list has no map view"
    _open(page, portal_url, {**resource, "map_view_id": views[0]["id"]})
    _wait_for_map(page)
    points = page.locator(".bd-map-view path.bd-map-point")
    expect(points).to_have_count(len(stations))
    points.first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("MAU-BTS-")
    # The popup lists the values in the table's column order, each under its Vietnamese label
    # (the data dictionary's, else the portal's label for a known column name: maps.py).
    from ckanext.binhduong.maps import COLUMN_LABELS
    assert page.locator(".leaflet-popup-content th").all_inner_texts() == [
        COLUMN_LABELS[name][0] if name in COLUMN_LABELS else name for name in reader.fieldnames]
    assert "Nhà mạng" in page.locator(".leaflet-popup-content th").all_inner_texts()
    page.wait_for_timeout(400)
    page.screenshot(path=SCREENSHOTS / "5-seed-bts-sample.png", full_page=True)
