"""Authorization functions of our actions."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit

__all__ = ["binhduong_seed_catalogue"]


def binhduong_seed_catalogue(context, data_dict):
    # Loading the catalogue writes organizations and datasets of every agency at once,
    # which only a sysadmin may do (sysadmins pass before this function is reached).
    return {"success": False, "msg": toolkit._("Only sysadmins can load the starter catalogue")}
