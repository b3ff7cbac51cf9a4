"""Authorization gaps of CKAN 2.12 and ckanext-harvest, closed here (found by
tests/security/test_authorization_matrix.py, each with its row there).

- ``harvest_source_reindex`` runs without any access check (it shows the source with
  ``ignore_auth`` and writes to the search index): anyone could call it, even with a GET.
  Chained to check its own auth function (the source's update permission) first.
- ``harvest_abort_failed_jobs`` has no access check and tells anyone whether jobs are
  running; without ``life_span`` it fails with a 500. Chained: sysadmins only, and a
  ``life_span`` that is not a whole number is a validation error.
- ckanext-harvest's sysadmin check (``user_is_sysadmin``) fails with a 500 for an anonymous
  caller (a typo in its error path), so six harvest auth functions answer 500 instead of 403:
  an anonymous caller is refused before they run.
- ``harvest_log_list`` checks an auth function ckanext-harvest does not define (500 for everyone
  but sysadmins): one here, sysadmins only (the harvest log can name internal hosts). Its
  registries are made the same in every process first (harvest_registry.py).
- CKAN's collaborator auth functions assert a signed-in user and an existing dataset (500):
  refused before they run when either is missing.
- ckanext-harvest registers seven of its helpers (mail functions, an exception class) as
  actions; called over the API they failed with a 500. They answer a validation error saying
  they are not actions (``NOT_ACTIONS``); nothing calls them through ``get_action``.
- ``task_status_show`` is open to everyone in CKAN, so anyone could read the DataStore load
  status (and its error text) of a private dataset's resource: allowed only to a user who may
  see the entity (``resource_show`` / ``package_show``); other task statuses, sysadmins only.
"""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as toolkit

__all__ = [
    # actions
    "harvest_source_reindex", "harvest_abort_failed_jobs", "NOT_ACTIONS",
    # auth functions
    "harvest_job_abort_auth", "harvest_log_list_auth", "task_status_show_auth", "HARVEST_SIGNED_IN_ONLY",
    "COLLABORATORS_FIRST",
]

_ = toolkit._


def _refused(message: str) -> dict:
    return {"success": False, "msg": message}


def _anonymous(context: dict) -> bool:
    return not context.get("user") or model.User.get(context["user"]) is None


# ---------------------------------------------------------------------------------------
# Actions


@toolkit.chained_action
def harvest_source_reindex(up_func, context, data_dict):
    """ckanext-harvest's ``harvest_source_reindex``, after its own access check."""
    toolkit.check_access("harvest_source_reindex", context, data_dict)
    return up_func(context, data_dict)


@toolkit.chained_action
def harvest_abort_failed_jobs(up_func, context, data_dict):
    """ckanext-harvest's ``harvest_abort_failed_jobs``: sysadmins only, ``life_span`` whole."""
    toolkit.check_access("harvest_abort_failed_jobs", context, data_dict)
    life_span = data_dict.get("life_span", 7)
    try:
        life_span = int(str(life_span))
    except ValueError:
        raise toolkit.ValidationError({"life_span": [_("Must be a whole number of days.")]})
    return up_func(context, {**data_dict, "life_span": life_span})


def _not_an_action(name: str):
    @toolkit.chained_action
    def refuse(up_func, context, data_dict):
        raise toolkit.ValidationError({"action": [_("“{name}” is not an action of this portal's API.").format(
            name=name)]})

    refuse.__name__ = name
    return refuse


#: ckanext-harvest's helpers that its plugin registers as actions.
NOT_ACTIONS = {name: _not_an_action(name) for name in (
    "InactiveSource", "get_mail_extra_vars", "prepare_summary_mail", "prepare_error_mail", "send_summary_email",
    "send_error_email", "send_mail")}


# ---------------------------------------------------------------------------------------
# Auth functions


def _signed_in_first(name: str):
    @toolkit.chained_auth_function
    def auth(next_auth, context, data_dict):
        if _anonymous(context):
            return _refused(_("You must be logged in."))
        return next_auth(context, data_dict)

    auth.__name__ = name
    return auth


def _collaborators_first(name: str):
    @toolkit.chained_auth_function
    def auth(next_auth, context, data_dict):
        if _anonymous(context):
            return _refused(_("You must be logged in."))
        if model.Package.get((data_dict or {}).get("id") or "") is None:
            return _refused(_("Dataset not found"))
        return next_auth(context, data_dict)

    auth.__name__ = name
    return auth


#: Auth functions of ckanext-harvest that fail (500) for an anonymous caller.
HARVEST_SIGNED_IN_ONLY = {name: _signed_in_first(name) for name in (
    "harvest_job_abort", "harvest_jobs_run", "harvest_objects_import", "harvest_sources_reindex",
    "harvest_sources_clear", "harvest_job_create_all")}
#: CKAN's collaborator auth functions, which fail (500) without a user or a dataset.
COLLABORATORS_FIRST = {name: _collaborators_first(name) for name in (
    "package_collaborator_list", "package_collaborator_create", "package_collaborator_delete")}


def harvest_job_abort_auth(context, data_dict):
    """``harvest_abort_failed_jobs``: sysadmins only (sysadmins pass before this runs)."""
    return _refused(_("Only sysadmins can abort failed harvest jobs"))


def harvest_log_list_auth(context, data_dict):
    """``harvest_log_list``: sysadmins only."""
    return _refused(_("Only sysadmins can read the harvest log"))


@toolkit.auth_allow_anonymous_access
def task_status_show_auth(context, data_dict):
    """``task_status_show``: whoever may see the task's resource or dataset."""
    from ckan.model import TaskStatus

    entity_id = data_dict.get("entity_id")
    if data_dict.get("id"):
        task = model.Session.get(TaskStatus, data_dict["id"])
        entity_id = task.entity_id if task is not None else None
    if not entity_id:
        return _refused(_("Not authorized to see this task"))
    for action, getter in (("resource_show", model.Resource.get), ("package_show", model.Package.get)):
        if getter(entity_id) is not None:
            try:
                toolkit.check_access(action, dict(context), {"id": entity_id})
            except toolkit.NotAuthorized:
                return _refused(_("Not authorized to see this task"))
            return {"success": True}
    return _refused(_("Not authorized to see this task"))
