"""Finding 7: a table upload the DataStore could not load is refused when it is made, with the
reason in the page's language, and nothing is created (upload_checks.py)."""
from __future__ import annotations

import io

import openpyxl
import pytest
import requests

from bd_factories import valid_dataset

GOOD_CSV = "ma_xa,ten_xa,so_tram\n25741,Phường Phú Cường,12\n".encode()


def _wide_workbook(columns: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([f"cot_{n}" for n in range(columns)])
    sheet.append(list(range(columns)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BAD_UPLOADS = {
    "empty": ("trong.csv", "CSV", b"", "trống"),
    "blank": ("khoang-trang.csv", "CSV", b"  \n\n ", "trống"),
    "header-only": ("chi-tieu-de.csv", "CSV", b"ma_xa,ten_xa\n", "chỉ có dòng tiêu đề"),
    "5000-columns": ("rong.csv", "CSV", (",".join(f"c{n}" for n in range(5000)) + "\n" +
                                        ",".join("1" for _ in range(5000)) + "\n").encode(), "5000 cột"),
    "pdf-as-csv": ("bao-cao.csv", "CSV", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    "xlsx-as-csv": ("bang.csv", "CSV", _wide_workbook(3), "ZIP/XLSX/DOCX"),
    "broken-xlsx": ("hong.xlsx", "XLSX", b"PK\x03\x04 not really a workbook", "XLSX"),
    "text-as-xlsx": ("bang.xlsx", "XLSX", GOOD_CSV, "XLSX"),
    "wide-xlsx": ("rong.xlsx", "XLSX", _wide_workbook(1200), "1200 cột"),
}


@pytest.fixture(scope="module")
def dataset(portal_api, agency_editor):
    return portal_api.action.package_create(**valid_dataset(agency_editor["organization"]["id"]))


def _upload(portal_url, token, dataset_id, filename, fmt, content, lang=""):
    return requests.post(f"{portal_url}{lang}/api/3/action/resource_create", timeout=60,
                         headers={"Authorization": token},
                         data={"package_id": dataset_id, "name": f"Bảng {filename}", "format": fmt},
                         files={"upload": (filename, content)})


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
def test_a_bad_table_is_refused_at_once_and_nothing_is_created(portal_url, portal_api, agency_editor, dataset, case):
    filename, fmt, content, expected = BAD_UPLOADS[case]
    response = _upload(portal_url, agency_editor["token"], dataset["id"], filename, fmt, content)
    assert response.status_code == 409, (response.status_code, response.text[:300])
    message = " ".join(response.json()["error"]["url"])
    assert expected in message, message
    assert "CREATE TABLE" not in message
    assert portal_api.action.package_show(id=dataset["id"])["resources"] == []


def test_the_reason_is_in_english_under_en(portal_url, agency_editor, dataset):
    response = _upload(portal_url, agency_editor["token"], dataset["id"], "trong.csv", "CSV", b"", lang="/en")
    assert response.status_code == 409
    assert "is empty" in " ".join(response.json()["error"]["url"])


def test_a_good_table_is_accepted(portal_url, portal_api, agency_editor, dataset):
    response = _upload(portal_url, agency_editor["token"], dataset["id"], "tram.csv", "CSV", GOOD_CSV)
    assert response.status_code == 200, response.text[:300]
    resource = response.json()["result"]
    portal_api.action.resource_delete(id=resource["id"])
