"""The quality digest: one plain-text e-mail to each agency's admins (Vietnamese, then English)
with its overdue datasets and how late they are, broken links, lowest-scoring datasets,
tables with errors and the six-monthly review of the open-data list.

Sent through the approval workflow's SMTP settings and sender (``workflow.send``, the
``ckanext.binhduong.smtp_*`` options) to the agency's admins (``workflow._admin_addresses``).
``ckan binhduong quality digest`` sends it; the scheduler (scripts/harvest_scheduler.sh) runs
that command on every round and it sends only when ``digest_interval_days`` have passed since
the last digest (kept in CKAN's system_info as ``binhduong_quality_digest_last``). Figures come
from the stored measurements (private datasets included: the admins own them).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as toolkit
from ckan import model

from ckanext.binhduong import text, vocabularies, workflow
from ckanext.binhduong.quality import actions, compute, freshness, mqa, store, tables

__all__ = ["due", "messages", "run"]

LAST_SENT = "binhduong_quality_digest_last"
SHOWN = 10  # items of each list in a message

RATINGS_VI = {"excellent": "Xuất sắc", "good": "Tốt", "sufficient": "Đạt", "bad": "Kém"}


def _interval_days() -> int:
    value = toolkit.config.get("ckanext.binhduong.quality.digest_interval_days")
    return 7 if value in (None, "") else max(0, int(value))


def due(now: dt.datetime) -> tuple[bool, str | None]:
    """Whether the scheduled digest is due now, and when the last one went (ISO) if any."""
    last = model.get_system_info(LAST_SENT)
    days = _interval_days()
    if days == 0:
        return False, last
    if not last:
        return True, None
    return now - dt.datetime.fromisoformat(last) >= dt.timedelta(days=days), last


def _site() -> str:
    return (toolkit.config.get("ckan.site_url") or "").rstrip("/")


def _number(value: Any, lang: str) -> str:
    return text.format_number(value, lang=lang)


def _frequency_labels(lang: str) -> dict[str, str]:
    return {term.code: term.label(lang) for term in vocabularies.terms("frequencies")}


def _lines(board: dict, organization, at: dt.datetime, lowest: int, invalid: list[dict], lang: str) -> list[str]:
    vi = lang == "vi"
    site = _site()
    frequencies = _frequency_labels(lang)
    summary = board["summary"]
    rating = RATINGS_VI.get(summary["rating"], summary["rating"]) if vi else mqa.RATING_LABELS.get(summary["rating"], "")
    out = [
        (f"Tóm tắt chất lượng dữ liệu của {organization.title} ngày {text.format_date(at.date())}."
         if vi else f"Data quality summary of {organization.title} on {at.date().isoformat()}."),
        (f"{_number(summary['count'], lang)} bộ dữ liệu, điểm trung bình {_number(summary['average'], lang)}/{mqa.MAX_POINTS} ({rating})."
         if vi else f"{summary['count']} datasets, average score {summary['average']}/{mqa.MAX_POINTS} ({rating}).")
        if summary["count"] else ("Chưa có bộ dữ liệu nào được đo." if vi else "No dataset measured yet."),
        "",
        (f"Bộ dữ liệu quá hạn cập nhật ({board['overdue_count']}):" if vi
         else f"Datasets overdue for an update ({board['overdue_count']}):"),
    ]
    for item in board["overdue"][:SHOWN]:
        frequency = frequencies.get(item["frequency"], item["frequency"] or "")
        if vi:
            line = (f"- {item['title']}: tần suất {frequency.lower()}, cập nhật lần cuối {text.format_date(item['last_update'])}, "
                    f"trễ {_number(item['days_late'], lang)} ngày")
            line += ", đã quá thời hạn cập nhật theo quy định" if item["past_legal_deadline"] else ""
        else:
            line = (f"- {item['title']}: {frequency.lower()}, last updated {str(item['last_update'])[:10]}, "
                    f"{item['days_late']} days late")
            line += ", past the legal deadline" if item["past_legal_deadline"] else ""
        out.append(f"{line}. {site}/dataset/{item['name']}")
    if not board["overdue"]:
        out.append("- Không có." if vi else "- None.")
    out += ["", (f"Đường dẫn hỏng ({board['broken_links_count']}):" if vi else f"Broken links ({board['broken_links_count']}):")]
    out += [f"- {item['title']} – {item['resource']}: {item['url']}" for item in board["broken_links"][:SHOWN]]
    if not board["broken_links"]:
        out.append("- Không có." if vi else "- None.")
    out += ["", ("Bộ dữ liệu điểm thấp nhất:" if vi else "Lowest-scoring datasets:")]
    for item in board["most_to_gain"][:lowest]:
        label = RATINGS_VI.get(item["rating"], "") if vi else mqa.RATING_LABELS.get(item["rating"], "")
        out.append(f"- {item['title']}: {_number(item['total'], lang)}/{mqa.MAX_POINTS} ({label}). "
                   f"{site}/{'' if vi else 'en/'}dataset/{item['name']}/chat-luong")
    if invalid:
        out += ["", (f"Bảng dữ liệu có lỗi ({len(invalid)}):" if vi else f"Tables with errors ({len(invalid)}):")]
        out += [f"- {item['title']} – {item['resource']}: {_number(item['error_count'], lang)} {'lỗi' if vi else 'errors'}. "
                f"{site}/dataset/{item['name']}/resource/{item['resource_id']}" for item in invalid[:SHOWN]]
    review = board["review"]
    out += ["", ((f"Rà soát danh mục dữ liệu mở (ít nhất sáu tháng một lần): kỳ tiếp theo {text.format_date(review['next'])}, "
                  f"còn {_number(review['days_left'], lang)} ngày; {_number(board['needs_review_count'], lang)} bộ dữ liệu "
                  f"đã sáu tháng chưa được rà soát.")
                 if vi else
                 (f"Review of the open-data list (at least every six months): next on {review['next']}, "
                  f"{review['days_left']} days left; {board['needs_review_count']} datasets not reviewed for six months.")),
            (f"Xem chi tiết: {site}/chat-luong/co-quan/{organization.name}" if vi
             else f"Details: {site}/en/chat-luong/co-quan/{organization.name}")]
    return out


def messages(at: dt.datetime, organization: str | None = None) -> list[dict[str, Any]]:
    """One message per agency with measured datasets and admins with an e-mail address:
    ``{"organization", "to", "subject", "body"}``."""
    options = compute.settings()
    lowest = int(toolkit.config.get("ckanext.binhduong.quality.digest_lowest") or 5)
    query = model.Session.query(model.Group).filter(model.Group.is_organization.is_(True),
                                                    model.Group.state == "active")
    if organization:
        query = query.filter((model.Group.name == organization) | (model.Group.id == organization))
    found = []
    for group in query.order_by(model.Group.name):
        rows = store.load_all(group.id, public_only=False)
        recipients = workflow._admin_addresses(group.id)
        if not rows or not recipients:
            continue
        board = actions.dashboard(rows, at)
        board["review"] = freshness.next_review(at, options["review_anchor"], options["review_period"])
        invalid = tables.invalid_tables(group.id, public_only=False)
        subject = (f"[Chất lượng dữ liệu] {group.title}: {board['overdue_count']} bộ dữ liệu quá hạn, "
                   f"{board['broken_links_count']} đường dẫn hỏng")
        body = "\n".join(_lines(board, group, at, lowest, invalid, "vi") + ["", "-" * 40, ""]
                         + _lines(board, group, at, lowest, invalid, "en")) + "\n"
        found.append({"organization": group.name, "to": recipients, "subject": subject, "body": body})
    return found


def run(at: dt.datetime, force: bool = False, dry_run: bool = False, organization: str | None = None) -> dict[str, Any]:
    """Send the digest if it is due (or ``force``); ``dry_run`` builds the messages, sends and
    records nothing."""
    is_due, last = due(at)
    report: dict[str, Any] = {"due": is_due, "last_sent": last, "dry_run": dry_run, "sent": 0, "messages": []}
    if not (is_due or force):
        return report
    report["messages"] = messages(at, organization)
    if dry_run:
        return report
    report["sent"] = sum(1 for message in report["messages"]
                         if workflow.send(message["to"], message["subject"], message["body"]))
    # Recorded only when every message went (an SMTP server away: tried again next round).
    if not organization and report["sent"] == len(report["messages"]):
        model.set_system_info(LAST_SENT, at.isoformat())
    return report
