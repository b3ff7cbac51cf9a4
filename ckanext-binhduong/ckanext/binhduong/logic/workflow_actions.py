"""Actions of the approval workflow (workflow.py holds the rule). Each checks access first."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import workflow

__all__ = ["bd_review_show", "bd_review_submit", "bd_review_approve", "bd_review_return", "bd_review_list",
           "bd_review_policy_show", "bd_review_policy_update"]

_ = toolkit._
MAX_REASON = 2000


def _package(data_dict: dict) -> model.Package:
    package_id = data_dict.get("id") if isinstance(data_dict, dict) else None
    if not isinstance(package_id, str) or not package_id.strip():
        raise toolkit.ValidationError({"id": [_("Missing value")]})
    package = model.Package.get(package_id.strip())
    if package is None or package.state == "deleted":
        raise toolkit.ObjectNotFound(_("Dataset not found"))
    return package


def _answer(package: model.Package) -> dict:
    row = workflow.get(package.id) or {}
    return {"id": package.id, "name": package.name, "status": row.get("status"), "reason": row.get("reason"),
            "submitted_at": row["submitted_at"].isoformat() if row.get("submitted_at") else None,
            "reviewed_at": row["reviewed_at"].isoformat() if row.get("reviewed_at") else None,
            "private": package.private}


@toolkit.side_effect_free
def bd_review_show(context, data_dict):
    """The review status of a dataset (``id``): pending, approved, returned, or null."""
    toolkit.check_access("bd_review_show", context, data_dict)
    return _answer(_package(data_dict))


def bd_review_submit(context, data_dict):
    """Submit a finished dataset (``id``) for review again (a save by its editor does it too)."""
    toolkit.check_access("bd_review_submit", context, data_dict)
    package = _package(data_dict)
    if package.state != "active":
        raise toolkit.ValidationError({"id": [_("Add the data files and finish the dataset before submitting it.")]})
    row = workflow.get(package.id)
    if row and row["status"] == workflow.PENDING:
        return _answer(package)
    workflow._save(package.id, status=workflow.PENDING, submitted_by=model.User.get(context["user"]).id,
                   submitted_at=dt.datetime.utcnow())
    workflow.record_step(package.id, context["user"], workflow.PENDING, None)
    workflow.notify_admins(package.id, context["user"])
    model.repo.commit()
    return _answer(package)


def bd_review_approve(context, data_dict):
    """Approve a dataset waiting for review (``id``): it becomes public ("Đã duyệt")."""
    toolkit.check_access("bd_review_approve", context, data_dict)
    package = _package(data_dict)
    row = workflow.get(package.id)
    if not row or row["status"] != workflow.PENDING:
        raise toolkit.ValidationError({"id": [_("This dataset is not waiting for review.")]})
    toolkit.get_action("package_patch")({"user": context["user"]}, {"id": package.id, "private": False})
    workflow.decide(package.id, context["user"], workflow.APPROVED, None)
    model.repo.commit()
    return _answer(model.Package.get(package.id))


def bd_review_return(context, data_dict):
    """Return a dataset waiting for review (``id``) to its editor with a ``reason`` ("Cần sửa")."""
    toolkit.check_access("bd_review_return", context, data_dict)
    package = _package(data_dict)
    reason = data_dict.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise toolkit.ValidationError({"reason": [_("Say what the editor should change.")]})
    if len(reason) > MAX_REASON:
        raise toolkit.ValidationError({"reason": [_("At most {limit} characters.").format(limit=MAX_REASON)]})
    row = workflow.get(package.id)
    if not row or row["status"] != workflow.PENDING:
        raise toolkit.ValidationError({"id": [_("This dataset is not waiting for review.")]})
    workflow.decide(package.id, context["user"], workflow.RETURNED, reason.strip())
    model.repo.commit()
    return _answer(package)


@toolkit.side_effect_free
def bd_review_list(context, data_dict):
    """Datasets waiting for the caller's review (an admin: their agencies'; a sysadmin: all).
    Optional ``organization_id`` and ``status`` (pending, approved, returned)."""
    toolkit.check_access("bd_review_list", context, data_dict)
    status = data_dict.get("status") or workflow.PENDING
    if status not in workflow.STATUSES:
        raise toolkit.ValidationError({"status": [_("Choose one of: {choices}.").format(choices=", ".join(workflow.STATUSES))]})
    organization_id = data_dict.get("organization_id") or None
    if organization_id is not None:
        group = model.Group.get(str(organization_id))
        if group is None:
            raise toolkit.ObjectNotFound(_("Organization not found"))
        organization_id = group.id
    rows = workflow.queue(context["user"], organization_id, status)
    for row in rows:
        for key in ("submitted_at", "reviewed_at"):
            row[key] = row[key].isoformat() if row.get(key) else None
    return rows


@toolkit.side_effect_free
def bd_review_policy_show(context, data_dict):
    """An agency's review policy (``id``): review_required, review_edits."""
    toolkit.check_access("bd_review_policy_show", context, data_dict)
    group = _organization(data_dict)
    return {"organization_id": group.id, **workflow.policy(group.id)}


def bd_review_policy_update(context, data_dict):
    """Set an agency's review policy (``id``, ``review_required``, ``review_edits``: booleans)."""
    toolkit.check_access("bd_review_policy_update", context, data_dict)
    group = _organization(data_dict)
    current = workflow.policy(group.id)
    values = {}
    for key in ("review_required", "review_edits"):
        value: Any = data_dict.get(key, current[key])
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no", "on", "off"):
            value = toolkit.asbool(value)
        if not isinstance(value, bool):
            raise toolkit.ValidationError({key: [_("Must be true or false.")]})
        values[key] = value
    result = workflow.set_policy(group.id, context["user"], **values)
    model.repo.commit()
    return {"organization_id": group.id, **result}


def _organization(data_dict: dict) -> model.Group:
    org_id = data_dict.get("id") if isinstance(data_dict, dict) else None
    if not isinstance(org_id, str) or not org_id.strip():
        raise toolkit.ValidationError({"id": [_("Missing value")]})
    group = model.Group.get(org_id.strip())
    if group is None or not group.is_organization:
        raise toolkit.ObjectNotFound(_("Organization not found"))
    return group
