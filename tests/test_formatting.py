"""Dates as dd/mm/yyyy for Vietnamese readers (formatting.py), in the portal's time zone;
English pages and explicit formats keep CKAN's own rendering."""
from __future__ import annotations

import datetime

import pytest

import ckan.lib.helpers as core_helpers
from ckanext.binhduong import formatting


@pytest.mark.parametrize("value, expected", [
    (datetime.datetime(2026, 11, 26, 1, 52), "26/11/2026"),
    (datetime.datetime(2026, 11, 26, 20, 30), "27/11/2026"),   # 20:30 UTC is the next morning in Bình Dương
    ("2024-01-15", "15/01/2024"),
    ("2026-11-26T01:52:07.123456", "26/11/2026"),
    (datetime.date(2023, 12, 31), "31/12/2023"),
    ("", ""), (None, ""), ("không phải ngày", ""),
])
def test_dates_read_day_month_year(value, expected):
    assert formatting.vietnamese_datetime(value, timezone="Asia/Ho_Chi_Minh") == expected


def test_hours_and_seconds_in_the_display_time_zone():
    moment = datetime.datetime(2026, 11, 26, 1, 52, 7, tzinfo=datetime.timezone.utc)
    assert formatting.vietnamese_datetime(moment, with_hours=True, timezone="Asia/Ho_Chi_Minh") == "26/11/2026 08:52"
    assert formatting.vietnamese_datetime(moment, with_seconds=True, timezone="Asia/Ho_Chi_Minh") == "26/11/2026 08:52:07"
    assert formatting.vietnamese_datetime(moment, with_hours=True, timezone="UTC") == "26/11/2026 01:52"


@pytest.mark.ckan_config("ckan.display_timezone", "Asia/Ho_Chi_Minh")
def test_render_datetime_is_vietnamese_only_on_vietnamese_pages(app):
    moment = datetime.datetime(2026, 11, 26, 20, 30)
    with app.flask_app.test_request_context("/", environ_base={"CKAN_LANG": "vi"}):
        assert core_helpers.helper_functions["render_datetime"](moment, with_hours=True) == "27/11/2026 03:30"
        # An explicit format (CKAN's machine-readable attributes) is left to CKAN.
        assert core_helpers.helper_functions["render_datetime"](moment, date_format="%Y-%m-%d") == "2026-11-27"
    with app.flask_app.test_request_context("/", environ_base={"CKAN_LANG": "en"}):
        assert "/" not in core_helpers.helper_functions["render_datetime"](moment)


def test_numbers_sizes_and_counts_are_vietnamese_on_vietnamese_pages(app):
    helpers = core_helpers.helper_functions
    with app.flask_app.test_request_context("/", environ_base={"CKAN_LANG": "vi"}):
        assert helpers["localised_number"](1234.5) == "1.234,5"
        assert helpers["localised_filesize"](1923) == "1,8 KiB"
        assert helpers["localised_filesize"](512) == "512 byte"
        assert "14,7 nghìn" in helpers["SI_number_span"](14700)
    with app.flask_app.test_request_context("/", environ_base={"CKAN_LANG": "en"}):
        assert helpers["localised_number"](1234.5) == "1,234.5"
