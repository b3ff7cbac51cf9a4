"""Pages of the portal that CKAN does not have (registered by toolkit.blanket.blueprints)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint

from ckanext.binhduong import api_guide as guide

__all__ = ["portal"]

portal = Blueprint("binhduong", __name__)


@portal.route("/huong-dan-api")
def api_guide():
    """Hướng dẫn sử dụng API: the API guide, in the page's language (also under /en/)."""
    return toolkit.render("api_guide/index.html", guide.page_context(toolkit.h.lang() or "vi"))
