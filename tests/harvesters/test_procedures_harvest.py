"""The bd_procedures harvester through ckanext-harvest, in process, on the test databases,
Solr core and Redis: gather → fetch → import as the queue consumers run them, against sample
sources served over HTTP on 127.0.0.1."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os

import pytest
from ckan import model
from ckan.lib import uploader
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.binhduong.harvesters import base
from ckanext.binhduong.harvesters.procedures import ABOLISHED, ACTIVE, ProceduresHarvester
from ckanext.binhduong.harvesters.samples import make_samples

from local_server import free_port

from .harvest_support import Source, gather_errors, object_errors, plugins_with, statuses


PLUGINS = plugins_with("bd_procedures")

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckanext.binhduong.harvest_allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.binhduong.harvest_timeout_seconds", "5"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]

CATALOGUE = "danh-muc-thu-tuc-hanh-chinh"
STATISTICS = "tinh-hinh-giai-quyet-ho-so-tthc"
XLSX = "mau-thu-tuc-hanh-chinh.xlsx"
CSV_UTF8 = "mau-thu-tuc-hanh-chinh.utf8-bom.csv"
STATS_CSV = "mau-tinh-hinh-giai-quyet.csv"
TODAY = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date().isoformat()


# ---------------------------------------------------------------------------------------
# Helpers

@pytest.fixture
def publisher():
    """The agency that owns the harvest source: its email is the datasets' contact point."""
    return factories.Organization(name="van-phong-ubnd-tinh", title="Văn phòng Ủy ban nhân dân tỉnh Bình Dương",
                                  email="vanphong@binhduong.gov.vn")


@pytest.fixture
def agencies():
    """Two agencies of the sample data have organizations on the portal."""
    return {
        "so-tu-phap": factories.Organization(name="so-tu-phap", title="Sở Tư pháp tỉnh Bình Dương"),
        "so-ke-hoach-va-dau-tu": factories.Organization(name="so-ke-hoach-va-dau-tu", title="Sở Kế hoạch và Đầu tư"),
    }


@pytest.fixture
def make_source(sysadmin, publisher):
    def make(url: str, config: dict | None = None, owner_org: str | None = None) -> Source:
        return Source.create(sysadmin, owner_org or publisher["id"], url, "bd_procedures", config,
                             name_prefix="nguon-tthc", title="Hệ thống thông tin giải quyết TTHC (mẫu)")
    return make


def dataset(name: str) -> dict:
    return call_action("package_show", id=name)


def resource(package: dict, fmt: str) -> dict:
    found = [r for r in package["resources"] if r["format"] == fmt]
    assert len(found) == 1, [r["format"] for r in package["resources"]]
    return found[0]


def file_of(res: dict) -> bytes:
    path = uploader.get_resource_uploader(dict(res)).get_path(res["id"])
    with open(path, "rb") as handle:
        return handle.read()


def csv_rows(package: dict) -> list[dict]:
    return list(csv.DictReader(io.StringIO(file_of(resource(package, "CSV")).decode("utf-8"))))


def activities(name: str) -> int:
    # Counted in the table: the activity stream hides the site user's activities.
    from ckanext.activity.model import Activity

    return model.Session.query(Activity).filter(Activity.object_id == dataset(name)["id"]).count()


def snapshot(name: str) -> dict:
    package = dataset(name)
    return {
        "metadata_modified": package["metadata_modified"],
        "activities": activities(name),
        "resources": [(r["id"], r.get("last_modified"), r.get("sha256"), file_of(r)) for r in package["resources"]],
    }


def stored_files() -> set[str]:
    """Our published files in the file store (other test runs may share the store)."""
    storage = os.path.join(toolkit.config["ckan.storage_path"], "resources")
    found = set()
    for folder, _, names in os.walk(storage):
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                head = handle.read(64)
            if head.startswith(b"ma_tthc,") or b'"ma_tthc"' in head:
                found.add(os.path.join(folder, name))
    return found


def served_csv(rows: list[dict], **kwargs) -> bytes:
    return make_samples.procedures_csv(rows, "utf-8-sig", **kwargs)


# ---------------------------------------------------------------------------------------
# First run, re-runs, changes

def test_the_plugin_is_a_registered_harvester():
    harvester = queue.get_harvester("bd_procedures")
    assert harvester.info()["name"] == "bd_procedures"
    assert "Thủ tục hành chính" in harvester.info()["title"]


def test_first_run_publishes_both_datasets_from_an_xlsx_workbook(sample_server, make_source, agencies, publisher):
    source = make_source(sample_server.url(XLSX))
    job = source.run()

    assert gather_errors(job) == []
    assert statuses(job) == {"procedures": "added", "statistics": "added"}

    catalogue = dataset(CATALOGUE)
    assert catalogue["title"] == "Danh mục thủ tục hành chính"
    assert catalogue["owner_org"] == publisher["id"]
    assert catalogue["author"] == "Văn phòng Ủy ban nhân dân tỉnh Bình Dương"
    assert catalogue["contact"][0]["email"] == "vanphong@binhduong.gov.vn"
    assert catalogue["theme"] == ["GOVE"] and catalogue["spatial_units"] == ["74"]
    assert catalogue["license_id"] == "CC-BY-4.0" and catalogue["frequency"] == "MONTHLY"
    assert catalogue["issued"] == catalogue["modified"] == TODAY
    assert sample_server.url(XLSX) in catalogue["provenance"]
    current = model.Session.query(HarvestObject).filter_by(package_id=catalogue["id"], current=True).one()
    assert current.extras[0].value in catalogue["provenance"]
    assert "**20** thủ tục đang áp dụng" in catalogue["notes"]
    assert {r["format"] for r in catalogue["resources"]} == {"CSV", "JSON"}
    assert all(r["url_type"] == "upload" for r in catalogue["resources"])

    rows = {row["ma_tthc"]: row for row in csv_rows(catalogue)}
    assert len(rows) == 20
    # Excel stored "2.001610" as 2.00161; the title and one agency were typed in .VnTime.
    assert rows["2.001610"]["co_quan_thuc_hien"] == "Sở Kế hoạch và Đầu tư"
    assert rows["2.001610"]["to_chuc"] == "so-ke-hoach-va-dau-tu"
    assert rows["2.000488"]["to_chuc"] == "so-tu-phap"
    assert rows["2.000488"]["to_chuc_url"].endswith("/organization/so-tu-phap")
    assert rows["2.000908"]["cap_thuc_hien"] == "huyện; xã"
    assert rows["1.001193"]["muc_do_dvc"] == "toàn trình"
    assert rows["1.009972"]["so_ngay_giai_quyet"] == "15"
    assert rows["1.004227"]["can_cu_phap_ly"] == "Luật Đất đai năm 2013; Nghị định số 43/2014/NĐ-CP"
    assert {row["trang_thai"] for row in rows.values()} == {ACTIVE}
    records = json.loads(file_of(resource(catalogue, "JSON")))
    assert len(records) == 20 and records[0]["ma_tthc"] == min(rows)

    figures = dataset(STATISTICS)
    assert figures["title"] == "Tình hình giải quyết hồ sơ TTHC"
    assert (figures["temporal_start"], figures["temporal_end"]) == ("2024-01-01", "2024-06-30")
    stats = csv_rows(figures)
    assert len(stats) == 30  # 6 months × 5 agencies; the "Tổng cộng" row is not an agency
    expected = make_samples.statistics()[0]
    first = next(r for r in stats if r["thang"] == "2024-01" and r["co_quan"] == expected["agency"])
    assert int(first["tiep_nhan"]) == expected["received"]
    assert float(first["ty_le_truc_tuyen"]) == round(100 * expected["online"] / expected["received"], 1)
    assert float(first["ty_le_dung_han"]) == round(
        100 * expected["on_time"] / (expected["on_time"] + expected["late"]), 1)


def test_a_job_gathered_by_two_processes_is_gathered_once(sample_server, make_source, publisher):
    """`ckan harvester run-test` gathers in its own process a job it also puts on the gather
    queue; whichever comes second finds the work done."""
    source = make_source(sample_server.url(XLSX))
    job_dict = call_action("harvest_job_create", context={"user": source.sysadmin["name"]}, source_id=source.id,
                           run=False)
    job = HarvestJob.get(job_dict["id"])
    harvester = queue.get_harvester("bd_procedures")
    first = queue.gather_stage(harvester, job)
    second = queue.gather_stage(harvester, job)
    assert len(first) == 2 and second == []
    assert model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id).count() == 2


def test_the_csv_resources_are_sent_to_the_datastore_loader(sample_server, make_source, publisher):
    make_source(sample_server.url(XLSX)).run()
    for name in (CATALOGUE, STATISTICS):
        csv_resource = resource(dataset(name), "CSV")
        task = call_action("task_status_show", entity_id=csv_resource["id"], task_type="xloader", key="xloader")
        assert task["state"] == "pending"


def test_a_second_run_on_an_unchanged_source_changes_nothing(sample_server, make_source, publisher):
    source = make_source(sample_server.url(XLSX))
    source.run()
    before = {name: snapshot(name) for name in (CATALOGUE, STATISTICS)}

    job = source.run()

    assert statuses(job) == {"procedures": "not modified", "statistics": "not modified"}
    assert {name: snapshot(name) for name in (CATALOGUE, STATISTICS)} == before
    # The repeated object does not keep a second copy of the data.
    repeated = model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id).all()
    assert all(json.loads(obj.content)["unchanged"] for obj in repeated)


def test_a_changed_row_updates_only_its_dataset_in_place(sample_server, make_source, publisher):
    rows = make_samples.procedures()
    url = sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source = make_source(url, {"statistics": {"url": sample_server.url(STATS_CSV)}})
    source.run()
    catalogue_before, figures_before = dataset(CATALOGUE), snapshot(STATISTICS)

    rows[3] = {**rows[3], "Tên thủ tục": "Cấp Phiếu lý lịch tư pháp (tên mới)"}
    sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    job = source.run()

    assert statuses(job) == {"procedures": "updated", "statistics": "not modified"}
    catalogue = dataset(CATALOGUE)
    assert catalogue["id"] == catalogue_before["id"]
    assert catalogue["metadata_modified"] > catalogue_before["metadata_modified"]
    assert [r["id"] for r in catalogue["resources"]] == [r["id"] for r in catalogue_before["resources"]]
    assert catalogue["identifier"] == catalogue_before["identifier"]
    names = {row["ma_tthc"]: row["ten_thu_tuc"] for row in csv_rows(catalogue)}
    assert names[rows[3]["Mã TTHC"]] == "Cấp Phiếu lý lịch tư pháp (tên mới)"
    assert snapshot(STATISTICS) == figures_before
    assert activities(CATALOGUE) == 2


def test_what_others_added_to_a_harvested_dataset_is_kept_on_update(sample_server, make_source, publisher, sysadmin):
    rows = make_samples.procedures()
    url = sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source = make_source(url, {"statistics": {"enabled": False}})
    source.run()
    context = {"user": sysadmin["name"]}
    csv_id = resource(dataset(CATALOGUE), "CSV")["id"]
    call_action("resource_patch", context=dict(context), id=csv_id, status="COMPLETED")
    call_action("package_patch", context=dict(context), id=CATALOGUE, maintainer="Phòng Kiểm soát TTHC")
    call_action("resource_create", context=dict(context), package_id=CATALOGUE, name="Hướng dẫn sử dụng",
                url="https://binhduong.gov.vn/huong-dan.pdf", format="PDF")

    rows[0] = {**rows[0], "Tên thủ tục": "Đăng ký khai sinh (sửa)"}
    sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source.run()

    catalogue = dataset(CATALOGUE)
    assert catalogue["maintainer"] == "Phòng Kiểm soát TTHC"
    assert resource(catalogue, "CSV")["status"] == "COMPLETED"
    assert [r["format"] for r in catalogue["resources"]] == ["CSV", "JSON", "PDF"]
    assert "Đăng ký khai sinh (sửa)" in {row["ten_thu_tuc"] for row in csv_rows(catalogue)}


def test_a_procedure_gone_from_the_source_is_kept_as_abolished(sample_server, make_source, publisher):
    rows = make_samples.procedures()
    url = sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source = make_source(url, {"statistics": {"enabled": False}})
    source.run()

    gone = rows.pop(5)
    sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source.run()

    published = {row["ma_tthc"]: row for row in csv_rows(dataset(CATALOGUE))}
    assert len(published) == 20
    assert published[gone["Mã TTHC"]]["trang_thai"] == ABOLISHED
    assert published[gone["Mã TTHC"]]["ngay_bai_bo"] == TODAY
    assert published[gone["Mã TTHC"]]["ten_thu_tuc"] == gone["Tên thủ tục"]
    assert "1 thủ tục đã bãi bỏ" in dataset(CATALOGUE)["notes"]

    # Abolished stays abolished, with the same date: the next run is a no-op.
    job = source.run()
    assert statuses(job) == {"procedures": "not modified"}

    # And a procedure that comes back is in force again.
    rows.insert(5, gone)
    sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source.run()
    back = {row["ma_tthc"]: row for row in csv_rows(dataset(CATALOGUE))}[gone["Mã TTHC"]]
    assert (back["trang_thai"], back["ngay_bai_bo"]) == (ACTIVE, "")


def test_a_truncated_export_is_not_taken_for_a_mass_abolition(sample_server, make_source, publisher):
    rows = make_samples.procedures()
    url = sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source = make_source(url, {"statistics": {"enabled": False}})
    source.run()
    before = snapshot(CATALOGUE)

    sample_server.put("nguon/thu-tuc.csv", served_csv(rows[:5]))
    job = source.run()

    errors = gather_errors(job)
    assert len(errors) == 1 and "Nguồn chỉ còn 5 trong số 20 thủ tục" in errors[0]
    assert snapshot(CATALOGUE) == before


def test_a_deleted_dataset_is_restored_by_the_next_run(sample_server, make_source, publisher, sysadmin):
    source = make_source(sample_server.url(CSV_UTF8), {"statistics": {"enabled": False}})
    source.run()
    catalogue = dataset(CATALOGUE)
    call_action("package_delete", context={"user": sysadmin["name"]}, id=CATALOGUE)

    job = source.run()

    assert statuses(job) == {"procedures": "updated"}
    restored = dataset(CATALOGUE)
    assert (restored["id"], restored["state"]) == (catalogue["id"], "active")
    assert [r["id"] for r in restored["resources"]] == [r["id"] for r in catalogue["resources"]]


def test_statistics_months_no_longer_exported_are_kept(sample_server, make_source, publisher):
    all_rows = make_samples.statistics()
    url = sample_server.put("nguon/thong-ke.csv", make_samples.statistics_csv(all_rows[:15]))
    source = make_source(sample_server.url(CSV_UTF8), {"statistics": {"url": url}})
    source.run()
    # The next export covers later months only.
    sample_server.put("nguon/thong-ke.csv", make_samples.statistics_csv(all_rows[15:]))
    source.run()

    figures = dataset(STATISTICS)
    assert len(csv_rows(figures)) == 30
    assert (figures["temporal_start"], figures["temporal_end"]) == ("2024-01-01", "2024-06-30")


# ---------------------------------------------------------------------------------------
# Formats and encodings through the whole harvest

def test_a_paged_json_api(sample_server, make_source, publisher):
    source = make_source(sample_server.url("api/mau-thu-tuc-hanh-chinh-trang-1.json"), {
        "statistics": {"url": sample_server.url("api/mau-tinh-hinh-giai-quyet-trang.json?page=1")}})
    job = source.run()

    assert gather_errors(job) == []
    rows = {row["ma_tthc"]: row for row in csv_rows(dataset(CATALOGUE))}
    assert len(rows) == 20
    assert rows["1.004227"]["can_cu_phap_ly"] == "Luật Đất đai năm 2013; Nghị định số 43/2014/NĐ-CP"
    assert len(csv_rows(dataset(STATISTICS))) == 30
    assert "/api/mau-tinh-hinh-giai-quyet-trang.json?page=3" in sample_server.requests


@pytest.mark.parametrize("sample", ["mau-thu-tuc-hanh-chinh.tcvn3.csv", "mau-thu-tuc-hanh-chinh.vni.csv",
                                    "mau-thu-tuc-hanh-chinh.windows-1258.csv"])
def test_legacy_encoded_csv_is_detected_and_published_in_unicode(sample, sample_server, make_source, publisher):
    source = make_source(sample_server.url(sample), {"statistics": {"url": sample_server.url(STATS_CSV)}})
    job = source.run()

    assert gather_errors(job) == []
    expected = {row["Mã TTHC"]: row for row in make_samples.procedures()}
    published = csv_rows(dataset(CATALOGUE))
    assert len(published) == 20
    for row in published:
        assert row["ten_thu_tuc"] == expected[row["ma_tthc"]]["Tên thủ tục"]
        assert row["linh_vuc"] == expected[row["ma_tthc"]]["Lĩnh vực"]


def test_the_encoding_can_be_set_in_the_config(sample_server, make_source, publisher):
    source = make_source(sample_server.url("mau-thu-tuc-hanh-chinh.tcvn3.csv"),
                         {"encoding": "tcvn3", "statistics": {"enabled": False}})
    source.run()
    assert csv_rows(dataset(CATALOGUE))[0]["ten_thu_tuc"] == "Cấp giấy phép lao động cho người lao động nước " \
                                                             "ngoài làm việc tại Việt Nam"


# ---------------------------------------------------------------------------------------
# Bad input: clear errors, nothing published is lost

def test_row_problems_are_reported_on_the_dataset_and_valid_rows_published(sample_server, make_source, publisher,
                                                                          agencies):
    source = make_source(sample_server.url("mau-thu-tuc-hanh-chinh.loi.csv"), {"statistics": {"enabled": False}})
    job = source.run()

    assert statuses(job) == {"procedures": "added"}
    errors = "\n".join(object_errors(job))
    assert "Mã TTHC 1.001193 xuất hiện 2 lần; giữ dòng đầu tiên" in errors
    assert "Dòng không có mã TTHC, đã bỏ qua (dòng 10)" in errors
    assert "Mã TTHC không đúng dạng (vd. 1.004227): “BD-285177”" in errors
    assert "Cơ quan “Phòng Quản lý đô thị mẫu”" in errors and "chưa ứng với tổ chức nào" in errors
    assert "Cấp thực hiện không nhận ra" in errors and "“Trung ương”" in errors
    assert "Mức độ dịch vụ công không nhận ra" in errors and "“Mức độ 9”" in errors
    assert "có cột không nhận ra, đã bỏ qua: “Mã QR”" in errors
    assert "[EN]" in errors  # the English text travels with it, for whoever reads the logs
    codes = [row["ma_tthc"] for row in csv_rows(dataset(CATALOGUE))]
    assert len(codes) == 7 and "1.999001" in codes


def test_an_object_delivered_to_the_fetch_stage_twice_is_processed_once(sample_server, make_source, publisher,
                                                                          agencies):
    """harvest_jobs_run re-queues objects it cannot see in Redis, so a consumer can be handed
    an object again: its problems are not recorded twice and the dataset is not rewritten."""
    source = make_source(sample_server.url("mau-thu-tuc-hanh-chinh.loi.csv"), {"statistics": {"enabled": False}})
    job = source.run()
    errors_before = object_errors(job)
    assert errors_before and statuses(job) == {"procedures": "added"}
    before = snapshot(CATALOGUE)

    harvester = queue.get_harvester("bd_procedures")
    for obj in model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job.id).all():
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj.id))
    model.Session.remove()

    job = HarvestJob.get(job.id)
    assert sorted(object_errors(job)) == sorted(errors_before)
    assert statuses(job) == {"procedures": "added"}
    assert snapshot(CATALOGUE) == before


def test_agencies_mapped_in_the_config_are_linked_or_silenced(sample_server, make_source, publisher, agencies):
    source = make_source(sample_server.url("mau-thu-tuc-hanh-chinh.loi.csv"), {
        "statistics": {"enabled": False},
        "agency_map": {"Phòng Quản lý đô thị mẫu": "so-tu-phap", "UBND cấp xã": "", "UBND cấp huyện": ""}})
    job = source.run()
    assert "chưa ứng với tổ chức nào" not in "\n".join(object_errors(job))
    rows = {row["ma_tthc"]: row for row in csv_rows(dataset(CATALOGUE))}
    assert rows["1.999001"]["to_chuc"] == "so-tu-phap"


@pytest.mark.parametrize("break_source, message", [
    ("refused", "Không kết nối được tới máy chủ nguồn"),
    ("404", "Không tìm thấy dữ liệu tại"),
    ("html", "trả về một trang web (HTML) thay vì dữ liệu"),
    ("truncated", "bị hỏng hoặc không tải về trọn vẹn"),
    ("garbage", "tệp nhị phân không đọc được"),
    ("no code column", "thiếu cột bắt buộc “Mã TTHC”"),
])
def test_a_broken_source_records_a_vietnamese_error_and_keeps_the_datasets(
        break_source, message, sample_server, make_source, publisher):
    source = make_source(sample_server.url(XLSX))
    source.run()
    before = {name: snapshot(name) for name in (CATALOGUE, STATISTICS)}

    workbook = (sample_server.root / XLSX).read_bytes()
    if break_source == "refused":
        source.set_url(f"http://127.0.0.1:{free_port()}/{XLSX}")
    elif break_source == "404":
        sample_server.put(XLSX, b"<html><body>Not Found</body></html>", "text/html", status=404)
    elif break_source == "html":
        sample_server.put(XLSX, "<!DOCTYPE html><html><body>Hệ thống đang bảo trì</body></html>".encode(), "text/html")
    elif break_source == "truncated":
        sample_server.put(XLSX, workbook[: len(workbook) // 2])
    elif break_source == "garbage":
        sample_server.put(XLSX, bytes(range(256)) * 20)
    else:
        csv_text = served_csv(make_samples.procedures()).decode("utf-8-sig").replace("Mã TTHC", "Số hiệu")
        source.set_url(sample_server.put("nguon/khong-ma.csv", csv_text.encode()))
    job = source.run()

    errors = gather_errors(job)
    assert errors and message in errors[0], errors
    assert "[EN]" in errors[0]
    assert model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id).count() == 0
    assert {name: snapshot(name) for name in (CATALOGUE, STATISTICS)} == before
    assert call_action("package_search", q="*:*")["count"] == 2


def test_a_private_address_is_refused_without_the_allow_list(sample_server, make_source, publisher):
    source = make_source(sample_server.url(XLSX))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(toolkit.config, "ckanext.binhduong.harvest_allow_private_addresses", False)
        job = source.run()
    errors = gather_errors(job)
    assert errors and "địa chỉ nội bộ hoặc dành riêng (127.0.0.1)" in errors[0]
    assert call_action("package_search", q="*:*")["count"] == 0
    assert sample_server.requests == []


def test_a_dataset_the_schema_refuses_is_not_changed(sample_server, make_source, publisher, monkeypatch):
    rows = make_samples.procedures()
    url = sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source = make_source(url, {"statistics": {"enabled": False}})
    source.run()
    before = snapshot(CATALOGUE)

    rows[0] = {**rows[0], "Tên thủ tục": "Đăng ký khai sinh (sửa)"}
    sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    monkeypatch.setattr(ProceduresHarvester, "_procedures_notes", staticmethod(lambda published: ""))
    job = source.run()

    assert statuses(job) == {"procedures": "errored"}
    errors = "\n".join(object_errors(job))
    assert "không đạt lược đồ siêu dữ liệu của cổng nên chưa được cập nhật" in errors and "notes" in errors
    assert snapshot(CATALOGUE) == before


def test_a_failure_while_writing_leaves_the_published_dataset_and_the_next_run_completes(
        sample_server, make_source, publisher, monkeypatch):
    rows = make_samples.procedures()
    url = sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    source = make_source(url, {"statistics": {"enabled": False}})
    source.run()
    before = snapshot(CATALOGUE)

    rows[0] = {**rows[0], "Tên thủ tục": "Đăng ký khai sinh (sửa)"}
    sample_server.put("nguon/thu-tuc.csv", served_csv(rows))
    real_get_action = toolkit.get_action

    def failing(name):
        if name == "package_update":
            def update(context, data):
                raise RuntimeError("worker killed during package_update")
            return update
        return real_get_action(name)

    monkeypatch.setattr(base.toolkit, "get_action", failing)
    job = source.run()
    monkeypatch.setattr(base.toolkit, "get_action", real_get_action)

    assert statuses(job) == {"procedures": "errored"}
    assert "bản đang công bố được giữ nguyên" in "\n".join(object_errors(job))
    assert snapshot(CATALOGUE) == before  # files included: the overwritten ones were put back

    job = source.run()
    assert statuses(job) == {"procedures": "updated"}
    assert "Đăng ký khai sinh (sửa)" in {row["ten_thu_tuc"] for row in csv_rows(dataset(CATALOGUE))}


def test_a_failure_while_creating_leaves_no_dataset(sample_server, make_source, publisher, monkeypatch):
    source = make_source(sample_server.url(CSV_UTF8), {"statistics": {"enabled": False}})
    real_get_action = toolkit.get_action

    def failing(name):
        if name == "package_create":
            def create(context, data):
                raise RuntimeError("worker killed during package_create")
            return create
        return real_get_action(name)

    stored_before = stored_files()
    monkeypatch.setattr(base.toolkit, "get_action", failing)
    job = source.run()
    monkeypatch.setattr(base.toolkit, "get_action", real_get_action)

    assert statuses(job) == {"procedures": "errored"}
    assert model.Session.query(model.Package).filter_by(type="dataset").count() == 0
    assert model.Session.query(HarvestObject).filter_by(current=True).count() == 0
    assert stored_files() == stored_before  # the files written for the new resources were removed
    job = source.run()
    assert statuses(job) == {"procedures": "added"}
    assert len(csv_rows(dataset(CATALOGUE))) == 20


# ---------------------------------------------------------------------------------------
# Source config

def test_a_bad_config_is_refused_when_the_source_is_created(sample_server, sysadmin, publisher):
    with pytest.raises(toolkit.ValidationError) as raised:
        call_action("harvest_source_create", context={"user": sysadmin["name"]}, name="nguon-loi",
                    url=sample_server.url(XLSX), source_type="bd_procedures", owner_org=publisher["id"],
                    config=json.dumps({"encodng": "tcvn3", "frequency": "HOURLY_", "statistics": {"format": "pdf"}}))
    message = str(raised.value.error_dict["config"])
    assert "Không có tùy chọn “encodng”. Có phải ý bạn là “encoding”?" in message
    assert "Tần suất “HOURLY_” không có trong danh mục" in message
    assert "“statistics.format” phải là một trong: auto, csv, xlsx, json." in message


def test_settings_from_the_config_reach_the_metadata(sample_server, make_source, publisher, agencies):
    source = make_source(sample_server.url(XLSX), {
        "contact": {"name": "Phòng Kiểm soát TTHC", "email": "kstthc@binhduong.gov.vn"},
        "author": "Văn phòng UBND tỉnh", "theme": ["GOVE", "ECON"], "spatial_units": ["74", "718"],
        "procedures": {"name": "thu-tuc-hanh-chinh-binh-duong", "title": "Thủ tục hành chính tỉnh Bình Dương",
                       "frequency": "WEEKLY"},
        "owner_org": "so-tu-phap"})
    source.run()
    catalogue = dataset("thu-tuc-hanh-chinh-binh-duong")
    assert catalogue["title"] == "Thủ tục hành chính tỉnh Bình Dương"
    assert catalogue["frequency"] == "WEEKLY"
    assert catalogue["contact"][0]["email"] == "kstthc@binhduong.gov.vn"
    assert catalogue["theme"] == ["GOVE", "ECON"] and catalogue["spatial_units"] == ["74", "718"]
    assert catalogue["owner_org"] == agencies["so-tu-phap"]["id"]
    assert dataset(STATISTICS)["frequency"] == "MONTHLY"


def test_a_source_without_contact_point_is_reported(sample_server, make_source, sysadmin):
    quiet = factories.Organization(name="co-quan-chua-co-email")
    source = make_source(sample_server.url(XLSX), owner_org=quiet["id"])
    job = source.run()
    errors = gather_errors(job)
    assert errors and "Thiếu đầu mối liên hệ" in errors[0]
    assert call_action("package_search", q="*:*")["count"] == 0
