"""Degraded but alive while the search index (Solr) is down.

What needs the index says so with a 503 and ``Retry-After``; what does not keeps answering
from PostgreSQL:

- ``package_search``: when a search fails and Solr does not answer a ping, the failure is an
  outage, not a bad query. Search pages (``*.search``), the statistics page and the DCAT
  catalogue answer 503 with a Vietnamese page (English under /en/); the Action API answers 503
  with the same message as its JSON error. Other pages that list datasets (an agency's page)
  show their content without the list, as CKAN does for a failed search.
- ``organization_show`` / ``group_show``: the dataset count comes from the index, and the
  dataset page shows the agency block through ``organization_show``; during an outage they
  answer without the count instead of failing the whole page.
- ``package_show`` reads the database when the index has no copy (CKAN's own behaviour).
"""
from __future__ import annotations

import json
import logging

import ckan.plugins.toolkit as toolkit
from ckan.lib.search import SearchError, SearchQueryError
from ckan.lib.search.common import SolrConnectionError, is_available
from flask import g, has_request_context, request

from ckanext.binhduong import search_spelling
from ckanext.binhduong.logic import input_guard

__all__ = ["SearchIndexUnavailable", "add_retry_after", "group_show", "organization_show", "package_search"]

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
_FLAG = "binhduong_search_unavailable"


class SearchIndexUnavailable(SearchError):
    """The search index does not answer (a SearchError, so CKAN's views that tolerate a
    failed search keep rendering). CKAN raises either SearchError or, when the connection
    itself fails, SolrConnectionError (not a SearchError): both are caught."""


def _message() -> str:
    return toolkit._("Search is temporarily unavailable. Dataset pages still open; please try searching again "
                     "in a minute.")


def _is_search_page() -> bool:
    endpoint = request.endpoint or ""
    # ckanext-dcat's content negotiation serves "/" and "/dataset/<id>" through its own views
    # too: only the catalogue itself (/catalog.ttl and friends) depends on the index.
    return not request.path.startswith("/api/") and (
        endpoint.endswith(".search") or endpoint == "binhduong.statistics_page"
        or (endpoint == "dcat.read_catalog" and request.path.rstrip("/") != ""))


def _outage(error: Exception) -> bool:
    if isinstance(error, SearchQueryError):
        return False
    return not is_available()


@toolkit.chained_action
@toolkit.side_effect_free
def package_search(up_func, context, data_dict):
    """CKAN's ``package_search`` with its unchecked parameters checked first
    (logic/input_guard.py); an outage of the index raises SearchIndexUnavailable (and a search
    page answers 503)."""
    data_dict = input_guard.check_search_params(data_dict or {})
    try:
        # A plain-text query that finds nothing is tried once more with its spelling corrected.
        return search_spelling.search_with_correction(up_func, context, data_dict)
    except (SearchError, SolrConnectionError) as error:
        if not _outage(error):
            raise
        log.error("Search index unavailable: %r", error.args)
        if has_request_context():
            setattr(g, _FLAG, True)
            if _is_search_page():
                toolkit.abort(503, _message())
        raise SearchIndexUnavailable(_message()) from None


def _without_count(up_func, context, data_dict):
    try:
        return up_func(context, data_dict)
    except (SearchError, SolrConnectionError) as error:
        if not isinstance(error, SearchIndexUnavailable) and not _outage(error):
            raise
        if has_request_context():
            setattr(g, _FLAG, False)  # handled here: the answer is complete but for the count
        shown = up_func(context, {**data_dict, "include_dataset_count": False, "include_datasets": False,
                                  "include_groups": False})
        shown.setdefault("package_count", _public_dataset_count(shown))
        return shown


def _public_dataset_count(group: dict) -> int:
    """The count the index would give, from the database: public, active datasets."""
    import ckan.model as model

    datasets = model.Session.query(model.Package.id).filter(
        model.Package.state == "active", model.Package.private.is_(False), model.Package.type == "dataset")
    if group.get("is_organization"):
        return datasets.filter(model.Package.owner_org == group["id"]).count()
    members = model.Session.query(model.Member.table_id).filter(
        model.Member.group_id == group["id"], model.Member.table_name == "package", model.Member.state == "active")
    return datasets.filter(model.Package.id.in_(members.scalar_subquery())).count()


@toolkit.chained_action
@toolkit.side_effect_free
def organization_show(up_func, context, data_dict):
    """CKAN's ``organization_show``; without the dataset count while the index is down."""
    return _without_count(up_func, context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def group_show(up_func, context, data_dict):
    """CKAN's ``group_show``; without the dataset count while the index is down."""
    return _without_count(up_func, context, data_dict)


def add_retry_after(response):
    """``after_app_request``: 503 with ``Retry-After`` for an API call that met the outage
    (CKAN's API answers a SearchError with 409), and ``Retry-After`` on every 503."""
    if g.get(_FLAG) and request.path.startswith("/api/") and response.status_code == 409:
        body = {"success": False, "error": {"__type": "Search Unavailable", "message": _message()}}
        response.set_data(json.dumps(body))
        response.status_code = 503
        response.mimetype = "application/json"
    if response.status_code == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
