"""Downloads that open right in a spreadsheet: the main "Tải xuống" of a table is CSV with a
UTF-8 byte-order mark (Excel then reads Vietnamese), and "Tải Excel" is an XLSX workbook of the
DataStore table that a spreadsheet library reads with the same Vietnamese text; cells that a
spreadsheet would run as formulas are written as text in both."""
from __future__ import annotations

import csv
import io

import hashlib
import uuid

import openpyxl
import pytest
import requests
import sqlalchemy as sa
from bs4 import BeautifulSoup

from ckanext.binhduong.exports import _xlsx_value
from portal_db import portal_engine

DATASET = "so-tram-bts-theo-phuong-thu-dau-mot-du-lieu-mau"
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def downloader():
    """A requests session with a user agent of its own; the download counts it leaves (the
    portal records every download, downloads.py) are deleted afterwards."""
    agent = f"binhduong-front-downloads/{uuid.uuid4().hex}"
    session = requests.Session()
    session.headers["User-Agent"] = agent
    yield session
    session.close()
    encodings = {"gzip, deflate", "gzip, deflate, br", "gzip, deflate, br, zstd"}
    keys = [hashlib.md5(f"{agent}127.0.0.1{encoding}".encode(), usedforsecurity=False).hexdigest() for encoding in encodings]
    keys += [hashlib.md5(f"{agent}127.0.0.1*/*{encoding}".encode(), usedforsecurity=False).hexdigest() for encoding in encodings]
    with portal_engine().begin() as connection:
        connection.execute(sa.text("DELETE FROM tracking_raw WHERE user_key = ANY(:keys)"), {"keys": keys})


def test_main_download_is_csv_with_bom_and_xlsx_opens_with_vietnamese(portal_url, anonymous_api, downloader):
    dataset = anonymous_api.action.package_show(id=DATASET)
    table = next(res for res in dataset["resources"] if res.get("datastore_active"))
    rows = anonymous_api.action.datastore_search(resource_id=table["id"], limit=1000, sort="_id")["records"]
    names = [row["ten_xa"] for row in rows]
    assert any("ư" in name or "ờ" in name or "ợ" in name for name in names), names

    # The buttons a citizen sees: on the dataset page and on the file's page.
    dataset_page = BeautifulSoup(requests.get(f"{portal_url}/dataset/{DATASET}", timeout=30).text, "html.parser")
    resource_page = BeautifulSoup(requests.get(f"{portal_url}/dataset/{DATASET}/resource/{table['id']}", timeout=30).text,
                                  "html.parser")
    main_links = {dataset_page.select_one("a.bd-download-main")["href"], resource_page.select_one("a.bd-download-main")["href"]}
    assert len(main_links) == 1, main_links
    xlsx_links = {dataset_page.select_one("a.bd-download-xlsx")["href"], resource_page.select_one("a.bd-download-xlsx")["href"]}
    assert len(xlsx_links) == 1, xlsx_links

    # Browsers navigate to a download: Sec-Fetch-Mode navigate (counted as a download).
    csv_response = downloader.get(portal_url + main_links.pop(), timeout=30)
    assert csv_response.status_code == 200
    assert csv_response.content.startswith(BOM)
    text = csv_response.content.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert [record["ten_xa"] for record in records] == names

    xlsx_response = downloader.get(portal_url + xlsx_links.pop(), timeout=60)
    assert xlsx_response.status_code == 200
    assert xlsx_response.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    assert "ten_xa" in header and "_id" not in header
    column = header.index("ten_xa")
    assert [row[column] for row in values[1:]] == names

    # A table that is not in the DataStore, or does not exist: 404, never 500.
    assert downloader.get(f"{portal_url}/datastore/xlsx/khong-co-bang-nay", timeout=30).status_code == 404


def test_xlsx_cells_are_spreadsheet_safe_and_typed():
    assert _xlsx_value("=HYPERLINK(\"http://x\")", "text") == "'=HYPERLINK(\"http://x\")"
    assert _xlsx_value("+84 274", "text") == "'+84 274"
    assert _xlsx_value("@SUM(A1)", "text") == "'@SUM(A1)"
    assert _xlsx_value("-5", "text") == "-5"  # a number written as text stays as it is
    assert _xlsx_value("Thủ Dầu Một", "text") == "Thủ Dầu Một"
    assert _xlsx_value("1430", "int") == 1430 and _xlsx_value("12.5", "numeric") == 12.5
    assert _xlsx_value(None, "text") is None
