"""Authorization matrix over HTTP, against the running portal (hardening issue).

Every action the portal exposes (CKAN's, the extensions', ours) is called through the Action
API by seven roles: anonymous, a registered user in no organization, the member, editor and
admin of organization A (which owns the datasets), the editor of another organization B, and
the sysadmin. The expected outcome of each (action, role) pair is written in MATRIX below:
the set of roles that must be allowed; every other role must be refused (403, or 404 for a
read of something the user may not see). Unexpected allows and unexpected refusals both fail.

``test_every_registered_action_is_in_the_matrix`` reads the in-process action registry (all
plugins of var/test.ini loaded) and fails for an action that is neither in MATRIX nor in
NOT_EXERCISED (each with its reason), so a new action cannot be forgotten.

``test_private_dataset_on_every_read_path`` checks the private dataset on each way out: the
API, the pages, the resource download, DCAT and the DataStore dump.

Destructive calls work on throwaway objects (a pool per row: a new object after each call
that was allowed), never on the shared fixtures; our own actions are called with dry_run.
"""
from __future__ import annotations

import pytest

from .authorization_rows import MATRIX, CREATES, NOT_EXERCISED, Row, _sql
from .authorization_world import (
    Answer,
    OUTSIDERS,
    Pool,
    Portal,
    ROLES,
    World,
    _new_user,
    _purge,
    _request,
    _task_status,
    _upload_csv,
    _vocabulary,
    _wait_for_datastore,
)


@pytest.fixture(scope="module")
def world(portal_url, sysadmin_token):
    portal = Portal(portal_url, {"sysadmin": sysadmin_token})
    world = World(portal)
    try:
        tokens: dict[str, str | None] = {"anonymous": None, "sysadmin": sysadmin_token}
        for role in ("registered", "member_a", "editor_a", "admin_a", "editor_b"):
            world.users[role], tokens[role] = _new_user(portal, world)
        world.users["sysadmin"] = portal.admin("user_show", id="quantri")
        world.extra, _ = _new_user(portal, world)  # "another user" of the user rows
        world.portal = portal = Portal(portal_url, tokens)

        world.org_a = portal.admin("organization_create", name=world.name("so-a"), title="Sở A (kiểm thử phân quyền)",
                                   users=[{"name": world.users["member_a"]["name"], "capacity": "member"},
                                          {"name": world.users["editor_a"]["name"], "capacity": "editor"},
                                          {"name": world.users["admin_a"]["name"], "capacity": "admin"}])
        world.created["organizations"].append(world.org_a["id"])
        # The matrix checks who may call what, not the approval workflow: agency A publishes
        # without review, so the editor's updates of the public dataset keep it public.
        portal.admin("bd_review_policy_update", id=world.org_a["id"], review_required=False)
        world.org_b = portal.admin("organization_create", name=world.name("so-b"), title="Sở B (kiểm thử phân quyền)",
                                   users=[{"name": world.users["editor_b"]["name"], "capacity": "editor"}])
        world.created["organizations"].append(world.org_b["id"])

        world.public = world.dataset(world.org_a["id"], title="Bộ dữ liệu công khai (ma trận phân quyền)")
        world.private = world.dataset(world.org_a["id"], private=True, title="Bộ dữ liệu riêng tư (ma trận phân quyền)")
        world.public_res = _upload_csv(portal, world.public["id"], "bang-cong-khai")
        world.private_res = _upload_csv(portal, world.private["id"], "bang-rieng-tu")
        world.reload_res = _upload_csv(portal, world.private["id"], "bang-nap-lai")  # xloader_submit's target
        world.page_res = portal.admin("resource_create", package_id=world.private["id"], name="trang-gioi-thieu",
                                      url="https://example.org/gioi-thieu.html", format="HTML")
        # A DataStore-only table in the private dataset: the target of the DataStore writes.
        world.ds_fields = [{"id": "ma", "type": "text"}, {"id": "ten", "type": "text"}]
        world.ds_res = portal.admin("datastore_create", resource={"package_id": world.private["id"], "name": "bang-ghi"},
                                    fields=world.ds_fields, primary_key=["ma"],
                                    records=[{"ma": "X1", "ten": "một"}])["resource_id"]
        _wait_for_datastore(portal, [world.public_res["id"], world.private_res["id"], world.reload_res["id"]])

        world.group = world.make_group()
        world.source = world.harvest_source()
        world.job = world.new_job(world.source["id"])
        world.finish_unrun_jobs(world.source["id"])
        world.view = portal.admin("resource_view_create", resource_id=world.private_res["id"],
                                  view_type="datatables_view", title="Bảng (ma trận phân quyền)")
        # An activity of the private dataset that has a previous one (activity_diff compares them).
        world.activity = [activity for activity in portal.admin("package_activity_list", id=world.private["id"])
                          if activity["activity_type"] == "changed package"][0]
        world.vocabulary = portal.admin("vocabulary_create", name=world.name("tu-vung"), tags=[{"name": "the-mot"}])
        world.created["vocabularies"].append(world.vocabulary["id"])
        world.extra_token = portal.admin("api_token_create", user=world.extra["name"], name="cua-nguoi-khac")
        world.refresh()

        world.pools = {
            "dataset_a": Pool(lambda: world.dataset(world.org_a["id"])),
            "organization": Pool(world.organization),
            "group": Pool(world.make_group),
            "user": Pool(world.user),
            "token": Pool(lambda: portal.admin("api_token_create", user=world.extra["name"], name="thu-hoi")),
            "resource": Pool(lambda: portal.admin("resource_create", package_id=world.private["id"], name="tam",
                                                  url="https://example.org/tam.html", format="HTML")),
            "view": Pool(lambda: portal.admin("resource_view_create", resource_id=world.private_res["id"],
                                              view_type="datatables_view", title="Tạm")),
            "harvest_source": Pool(world.harvest_source),
            "harvest_job": Pool(lambda: world.new_job(world.source["id"])),
            "vocabulary": Pool(lambda: _vocabulary(world)),
            "tag": Pool(lambda: portal.admin("tag_create", name=world.name("the"), vocabulary_id=world.vocabulary["id"])),
            "activity": Pool(lambda: portal.admin("activity_create", user_id=world.users["sysadmin"]["id"],
                                                  object_id=world.private["id"], activity_type="changed package",
                                                  data={})),
            "task_status": Pool(lambda: _task_status(world, "sysadmin")),
        }
        yield world
    finally:
        _purge(world)


# ---------------------------------------------------------------------------------------
# Outcome of one call
# ---------------------------------------------------------------------------------------

def _outcome(row: Row, answer: Answer) -> str:
    """allow, deny or broken (a status that says nothing about authorization)."""
    if answer.ok:
        return "allow"
    if answer.status == 403:
        return "deny"
    if answer.status == 409 and row.switched_off:
        return "deny"
    if answer.status == 404:
        if row.not_found_is_allowed:
            return "allow"
        return "deny"
    return "broken"


def _check_cell(row: Row, role: str, answer: Answer) -> str | None:
    """A description of what is wrong with this cell, or None."""
    outcome = _outcome(row, answer)
    expected = "allow" if role in row.allowed else "deny"
    where = f"{row.label} as {role}: "
    if outcome == "broken":
        return where + f"expected {expected}, got a non-authorization answer {answer.short()}"
    if outcome != expected:
        kind = "UNEXPECTED ALLOW" if outcome == "allow" else "unexpected deny"
        return where + f"{kind}: {answer.short()}"
    if expected == "deny" and row.exact_404 and answer.status != 404:
        return where + f"refused with {answer.status}, not 404 (a private dataset answers as missing): {answer.short()}"
    return None


# ---------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------

def _private_markers(world: World, query: str = "") -> list[str]:
    """What would betray the private dataset in a listing; its name, unless the listing
    echoes a query for that name (as the catalogue's paging links do)."""
    markers = [world.private["id"], world.private_res["id"], world.private["title"]]
    return markers if world.private["name"] in query else markers + [world.private["name"]]


def test_private_dataset_on_every_read_path(world):
    portal = world.portal
    private, resource = world.private, world.private_res
    problems: list[str] = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    for role in OUTSIDERS:
        # API
        answer = portal.call(role, "package_show", {"id": private["name"]})
        expect(answer.status == 404, f"{role}: package_show of the private dataset: {answer.short()}")
        answer = portal.call(role, "resource_show", {"id": resource["id"]})
        expect(answer.status == 404, f"{role}: resource_show of the private resource: {answer.short()}")
        for query in ({"q": private["name"], "include_private": True, "include_drafts": True},
                      {"fq": f"owner_org:{world.org_a['id']}", "include_private": True, "rows": 1000},
                      {"q": f"id:{private['id']}", "include_private": True}):
            answer = portal.call(role, "package_search", query)
            ids = [dataset["id"] for dataset in answer.result["results"]] if answer.ok else None
            expect(ids is not None and private["id"] not in ids,
                   f"{role}: package_search {query} lists the private dataset (or failed): {answer.short()}")
        answer = portal.call(role, "resource_search", {"query": f"name:{resource['name']}"})
        expect(answer.ok and all(r["id"] != resource["id"] for r in answer.result["results"]),
               f"{role}: resource_search finds the private resource: {answer.short()}")
        for action, data in (("package_list", {}), ("current_package_list_with_resources", {"limit": 1000}),
                             ("package_autocomplete", {"q": private["name"]}),
                             ("organization_show", {"id": world.org_a["id"], "include_datasets": True}),
                             ("organization_activity_list", {"id": world.org_a["id"]}),
                             ("recently_changed_packages_activity_list", {"limit": 100}),
                             ("dcat_datasets_list", {}), ("dcat_catalog_search", {"q": private["name"]})):
            answer = portal.call(role, action, data)
            expect(answer.ok, f"{role}: {action} failed: {answer.short()}")
            expect(not any(marker in answer.text for marker in _private_markers(world, str(data))),
                   f"{role}: {action} {data} mentions the private dataset")
        answer = portal.call(role, "datastore_search", {"resource_id": resource["id"]})
        expect(answer.status in (403, 404), f"{role}: datastore_search of the private table: {answer.short()}")
        answer = portal.call(role, "datastore_search_sql", _sql(resource["id"]))
        expect(answer.status in (403, 404), f"{role}: datastore_search_sql on the private table: {answer.short()}")
        answer = portal.call(role, "datastore_info", {"id": resource["id"]})
        expect(answer.status in (403, 404), f"{role}: datastore_info of the private table: {answer.short()}")
        # pages
        for path in (f"/dataset/{private['name']}", f"/dataset/{private['id']}",
                     f"/dataset/{private['name']}/resource/{resource['id']}",
                     f"/dataset/activity/{private['name']}", f"/dataset/{private['name']}.ttl",
                     f"/dataset/{private['name']}.rdf", f"/dataset/{private['name']}.jsonld"):
            response = portal.get(role, path)
            expect(response.status_code == 404, f"{role}: GET {path} answered {response.status_code}")
        download = resource["url"].replace(world.portal.url, "") if resource["url"].startswith(portal.url) else \
            f"/dataset/{private['id']}/resource/{resource['id']}/download/{resource['url'].rsplit('/', 1)[-1]}"
        response = portal.get(role, download)
        expect(response.status_code in (403, 404) and "Thủ Dầu Một" not in response.content.decode("utf-8", "replace"),
               f"{role}: download {download} answered {response.status_code}")
        for path in (f"/datastore/dump/{resource['id']}", f"/datastore/dump/{resource['id']}?format=json"):
            response = portal.get(role, path)
            expect(response.status_code in (403, 404) and "Thủ Dầu Một" not in response.content.decode("utf-8", "replace"),
                   f"{role}: GET {path} answered {response.status_code}")
        # DCAT
        for path in ("/catalog.ttl", "/catalog.jsonld", f"/catalog.ttl?q={private['name']}"):
            response = portal.get(role, path)
            expect(response.status_code == 200, f"{role}: GET {path} answered {response.status_code}")
            expect(not any(marker in response.text for marker in _private_markers(world, path)),
                   f"{role}: GET {path} mentions the private dataset")

    # Those of organization A, and the sysadmin, read it on the same paths.
    for role in ("member_a", "editor_a", "admin_a", "sysadmin"):
        answer = portal.call(role, "package_show", {"id": private["name"]})
        expect(answer.ok, f"{role}: package_show of the private dataset: {answer.short()}")
        answer = portal.call(role, "package_search", {"q": f"id:{private['id']}", "include_private": True})
        expect(answer.ok and answer.result["count"] == 1, f"{role}: package_search with include_private: {answer.short()}")
        answer = portal.call(role, "resource_show", {"id": resource["id"]})
        expect(answer.ok, f"{role}: resource_show of the private resource: {answer.short()}")
        answer = portal.call(role, "datastore_search", {"resource_id": resource["id"]})
        expect(answer.ok and answer.result["total"] == 3, f"{role}: datastore_search: {answer.short()}")
        answer = portal.call(role, "datastore_search_sql", _sql(resource["id"]))
        expect(answer.ok and len(answer.result["records"]) == 3, f"{role}: datastore_search_sql: {answer.short()}")
        for path in (f"/dataset/{private['name']}", f"/dataset/{private['name']}/resource/{resource['id']}",
                     f"/datastore/dump/{resource['id']}"):
            response = portal.get(role, path)
            expect(response.status_code == 200, f"{role}: GET {path} answered {response.status_code}")
        response = portal.get(role, f"/dataset/{private['name']}.ttl")
        expect(response.status_code == 200 and private["id"] in response.text,
               f"{role}: GET /dataset/{private['name']}.ttl answered {response.status_code}")
        response = _request(portal.sessions[role], "GET", resource["url"], allow_redirects=True)
        expect(response.status_code == 200 and "Thủ Dầu Một" in response.content.decode("utf-8", "replace"),
               f"{role}: download {resource['url']} answered {response.status_code}")

    assert not problems, f"{len(problems)} problem(s) on the private dataset's read paths:\n" + "\n".join(problems)


def test_authorization_matrix(world):
    portal = world.portal
    problems: list[str] = []
    calls = skipped = allows = 0
    for row in MATRIX:
        for role in ROLES:
            if role in row.skip:
                skipped += 1
                continue
            try:
                data = row.build(world, role)
            except Exception as error:  # noqa: BLE001 - report the row, go on with the others
                problems.append(f"{row.label} as {role}: could not build the call: {error!r}")
                continue
            answer = portal.call(role, row.action, data)
            calls += 1
            if row.pool and _outcome(row, answer) == "allow":
                world.pool(row.pool).used()
            if answer.ok and row.action in CREATES and isinstance(answer.result, dict):
                world.created[CREATES[row.action]].append(answer.result["id"])
            allows += _outcome(row, answer) == "allow"
            problem = _check_cell(row, role, answer)
            if problem:
                problems.append(problem)
    size = f"{len(MATRIX)} rows × {len(ROLES)} roles = {len(MATRIX) * len(ROLES)} cells " \
           f"({calls} calls made, {allows} allowed, {skipped} cells skipped by design)"
    unexpected_allows = [p for p in problems if "UNEXPECTED ALLOW" in p]
    print(f"\nAuthorization matrix: {size}; {len(unexpected_allows)} unexpected allow(s), "
          f"{len(problems) - len(unexpected_allows)} other problem(s)")
    assert not problems, f"Authorization matrix {size}: {len(unexpected_allows)} unexpected allow(s), " \
                         f"{len(problems)} problem(s):\n" + "\n".join(problems)


@pytest.mark.usefixtures("with_plugins")
def test_every_registered_action_is_in_the_matrix():
    import ckan.logic as logic

    logic.get_action("package_show")  # fills the registry with every loaded plugin's actions
    registered = set(logic._actions)
    in_matrix = {row.action for row in MATRIX}
    missing = sorted(registered - in_matrix - set(NOT_EXERCISED))
    unknown = sorted((in_matrix | set(NOT_EXERCISED)) - registered)
    both = sorted(in_matrix & set(NOT_EXERCISED))
    assert len(registered) > 150, f"only {len(registered)} actions registered: are the plugins loaded?"
    assert not missing, f"actions in neither MATRIX nor NOT_EXERCISED: {missing}"
    assert not unknown, f"names in the matrix that no plugin registers: {unknown}"
    assert not both, f"in MATRIX and NOT_EXERCISED at once: {both}"
    assert all(reason for reason in NOT_EXERCISED.values())


HARVEST_HELPERS = ("InactiveSource", "get_mail_extra_vars", "prepare_summary_mail", "prepare_error_mail",
                   "send_summary_email", "send_error_email", "send_mail")


def test_harvest_helpers_registered_as_actions_do_nothing(world):
    """The helpers ckanext-harvest registers as actions never succeed over HTTP, for anyone."""
    problems = []
    for action in HARVEST_HELPERS:
        for role in ("anonymous", "registered", "sysadmin"):
            answer = world.portal.call(role, action, {"source_id": world.source["id"], "status": {}})
            if answer.ok:
                problems.append(f"{action} as {role}: {answer.short()}")
    assert not problems, "\n".join(problems)


def test_user_details_keep_email_addresses_private(world):
    """Signed-in users may list and show other users (public_user_details hides them from
    anonymous visitors only), but never see another user's e-mail address."""
    email = f"{world.extra['name']}@example.org"
    for role in ("registered", "member_a", "editor_a", "admin_a", "editor_b"):
        for action, data in (("user_show", {"id": world.extra["id"]}), ("user_list", {"q": world.extra["name"]}),
                             ("user_autocomplete", {"q": world.extra["name"]}),
                             ("member_list", {"id": world.org_a["id"], "object_type": "user"})):
            answer = world.portal.call(role, action, data)
            assert email not in answer.text and "@example.org" not in answer.text, f"{action} as {role}: {answer.short()}"
