"""The approval workflow of hand-made datasets, on CKAN's own mechanisms.

The rule (written down in ckanext-binhduong/README.md):

- An *editor* of an agency (organization member with capacity ``editor``) cannot make a dataset
  public. Whatever the form or the API sends, the dataset stays private (CKAN's ``private``
  flag, so every read path, the search index and the DCAT catalogue already hide it) until an
  *admin* of the same agency (or a sysadmin) approves it. States: "Chờ duyệt" (``pending``,
  submitted when the editor finishes the dataset, i.e. CKAN's ``draft`` becomes ``active``),
  "Đã duyệt" (``approved``: public), "Cần sửa" (``returned``, with a reason; the editor's next
  save submits it again).
- An editor's edit of a published dataset follows the same rule when the agency's policy says
  so (``review_edits``, default ``ckanext.binhduong.review_edits``): the dataset goes back to
  "Chờ duyệt" and private until approved. With ``review_edits`` off, edits to an approved
  dataset stay public.
- An agency whose policy has ``review_required`` off publishes as stock CKAN does.
- Admins and sysadmins publish directly. Harvested datasets (with a harvest object) are never
  held: they publish as their harvest source's owner decides.
- Every step is an activity of the dataset (who, when, the reason), with the dataset's
  permission labels, so only those who may see the dataset see the step; e-mail goes to the
  agency's admins on submission and back to the editor on approval or return (``mail.py``:
  CKAN's ``smtp.*`` settings over verified TLS; no server configured: nothing is sent, and a
  failed delivery is logged, never an error for the person acting).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import mail

log = logging.getLogger(__name__)

PENDING, APPROVED, RETURNED = "pending", "approved", "returned"
STATUSES = (PENDING, APPROVED, RETURNED)
# Types ending in "package": ckanext-activity filters only those by the dataset's permission
# labels, so a step of a private dataset (and a return's reason) is seen only by its agency.
ACTIVITY_TYPES = {PENDING: "bd submitted package", APPROVED: "bd approved package", RETURNED: "bd returned package"}


# ---------------------------------------------------------------------------------------
# Storage (tables made by migration/binhduong/versions/d7b2e4f1a9c3_review_workflow.py)


def get(package_id: str) -> dict | None:
    row = model.Session.execute(sa.text(
        "SELECT package_id, status, reason, submitted_by, submitted_at, reviewed_by, reviewed_at "
        "FROM binhduong_review WHERE package_id = :id"), {"id": package_id}).mappings().first()
    return dict(row) if row else None


def _save(package_id: str, **values: Any) -> None:
    current = get(package_id)
    if current is None:
        values = {"reason": None, "submitted_by": None, "submitted_at": None, "reviewed_by": None,
                  "reviewed_at": None, **values}
        model.Session.execute(sa.text(
            "INSERT INTO binhduong_review (package_id, status, reason, submitted_by, submitted_at, reviewed_by, reviewed_at) "
            "VALUES (:package_id, :status, :reason, :submitted_by, :submitted_at, :reviewed_by, :reviewed_at)"),
            {"package_id": package_id, **values})
    else:
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        model.Session.execute(sa.text(f"UPDATE binhduong_review SET {assignments} WHERE package_id = :package_id"),
                              {"package_id": package_id, **values})


def policy(organization_id: str) -> dict:
    """An agency's review policy; agencies without a row follow the configured defaults."""
    row = model.Session.execute(sa.text(
        "SELECT review_required, review_edits FROM binhduong_review_policy WHERE organization_id = :id"),
        {"id": organization_id}).mappings().first()
    if row:
        return {"review_required": bool(row["review_required"]), "review_edits": bool(row["review_edits"])}
    return {"review_required": toolkit.asbool(toolkit.config.get("ckanext.binhduong.review_required")),
            "review_edits": toolkit.asbool(toolkit.config.get("ckanext.binhduong.review_edits"))}


def set_policy(organization_id: str, user: str, review_required: bool, review_edits: bool) -> dict:
    model.Session.execute(sa.text(
        "INSERT INTO binhduong_review_policy (organization_id, review_required, review_edits, updated_by, updated_at) "
        "VALUES (:id, :required, :edits, :user, :now) ON CONFLICT (organization_id) DO UPDATE SET "
        "review_required = :required, review_edits = :edits, updated_by = :user, updated_at = :now"),
        {"id": organization_id, "required": review_required, "edits": review_edits, "user": user,
         "now": dt.datetime.utcnow()})
    return policy(organization_id)


# ---------------------------------------------------------------------------------------
# The rule


def _user_object(user: str | None):
    return model.User.get(user) if user else None


def role(user: str | None, organization_id: str | None) -> str | None:
    """"sysadmin", or the user's capacity in the organization ("admin", "editor", "member")."""
    user_obj = _user_object(user)
    if user_obj is None:
        return None
    if user_obj.sysadmin:
        return "sysadmin"
    if not organization_id:
        return None
    return authz.users_role_for_group_or_org(organization_id, user_obj.name)


def may_review(user: str | None, organization_id: str | None) -> bool:
    return role(user, organization_id) in ("sysadmin", "admin")


def is_harvested(package_id: str | None) -> bool:
    if not package_id:
        return False
    try:
        with model.Session.begin_nested():
            found = model.Session.execute(sa.text(
                "SELECT 1 FROM harvest_object WHERE package_id = :id LIMIT 1"), {"id": package_id}).first()
    except sa.exc.ProgrammingError:  # ckanext-harvest's tables are not there
        return False
    return found is not None


def held_for_review(user: str | None, organization_id: str | None, package_id: str | None) -> bool:
    """Whether what this user writes to this agency's dataset waits for an admin."""
    if not organization_id or role(user, organization_id) != "editor":
        return False
    if not policy(organization_id)["review_required"]:
        return False
    return not is_harvested(package_id)


def forced_private(user: str | None, organization_id: str | None, package: Any) -> bool | None:
    """The ``private`` value the rule imposes on an editor's write (None: no rule applies)."""
    package_id = getattr(package, "id", None)
    if not held_for_review(user, organization_id, package_id):
        return None
    published = package is not None and not package.private and package.state == "active"
    if published and not policy(organization_id)["review_edits"]:
        return None  # edits to an approved dataset stay public in this agency
    return True


# ---------------------------------------------------------------------------------------
# Steps


def after_write(context: dict, pkg_dict: dict) -> None:
    """After an editor's create or update: a finished (active) dataset the rule holds back is
    submitted for review, unless it already waits."""
    user = context.get("user")
    package_id, organization_id = pkg_dict.get("id"), pkg_dict.get("owner_org")
    if not package_id or pkg_dict.get("state", "active") != "active" or not pkg_dict.get("private"):
        return
    if not held_for_review(user, organization_id, package_id):
        return
    current = get(package_id)
    if current and current["status"] == PENDING:
        return
    _save(package_id, status=PENDING, submitted_by=_user_object(user).id, submitted_at=dt.datetime.utcnow())
    record_step(package_id, user, PENDING, None)
    notify_admins(package_id, user)


def after_datastore_load(dataset_dict: dict) -> None:
    """xloader's job reads the dataset when it starts and re-indexes it each time it patches the
    resource, from what its session read then: a dataset approved (or sent back to review) while
    its table loaded would keep the old visibility in the search index. Called in the web
    process when the job reports back (IXloader.after_upload): a dataset in the workflow is
    indexed again as stored (one dataset, once per load)."""
    from ckan.lib import search

    package_id = (dataset_dict or {}).get("id")
    if package_id and get(package_id) is not None:
        search.rebuild(package_id)


def decide(package_id: str, user: str, status: str, reason: str | None) -> dict:
    _save(package_id, status=status, reason=reason, reviewed_by=_user_object(user).id,
          reviewed_at=dt.datetime.utcnow())
    record_step(package_id, user, status, reason)
    notify_editor(package_id, user, status, reason)
    return get(package_id)


def record_step(package_id: str, user: str, status: str, reason: str | None) -> None:
    """The step in the dataset's activity stream, seen by whoever may see the dataset."""
    from ckan.lib.plugins import get_permission_labels
    from ckanext.activity.model import Activity

    package = model.Package.get(package_id)
    user_obj = _user_object(user)
    if package is None or user_obj is None:
        return
    data = {"package": {"id": package.id, "name": package.name, "title": package.title, "type": package.type,
                        "owner_org": package.owner_org},
            "review": {"status": status, "reason": reason}}
    activity = Activity(user_obj.id, package.id, ACTIVITY_TYPES[status], data,
                        get_permission_labels().get_dataset_labels(package))
    model.Session.add(activity)


def queue(user: str, organization_id: str | None = None, status: str = PENDING) -> list[dict]:
    """Datasets in a status that this user may review: a sysadmin sees every agency's, an
    admin those of the agencies they administer."""
    user_obj = _user_object(user)
    if user_obj is None:
        return []
    query = ("SELECT r.package_id, r.status, r.reason, r.submitted_at, r.reviewed_at, p.name, p.title, p.owner_org, "
             "g.title AS organization_title, u.name AS submitted_by_name, u.fullname AS submitted_by_fullname "
             "FROM binhduong_review r JOIN package p ON p.id = r.package_id "
             "JOIN \"group\" g ON g.id = p.owner_org LEFT JOIN \"user\" u ON u.id = r.submitted_by "
             "WHERE r.status = :status AND p.state = 'active'")
    params: dict[str, Any] = {"status": status}
    if organization_id:
        query += " AND p.owner_org = :org"
        params["org"] = organization_id
    if not user_obj.sysadmin:
        query += (" AND p.owner_org IN (SELECT m.group_id FROM member m WHERE m.table_name = 'user' "
                  "AND m.table_id = :user_id AND m.capacity = 'admin' AND m.state = 'active')")
        params["user_id"] = user_obj.id
    query += " ORDER BY r.submitted_at"
    return [dict(row) for row in model.Session.execute(sa.text(query), params).mappings()]


def _rows_of_user(query: str, user: str | None) -> list[dict]:
    """The rows of ``query`` (its ``:id`` the user's id) for this user; none for an unknown one."""
    user_obj = _user_object(user)
    if user_obj is None:
        return []
    return [dict(row) for row in model.Session.execute(sa.text(query), {"id": user_obj.id}).mappings()]


def submitted_by_me(user: str) -> list[dict]:
    """The editor's own datasets in the workflow, newest first."""
    return _rows_of_user(
        "SELECT r.package_id, r.status, r.reason, r.submitted_at, r.reviewed_at, p.name, p.title "
        "FROM binhduong_review r JOIN package p ON p.id = r.package_id "
        "WHERE r.submitted_by = :id AND p.state = 'active' ORDER BY r.submitted_at DESC", user)


def drafts_of(user: str) -> list[dict]:
    """The user's unfinished datasets (CKAN's ``draft`` state: the form's first page was saved,
    the data files step was not finished), newest first: the dashboard's "Bản nháp"."""
    return _rows_of_user(
        "SELECT p.id, p.name, p.title, p.metadata_modified, g.title AS organization_title FROM package p "
        "LEFT JOIN \"group\" g ON g.id = p.owner_org WHERE p.creator_user_id = :id AND p.state = 'draft' "
        "AND p.type = 'dataset' ORDER BY p.metadata_modified DESC LIMIT 50", user)


# ---------------------------------------------------------------------------------------
# E-mail


def _admin_addresses(organization_id: str) -> list[str]:
    rows = model.Session.execute(sa.text(
        "SELECT u.email FROM member m JOIN \"user\" u ON u.id = m.table_id WHERE m.group_id = :org "
        "AND m.table_name = 'user' AND m.capacity = 'admin' AND m.state = 'active' AND u.state = 'active' "
        "AND u.email IS NOT NULL AND u.email <> ''"), {"org": organization_id})
    return sorted({row[0] for row in rows})


def _dataset_url(package: Any) -> str:
    return f"{toolkit.config.get('ckan.site_url', '').rstrip('/')}/dataset/{package.name}"


def notify_admins(package_id: str, editor: str) -> None:
    package = model.Package.get(package_id)
    if package is None or not package.owner_org:
        return
    editor_obj = _user_object(editor)
    who = editor_obj.fullname or editor_obj.name
    dashboard = f"{toolkit.config.get('ckan.site_url', '').rstrip('/')}/dashboard/review"
    review_page = f"{_dataset_url(package)}/review"
    send(_admin_addresses(package.owner_org),
         f"[Chờ duyệt] {package.title}",
         f"{who} đã gửi bộ dữ liệu “{package.title}” để duyệt trước khi công bố.\n"
         f"Xem và duyệt: {review_page}\nDanh sách chờ duyệt: {dashboard}\n\n"
         f"{who} submitted the dataset “{package.title}” for review before publication.\n"
         f"Review it: {review_page}\nWaiting for your review: {dashboard}\n")


def notify_editor(package_id: str, reviewer: str, status: str, reason: str | None) -> None:
    package = model.Package.get(package_id)
    row = get(package_id)
    editor = model.User.get(row["submitted_by"]) if row and row["submitted_by"] else None
    if package is None or editor is None or not editor.email:
        return
    reviewer_obj = _user_object(reviewer)
    who = reviewer_obj.fullname or reviewer_obj.name
    if status == APPROVED:
        subject = f"[Đã duyệt] {package.title}"
        body = (f"{who} đã duyệt bộ dữ liệu “{package.title}”; bộ dữ liệu đã được công khai.\n{_dataset_url(package)}\n\n"
                f"{who} approved the dataset “{package.title}”; it is now public.\n")
    else:
        subject = f"[Cần sửa] {package.title}"
        body = (f"{who} đã trả lại bộ dữ liệu “{package.title}” để sửa.\nLý do: {reason}\n"
                f"Sửa rồi lưu lại để gửi duyệt lần nữa: {_dataset_url(package)}\n\n"
                f"{who} returned the dataset “{package.title}” for changes.\nReason: {reason}\n"
                f"Edit and save it to submit it again.\n")
    send([editor.email], subject, body)


def send(recipients: list[str], subject: str, body: str) -> bool:
    """One plain-text UTF-8 message through the portal's mail (``mail.py``: CKAN's ``smtp.*``
    settings, verified TLS). False when it was not sent (no server configured, or a failure,
    which ``mail`` has logged): the step that mails never fails for it."""
    try:
        return mail.send(recipients, subject, body)
    except mail.MailError:
        return False
