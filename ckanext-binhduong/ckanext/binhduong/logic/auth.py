"""Authorization functions of our actions."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit

__all__ = ["binhduong_seed_catalogue", "binhduong_harvest_source_purge", "binhduong_harvest_source_purge_orphans"]


def binhduong_seed_catalogue(context, data_dict):
    # Loading the catalogue writes organizations and datasets of every agency at once,
    # which only a sysadmin may do (sysadmins pass before this function is reached).
    return {"success": False, "msg": toolkit._("Only sysadmins can load the starter catalogue")}


def binhduong_harvest_source_purge(context, data_dict):
    # Purging removes the record of every harvest a source ran: sysadmins only.
    return {"success": False, "msg": toolkit._("Only sysadmins can purge harvest sources")}


def binhduong_harvest_source_purge_orphans(context, data_dict):
    return {"success": False, "msg": toolkit._("Only sysadmins can purge harvest sources")}
