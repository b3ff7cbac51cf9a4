"""Who may create, update, delete and read a draft of agency A's datasets, through the API."""
from __future__ import annotations

import pytest
import ckan.plugins.toolkit as toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

ROLES = ["anonymous", "member_a", "editor_a", "admin_a", "editor_b", "sysadmin"]
ALLOWED = {
    #            create  update  delete  read draft
    "anonymous": (False, False, False, False),
    # CKAN lets every member of the agency read its private and draft datasets.
    "member_a": (False, False, False, True),
    "editor_a": (True, True, True, True),
    "admin_a": (True, True, True, True),
    "editor_b": (False, False, False, False),
    "sysadmin": (True, True, True, True),
}


@pytest.fixture
def world():
    users = {name: factories.User(name=f"user-{name.replace('_', '-')}") for name in ROLES if name not in ("anonymous", "sysadmin")}
    users["sysadmin"] = factories.Sysadmin(name="user-sysadmin")
    agency_a = factories.Organization(name="so-a", users=[
        {"name": users["member_a"]["name"], "capacity": "member"},
        {"name": users["editor_a"]["name"], "capacity": "editor"},
        {"name": users["admin_a"]["name"], "capacity": "admin"},
    ])
    factories.Organization(name="so-b", users=[{"name": users["editor_b"]["name"], "capacity": "editor"}])
    draft = call_action("package_create", context={"user": users["sysadmin"]["name"]},
                        **valid_dataset(agency_a["id"], name="ban-nhap-a", state="draft"))
    published = call_action("package_create", context={"user": users["sysadmin"]["name"]},
                            **valid_dataset(agency_a["id"], name="cong-bo-a"))
    return users, agency_a, draft, published


def _context(users, role):
    return {"user": users[role]["name"] if role in users else "", "ignore_auth": False}


def _allowed(action, context, **data) -> bool:
    """Whether the call is allowed. A dataset the user may not read answers "not found"
    (logic/not_found.py), which counts as refused."""
    try:
        call_action(action, context=context, **data)
        return True
    except toolkit.NotAuthorized:
        return False
    except toolkit.ObjectNotFound:
        if action not in ("package_show", "resource_show"):
            raise
        return False


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role):
    users, agency_a, draft, published = world
    can_create, can_update, can_delete, can_read_draft = ALLOWED[role]
    assert _allowed("package_create", _context(users, role),
                    **valid_dataset(agency_a["id"], name=f"moi-{role.replace('_', '-')}")) is can_create
    assert _allowed("package_patch", _context(users, role), id=published["id"], title="Sửa tên") is can_update
    assert _allowed("package_show", _context(users, role), id=draft["id"]) is can_read_draft
    assert _allowed("package_delete", _context(users, role), id=published["id"]) is can_delete


def test_editor_of_b_cannot_move_a_dataset_into_a(world):
    users, agency_a, draft, published = world
    assert not _allowed("package_create", _context(users, "editor_b"), **valid_dataset(agency_a["id"], name="lan-sang-a"))


def test_drafts_are_invisible_to_the_public_and_to_search(world):
    users, agency_a, draft, published = world
    found = call_action("package_search", context={"user": "", "ignore_auth": False}, q="*:*", include_drafts=True)
    names = [hit["name"] for hit in found["results"]]
    assert "cong-bo-a" in names and "ban-nhap-a" not in names

    # Finished by its editor, it waits for the agency's review (workflow.py): still not public.
    call_action("package_patch", context={"user": users["editor_a"]["name"]}, id=draft["id"], state="active")
    found = call_action("package_search", context={"user": "", "ignore_auth": False}, q="*:*")
    assert "ban-nhap-a" not in [hit["name"] for hit in found["results"]]

    call_action("bd_review_approve", context={"user": users["admin_a"]["name"]}, id=draft["id"])
    found = call_action("package_search", context={"user": "", "ignore_auth": False}, q="*:*")
    assert "ban-nhap-a" in [hit["name"] for hit in found["results"]]
