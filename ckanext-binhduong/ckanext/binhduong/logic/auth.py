"""Authorization functions of our actions, and (``registered``) the whole set the plugin
registers: ours and the fixes of third-party gaps (logic/third_party_auth.py)."""
from __future__ import annotations

from typing import Callable

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.logic import third_party_auth, workflow_auth
from ckanext.binhduong.quality import auth as quality_auth

__all__ = ["binhduong_seed_catalogue", "binhduong_harvest_source_purge", "binhduong_harvest_source_purge_orphans",
           "registered"]


def binhduong_seed_catalogue(context, data_dict):
    # Loading the catalogue writes organizations and datasets of every agency at once,
    # which only a sysadmin may do (sysadmins pass before this function is reached).
    return {"success": False, "msg": toolkit._("Only sysadmins can load the starter catalogue")}


def binhduong_harvest_source_purge(context, data_dict):
    # Purging removes the record of every harvest a source ran: sysadmins only.
    return {"success": False, "msg": toolkit._("Only sysadmins can purge harvest sources")}


def binhduong_harvest_source_purge_orphans(context, data_dict):
    return {"success": False, "msg": toolkit._("Only sysadmins can purge harvest sources")}


def registered() -> dict[str, Callable]:
    """Every auth function the plugin registers, by action name. The fixes of ckanext-harvest's
    are chained to its own, so they are registered only where the harvest plugin is loaded."""
    functions = {
        "binhduong_seed_catalogue": binhduong_seed_catalogue,
        "binhduong_harvest_source_purge": binhduong_harvest_source_purge,
        "binhduong_harvest_source_purge_orphans": binhduong_harvest_source_purge_orphans,
        "task_status_show": third_party_auth.task_status_show_auth,
        **{name: getattr(quality_auth, name) for name in quality_auth.__all__},
        **third_party_auth.COLLABORATORS_FIRST,
        **{name: getattr(workflow_auth, name) for name in workflow_auth.__all__},
    }
    if plugins.plugin_loaded("harvest"):
        functions.update({
            "harvest_abort_failed_jobs": third_party_auth.harvest_job_abort_auth,
            "harvest_log_list": third_party_auth.harvest_log_list_auth,
            **third_party_auth.HARVEST_SIGNED_IN_ONLY,
        })
    return functions
