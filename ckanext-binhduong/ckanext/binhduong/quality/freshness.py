"""Freshness: a dataset's declared update frequency against its last real update, and the
legal deadlines on the open-data list.

Decree 47/2020/NĐ-CP (carried on by the Law on Data 60/2024/QH15 and its decrees) asks that
the open-data list be reviewed at least every six months and that published data be updated
within three months of a change. Both periods are configuration
(``ckanext.binhduong.quality.review_period``, ``...update_within``): the decrees may change them.

- **Last update**: the latest of the publisher's ``modified`` (Ngày cập nhật), any resource's
  ``last_modified`` (new data) and the dataset's ``metadata_modified`` (an edit of its record).
- **Due**: last update + the frequency's period (``frequencies.yaml`` ``period``, ISO 8601).
  Past it the dataset is *overdue*, late by the days since. Past due + ``update_within`` it
  has also missed the legal deadline. A frequency without a period (irregular, unknown, none)
  has no due date; such a dataset is only held to the six-monthly review.
- **Review**: a dataset whose record was not touched for ``review_period`` needs reviewing.
  The list itself is reviewed every ``review_period`` from ``review_anchor``
  (default 1 January): the reminder names the next review date.

Pure: dates and periods come in as arguments.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from dateutil.relativedelta import relativedelta

from ckanext.binhduong import vocabularies

__all__ = ["DEFAULT_REVIEW_PERIOD", "DEFAULT_UPDATE_WITHIN", "assess", "last_update", "next_review", "parse_period"]

DEFAULT_REVIEW_PERIOD = "P6M"
DEFAULT_UPDATE_WITHIN = "P3M"
_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?)?$")


def parse_period(text: str | None) -> relativedelta | None:
    """An ISO 8601 duration of years, months, weeks, days and hours (``P1M``, ``P2W``, ``PT1H``)."""
    if not text:
        return None
    match = _PERIOD.match(str(text).strip().upper())
    if not match or not any(match.groups()):
        raise ValueError(f"Not an ISO 8601 period: {text!r}")
    years, months, weeks, days, hours = (int(g) if g else 0 for g in match.groups())
    return relativedelta(years=years, months=months, weeks=weeks, days=days, hours=hours)


def _moment(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y")
    except ValueError:
        return None


def last_update(pkg: Mapping) -> dt.datetime | None:
    """The latest of ``modified``, resources' ``last_modified`` and ``metadata_modified``."""
    moments = [_moment(pkg.get("modified")), _moment(pkg.get("metadata_modified"))]
    moments += [_moment(r.get("last_modified")) for r in pkg.get("resources") or [] if isinstance(r, Mapping)]
    moments = [m for m in moments if m is not None]
    return max(moments) if moments else None


def frequency_period(code: str | None) -> relativedelta | None:
    term = vocabularies.term("frequencies", code) if code else None
    return parse_period(term.extra.get("period")) if term is not None else None


def assess(pkg: Mapping, now: dt.datetime, review_period: str = DEFAULT_REVIEW_PERIOD,
           update_within: str = DEFAULT_UPDATE_WITHIN) -> dict[str, Any]:
    """Freshness of one dataset at ``now`` (naive UTC)."""
    last = last_update(pkg)
    frequency = (pkg.get("frequency") or "").strip() or None
    period = frequency_period(frequency)
    review = parse_period(review_period)
    within = parse_period(update_within)
    due = last + period if (last is not None and period is not None) else None
    overdue = due is not None and now > due
    legal_deadline = due + within if due is not None else None
    review_due = last + review if last is not None else None
    return {
        "frequency": frequency,
        "has_period": period is not None,
        "last_update": last.isoformat() if last else None,
        "due": due.isoformat() if due else None,
        "overdue": overdue,
        "days_late": (now - due).days if overdue else 0,
        "legal_deadline": legal_deadline.isoformat() if legal_deadline else None,
        "past_legal_deadline": legal_deadline is not None and now > legal_deadline,
        "review_due": review_due.isoformat() if review_due else None,
        "needs_review": review_due is None or now > review_due,
    }


def next_review(now: dt.datetime, anchor: dt.date, review_period: str = DEFAULT_REVIEW_PERIOD) -> dict[str, Any]:
    """The open-data list's review dates around ``now``: every ``review_period`` from ``anchor``."""
    step = parse_period(review_period)
    previous = dt.datetime.combine(anchor, dt.time())
    if previous > now:
        # An anchor in the future: walk back so that ``previous`` is the last date not after now.
        while previous > now:
            previous = previous - step
    following = previous + step
    while following <= now:
        previous, following = following, following + step
    return {"previous": previous.date().isoformat(), "next": following.date().isoformat(),
            "days_left": (following - now).days}
