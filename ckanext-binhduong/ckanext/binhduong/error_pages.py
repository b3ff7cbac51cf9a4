"""Error pages in the reader's language. CKAN renders werkzeug's HTTP error name ("Not
Found") and, unless the view gave its own message, werkzeug's English description; both
are replaced here by gettext strings. Messages given by a view (already translated) stay."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit
from werkzeug.exceptions import default_exceptions

__all__ = ["bd_error_text"]

_ = toolkit._


def _names() -> dict[int, str]:
    return {400: _("Bad request"), 401: _("Not authorized"), 403: _("Access denied"), 404: _("Page not found"),
            405: _("Method not allowed"), 409: _("Conflict"), 413: _("Request too large"),
            429: _("Too many requests"), 500: _("Server error"), 503: _("Service unavailable")}


def _descriptions() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check the address or the form and try again."),
        403: _("You do not have permission to open this page."),
        404: _("The page you asked for does not exist. Please check the address, or search the catalogue."),
        405: _("This page cannot be opened this way."),
        413: _("What you sent is too large."),
        429: _("Too many requests in a short time. Please wait a moment and try again."),
        500: _("Something went wrong on the portal. Please try again later."),
        503: _("The portal is temporarily unavailable. Please try again later."),
    }


def bd_error_text(code: Any, name: str | None, content: Any) -> dict:
    """{"code": ..., "name": ..., "content": ...} for the error page of ``code``."""
    try:
        status = int(code[0] if isinstance(code, (list, tuple)) else code)
    except (TypeError, ValueError, IndexError):
        return {"code": code, "name": name, "content": content}
    exception = default_exceptions.get(status)
    default = exception.description if exception else None
    if not content or content == default or content == "Internal server error":
        content = _descriptions().get(status, content)
    return {"code": status, "name": _names().get(status, name), "content": content}
