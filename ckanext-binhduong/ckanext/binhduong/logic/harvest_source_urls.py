"""Harvest source URLs: http(s) only, and no credentials in them.

A harvest source is a dataset whose ``url`` anyone may read (``harvest_source_show``,
``package_show``, ``/harvest/about/<name>``, the search index). A password written into it as
``https://user:password@host/`` is published with it. Sources are created and updated through
``package_create`` / ``package_update`` (``harvest_source_create`` and the web form both call
them), so both are chained (logic/input_guard.py) to refuse such a URL with a message saying where credentials
belong instead (``ckanext.binhduong.harvest_credentials``, a sysadmin-only setting of the
server). The same check refuses what is not an http(s) URL with a host: ckanext-dcat's
harvester opened any other string as a path on the server.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as toolkit

__all__ = ["check_harvest_source", "source_url_errors"]

HARVEST_TYPE = "harvest"


def source_url_errors(url) -> list[str]:
    """What is wrong with a harvest source URL, as messages in the request's language."""
    text = str(url or "").strip()
    if not text:
        return []  # ckanext-harvest's own not_empty says it
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises on a malformed port
    except ValueError:
        return [toolkit._("The source address is not a valid web address.")]
    errors = []
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        errors.append(toolkit._("The source address must start with http:// or https:// and name a server."))
    if parts.username is not None or parts.password is not None:
        errors.append(toolkit._(
            "The source address must not contain a user name or password: everyone can read it. "
            "Remove the “name:password@” part and ask the system administrator to set the source "
            "server's credentials in the portal's configuration (ckanext.binhduong.harvest_credentials)."))
    return errors


def _is_harvest_source(data_dict: dict) -> bool:
    if data_dict.get("type") == HARVEST_TYPE:
        return True
    reference = data_dict.get("id") or data_dict.get("name")
    if not reference:
        return False
    package = model.Package.get(reference)
    return package is not None and package.type == HARVEST_TYPE


def check_harvest_source(action: str, context: dict, data_dict: dict) -> None:
    """Refuse a harvest source's bad URL (ValidationError) before ``action`` writes it."""
    if not isinstance(data_dict, dict) or "url" not in data_dict or not _is_harvest_source(data_dict):
        return
    errors = source_url_errors(data_dict.get("url"))
    if errors:
        # Whoever may not write the source learns nothing about it from the URL check.
        toolkit.check_access(action, context, data_dict)
        raise toolkit.ValidationError({"url": errors})
