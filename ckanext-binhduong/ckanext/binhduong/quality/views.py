"""Quality pages (registered through views.py): a dataset's quality and what to fix
(/dataset/<id>/chat-luong), and the dashboards of the portal (/chat-luong) and of each agency
(/chat-luong/co-quan/<id>); in Vietnamese, English under /en/."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint

from ckanext.binhduong import vocabularies
from ckanext.binhduong.quality import mqa

__all__ = ["quality"]

quality = Blueprint("bd_quality", __name__)


def _context() -> dict:
    return {"user": toolkit.g.user or "", "auth_user_obj": getattr(toolkit.g, "userobj", None)}


def _common() -> dict:
    lang = "en" if (toolkit.h.lang() or "vi") == "en" else "vi"
    frequencies = {term.code: term.label(lang) for term in vocabularies.terms("frequencies")}
    return {"dimension_labels": mqa.DIMENSION_LABELS, "rating_labels": mqa.RATING_LABELS,
            "indicators": mqa.INDICATOR_BY_KEY, "frequency_labels": frequencies, "max_points": mqa.MAX_POINTS}


@quality.route("/dataset/<id>/chat-luong")
def dataset_quality(id: str):
    """Chất lượng dữ liệu: a dataset's MQA score, what to fix, and its freshness."""
    try:
        measurement = toolkit.get_action("binhduong_quality_show")(_context(), {"id": id})
        pkg = toolkit.get_action("package_show")(_context(), {"id": id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, toolkit._("Dataset not found"))
    return toolkit.render("quality/dataset.html", {"q": measurement, "pkg": pkg, "pkg_dict": pkg, **_common()})


def _dashboard(org_id: str | None):
    data_dict = {"id": org_id} if org_id else {}
    try:
        dashboard = toolkit.get_action("binhduong_quality_agency")(_context(), data_dict)
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, toolkit._("Organization not found"))
    return toolkit.render("quality/dashboard.html", {"d": dashboard, **_common()})


@quality.route("/chat-luong")
def portal_quality():
    """Chất lượng dữ liệu của cổng: every agency ranked, and the portal's figures."""
    return _dashboard(None)


@quality.route("/chat-luong/co-quan/<id>")
def agency_quality(id: str):
    """Chất lượng dữ liệu của một cơ quan."""
    return _dashboard(id)
