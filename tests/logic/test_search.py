"""Search over the schema: facets by theme and place, place hierarchy, Vietnamese queries."""
from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")


@pytest.fixture
def catalogue():
    sysadmin = factories.Sysadmin()
    organization = factories.Organization()
    context = {"user": sysadmin["name"]}
    made = {
        "commune": call_action("package_create", context=dict(context), **valid_dataset(
            organization["id"], name="hiep-thanh", title="Trạm BTS phường Hiệp Thành", spatial_units=["25741"])),
        "province": call_action("package_create", context=dict(context), **valid_dataset(
            organization["id"], name="toan-tinh", title="Kinh tế số toàn tỉnh", theme=["ECON"], spatial_units=["74"])),
        "other_district": call_action("package_create", context=dict(context), **valid_dataset(
            organization["id"], name="di-an", title="Dữ liệu thành phố Dĩ An", spatial_units=["724"])),
    }
    return made


def _names(**params) -> set[str]:
    return {hit["name"] for hit in call_action("package_search", rows=50, **params)["results"]}


def test_a_commune_dataset_is_found_under_its_district_and_the_province(catalogue):
    # ... and a district search also finds the province-wide dataset, not another district's.
    assert _names(fq='vocab_units:"718"') == {"hiep-thanh", "toan-tinh"}
    assert _names(fq='vocab_units:"74"') == {"hiep-thanh", "toan-tinh", "di-an"}


def test_a_commune_search_also_finds_its_district_and_province_datasets(catalogue):
    assert _names(fq='vocab_units:"25741"') == {"hiep-thanh", "toan-tinh"}


def test_a_legacy_unit_is_found_under_todays_unit(catalogue):
    assert "hiep-thanh" in _names(fq='vocab_units:"2025/79"')


def test_facets_by_theme_and_place(catalogue):
    result = call_action("package_search", rows=0, **{"facet.field": '["vocab_theme", "vocab_units"]'})
    themes = {item["name"]: item["count"] for item in result["search_facets"]["vocab_theme"]["items"]}
    assert themes == {"TECH": 2, "ECON": 1}
    units = {item["name"]: item["count"] for item in result["search_facets"]["vocab_units"]["items"]}
    assert units["74"] == 3 and units["718"] == 1 and units["25741"] == 1


@pytest.mark.parametrize("query, expected", [
    ("tram bts", "hiep-thanh"),          # without diacritics
    ("trạm BTS", "hiep-thanh"),          # with diacritics
    ("hiep thanh", "hiep-thanh"),        # the unit's name
    ("kinh te", "toan-tinh"),            # a theme label, folded
    ("Thủ Dầu Một", "hiep-thanh"),       # the district containing the commune
])
def test_vietnamese_queries_with_or_without_diacritics(catalogue, query, expected):
    assert expected in _names(q=query)
