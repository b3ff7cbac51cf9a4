"""Quality pages (registered through views.py): a dataset's quality and what to fix
(/dataset/<id>/chat-luong), and the dashboards of the portal (/chat-luong) and of each agency
(/chat-luong/co-quan/<id>); in Vietnamese, English under /en/. The measurements as W3C DQV
(Turtle): /dataset/<id>/chat-luong.ttl and /chat-luong.ttl."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
import flask
from flask import Blueprint

from ckanext.binhduong import vocabularies
from ckanext.binhduong.quality import dqv, mqa, store

__all__ = ["quality"]

quality = Blueprint("bd_quality", __name__)


def _context() -> dict:
    return {"user": toolkit.g.user or "", "auth_user_obj": getattr(toolkit.g, "userobj", None)}


def _common() -> dict:
    lang = "en" if (toolkit.h.lang() or "vi") == "en" else "vi"
    frequencies = {term.code: term.label(lang) for term in vocabularies.terms("frequencies")}
    return {"dimension_labels": mqa.DIMENSION_LABELS, "rating_labels": mqa.RATING_LABELS,
            "indicators": mqa.INDICATOR_BY_KEY, "frequency_labels": frequencies, "max_points": mqa.MAX_POINTS,
            # Stored results come back from JSONB without their order: pages follow the scheme's.
            "dimension_order": mqa.DIMENSIONS, "indicator_order": [i.key for i in mqa.INDICATORS]}


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


def _turtle(measurements) -> "flask.Response":
    from ckanext.dcat.utils import catalog_uri

    body = dqv.graph(catalog_uri().rstrip("/"), measurements).serialize(format="turtle")
    return flask.Response(body, mimetype="text/turtle", headers={"Content-Type": "text/turtle; charset=utf-8"})


@quality.route("/dataset/<id>/chat-luong.ttl")
def dataset_quality_dqv(id: str):
    """A dataset's quality measurements as W3C DQV (Turtle)."""
    from ckanext.dcat.utils import dataset_uri

    try:
        measurement = toolkit.get_action("binhduong_quality_show")(_context(), {"id": id})
        pkg = toolkit.get_action("package_show")(_context(), {"id": id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, toolkit._("Dataset not found"))
    return _turtle([(dataset_uri(pkg), measurement, measurement["computed"])])


@quality.route("/chat-luong.ttl")
def portal_quality_dqv():
    """The quality measurements of every public dataset as W3C DQV (Turtle)."""
    from ckanext.dcat.utils import dataset_uri

    toolkit.check_access("binhduong_quality_agency", _context(), {})
    rows = store.load_all()
    return _turtle([(dataset_uri({"id": row["dataset_id"], "name": row["name"]}), row["result"], row["computed"])
                    for row in rows])
