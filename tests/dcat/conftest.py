"""A small catalogue that uses every field of our schema (fixtures for tests/dcat)."""
from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset


@pytest.fixture
def fragment_table(clean_db, migrate_db_for):
    """The plugin's tables (clean_db rebuilds CKAN's own tables only): the DCAT cache's, the
    quality measurements'."""
    migrate_db_for("binhduong")


@pytest.fixture
def sysadmin_context():
    sysadmin = factories.Sysadmin()
    return lambda: {"user": sysadmin["name"], "ignore_auth": False}


@pytest.fixture
def organizations():
    department = factories.Organization(
        name="so-thong-tin-truyen-thong",
        title="Sở Thông tin và Truyền thông tỉnh Bình Dương",
        agency_type="department",
        agency_code="000.00.16.H57",
        admin_unit="74",
        address="Tầng 9, Tháp A, Trung tâm Hành chính tỉnh, Thủ Dầu Một",
        website="https://stttt.binhduong.gov.vn",
        email="stttt@binhduong.gov.vn",
        phone="0274 3822 123",
    )
    district = factories.Organization(
        name="ubnd-thu-dau-mot",
        title="Ủy ban nhân dân thành phố Thủ Dầu Một",
        agency_type="district_committee",
        agency_code="000.01.16.H57",
        admin_unit="718",
        email="ubnd@thudaumot.binhduong.gov.vn",
    )
    return {"department": department, "district": district}


@pytest.fixture
def catalogue(sysadmin_context, organizations, create_with_upload):
    """Three public datasets between them using every dataset and resource field."""
    department, district = organizations["department"], organizations["district"]
    full = call_action("package_create", context=sysadmin_context(), **valid_dataset(
        department["id"],
        name="tram-bts",
        title="Trạm thu phát sóng di động (BTS) trên địa bàn tỉnh",
        notes="Vị trí, nhà mạng và công nghệ của các trạm BTS; số liệu của Sở Thông tin và Truyền thông.",
        author="Sở Thông tin và Truyền thông",
        contact=[
            {"name": "Phòng Bưu chính - Viễn thông", "email": "vienthong@binhduong.gov.vn", "phone": "0274 3822 123"},
            {"name": "Trung tâm Công nghệ thông tin", "email": "cntt@binhduong.gov.vn"},
        ],
        issued="2024-01-15",
        modified="2024-06-30",
        theme=["TECH", "REGI"],
        tag_string="viễn thông,hạ tầng số,BTS",
        spatial_units=["718", "2025/25750"],
        temporal_start="2020-01-01",
        temporal_end="2024-12-31",
        frequency="ANNUAL",
        access_rights="PUBLIC",
        license_id="CC-BY-4.0",
        legal_basis=[
            {"number": "47/2020/NĐ-CP", "date": "2020-04-09",
             "title": "Nghị định về quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước",
             "url": "https://vbpl.vn/TW/Pages/vbpq-toanvan.aspx?ItemID=141080"},
            {"number": "2019/1024", "date": "2019-06-20", "title": "Open Data Directive",
             "url": "http://data.europa.eu/eli/dir/2019/1024/oj"},
            {"number": "15/QĐ-UBND", "title": "Quyết định ban hành danh mục dữ liệu mở"},
        ],
        language=["vi", "en"],
        version="2.1",
        conforms_to=["https://www.w3.org/TR/tabular-data-primer/"],
        url="https://stttt.binhduong.gov.vn/du-lieu/tram-bts",
        provenance="Tổng hợp từ báo cáo của các doanh nghiệp viễn thông gửi Sở hằng năm.",
        maintainer="Nguyễn Văn An",
        maintainer_email="nvan@binhduong.gov.vn",
        resources=[
            {"url": "https://stttt.binhduong.gov.vn/files/tram-bts-2024.csv", "name": "Danh sách trạm BTS 2024",
             "description": "Mỗi dòng là một trạm.", "format": "CSV", "mimetype": "text/csv", "size": 20480,
             "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
             "language": "vi", "status": "COMPLETED", "license_id": "CC-BY-4.0"},
            {"url": "https://api.binhduong.gov.vn/bts/v1", "name": "API tra cứu trạm BTS", "format": "API",
             "language": "en", "status": "DEVELOP"},
            {"url": "https://stttt.binhduong.gov.vn/ban-do-bts", "name": "Bản đồ trạm BTS", "format": "HTML",
             "mimetype": "text/html"},
        ],
    ))
    create_with_upload(
        '{"type": "FeatureCollection", "features": []}', "tram-bts.geojson",
        context=sysadmin_context(), package_id=full["id"], name="Vị trí trạm BTS (GeoJSON)",
        language="vi", status="COMPLETED",
    )
    commune = call_action("package_create", context=sysadmin_context(), **valid_dataset(
        district["id"],
        name="ho-kinh-doanh-phu-cuong",
        title="Hộ kinh doanh cá thể phường Phú Cường",
        notes="Số hộ kinh doanh theo ngành nghề.",
        author="Ủy ban nhân dân phường Phú Cường",
        theme=["ECON"],
        spatial_units=["25741"],
        temporal_end="2023-12-31",
        frequency="IRREG",
        license_id="CC0-1.0",
        language=["en"],
    ))
    today = call_action("package_create", context=sysadmin_context(), **valid_dataset(
        department["id"],
        name="diem-wifi-cong-cong",
        title="Điểm wifi công cộng",
        notes="Điểm phát wifi miễn phí.",
        theme=["TECH"],
        spatial_units=["2025/79"],
        temporal_start="2025-07-01",
        license_id="ODbL-1.0",
        maintainer_email="wifi@binhduong.gov.vn",
        resources=[{"url": "https://stttt.binhduong.gov.vn/files/wifi.xlsx", "name": "Danh sách điểm wifi",
                    "format": "XLSX",
                    "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}],
    ))
    return {name: call_action("package_show", id=d["id"]) for name, d in
            (("full", full), ("commune", commune), ("today", today))}
