"""CSRF exemptions that last one request, not the life of the worker (CVE-2026-41255).

CKAN 2.12.0 skips CSRF checks for requests authenticated by an API token, and — its comment
says so — for anonymous requests: ``ckan_before_request`` calls ``csrf.exempt(view)`` for the
view being served. ``exempt`` adds the view to Flask-WTF's process-wide set, so after one
anonymous GET of ``/organization/edit/<org>`` every later POST to that view in the same worker,
including a logged-in sysadmin's browser POST sent by another site, is accepted without a
token. CKAN fixed this in 2.11.5; 2.12.0, the release we pin, does not carry the fix.

``ScopedExemptions`` replaces the set: a view exempted while a request is being handled is
exempt for that request only, and only when CSRF cannot apply to it:

- the request was authenticated by a valid API token in its header (no ambient credential
  another site could replay), or
- it is an anonymous call of the Action API (no credential at all).

An anonymous POST of a web form (the login form included) keeps its CSRF check: a browser
that shows the form holds the token in its session. Views exempted at start-up (the
``@csrf.exempt`` decorator, outside any request) stay exempt as before.
"""
from __future__ import annotations

import logging

from flask import g, has_request_context, request

__all__ = ["ScopedExemptions", "install"]

log = logging.getLogger(__name__)

_REQUEST_KEY = "_binhduong_csrf_exempt_views"


def _request_may_skip_csrf() -> bool:
    from ckan.common import config, current_user

    if not g.get("login_via_auth_header"):
        return False
    authenticated = bool(getattr(current_user, "is_authenticated", False))
    if authenticated:
        return bool(request.headers.get(config.get("apitoken_header_name") or "Authorization"))
    return request.blueprint == "api"


class ScopedExemptions(set):
    """Flask-WTF's set of exempt views, with exemptions made during a request kept on that
    request (``flask.g``) instead of in the set."""

    def add(self, view_location):
        if not has_request_context():
            super().add(view_location)
            return
        if _request_may_skip_csrf():
            exempt = g.get(_REQUEST_KEY)
            if exempt is None:
                exempt = set()
                setattr(g, _REQUEST_KEY, exempt)
            exempt.add(view_location)

    def __contains__(self, view_location) -> bool:
        if super().__contains__(view_location):
            return True
        return has_request_context() and view_location in (g.get(_REQUEST_KEY) or ())


def install() -> None:
    """Put the scoped set in place of CKAN's CSRF extension's one (idempotent)."""
    from ckan.config.middleware.flask_app import csrf

    if not isinstance(csrf._exempt_views, ScopedExemptions):
        csrf._exempt_views = ScopedExemptions(csrf._exempt_views)
        log.info("CSRF exemptions scoped to one request (CVE-2026-41255)")
