"""A dataset the reader may not see answers as a missing one (404, "not found"), never 403:
a 403 for a private dataset's name confirms that the agency holds a dataset of that name.
``package_show`` and ``resource_show`` (which every page and the API read through) turn
CKAN's NotAuthorized into ObjectNotFound."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit

__all__ = ["package_show", "resource_show"]


@toolkit.chained_action
@toolkit.side_effect_free
def package_show(up_func, context, data_dict):
    """CKAN's ``package_show``; a dataset the user may not read is "not found"."""
    try:
        return up_func(context, data_dict)
    except toolkit.NotAuthorized:
        raise toolkit.ObjectNotFound(toolkit._("Dataset not found"))


@toolkit.chained_action
@toolkit.side_effect_free
def resource_show(up_func, context, data_dict):
    """CKAN's ``resource_show``; a resource the user may not read is "not found"."""
    try:
        return up_func(context, data_dict)
    except toolkit.NotAuthorized:
        raise toolkit.ObjectNotFound(toolkit._("Resource not found"))
