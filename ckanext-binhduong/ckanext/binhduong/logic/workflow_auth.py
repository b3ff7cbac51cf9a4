"""Authorization of the approval workflow's actions (logic/workflow_actions.py)."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import workflow

__all__ = ["bd_review_show", "bd_review_submit", "bd_review_approve", "bd_review_return", "bd_review_list",
           "bd_review_policy_show", "bd_review_policy_update"]

_ = toolkit._


def _owner(data_dict: dict) -> str | None:
    package_id = data_dict.get("id") if isinstance(data_dict, dict) else None
    package = model.Package.get(package_id) if isinstance(package_id, str) and package_id else None
    return package.owner_org if package is not None else None


def _refused(message: str) -> dict:
    return {"success": False, "msg": message}


@toolkit.auth_allow_anonymous_access
def bd_review_show(context, data_dict):
    # Whoever may see the dataset may see where it stands.
    try:
        toolkit.check_access("package_show", context, {"id": (data_dict or {}).get("id")})
    except toolkit.NotAuthorized:
        return _refused(_("You may not see this dataset."))
    return {"success": True}


def bd_review_submit(context, data_dict):
    try:
        toolkit.check_access("package_update", context, {"id": (data_dict or {}).get("id")})
    except toolkit.NotAuthorized:
        return _refused(_("Only the agency's editors and admins may submit this dataset."))
    return {"success": True}


def bd_review_approve(context, data_dict):
    if workflow.may_review(context.get("user"), _owner(data_dict)):
        return {"success": True}
    return _refused(_("Only an admin of the dataset's agency may approve or return it."))


bd_review_return = bd_review_approve


def bd_review_list(context, data_dict):
    # Signed-in users only; the list holds only the agencies they administer.
    return {"success": bool(context.get("user") and model.User.get(context["user"]))}


def bd_review_policy_show(context, data_dict):
    org_id = (data_dict or {}).get("id")
    if workflow.role(context.get("user"), org_id) in ("sysadmin", "admin", "editor", "member"):
        return {"success": True}
    return _refused(_("Only members of the agency may see its review policy."))


def bd_review_policy_update(context, data_dict):
    if workflow.may_review(context.get("user"), (data_dict or {}).get("id")):
        return {"success": True}
    return _refused(_("Only an admin of the agency may change its review policy."))
