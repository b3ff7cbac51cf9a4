"""The agency (organization) schema: agency type, code, unit and contact fields."""
from __future__ import annotations

import pytest
import ckan.plugins.toolkit as toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "with_request_context")


def _create(**fields):
    sysadmin = factories.Sysadmin()
    return call_action("organization_create", context={"user": sysadmin["name"]}, name="so-thong-tin-truyen-thong",
                       title="Sở Thông tin và Truyền thông", **fields)


def test_every_agency_field_is_stored():
    organization = _create(agency_type="department", agency_code="000.00.16.h57", admin_unit="74",
                           address="Tầng 10, Tháp A, Trung tâm Hành chính tỉnh, Thủ Dầu Một",
                           website="https://stttt.binhduong.gov.vn", email="stttt@binhduong.gov.vn", phone="0274 3822 123")
    assert organization["agency_type"] == "department"
    assert organization["agency_code"] == "000.00.16.H57"
    assert organization["admin_unit"] == "74"
    assert organization["phone"] == "02743822123"


@pytest.mark.parametrize("field, value, fragment", [
    ("agency_type", "ministry_of_magic", "không có trong danh sách"),
    ("agency_code", "H57", "không phải mã định danh cơ quan"),
    ("admin_unit", "12345", "không phải mã đơn vị hành chính hợp lệ"),
    ("email", "stttt@", "không phải địa chỉ thư điện tử"),
    ("website", "stttt.binhduong.gov.vn", "không phải địa chỉ trang web"),
    ("phone", "12345", "không phải số điện thoại Việt Nam"),
])
def test_invalid_agency_fields_are_refused_in_vietnamese(field, value, fragment):
    with pytest.raises(toolkit.ValidationError) as raised:
        _create(**{field: value})
    assert fragment in " ".join(raised.value.error_dict[field])
