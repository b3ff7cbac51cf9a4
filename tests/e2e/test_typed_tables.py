"""Typed DataStore tables on the running portal: a publisher's CSV written the Vietnamese
way ("1.430" students, "95,5" per cent, "01/07/2025") is loaded by xloader through the jobs
worker, and its columns become numbers and dates (datastore_types.py): sorting and
filtering are right in the API and in the table preview (datatables_view's own ajax
endpoint, which the preview's table calls), and the publisher edits the data dictionary
in Vietnamese."""
from __future__ import annotations

import io
import uuid

import pytest
import requests
from bs4 import BeautifulSoup

from bd_factories import valid_dataset
from portal_datastore import wait_for_load
from portal_session import csrf_token, log_in

CSV = (
    "ma_truong,ten_truong,so_hoc_sinh,ty_le_dat,ngay_cap_nhat\n"
    "0101,Trường Tiểu học Phú Cường,980,\"95,5\",01/07/2025\n"
    "0102,Trường Tiểu học Hiệp Thành,870,\"88,0\",15/06/2025\n"
    "0103,Trường Tiểu học Chánh Nghĩa,1.430,\"91,2\",02/01/2025\n"
    "0104,Trường Tiểu học Phú Hòa,1.250,-,20/12/2024\n"
    "0105,Trường Tiểu học Định Hòa,1.105,90,05/03/2025\n"
)
BY_STUDENTS_DESC = ["0103", "0104", "0105", "0101", "0102"]


@pytest.fixture(scope="module")
def school_table(portal_api):
    suffix = uuid.uuid4().hex[:8]
    organization = portal_api.action.organization_create(name=f"bang-kieu-{suffix}", title="Kiểm thử bảng có kiểu")
    name = f"bang-kieu-{suffix}"
    try:
        dataset = portal_api.action.package_create(**valid_dataset(
            organization["id"], name=name, title="Số học sinh tiểu học (dữ liệu mẫu)"))
        resource = portal_api.action.resource_create(
            package_id=dataset["id"], name="Số học sinh (dữ liệu mẫu)",
            upload=("so-hoc-sinh.csv", io.BytesIO(CSV.encode("utf-8"))))
        status = wait_for_load(portal_api, resource["id"])
        assert status.get("status") == "complete", status
        yield {"dataset": dataset, "resource": resource}
    finally:
        if any(d["name"] == name for d in portal_api.action.package_search(
                q=f"name:{name}", include_private=True, include_drafts=True)["results"]):
            portal_api.action.dataset_purge(id=name)
        portal_api.action.organization_purge(id=organization["id"])


def _codes(records) -> list[str]:
    return [record["ma_truong"] for record in records]


def test_uploaded_columns_get_number_and_date_types(anonymous_api, school_table):
    info = anonymous_api.action.datastore_info(id=school_table["resource"]["id"])
    types = {field["id"]: field["type"] for field in info["fields"]}
    assert types == {"ma_truong": "text", "ten_truong": "text", "so_hoc_sinh": "int4",
                     "ty_le_dat": "numeric", "ngay_cap_nhat": "date"}


def test_datastore_search_sorts_and_filters_by_number_and_date(anonymous_api, school_table):
    search = anonymous_api.action.datastore_search
    resource_id = school_table["resource"]["id"]
    rows = search(resource_id=resource_id, sort="so_hoc_sinh desc")["records"]
    assert [row["so_hoc_sinh"] for row in rows] == [1430, 1250, 1105, 980, 870]
    assert _codes(rows) == BY_STUDENTS_DESC  # codes keep their leading zero
    assert [row["ty_le_dat"] for row in rows] == [91.2, None, 90, 95.5, 88]  # "-" is no value
    rows = search(resource_id=resource_id, sort="ngay_cap_nhat")["records"]
    assert [row["ngay_cap_nhat"][:10] for row in rows] == [
        "2024-12-20", "2025-01-02", "2025-03-05", "2025-06-15", "2025-07-01"]
    assert _codes(search(resource_id=resource_id, filters={"so_hoc_sinh": 1430})["records"]) == ["0103"]
    assert _codes(search(resource_id=resource_id, filters={"ngay_cap_nhat": "2025-07-01"})["records"]) == ["0101"]


def test_table_preview_sorts_and_filters_by_number(portal_url, anonymous_api, school_table):
    """What the preview's table asks its server for when a citizen clicks a column head."""
    resource_id = school_table["resource"]["id"]
    views = anonymous_api.action.resource_view_list(id=resource_id)
    view = next(v for v in views if v["view_type"] == "datatables_view")
    columns = [f["id"] for f in anonymous_api.action.datastore_search(resource_id=resource_id, limit=0)["fields"]]
    session = requests.Session()
    page = session.get(f"{portal_url}/dataset/{school_table['dataset']['name']}/resource/{resource_id}", timeout=30)
    assert page.status_code == 200

    def ask(**extra):
        form = {"draw": "1", "search[value]": "", "start": "0", "length": "10", **extra}
        for index, column in enumerate(columns):
            form[f"columns[{index}][name]"] = column
            form[f"columns[{index}][search][value]"] = ""
        answer = session.post(f"{portal_url}/datatables/ajax/{view['id']}", data=form, timeout=30,
                              headers={"X-CSRFToken": csrf_token(page.text)})
        assert answer.status_code == 200, answer.text[:300]
        return answer.json()["data"]

    rows = ask(**{"order[0][column]": str(columns.index("so_hoc_sinh")), "order[0][dir]": "desc"})
    assert [row["so_hoc_sinh"] for row in rows] == ["1430", "1250", "1105", "980", "870"]
    rows = ask(**{"order[0][column]": str(columns.index("ngay_cap_nhat")), "order[0][dir]": "asc"})
    assert [row["ma_truong"] for row in rows] == ["0104", "0103", "0105", "0102", "0101"]
    url_filter = {"filters": "so_hoc_sinh:1430"}
    answer = session.post(f"{portal_url}/datatables/ajax/{view['id']}", params=url_filter, timeout=30,
                          headers={"X-CSRFToken": csrf_token(page.text)},
                          data={"draw": "1", "search[value]": "", "start": "0", "length": "10"})
    assert answer.status_code == 200, answer.text[:300]
    assert [row["ma_truong"] for row in answer.json()["data"]] == ["0103"]


def test_publisher_edits_the_data_dictionary_in_vietnamese(portal_url, sysadmin_password, anonymous_api,
                                                           school_table):
    dataset, resource = school_table["dataset"], school_table["resource"]
    session = log_in(portal_url, "quantri", sysadmin_password)
    url = f"{portal_url}/dataset/{dataset['name']}/dictionary/{resource['id']}"
    page = session.get(url, timeout=30)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    text = soup.get_text(" ")
    assert "Từ điển dữ liệu" in text and "Nhãn" in text and "Mô tả" in text, text[:500]
    assert "Kiểu dữ liệu của cột" in text and "Số nguyên (int4)" in text, text[:500]
    form = {"_csrf_token": csrf_token(page.text)}
    for field in soup.select("input[name^='info__'], textarea[name^='info__']"):
        form[field["name"]] = ""
    for select in soup.select("select[name$='__type_override']"):
        offered = [option["value"] for option in select.select("option")]
        assert offered == ["", "text", "int4", "numeric", "date", "timestamp"], offered
        chosen = select.select_one("option[selected]")
        form[select["name"]] = chosen["value"] if chosen else ""
    position = 1 + [f["id"] for f in anonymous_api.action.datastore_info(id=resource["id"])["fields"]
                    if f["id"] != "_id"].index("so_hoc_sinh")
    form[f"info__{position}__label"] = "Số học sinh"
    form[f"info__{position}__notes"] = "Số học sinh đang theo học, đầu năm học"
    answer = session.post(url, data={**form, "save": ""}, timeout=30)
    assert answer.status_code == 200, answer.status_code
    fields = {f["id"]: f for f in anonymous_api.action.datastore_info(id=resource["id"])["fields"]}
    assert fields["so_hoc_sinh"]["info"]["label"] == "Số học sinh"
    assert fields["so_hoc_sinh"]["info"]["notes"] == "Số học sinh đang theo học, đầu năm học"
    assert fields["so_hoc_sinh"]["type"] == "int4"  # saving the dictionary keeps the types
