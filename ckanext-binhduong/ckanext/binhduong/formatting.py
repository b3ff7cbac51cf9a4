"""Dates and numbers as Vietnamese readers write them: dd/mm/yyyy and 1.234,5.

CKAN formats numbers through babel with the request's locale, which for ``vi`` already
gives ``1.234,5`` (h.localised_number, h.localised_filesize, h.SI_number_span). Its dates
do not: h.render_datetime without a format gives babel's long form ("26 tháng 11, 2026").
The helper here replaces it for Vietnamese pages, in the portal's display time zone
(``ckan.display_timezone``); English pages, explicit formats (CKAN passes ISO patterns for
machine-readable attributes) and the API are left as CKAN makes them.
"""
from __future__ import annotations

import datetime
from typing import Any, Callable

import pytz

import ckan.plugins.toolkit as toolkit
from ckan.lib.i18n import get_lang

__all__ = ["render_datetime", "vietnamese_datetime"]


def _is_vietnamese() -> bool:
    try:
        return get_lang() == "vi"
    except RuntimeError:
        return False  # outside a request: leave CKAN's behaviour


def _as_datetime(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value.strip():
        try:
            return toolkit.h.date_str_to_datetime(value.strip())
        except (TypeError, ValueError):
            return None
    return None


def vietnamese_datetime(value: Any, with_hours: bool = False, with_seconds: bool = False,
                        timezone: str | None = None) -> str:
    """``dd/mm/yyyy`` (and ``HH:MM`` or ``HH:MM:SS``) in the display time zone; '' for no date.
    Naive datetimes are UTC, as CKAN stores them."""
    moment = _as_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=pytz.utc)
    zone = timezone or toolkit.config.get("ckan.display_timezone") or "UTC"
    moment = moment.astimezone(pytz.utc if zone == "server" else pytz.timezone(zone))
    day = f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d}"
    if with_seconds:
        return f"{day} {moment:%H:%M:%S}"
    if with_hours:
        return f"{day} {moment:%H:%M}"
    return day


@toolkit.chained_helper
def render_datetime(next_helper: Callable[..., str], datetime_: Any, date_format: str | None = None,
                    with_hours: bool = False, with_seconds: bool = False) -> str:
    """CKAN's h.render_datetime, with dd/mm/yyyy on Vietnamese pages."""
    if date_format or not _is_vietnamese():
        return next_helper(datetime_, date_format=date_format, with_hours=with_hours, with_seconds=with_seconds)
    return vietnamese_datetime(datetime_, with_hours=with_hours, with_seconds=with_seconds)
