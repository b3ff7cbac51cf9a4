"""Page-view beacons (`POST /_tracking`), received safely.

CKAN's `tracking` plugin sends a beacon from every page (its tracking.js) and records it in an
app-wide ``after_request`` hook that splits the raw request body by hand: a body Flask has
already read, an empty body, a value holding ``=`` or a request without a User-Agent raises,
and the visitor gets a 500 (and, with no view for the path, a 405 in the browser console on
every page). Here the beacon has a view of its own that parses the form with Werkzeug, accepts
only what tracking.js sends (``type`` page or resource, a short ``url``), records it under the
same anonymised visitor key as the downloads (downloads.py) and answers 204, or 400 with a
reason for anything else. The plugin's hook is taken out so nothing records a beacon twice.

The beacon is exempt from CSRF: it carries no credential-bearing action, a page view is what
any GET already causes, and tracking.js sends no token.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from ckanext.binhduong.downloads import visitor_key

__all__ = ["page_views", "install"]

log = logging.getLogger(__name__)

BEACON_TYPES = ("page", "resource")
MAX_URL_LENGTH = 2000

page_views = Blueprint("binhduong_page_views", __name__)


def _refuse(reason: str) -> Response:
    log.info("Page-view beacon refused: %s", reason)
    return Response(reason + "\n", status=400, mimetype="text/plain")


@page_views.route("/_tracking", methods=["POST"])
def beacon() -> Response:
    from ckanext.tracking.model import TrackingRaw

    beacon_type = request.form.get("type", "")
    url = request.form.get("url", "")
    if beacon_type not in BEACON_TYPES:
        return _refuse("type must be page or resource")
    if beacon_type == "page" and "url" in request.form and url == "":
        url = "/"  # tracking.js strips the trailing slash: the home page arrives as an empty url
    if not url or len(url) > MAX_URL_LENGTH or any(ord(character) < 32 for character in url):
        return _refuse(f"url must be 1 to {MAX_URL_LENGTH} printable characters")
    TrackingRaw.create(user_key=visitor_key(request.environ), url=url, tracking_type=beacon_type)
    return Response(status=204)


def _without_tracking_hook(response):
    return response


def install(app) -> None:
    """Exempt the beacon from CSRF and take the tracking plugin's body-splitting hook out,
    whether that plugin registers it before or after this one."""
    from ckan.config.middleware.flask_app import csrf

    csrf.exempt(page_views)
    try:
        import ckanext.tracking.middleware as tracking_middleware
        import ckanext.tracking.plugin as tracking_plugin
    except ImportError:  # the tracking plugin is not installed: nothing to replace
        return
    tracking_plugin.track_request = _without_tracking_hook
    hooks = getattr(app, "after_request_funcs", {}).get(None, [])
    hooks[:] = [hook for hook in hooks if hook is not tracking_middleware.track_request]
