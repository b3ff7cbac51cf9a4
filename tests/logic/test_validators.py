"""The catalogue schema, field by field, through package_create and package_update."""
from __future__ import annotations

import json

import pytest

from ckanext.binhduong import places
import ckan.plugins.toolkit as toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")


@pytest.fixture
def organization():
    return factories.Organization()


def create(sysadmin, organization, **overrides):
    return call_action("package_create", context={"user": sysadmin["name"]},
                       **valid_dataset(organization["id"], **overrides))


def errors_of(sysadmin, organization, **overrides) -> dict:
    with pytest.raises(toolkit.ValidationError) as raised:
        create(sysadmin, organization, **overrides)
    return raised.value.error_dict


def test_a_valid_dataset_is_stored_with_every_field(sysadmin, organization):
    dataset = create(sysadmin, organization, temporal_start="01/01/2023", temporal_end="31/12/2023",
                     legal_basis=[{"number": "47/2020/NĐ-CP", "date": "09/04/2020",
                                   "title": "Quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước",
                                   "url": "https://vanban.chinhphu.vn/"}],
                     conforms_to=["https://www.w3.org/TR/vocab-dcat-3/"], version="1.0")
    assert dataset["theme"] == ["TECH"]
    assert dataset["spatial_units"] == ["74"]
    assert dataset["temporal_start"] == "2023-01-01" and dataset["temporal_end"] == "2023-12-31"
    assert dataset["contact"][0]["phone"] == "02743822123"
    assert dataset["legal_basis"][0]["date"] == "2020-04-09"
    assert dataset["identifier"]
    extent = json.loads(dataset["spatial"])
    assert extent["type"] == "Polygon"


@pytest.mark.parametrize("field, value, fragment", [
    ("title", "", "trường này bắt buộc"),
    ("notes", "", "trường này bắt buộc"),
    ("author", "", "trường này bắt buộc"),
    ("issued", "31/02/2024", "không phải ngày hợp lệ"),
    ("theme", [], "ít nhất một"),
    ("theme", ["NOT-A-THEME"], "không có trong danh sách"),
    ("spatial_units", ["99999"], "không phải mã đơn vị hành chính hợp lệ"),
    ("spatial_units", [], "ít nhất một"),
    ("frequency", "EVERY_SECOND", "không có trong danh sách"),
    ("license_id", "restricted-decree-47", "không phải giấy phép mở"),
    ("access_rights", "RESTRICTED", "không bao giờ được công khai"),
    ("spatial", '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}', "intersects itself"),
    ("spatial", "not json", "GeoJSON không hợp lệ"),
    ("url", "www.binhduong.gov.vn", "không phải địa chỉ trang web"),
    ("conforms_to", ["ftp://x"], "không phải địa chỉ trang web"),
])
def test_invalid_values_are_refused_with_a_vietnamese_message_naming_the_fix(sysadmin, organization, field, value, fragment):
    errors = errors_of(sysadmin, organization, **{field: value})
    assert field in errors, errors
    assert fragment in " ".join(errors[field])


def test_end_before_start_is_refused(sysadmin, organization):
    errors = errors_of(sysadmin, organization, temporal_start="2024-06-01", temporal_end="2024-01-01")
    assert "sớm hơn" in " ".join(errors["temporal_end"])


def test_contact_email_and_phone_are_checked(sysadmin, organization):
    errors = errors_of(sysadmin, organization, contact=[{"name": "A", "email": "khong-phai-email", "phone": "123"}])
    flat = json.dumps(errors, ensure_ascii=False)
    assert "không phải địa chỉ thư điện tử" in flat
    assert "không phải số điện thoại Việt Nam" in flat


def test_a_contact_point_is_required(sysadmin, organization):
    errors = errors_of(sysadmin, organization, contact=[])
    assert "contact" in errors


def test_restricted_private_dataset_may_use_the_restricted_licence(sysadmin, organization):
    dataset = create(sysadmin, organization, access_rights="RESTRICTED", private=True,
                     license_id="restricted-decree-47")
    assert dataset["private"] is True and dataset["access_rights"] == "RESTRICTED"


def test_identifier_is_kept_and_cannot_be_changed(sysadmin, organization):
    dataset = create(sysadmin, organization)
    context = {"user": sysadmin["name"]}
    updated = call_action("package_patch", context=dict(context), id=dataset["id"], title="Tên mới")
    assert updated["identifier"] == dataset["identifier"]
    with pytest.raises(toolkit.ValidationError) as raised:
        call_action("package_patch", context=dict(context), id=dataset["id"], identifier="khac")
    assert "không bao giờ thay đổi" in " ".join(raised.value.error_dict["identifier"])


def test_identifiers_are_never_reused(sysadmin, organization):
    first = create(sysadmin, organization)
    call_action("dataset_purge", context={"user": sysadmin["name"]}, id=first["id"])
    second = create(sysadmin, organization, name=first["name"])
    assert second["identifier"] != first["identifier"]


def test_a_derived_extent_follows_the_units_and_a_drawn_one_stays(sysadmin, organization):
    derived = create(sysadmin, organization, spatial_units=["74"])
    assert json.loads(derived["spatial"]) == places.extent(["74"])
    # An update sends back what package_show gave, the stored extent included.
    updated = call_action("package_update", context={"user": sysadmin["name"]}, **{**derived, "spatial_units": ["70"]})
    assert json.loads(updated["spatial"]) == places.extent(["70"]) != places.extent(["74"])

    drawn = '{"type": "Point", "coordinates": [106.65, 10.98]}'
    by_hand = create(sysadmin, organization, spatial_units=["74"], spatial=drawn)
    updated = call_action("package_update", context={"user": sysadmin["name"]}, **{**by_hand, "spatial_units": ["718"]})
    assert json.loads(updated["spatial"]) == json.loads(drawn)


def test_legacy_and_2025_units_are_accepted(sysadmin, organization):
    dataset = create(sysadmin, organization, spatial_units=["718", "2025/79"])
    assert dataset["spatial_units"] == ["718", "2025/79"]
