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


# -- ckanext-tracking's summaries: the same figures, two queries per search (search_tracking.py)

def _tracking_rows(dataset: dict, day: str, package_total: int, url_total: int) -> None:
    import ckan.model as model
    import sqlalchemy as sa

    for url, package_id, total in ((f"/dataset/{dataset['name']}", dataset["id"], package_total),
                                   (dataset["resources"][0]["url"], "~~not~~", url_total)):
        model.Session.execute(sa.text(
            "INSERT INTO tracking_summary (url, package_id, tracking_type, count, running_total, recent_views,"
            " tracking_date) VALUES (:url, :package_id, 'page', 1, :total, :recent, :day)"),
            {"url": url, "package_id": package_id, "total": total, "recent": total // 2, "day": day})
    model.Session.commit()


def test_tracking_summaries_are_the_plugins_figures_in_two_queries(catalogue):
    import ckan.model as model
    import sqlalchemy as sa
    from ckanext.tracking.model import TrackingSummary

    sysadmin = factories.Sysadmin()
    organization = factories.Organization()
    made = [call_action("package_create", context={"user": sysadmin["name"]}, **valid_dataset(
        organization["id"], title=f"Bộ dữ liệu đếm lượt xem {index}",
        resources=[{"url": f"https://example.gov.vn/tep-{index}.csv", "name": "Tệp CSV", "format": "CSV"}])) for index in range(6)]
    _tracking_rows(made[0], "2026-01-01", 3, 5)
    _tracking_rows(made[0], "2026-01-02", 7, 9)   # the newest row counts, as in the plugin

    statements = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    sa.event.listen(model.meta.engine, "before_cursor_execute", listener)
    try:
        results = call_action("package_search", q="đếm lượt xem", rows=10)["results"]
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", listener)
    assert len(results) == 6
    assert sum("tracking_summary" in statement for statement in statements) == 2
    for dataset in results:
        assert dataset["tracking_summary"] == TrackingSummary.get_for_package(dataset["id"])
        resource = dataset["resources"][0]
        assert resource["tracking_summary"] == TrackingSummary.get_for_resource(resource["url"])
    first = next(dataset for dataset in results if dataset["id"] == made[0]["id"])
    assert first["tracking_summary"] == {"total": 7, "recent": 3}
    assert first["resources"][0]["tracking_summary"] == {"total": 9, "recent": 4}
    shown = call_action("package_show", id=made[0]["id"])
    assert shown["tracking_summary"] == {"total": 7, "recent": 3}
