"""Where `ckan binhduong tracking-update` starts recomputing the download counts."""
from __future__ import annotations

import datetime

import ckan.model as model
import pytest
import sqlalchemy as sa

from ckanext.binhduong.downloads import counts_update_start
from ckanext.tracking.model import TrackingRaw, TrackingSummary

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "binhduong scheming_datasets scheming_organizations dcat dcat_json_interface tracking"),
              pytest.mark.usefixtures("with_plugins", "clean_db")]


def _record(day: datetime.date) -> None:
    model.Session.execute(sa.insert(TrackingRaw.__table__).values(
        user_key="test-visitor", url="/resource/r/download", tracking_type="resource",
        access_timestamp=datetime.datetime.combine(day, datetime.time(9, 30))))
    model.Session.commit()


def test_empty_database_starts_today_not_in_2011():
    assert counts_update_start() == datetime.date.today()


def test_without_a_summary_it_starts_at_the_first_recorded_day():
    first_day = datetime.date.today() - datetime.timedelta(days=40)
    _record(first_day)
    _record(datetime.date.today() - datetime.timedelta(days=3))
    assert counts_update_start() == first_day


def test_with_a_summary_it_repeats_the_last_two_days_as_ckan_does():
    _record(datetime.date.today() - datetime.timedelta(days=40))
    newest = datetime.date.today() - datetime.timedelta(days=1)
    model.Session.execute(sa.insert(TrackingSummary.__table__).values(
        url="/resource/r/download", package_id="~~not~a~package~~", tracking_type="resource", count=1,
        running_total=1, recent_views=1, tracking_date=newest))
    model.Session.commit()
    assert counts_update_start() == newest - datetime.timedelta(days=2)
