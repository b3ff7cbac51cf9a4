"""What the DCAT catalogue may show: public, active, published datasets with public access
rights, and nothing else.

ckanext-dcat builds /catalog.* (and the JSON list) from ``package_search``, which already
leaves out private, draft and deleted datasets for every caller. Access rights are ours:
a RESTRICTED or NON_PUBLIC dataset must be private (validator bd_restricted_is_private),
but the catalogue is what the national portal copies, so it does not rely on that rule
alone. Only datasets indexed as PUBLIC are listed; one without access rights in the index
(an older or half-imported record) stays out rather than leaking.

package_search's plugin hook gets no context, so the catalogue actions mark the calls
they make with a context variable and ``restrict_search`` (called from the plugin's
before_dataset_search) adds the filter only to those. A context variable rather than a
global: each request thread, or async task, sees its own value.
"""
from __future__ import annotations

import contextlib
import contextvars
from typing import Iterator

import ckan.plugins.toolkit as toolkit

__all__ = [
    "PUBLIC_FILTER",
    "dcat_catalog_search",
    "dcat_catalog_show",
    "dcat_datasets_list",
    "restrict_search",
    "serving_catalogue",
]

# vocab_access_rights is written by indexing.enrich_index.
PUBLIC_FILTER = "vocab_access_rights:PUBLIC"

_serving_catalogue: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "binhduong_serving_dcat_catalogue", default=False
)


def restrict_search(search_params: dict) -> dict:
    if not _serving_catalogue.get():
        return search_params
    # fq_list, not fq: the catalogue passes the caller's `fq` through, and a separate Solr
    # filter cannot be escaped from by a crafted one.
    search_params["fq_list"] = [*(search_params.get("fq_list") or []), PUBLIC_FILTER]
    search_params["include_private"] = False
    search_params["include_drafts"] = False
    search_params.pop("include_deleted", None)
    return search_params


@contextlib.contextmanager
def serving_catalogue() -> Iterator[None]:
    """Searches made inside see only what the catalogue may show (the warming jobs)."""
    token = _serving_catalogue.set(True)
    try:
        yield
    finally:
        _serving_catalogue.reset(token)


def _public_only(up_func, context, data_dict):
    with serving_catalogue():
        return up_func(context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_show(up_func, context, data_dict):
    return _public_only(up_func, context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_catalog_search(up_func, context, data_dict):
    return _public_only(up_func, context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_datasets_list(up_func, context, data_dict):
    return _public_only(up_func, context, data_dict)
