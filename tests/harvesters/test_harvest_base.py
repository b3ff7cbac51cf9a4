"""The base harvester without the harvest machinery: source config checks, agency matching
(organizations.py), file rendering and hashing (plan.py). (The stages run against the real services in
test_procedures_harvest.py.)"""
from __future__ import annotations

import csv
import io
import json

import pytest

from ckanext.binhduong.harvesters import plan
from ckanext.binhduong.harvesters.organizations import OrganizationIndex
from ckanext.binhduong.harvesters.source_config import ConfigError
from ckanext.binhduong.harvesters.procedures import ProceduresHarvester


@pytest.fixture(scope="module")
def harvester():
    return ProceduresHarvester()


def test_info_names_the_source_type_in_vietnamese(harvester):
    info = harvester.info()
    assert info["name"] == "bd_procedures"
    assert info["title"] == "Thủ tục hành chính (TTHC) tỉnh Bình Dương"
    assert "danh mục thủ tục hành chính" in info["description"]


@pytest.mark.parametrize("config", [None, "", "  ", "{}"])
def test_an_empty_config_means_the_defaults(harvester, config):
    assert harvester.validate_config(config) == config


def test_a_full_config_is_accepted_unchanged(harvester):
    config = json.dumps({
        "owner_org": "van-phong-ubnd-tinh", "author": "Văn phòng UBND tỉnh",
        "contact": {"name": "Phòng Kiểm soát TTHC", "email": "kstthc@binhduong.gov.vn"},
        "license_id": "CC-BY-4.0", "theme": ["GOVE"], "spatial_units": ["74", "718"], "tags": ["dịch vụ công"],
        "frequency": "weekly", "encoding": "tcvn3", "format": "csv", "delimiter": ";", "sheet": 2,
        "json": {"records": "data", "next": "links.next", "max_pages": 50}, "ignore_columns": ["Ghi chú"],
        "agency_map": {"UBND cấp xã": "", "Sở Tư pháp": "so-tu-phap"},
        "procedures": {"url": "https://dichvucong.binhduong.gov.vn/api/tthc", "format": "json",
                       "name": "danh-muc-tthc", "title": "Danh mục TTHC"},
        "statistics": {"url": "https://dichvucong.binhduong.gov.vn/thong-ke.xlsx", "sheet": "Thống kê",
                       "enabled": True},
        "max_abolished_share": 0.3, "keep_statistics_history": False,
    }, ensure_ascii=False)
    assert harvester.validate_config(config) == config


@pytest.mark.parametrize("config, message", [
    ("{encoding: tcvn3}", "Cấu hình không phải JSON hợp lệ (dòng 1, cột 2)"),
    ("[1, 2]", "Cấu hình phải là một đối tượng JSON"),
    ('{"encodng": "tcvn3"}', "Không có tùy chọn “encodng”. Có phải ý bạn là “encoding”?"),
    ('{"procedures": {"urll": "http://x"}}', "Không có tùy chọn “procedures.urll”. Có phải ý bạn là “url”?"),
    ('{"theme": "GOVE"}', "“theme” phải là danh sách [...]"),
    ('{"keep_statistics_history": "yes"}', "“keep_statistics_history” phải là true/false"),
    ('{"procedures": {"url": "ftp://x/a.csv"}}', "“procedures.url” phải là địa chỉ http:// hoặc https://"),
    ('{"encoding": "tcvn-99"}', "Bảng mã “tcvn-99” không được hỗ trợ"),
    ('{"format": "pdf"}', "“format” phải là một trong: auto, csv, xlsx, json"),
    ('{"delimiter": ";;"}', "“delimiter” phải là đúng một ký tự"),
    ('{"frequency": "HOURLY_"}', "Tần suất “HOURLY_” không có trong danh mục"),
    ('{"theme": ["GOV"]}', "Chủ đề “GOV” không có trong danh mục chủ đề EU"),
    ('{"spatial_units": ["99"]}', "Mã đơn vị hành chính “99” không tồn tại"),
    ('{"license_id": "proprietary"}', "không phải giấy phép mở của cổng"),
    ('{"contact": {"name": "A", "email": "không-phải-email"}}', "“contact” cần tên và thư điện tử hợp lệ"),
    ('{"json": {"recrods": "data"}}', "Không có tùy chọn “json.recrods”. Có phải ý bạn là “records”?"),
    ('{"procedures": {"name": "Danh Mục"}}', "“procedures.name” chỉ gồm chữ thường không dấu"),
    ('{"agency_map": {"Sở Tư pháp": 1}}', "“agency_map”: cơ quan “Sở Tư pháp” phải ứng với tên tổ chức"),
    ('{"max_abolished_share": 2}', "“max_abolished_share” phải trong khoảng (0, 1]"),
])
def test_config_problems_are_explained_in_vietnamese_and_english(harvester, config, message):
    with pytest.raises(ConfigError) as raised:
        harvester.validate_config(config)
    assert message in str(raised.value)
    assert "[EN] Invalid source configuration" in str(raised.value)


def test_every_problem_of_a_config_is_listed_at_once(harvester):
    with pytest.raises(ConfigError) as raised:
        harvester.validate_config('{"encodng": "x", "format": "pdf", "theme": ["GOV"]}')
    assert len(raised.value.problems) == 3


ORGANIZATIONS = [
    {"id": "1", "name": "so-tu-phap", "title": "Sở Tư pháp tỉnh Bình Dương", "agency_code": "000.00.16.H57"},
    {"id": "2", "name": "ubnd-huyen-dau-tieng", "title": "Ủy ban nhân dân huyện Dầu Tiếng"},
    {"id": "3", "name": "so-xay-dung", "title": "Sở Xây dựng"},
    {"id": "4", "name": "so-xay-dung-cu", "title": "Sở Xây dựng"},
]


@pytest.mark.parametrize("agency, expected", [
    ("Sở Tư pháp", "so-tu-phap"), ("SỞ TƯ PHÁP", "so-tu-phap"), ("So Tu phap", "so-tu-phap"),
    ("000.00.16.H57", "so-tu-phap"), ("UBND huyện Dầu Tiếng", "ubnd-huyen-dau-tieng"),
    ("ubnd-huyen-dau-tieng", "ubnd-huyen-dau-tieng"),
    ("Sở Xây dựng", None),  # two organizations have that title: no guess
    ("Sở Y tế", None), ("", None),
])
def test_agencies_are_matched_to_organizations(agency, expected):
    index = OrganizationIndex(ORGANIZATIONS, site_url="https://opendata.binhduong.gov.vn/")
    found = index.match(agency)
    assert (found["name"] if found else None) == expected


def test_the_agency_map_names_or_silences_agencies():
    index = OrganizationIndex(ORGANIZATIONS, {"Sở Xây dựng": "so-xay-dung", "UBND cấp xã": ""})
    assert index.lookup("SỞ XÂY DỰNG") == (ORGANIZATIONS[2], True)
    assert index.lookup("UBND cấp xã") == (None, True)
    assert index.lookup("Sở Y tế") == (None, False)
    assert OrganizationIndex(ORGANIZATIONS, site_url="https://cong.vn/").url(ORGANIZATIONS[0]) == \
        "https://cong.vn/organization/so-tu-phap"


FIELDS = [{"name": "ma_tthc"}, {"name": "so_ngay"}, {"name": "ty_le"}, {"name": "ghi_chu"}]
ROWS = [{"ma_tthc": "1.001193", "so_ngay": 3, "ty_le": 76.5, "ghi_chu": "có dấu phẩy, và \"ngoặc\""},
        {"ma_tthc": "1.000894", "so_ngay": None, "ty_le": 100.0, "ghi_chu": None}]


def test_csv_and_json_files_are_plain_and_byte_stable():
    data = plan.render_csv(FIELDS, ROWS)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data == plan.render_csv(FIELDS, [dict(reversed(list(r.items()))) for r in ROWS])
    assert list(csv.reader(io.StringIO(data.decode()))) == [
        ["ma_tthc", "so_ngay", "ty_le", "ghi_chu"],
        ["1.001193", "3", "76.5", "có dấu phẩy, và \"ngoặc\""],
        ["1.000894", "", "100", ""]]
    assert json.loads(plan.render_json(FIELDS, ROWS))[1] == {"ma_tthc": "1.000894", "so_ngay": None, "ty_le": 100.0,
                                                             "ghi_chu": None}


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised():
    rows = [{"ma_tthc": "=HYPERLINK(\"http://x\")", "so_ngay": -3, "ty_le": "-12,5", "ghi_chu": "@SUM(A1)"},
            {"ma_tthc": "+84 274", "so_ngay": "-", "ty_le": "-1.5e3", "ghi_chu": "\tcmd"}]
    cells = list(csv.reader(io.StringIO(plan.render_csv(FIELDS, rows).decode())))[1:]
    assert cells == [["'=HYPERLINK(\"http://x\")", "-3", "-12,5", "'@SUM(A1)"],
                     ["'+84 274", "'-", "-1.5e3", "'\tcmd"]]
    # JSON carries the values as they are: no spreadsheet opens it.
    assert json.loads(plan.render_json(FIELDS, rows))[0]["ma_tthc"] == "=HYPERLINK(\"http://x\")"


def test_the_content_hash_depends_on_content_only():
    metadata = {"title": "Danh mục", "theme": ["GOVE"]}
    publications = [{"key": "a", "rows": ROWS}]
    first = plan.content_hash(metadata, publications)
    assert first == plan.content_hash(dict(reversed(list(metadata.items()))), publications)
    assert first != plan.content_hash(metadata, [{"key": "a", "rows": ROWS[:1]}])
    assert len(first) == 64


def test_published_source_urls_carry_no_secrets():
    assert plan.public_url("https://can-bo:mat-khau@tthc.binhduong.gov.vn/api?page=1&api_key=abc&Token=x") == \
        "https://tthc.binhduong.gov.vn/api?page=1&api_key=***&Token=***"
