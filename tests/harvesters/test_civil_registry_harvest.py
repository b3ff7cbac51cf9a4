"""The bd_civil_registry harvester through ckanext-harvest, in process, on the test databases,
Solr core and Redis, against synthetic SAMPLE exports served over HTTP on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from ckan import model
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject, HarvestSource

from ckanext.binhduong.harvesters import encodings
from ckanext.binhduong.harvesters.civil_registry import CivilRegistryHarvester
from ckanext.binhduong.harvesters.samples import make_civil_registry_samples as samples

from .civil_registry_support import DATASET, HARVESTER, activities, csv_rows, dataset, plugins, snapshot
from .harvest_support import gather_errors, object_errors, statuses
from local_server import free_port

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", plugins()),
    pytest.mark.ckan_config("ckanext.binhduong.harvest_allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.binhduong.harvest_timeout_seconds", "5"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]

RECORDS = samples.records()
K = 5


def _expected(records, k=K):
    """Province and commune totals per (month, event) counted here, from the generator's truth."""
    def event(wording: str) -> str:
        w = wording.lower()
        return ("dang_ky_lai" if "lại" in w else "xac_nhan_hon_nhan" if "tình trạng hôn nhân" in w
                else "khai_sinh" if "khai sinh" in w else "khai_tu" if "khai tử" in w else "ket_hon" if "kết hôn" in w
                else "nhan_cha_me_con" if "nhận cha" in w else "thay_doi_cai_chinh" if "cải chính" in w
                else "giam_ho" if "giám hộ" in w else "?")
    province, commune = Counter(), Counter()
    for row in records:
        day, month, year = row["Ngày đăng ký"].split("/")
        key = (f"{year}-{month}", event(row["Loại việc hộ tịch"]))
        province[key] += 1
        commune[(*key, row["_ma_xa"])] += 1
    return province, commune


def test_the_plugin_is_a_registered_harvester():
    harvester = queue.get_harvester(HARVESTER)
    assert isinstance(harvester, CivilRegistryHarvester)
    assert "hộ tịch" in harvester.info()["title"]


def test_first_run_publishes_counts_with_totals_and_small_counts_hidden(sample_server, make_source, registry_office):
    url = sample_server.put("ho-tich/mau.csv", samples.events_csv(RECORDS))
    job = make_source(url).run()

    assert gather_errors(job) == []
    assert statuses(job) == {"events": "added"}
    package = dataset()
    assert package["owner_org"] == registry_office["id"]
    assert package["theme"] == ["SOCI", "GOVE"]
    assert package["spatial_units"] == ["74", "718"]  # the sample's 12 communes are all in Thủ Dầu Một
    assert (package["temporal_start"], package["temporal_end"]) == ("2024-01-01", "2024-06-30")
    assert package["frequency"] == "MONTHLY" and package["license_id"] == "CC-BY-4.0"
    assert f"Tổng hợp từ {len(RECORDS)} việc đăng ký" in package["notes"]
    assert [r["format"] for r in package["resources"]] == ["CSV"]

    rows = csv_rows(package)
    province, commune = _expected(RECORDS)
    published = {(r["thang"], r["loai_viec"], r["ma_don_vi"], r["gioi_tinh"]): r for r in rows}
    for (month, event), count in province.items():
        row = published[(month, event, "74", "tong")]
        assert row["bi_an"] == "true" if count < K else row["so_luong"] == str(count)
    for (month, event, code), count in commune.items():
        row = published[(month, event, code, "tong")]
        if row["bi_an"] == "false":
            assert int(row["so_luong"]) == count >= K
    for row in rows:
        assert (row["bi_an"], row["so_luong"] == "") in (("true", True), ("false", False))
        if row["so_luong"]:
            assert int(row["so_luong"]) >= K
    assert {r["cap"] for r in rows} == {"tinh", "huyen", "xa"}
    assert any(r["bi_an"] == "true" for r in rows) and any(r["bi_an"] == "false" for r in rows)
    assert set(rows[0]) == {"thang", "ban_do", "cap", "ma_don_vi", "ten_don_vi", "ma_huyen", "ma_don_vi_moi",
                            "ten_don_vi_moi", "chuyen_doi", "loai_viec", "ten_loai_viec", "gioi_tinh", "so_luong",
                            "bi_an"}
    assert {r["ban_do"] for r in rows} == {"cu"}  # 2024 only: the legacy map

    resource = package["resources"][0]
    task = call_action("task_status_show", entity_id=resource["id"], task_type="xloader", key="xloader")
    assert task["state"] == "pending"


def test_an_xlsx_export_gives_the_same_table(sample_server, make_source, registry_office):
    url = sample_server.put("ho-tich/mau.xlsx", samples.events_xlsx(RECORDS),
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    job = make_source(url).run()
    assert gather_errors(job) == []
    from_xlsx = csv_rows(dataset())
    call_action("dataset_purge", id=DATASET)

    url = sample_server.put("ho-tich/mau.csv", samples.events_csv(RECORDS))
    make_source(url).run()
    assert csv_rows(dataset()) == from_xlsx


def test_a_legacy_encoded_export_is_read(sample_server, make_source, registry_office):
    text = samples.events_csv(RECORDS).decode("utf-8-sig")
    url = sample_server.put("ho-tich/tcvn3.csv", encodings.encode_vietnamese(text, "tcvn3"))
    job = make_source(url).run()
    assert gather_errors(job) == []
    names = {r["ten_don_vi"] for r in csv_rows(dataset())}
    assert "Phường Phú Cường" in names


def test_a_second_run_on_an_unchanged_source_changes_nothing(sample_server, make_source, registry_office):
    url = sample_server.put("ho-tich/mau.csv", samples.events_csv(RECORDS))
    source = make_source(url)
    source.run()
    before = snapshot()

    job = source.run()

    assert statuses(job) == {"events": "not modified"}
    assert snapshot() == before
    repeated = model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id).one()
    assert json.loads(repeated.content)["unchanged"]


def test_an_unchanged_export_is_not_read_again_but_a_changed_setting_recomputes(sample_server, make_source,
                                                                             registry_office, monkeypatch):
    url = sample_server.put("ho-tich/mau.csv", samples.events_csv(RECORDS + samples.problem_rows()))
    source = make_source(url)
    source.run()
    reads = []
    real_read = CivilRegistryHarvester._read
    monkeypatch.setattr(CivilRegistryHarvester, "_read", staticmethod(lambda export: reads.append(1) or
                                                                     real_read(export)))
    job = source.run()
    assert statuses(job) == {"events": "not modified"} and reads == []
    assert "Xã Tân Mộng Mơ" in "\n".join(object_errors(job))  # the row problems are reported again

    harvest_source = HarvestSource.get(source.id)
    harvest_source.config = json.dumps({"min_count": 10})
    harvest_source.save()
    job = source.run()
    assert statuses(job) == {"events": "updated"} and reads == [1]
    assert all(int(r["so_luong"]) >= 10 for r in csv_rows(dataset()) if r["so_luong"])


def test_a_deleted_dataset_is_restored_by_the_next_run(sample_server, make_source, registry_office, sysadmin):
    url = sample_server.put("ho-tich/mau.csv", samples.events_csv(RECORDS))
    source = make_source(url)
    source.run()
    before = dataset()
    call_action("package_delete", context={"user": sysadmin["name"]}, id=DATASET)

    job = source.run()

    assert statuses(job) == {"events": "updated"}
    restored = dataset()
    assert (restored["id"], restored["state"]) == (before["id"], "active")
    assert [r["id"] for r in restored["resources"]] == [r["id"] for r in before["resources"]]


def test_new_records_update_the_dataset_in_place(sample_server, make_source, registry_office):
    url = sample_server.put("ho-tich/mau.csv", samples.events_csv(RECORDS))
    source = make_source(url)
    source.run()
    before = dataset()

    more = samples.records(60, start=(2024, 7), months=1, seed=9)
    sample_server.put("ho-tich/mau.csv", samples.events_csv(RECORDS + more))
    job = source.run()

    assert statuses(job) == {"events": "updated"}
    after = dataset()
    assert after["id"] == before["id"] and after["identifier"] == before["identifier"]
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in before["resources"]]
    assert after["temporal_end"] == "2024-07-31"
    assert "2024-07" in {r["thang"] for r in csv_rows(after)}
    assert activities() == 2


def test_problem_rows_are_reported_without_personal_values_and_still_counted(sample_server, make_source,
                                                                             registry_office):
    rows = RECORDS[:50] + samples.problem_rows()
    url = sample_server.put("ho-tich/loi.csv", samples.events_csv(rows))
    job = make_source(url).run()

    assert statuses(job) == {"events": "added"}
    errors = "\n".join(object_errors(job))
    assert "Nơi đăng ký “Xã Tân Mộng Mơ (Thành phố Thủ Dầu Một)” không xác định được xã" in errors
    assert "(1 bản ghi)" in errors
    assert "1 bản ghi có ngày đăng ký không đọc được" in errors and "(dòng 54)" in errors
    assert "Loại việc “Đăng ký việc nuôi con nuôi” không nhận ra" in errors
    assert "có giới tính không nhận ra" in errors
    assert "không giống tên xã/phường (không hiển thị" in errors and "(dòng 57)" in errors
    assert "[EN]" in errors
    for row in rows:
        for column in ("Họ và tên", "Số định danh cá nhân", "Họ tên cha", "Họ tên mẹ", "Nơi cư trú", "Ngày sinh"):
            assert row[column] not in errors
    published = csv_rows(dataset())
    unknown = [r for r in published if r["ma_don_vi"] in ("718-KXD", "74-KXD")]
    assert {r["ma_don_vi"] for r in unknown} == {"718-KXD"}  # the shifted name row has its district column
    province = sum(int(r["so_luong"] or 0) for r in published if r["cap"] == "tinh" and r["gioi_tinh"] == "tong")
    hidden = [r for r in published if r["cap"] == "tinh" and r["gioi_tinh"] == "tong" and r["bi_an"] == "true"]
    assert province <= len(rows) - 1 and (hidden or province == len(rows) - 1)  # all but the bad date


@pytest.mark.parametrize("break_source, message", [
    ("refused", "Không kết nối được tới máy chủ nguồn"),
    ("404", "Không tìm thấy dữ liệu tại"),
    ("html", "trả về một trang web (HTML) thay vì dữ liệu"),
    ("truncated", "bị hỏng hoặc không tải về trọn vẹn"),
    ("garbage", "tệp nhị phân không đọc được"),
    ("no place column", "thiếu cột bắt buộc “Nơi đăng ký”"),
    ("json", "không phải tệp CSV hoặc XLSX"),
])
def test_a_broken_source_records_a_vietnamese_error_and_keeps_the_dataset(
        break_source, message, sample_server, make_source, registry_office):
    workbook = samples.events_xlsx(RECORDS)
    url = sample_server.put("ho-tich/mau.xlsx", workbook, "application/octet-stream")
    source = make_source(url)
    source.run()
    before = snapshot()

    if break_source == "refused":
        source.set_url(f"http://127.0.0.1:{free_port()}/mau.xlsx")
    elif break_source == "404":
        sample_server.put("ho-tich/mau.xlsx", b"<html><body>Not Found</body></html>", "text/html", status=404)
    elif break_source == "html":
        sample_server.put("ho-tich/mau.xlsx", "<!DOCTYPE html><html><body>Bảo trì</body></html>".encode(), "text/html")
    elif break_source == "truncated":
        sample_server.put("ho-tich/mau.xlsx", workbook[: len(workbook) // 2])
    elif break_source == "garbage":
        sample_server.put("ho-tich/mau.xlsx", bytes(range(256)) * 20)
    elif break_source == "json":
        sample_server.put("ho-tich/mau.xlsx", json.dumps([{"a": 1}]).encode(), "application/json")
    else:
        text = samples.events_csv(RECORDS).decode("utf-8-sig").replace("Nơi đăng ký", "Ghi chú")
        source.set_url(sample_server.put("ho-tich/khong-noi.csv", text.encode()))
    job = source.run()

    errors = gather_errors(job)
    assert errors and message in errors[0], errors
    assert "[EN]" in errors[0]
    assert model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id).count() == 0
    assert snapshot() == before
    for row in RECORDS:
        assert row["Họ và tên"] not in errors[0] and row["Số định danh cá nhân"] not in errors[0]


def test_a_bad_config_is_refused(sample_server, sysadmin, registry_office):
    with pytest.raises(toolkit.ValidationError) as raised:
        call_action("harvest_source_create", context={"user": sysadmin["name"]}, name="nguon-ho-tich-loi",
                    url=sample_server.url("mau.csv"), source_type=HARVESTER, owner_org=registry_office["id"],
                    config=json.dumps({"min_count": 1, "event_map": {"Nuôi con nuôi": "con_nuoi"}}))
    message = str(raised.value.error_dict["config"])
    assert "“min_count” phải là số nguyên từ 2 đến 100" in message
    assert "“event_map”: “Nuôi con nuôi” phải ứng với một mã loại việc" in message


def test_a_higher_k_from_the_config_and_an_event_map(sample_server, make_source, registry_office):
    rows = RECORDS[:50] + samples.problem_rows()
    url = sample_server.put("ho-tich/loi.csv", samples.events_csv(rows))
    job = make_source(url, {"min_count": 10, "event_map": {"Đăng ký việc nuôi con nuôi": "khac"}}).run()
    assert "không nhận ra (1 bản ghi)" not in "\n".join(object_errors(job))
    published = csv_rows(dataset())
    assert all(int(r["so_luong"]) >= 10 for r in published if r["so_luong"])
    assert "Số từ 1 đến 9 được ẩn" in dataset()["notes"]


@pytest.mark.ckan_config("ckanext.binhduong.civil_registry_min_count", "8")
def test_the_portal_option_is_a_floor(sample_server, make_source, registry_office):
    url = sample_server.put("ho-tich/mau.csv", samples.events_csv(RECORDS))
    make_source(url, {"min_count": 3}).run()
    published = csv_rows(dataset())
    assert all(int(r["so_luong"]) >= 8 for r in published if r["so_luong"])


def test_commune_spellings_map_to_gso_codes(sample_server, make_source, registry_office):
    spellings = ["P. Phú Cường", "phuong phu cuong", "PHƯỜNG PHÚ CƯỜNG", "25747", "UBND phường Phú Cường",
                 "Phường Phú Cường"]
    rows = []
    for i in range(30):
        row = dict(RECORDS[i])
        row["Nơi đăng ký"] = spellings[i % len(spellings)]
        row["Ngày đăng ký"] = "05/03/2024"
        row["Loại việc hộ tịch"] = "Đăng ký khai sinh"
        rows.append(row)
    url = sample_server.put("ho-tich/ten.csv", samples.events_csv(rows))
    job = make_source(url).run()
    assert "không xác định được xã" not in "\n".join(object_errors(job))
    published = {(r["ma_don_vi"], r["gioi_tinh"]): r for r in csv_rows(dataset())}
    assert published[("25747", "tong")]["so_luong"] == "30"
    assert published[("718", "tong")]["so_luong"] == "30"
    assert published[("25747", "tong")]["ten_don_vi"] == "Phường Phú Cường"
    assert dt.date.fromisoformat(dataset()["temporal_start"]) == dt.date(2024, 3, 1)


def test_a_clerk_written_export_across_the_reform(sample_server, make_source, registry_office):
    """The committed export: places as clerks write them, events on both sides of 1/7/2025."""
    url = sample_server.put("ho-tich/noi-dang-ky.csv", samples.CLERK_FILE.read_bytes())
    job = make_source(url).run()
    assert statuses(job) == {"events": "added"}
    errors = "\n".join(object_errors(job))
    assert "Xã Tân Mộng Mơ" in errors  # what stays unknown is still listed, with its count
    rows = csv_rows(dataset())
    for row in rows:
        if row["thang"] >= "2025-07":
            assert row["ban_do"] == "moi" and row["ma_don_vi"].startswith("2025/") and row["cap"] != "huyen"
            assert row["ma_don_vi_moi"] == row["ma_don_vi"]
        else:
            assert row["ban_do"] == "cu" and not row["ma_don_vi"].startswith("2025/")
    unknown = sum(int(r["so_luong"] or 0) for r in rows if r["ma_don_vi"].endswith("-KXD") and r["gioi_tinh"] == "tong")
    assert unknown <= 0.01 * len(samples.clerk_records())
    # Phường Phú Cường's series continues as Phường Thủ Dầu Một.
    assert {r["ban_do"] for r in rows if r["ma_don_vi_moi"] == "2025/25747"} == {"cu", "moi"}
