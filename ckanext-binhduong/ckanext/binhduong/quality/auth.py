"""Auth functions of the quality actions (registered through logic/auth.py)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit

__all__ = ["binhduong_quality_agency", "binhduong_quality_check_links", "binhduong_quality_compute",
           "binhduong_quality_show", "binhduong_quality_table_report", "binhduong_quality_validate_tables"]


@toolkit.auth_allow_anonymous_access
def binhduong_quality_show(context, data_dict):
    # Whoever may read the dataset may read its quality: the action reads the dataset with
    # package_show as the caller, which answers "not found" for a dataset they may not see
    # (as the portal does for private datasets, logic/not_found.py), never a 403 that would
    # tell that it exists.
    return {"success": True}


@toolkit.auth_allow_anonymous_access
def binhduong_quality_agency(context, data_dict):
    # Public figures about public datasets, like the statistics page.
    return {"success": True}


def binhduong_quality_compute(context, data_dict):
    # Measures every agency's datasets at once (and validates them): sysadmins only
    # (sysadmins pass before this function is reached).
    return {"success": False, "msg": toolkit._("Only sysadmins can compute quality scores")}


def binhduong_quality_check_links(context, data_dict):
    # Sends requests to other servers on the portal's behalf: sysadmins only.
    return {"success": False, "msg": toolkit._("Only sysadmins can check links")}


@toolkit.auth_allow_anonymous_access
def binhduong_quality_table_report(context, data_dict):
    # Whoever may read the resource may read its report: the action reads the resource with
    # resource_show as the caller, which answers "not found" for a resource of a dataset they
    # may not see (logic/not_found.py), as binhduong_quality_show does for datasets.
    return {"success": True}


def binhduong_quality_validate_tables(context, data_dict):
    # Reads every agency's files and fetches links on the portal's behalf: sysadmins only.
    return {"success": False, "msg": toolkit._("Only sysadmins can validate tables")}
