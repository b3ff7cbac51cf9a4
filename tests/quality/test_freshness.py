"""Freshness (quality/freshness.py): declared frequency against the last real update, and the
legal deadlines (review every six months, update within three months)."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.binhduong.quality import freshness

NOW = dt.datetime(2026, 12, 6, 12, 0)


def _dataset(frequency: str | None, updated: dt.datetime, **extra) -> dict:
    return {"frequency": frequency, "metadata_modified": updated.isoformat(), "resources": [], **extra}


def test_a_monthly_dataset_updated_four_months_ago_is_overdue_by_three_months():
    updated = dt.datetime(2026, 8, 6, 12, 0)
    result = freshness.assess(_dataset("MONTHLY", updated), NOW)

    assert result["overdue"] is True
    assert result["due"] == "2026-09-06T12:00:00"
    assert result["days_late"] == (NOW - dt.datetime(2026, 9, 6, 12, 0)).days == 91
    # Due + three months (the legal update deadline) is 6 December 12:00: not yet past.
    assert result["legal_deadline"] == "2026-12-06T12:00:00" and result["past_legal_deadline"] is False
    later = freshness.assess(_dataset("MONTHLY", updated), NOW + dt.timedelta(days=1))
    assert later["past_legal_deadline"] is True and later["days_late"] == 92


def test_the_latest_of_data_and_metadata_counts():
    dataset = _dataset("MONTHLY", dt.datetime(2026, 1, 1), modified="2026-11-20",
                       resources=[{"last_modified": "2026-11-30T09:00:00"}])
    result = freshness.assess(dataset, NOW)
    assert result["last_update"] == "2026-11-30T09:00:00"
    assert result["overdue"] is False and result["days_late"] == 0


@pytest.mark.parametrize("frequency", ["IRREG", "UNKNOWN", None, "CONT"])
def test_no_regular_period_no_due_date_but_the_six_monthly_review(frequency):
    result = freshness.assess(_dataset(frequency, dt.datetime(2026, 5, 1)), NOW)
    assert result["due"] is None and result["overdue"] is False
    assert result["review_due"] == "2026-11-01T00:00:00" and result["needs_review"] is True
    recent = freshness.assess(_dataset(frequency, dt.datetime(2026, 9, 1)), NOW)
    assert recent["needs_review"] is False


def test_periods_are_configuration():
    updated = dt.datetime(2026, 8, 6, 12, 0)
    result = freshness.assess(_dataset("MONTHLY", updated), NOW, review_period="P3M", update_within="P1M")
    assert result["legal_deadline"] == "2026-10-06T12:00:00" and result["past_legal_deadline"] is True
    assert result["needs_review"] is True
    with pytest.raises(ValueError):
        freshness.parse_period("sáu tháng")


def test_the_open_data_list_review_every_six_months():
    assert freshness.next_review(NOW, dt.date(2026, 1, 1)) == {
        "previous": "2026-07-01", "next": "2027-01-01", "days_left": 25}
    assert freshness.next_review(dt.datetime(2026, 3, 1), dt.date(2027, 1, 1))["next"] == "2026-07-01"
