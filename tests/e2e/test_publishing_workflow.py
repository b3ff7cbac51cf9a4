"""The approval workflow on the running portal, over the Action API and pages: an editor's
dataset waits ("Chờ duyệt") until an admin of the same agency approves it or returns it with a
reason; every step in the activity stream; e-mail to the agency's admins and back to the
editor through a local SMTP sink; the review queue; the per-agency policy for edits; and who
may do what (editor, admin of the agency, admin of another agency, sysadmin, anonymous)."""
from __future__ import annotations

import re
import secrets
import uuid

import ckanapi
import pytest
import requests

from bd_factories import valid_dataset
from portal_session import csrf_token, log_in


@pytest.fixture(scope="module")
def world(portal_url, portal_api):
    """Agency A (an editor and an admin) and agency B (an admin), each user with a token."""
    suffix = uuid.uuid4().hex[:6]
    users, orgs = {}, {}
    for role in ("editor_a", "admin_a", "admin_b"):
        password = secrets.token_urlsafe(12)
        user = portal_api.action.user_create(name=f"duyet-{role.replace('_', '-')}-{suffix}",
                                             email=f"duyet-{role}-{suffix}@example.org", password=password,
                                             fullname=f"Người dùng {role}")
        token = portal_api.action.api_token_create(user=user["name"], name="kiem-thu-duyet")["token"]
        users[role] = {**user, "password": password, "api": ckanapi.RemoteCKAN(portal_url, apikey=token)}
    orgs["a"] = portal_api.action.organization_create(
        name=f"so-duyet-a-{suffix}", title="Sở kiểm thử duyệt A",
        users=[{"name": users["editor_a"]["name"], "capacity": "editor"},
               {"name": users["admin_a"]["name"], "capacity": "admin"}])
    orgs["b"] = portal_api.action.organization_create(
        name=f"so-duyet-b-{suffix}", title="Sở kiểm thử duyệt B",
        users=[{"name": users["admin_b"]["name"], "capacity": "admin"}])
    yield {"users": users, "orgs": orgs}
    for org in orgs.values():
        for dataset in portal_api.action.package_search(fq=f"owner_org:{org['id']}", include_private=True,
                                                        include_drafts=True, rows=1000)["results"]:
            portal_api.action.dataset_purge(id=dataset["id"])
        portal_api.action.organization_purge(id=org["id"])
    for user in users.values():
        portal_api.action.user_delete(id=user["id"])


def _refused(call, **kwargs):
    with pytest.raises(ckanapi.NotAuthorized):
        call(**kwargs)


def _anonymous_sees(portal_url, name: str) -> bool:
    response = requests.get(f"{portal_url}/api/3/action/package_show", params={"id": name}, timeout=30)
    assert response.status_code in (200, 403, 404), response.status_code
    return response.status_code == 200


def _activities(portal_api, dataset_id: str) -> list[dict]:
    return portal_api.action.package_activity_list(id=dataset_id, limit=50)


def test_the_whole_workflow_with_its_e_mail_and_activities(portal_url, portal_api, anonymous_api, world, smtp_sink):
    editor, admin_a, admin_b = (world["users"][role] for role in ("editor_a", "admin_a", "admin_b"))
    org_a = world["orgs"]["a"]

    # The editor asks for a public dataset; it stays private and waits.
    dataset = editor["api"].action.package_create(**valid_dataset(org_a["id"], private=False,
                                                                  title="Bộ dữ liệu chờ duyệt"))
    assert dataset["private"] is True
    assert editor["api"].action.bd_review_show(id=dataset["id"])["status"] == "pending"
    assert not _anonymous_sees(portal_url, dataset["name"])
    mail = smtp_sink.wait_for(lambda m: admin_a["email"] in m["to"] and "[Chờ duyệt]" in m["message"]["Subject"])
    assert mail, [m["message"]["Subject"] for m in smtp_sink.messages]
    assert f"/dataset/{dataset['name']}" in mail[0]["message"].get_content()

    # The queue: the agency's admin and a sysadmin see it, the other agency's admin does not.
    assert dataset["id"] in [row["package_id"] for row in admin_a["api"].action.bd_review_list()]
    assert dataset["id"] in [row["package_id"] for row in portal_api.action.bd_review_list()]
    assert dataset["id"] not in [row["package_id"] for row in admin_b["api"].action.bd_review_list()]
    assert editor["api"].action.bd_review_list() == []
    _refused(anonymous_api.action.bd_review_list)

    # Who may decide: the agency's admin only (and sysadmins).
    for caller in (editor["api"], admin_b["api"], anonymous_api):
        _refused(caller.action.bd_review_approve, id=dataset["id"])
        _refused(caller.action.bd_review_return, id=dataset["id"], reason="Không được")

    # Returned with a reason: a reason is required; the editor gets it by e-mail.
    with pytest.raises(ckanapi.ValidationError) as refused:
        admin_a["api"].action.bd_review_return(id=dataset["id"], reason="  ")
    assert "reason" in refused.value.error_dict
    returned = admin_a["api"].action.bd_review_return(id=dataset["id"], reason="Thiếu nguồn số liệu trong mô tả")
    assert returned["status"] == "returned" and returned["private"] is True
    mail = smtp_sink.wait_for(lambda m: editor["email"] in m["to"] and "[Cần sửa]" in m["message"]["Subject"])
    assert mail and "Thiếu nguồn số liệu trong mô tả" in mail[0]["message"].get_content()
    with pytest.raises(ckanapi.ValidationError):  # nothing to approve until it is submitted again
        admin_a["api"].action.bd_review_approve(id=dataset["id"])

    # The editor fixes it: saving submits it again.
    editor["api"].action.package_patch(id=dataset["id"], notes="Nguồn: Sở Thông tin và Truyền thông, 2024.")
    assert editor["api"].action.bd_review_show(id=dataset["id"])["status"] == "pending"

    approved = admin_a["api"].action.bd_review_approve(id=dataset["id"])
    assert approved["status"] == "approved" and approved["private"] is False
    assert _anonymous_sees(portal_url, dataset["name"])
    assert smtp_sink.wait_for(lambda m: editor["email"] in m["to"] and "[Đã duyệt]" in m["message"]["Subject"])

    # Every step in the activity stream, with who did it.
    steps = [(a["activity_type"], a["user_id"]) for a in _activities(portal_api, dataset["id"])]
    assert ("bd submitted package", editor["id"]) in steps
    assert ("bd returned package", admin_a["id"]) in steps
    assert ("bd approved package", admin_a["id"]) in steps
    admin_pages = log_in(portal_url, admin_a["name"], admin_a["password"])
    page = admin_pages.get(f"{portal_url}/dataset/activity/{dataset['name']}", timeout=30)
    assert page.status_code == 200 and "Thiếu nguồn số liệu trong mô tả" in page.text and "đã duyệt" in page.text
    # The reason is for the agency: the public stream shows the approval, not the return.
    public = requests.get(f"{portal_url}/dataset/activity/{dataset['name']}", timeout=30)
    assert public.status_code == 200 and "đã duyệt" in public.text and "Thiếu nguồn số liệu" not in public.text

    # An edit of the published dataset by the editor waits again (the default policy) ...
    editor["api"].action.package_patch(id=dataset["id"], version="2.0")
    assert editor["api"].action.bd_review_show(id=dataset["id"])["status"] == "pending"
    assert not _anonymous_sees(portal_url, dataset["name"])
    admin_a["api"].action.bd_review_approve(id=dataset["id"])
    # ... unless the agency decides edits of approved datasets need no review.
    _refused(editor["api"].action.bd_review_policy_update, id=org_a["id"], review_edits=False)
    _refused(admin_b["api"].action.bd_review_policy_update, id=org_a["id"], review_edits=False)
    _refused(anonymous_api.action.bd_review_policy_update, id=org_a["id"], review_edits=False)
    assert admin_a["api"].action.bd_review_policy_update(id=org_a["id"], review_edits=False)["review_edits"] is False
    editor["api"].action.package_patch(id=dataset["id"], version="2.1")
    assert _anonymous_sees(portal_url, dataset["name"])
    assert editor["api"].action.bd_review_show(id=dataset["id"])["status"] == "approved"


def test_admins_publish_directly_and_editors_cannot_bypass_the_review(portal_url, world):
    editor, admin_a = world["users"]["editor_a"], world["users"]["admin_a"]
    org_a = world["orgs"]["a"]
    by_admin = admin_a["api"].action.package_create(**valid_dataset(org_a["id"], private=False))
    assert by_admin["private"] is False and _anonymous_sees(portal_url, by_admin["name"])
    assert admin_a["api"].action.bd_review_show(id=by_admin["id"])["status"] is None
    held = editor["api"].action.package_create(**valid_dataset(org_a["id"], private=True))
    for attempt in ({"private": False}, {"private": "False"}):
        editor["api"].action.package_patch(id=held["id"], **attempt)
        assert not _anonymous_sees(portal_url, held["name"])
    with pytest.raises(ckanapi.NotAuthorized):  # publishing means approving: not the editor's
        editor["api"].action.bd_review_approve(id=held["id"])


def test_the_review_page_lists_what_waits_for_the_admin(portal_url, world):
    editor, admin_a, admin_b = (world["users"][role] for role in ("editor_a", "admin_a", "admin_b"))
    held = editor["api"].action.package_create(**valid_dataset(world["orgs"]["a"]["id"], title="Chờ trên bảng điều khiển"))
    page = log_in(portal_url, admin_a["name"], admin_a["password"]).get(f"{portal_url}/dashboard/review", timeout=30)
    assert page.status_code == 200 and "Chờ trên bảng điều khiển" in page.text and "Chờ duyệt" in page.text
    other = log_in(portal_url, admin_b["name"], admin_b["password"]).get(f"{portal_url}/dashboard/review", timeout=30)
    assert other.status_code == 200 and held["name"] not in other.text and "Chờ tôi duyệt" in other.text
    assert requests.get(f"{portal_url}/dashboard/review", timeout=30, allow_redirects=False).status_code in (302, 401, 403)
    english = log_in(portal_url, admin_a["name"], admin_a["password"]).get(f"{portal_url}/en/dashboard/review", timeout=30)
    assert english.status_code == 200 and "Waiting for review" in english.text


def test_the_dataset_page_shows_the_review_status_to_the_agency_only(portal_url, world):
    """package/snippets/bd_review_status.html: the agency's editor sees where the dataset stands,
    its admin also the buttons; an admin of another agency and anonymous see no status. The
    editor's unfinished (CKAN draft) dataset is listed on the dashboard under "Bản nháp"."""
    editor, admin_a, admin_b = (world["users"][role] for role in ("editor_a", "admin_a", "admin_b"))
    held = editor["api"].action.package_create(**valid_dataset(world["orgs"]["a"]["id"], title="Trạng thái trên trang"))
    page_url = f"{portal_url}/dataset/{held['name']}"
    editor_session = log_in(portal_url, editor["name"], editor["password"])
    seen = editor_session.get(page_url, timeout=30).text
    assert 'id="bd-review-status"' in seen and "Chờ duyệt" in seen and f"{editor['fullname']} gửi duyệt lúc" in seen
    assert 'value="approve"' not in seen
    admin_session = log_in(portal_url, admin_a["name"], admin_a["password"])
    assert 'value="approve"' in admin_session.get(page_url, timeout=30).text
    answer = admin_session.post(f"{page_url}/review", timeout=30, data={
        "_csrf_token": csrf_token(admin_session.get(page_url, timeout=30).text), "decision": "return", "reason": "",
        "back": "dataset"})
    assert answer.status_code == 200 and "Hãy nêu điều biên tập viên cần sửa." in answer.text  # no reason: refused
    admin_a["api"].action.bd_review_approve(id=held["id"])
    assert "Đã duyệt" in editor_session.get(page_url, timeout=30).text
    other = log_in(portal_url, admin_b["name"], admin_b["password"]).get(page_url, timeout=30)
    assert other.status_code == 200 and "bd-review-status" not in other.text
    anonymous = requests.get(page_url, timeout=30)
    assert anonymous.status_code == 200 and "bd-review-status" not in anonymous.text

    # The form's first page saved, the files step not finished: CKAN's draft (only the web form
    # makes one for an editor; the API ignores an editor's "state").
    form = editor_session.get(f"{portal_url}/dataset/new", timeout=30).text
    name = f"ban-nhap-{uuid.uuid4().hex[:8]}"
    fields = {"_csrf_token": csrf_token(form), "_ckan_phase": "dataset_new_1", "title": "Bản nháp dở dang", "name": name,
              "notes": "Chưa xong (dữ liệu mẫu).", "owner_org": world["orgs"]["a"]["id"], "private": "True",
              "author": "Sở kiểm thử duyệt A", "contact-0-name": "Văn thư", "contact-0-email": "vanthu@binhduong.gov.vn",
              "theme": "TECH", "spatial_units": "74", "issued": "15/01/2025", "frequency": "ANNUAL",
              "access_rights": "PUBLIC", "license_id": "CC-BY-4.0", "save": ""}
    saved = editor_session.post(f"{portal_url}/dataset/new", data=fields, timeout=30, allow_redirects=False)
    assert saved.status_code == 302 and f"/dataset/{name}/resource/new" in saved.headers["Location"], \
        re.findall(r'class="error-block[^"]*">([^<]+)', saved.text)
    dashboard = editor_session.get(f"{portal_url}/dashboard/review", timeout=30).text
    assert "Bản nháp dở dang" in dashboard and f"/dataset/{name}/resource/new" in dashboard
    assert "Chờ tôi duyệt" not in dashboard  # an editor reviews nothing: no empty review list
