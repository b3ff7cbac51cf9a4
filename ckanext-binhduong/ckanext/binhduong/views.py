"""Pages of the portal that CKAN does not have (registered by toolkit.blanket.blueprints)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint

from ckanext.binhduong import api_guide as guide
from ckanext.binhduong import downloads, exports, search_outage, statistics
from ckanext.binhduong.logic import input_guard
from ckanext.binhduong.page_views import page_views
from ckanext.binhduong.front_views import xlsx_downloads
from ckanext.binhduong.workflow_views import review

__all__ = ["portal", "page_views", "xlsx_downloads", "review"]

# Data quality pages (quality/views.py).
from ckanext.binhduong.quality.views import quality as quality_pages  # noqa: E402

__all__ += ["quality_pages"]

# Search suggestions as the user types (suggest.py).
from ckanext.binhduong.suggest import suggest as search_suggestions  # noqa: E402

__all__ += ["search_suggestions"]

portal = Blueprint("binhduong", __name__)
# Every download the portal serves is counted (downloads.py); an app-wide hook, so it sees
# CKAN's own resource and DataStore routes.
portal.after_app_request(downloads.record_download)
# Bad input is refused before any view or action runs (400, never a 500).
portal.before_app_request(input_guard.refuse_control_characters)
portal.before_app_request(exports.check_dump_request)
portal.after_app_request(search_outage.add_retry_after)


@portal.route("/huong-dan-api")
def api_guide():
    """Hướng dẫn sử dụng API: the API guide, in the page's language (also under /en/)."""
    return toolkit.render("api_guide/index.html", guide.page_context(toolkit.h.lang() or "vi"))


@portal.route("/thong-ke")
def statistics_page():
    """Thống kê: the public catalogue by theme, agency, format and freshness (also under /en/)."""
    return toolkit.render("statistics/index.html", statistics.page_context(toolkit.h.lang() or "vi"))
