"""Pages of the approval workflow (workflow.py): the review queue on the dashboard and each
dataset's review page, where an agency admin approves or returns it with a reason."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint

from ckanext.binhduong import workflow

__all__ = ["review"]

_ = toolkit._

review = Blueprint("bd_workflow", __name__)


def _context() -> dict:
    return {"user": toolkit.current_user.name if toolkit.current_user.is_authenticated else ""}


@review.route("/dashboard/review")
def queue():
    if not toolkit.current_user.is_authenticated:
        return toolkit.redirect_to("user.login")
    context = _context()
    waiting = toolkit.get_action("bd_review_list")(context, {})
    mine = workflow.submitted_by_me(context["user"])
    drafts = workflow.drafts_of(context["user"])
    user_dict = toolkit.get_action("user_show")(dict(context), {"id": context["user"]})
    # Only an agency's admins (and sysadmins) review; an editor's page shows no empty review list.
    is_reviewer = bool(toolkit.current_user.sysadmin or waiting or toolkit.get_action("organization_list_for_user")(
        dict(context), {"id": context["user"], "permission": "admin"}))
    return toolkit.render("workflow/queue.html", {"waiting": waiting, "mine": mine, "drafts": drafts, "user_dict": user_dict,
                                                  "is_sysadmin": toolkit.current_user.sysadmin, "is_reviewer": is_reviewer})


@review.route("/dataset/<id>/review", methods=["GET", "POST"])
def dataset_review(id: str):
    context = _context()
    try:
        pkg_dict = toolkit.get_action("package_show")(dict(context), {"id": id})
        status = toolkit.get_action("bd_review_show")(dict(context), {"id": pkg_dict["id"]})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, _("Dataset not found"))
    errors: dict = {}
    reason = ""
    if toolkit.request.method == "POST":
        decision = toolkit.request.form.get("decision")
        reason = toolkit.request.form.get("reason", "")
        action = {"approve": "bd_review_approve", "return": "bd_review_return",
                  "submit": "bd_review_submit"}.get(decision)
        if action is None:
            return toolkit.abort(400, _("Choose approve or return."))
        try:
            toolkit.get_action(action)(dict(context), {"id": pkg_dict["id"], "reason": reason})
        except toolkit.NotAuthorized as error:
            return toolkit.abort(403, str(error) or _("Only an admin of the dataset's agency may approve or return it."))
        except toolkit.ValidationError as error:
            errors = error.error_dict
        else:
            toolkit.h.flash_success({"approve": _("Approved: the dataset is public."),
                                     "return": _("Returned to the editor with your reason."),
                                     "submit": _("Submitted for review.")}[decision])
            if toolkit.request.form.get("back") == "dataset":  # decided on the dataset's page
                return toolkit.redirect_to("dataset.read", id=pkg_dict["name"])
            return toolkit.redirect_to("bd_workflow.dataset_review", id=pkg_dict["name"])
    can_review = workflow.may_review(context["user"], pkg_dict.get("owner_org"))
    return toolkit.render("workflow/dataset_review.html", {
        "pkg_dict": pkg_dict, "status": status, "can_review": can_review, "errors": errors, "reason": reason,
        "can_submit": toolkit.h.check_access("bd_review_submit", {"id": pkg_dict["id"]})})
