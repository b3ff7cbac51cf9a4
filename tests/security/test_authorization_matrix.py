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

import collections
import dataclasses
import io
import secrets
import time
import uuid
from typing import Any, Callable

import pytest
import requests

from bd_factories import valid_dataset

ROLES = ("anonymous", "registered", "member_a", "editor_a", "admin_a", "editor_b", "sysadmin")
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
READ_A = frozenset({"member_a", "editor_a", "admin_a", "sysadmin"})
EDIT_A = frozenset({"editor_a", "admin_a", "sysadmin"})
ADMIN_A = frozenset({"admin_a", "sysadmin"})
SYSADMIN = frozenset({"sysadmin"})
OUTSIDERS = ("anonymous", "registered", "editor_b")  # may not read A's private dataset

CSV_ROWS = "ma,ten,so_luong\nBD01,Thủ Dầu Một,12\nBD02,Dĩ An,7\nBD03,Thuận An,9\n"
XLOADER_WAIT = 120
RETRY_PAUSE = 30  # the portal may be restarted by another engineer's run


# ---------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------

def _request(session: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
    """One request; while the portal does not answer (a restart), wait and try again."""
    for attempt in range(5):
        try:
            response = session.request(method, url, timeout=90, **kwargs)
        except requests.ConnectionError:
            if attempt == 4:
                raise
            time.sleep(RETRY_PAUSE)
            continue
        if response.status_code in (502, 503) and attempt < 4:
            time.sleep(RETRY_PAUSE)
            continue
        return response
    raise AssertionError("unreachable")


@dataclasses.dataclass
class Answer:
    status: int
    body: Any
    text: str

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict) and self.body.get("success") is True

    @property
    def result(self) -> Any:
        return self.body["result"]

    def short(self) -> str:
        return f"{self.status} {self.text[:300]}"


class Portal:
    def __init__(self, url: str, tokens: dict[str, str | None]):
        self.url = url
        self.sessions: dict[str, requests.Session] = {}
        for role, token in tokens.items():
            session = requests.Session()
            session.headers["User-Agent"] = "binhduong-tests/authz-matrix"
            if token:
                session.headers["Authorization"] = token
            self.sessions[role] = session

    def call(self, role: str, action: str, data: dict | None = None) -> Answer:
        response = _request(self.sessions[role], "POST", f"{self.url}/api/3/action/{action}", json=data or {})
        try:
            body = response.json()
        except ValueError:
            body = None
        return Answer(response.status_code, body, response.text)

    def get(self, role: str, path: str, **kwargs) -> requests.Response:
        return _request(self.sessions[role], "GET", f"{self.url}{path}", allow_redirects=False, **kwargs)

    def admin(self, action: str, **data) -> Any:
        """A set-up call as the sysadmin, which must succeed."""
        answer = self.call("sysadmin", action, data)
        assert answer.ok, f"set-up call {action}({data}) failed: {answer.short()}"
        return answer.result


# ---------------------------------------------------------------------------------------
# Fixtures of the matrix
# ---------------------------------------------------------------------------------------

class Pool:
    """A throwaway object for a destructive row, replaced once a call was allowed."""

    def __init__(self, factory: Callable[[], Any]):
        self.factory = factory
        self.current = None

    def get(self):
        if self.current is None:
            self.current = self.factory()
        return self.current

    def used(self):
        self.current = None


class World:
    """The objects the matrix works on; ``created`` records everything to purge."""

    def __init__(self, portal: Portal):
        self.portal = portal
        self.suffix = uuid.uuid4().hex[:8]
        self.created: dict[str, list[str]] = collections.defaultdict(list)
        self.pools: dict[str, Pool] = {}
        self.users: dict[str, dict] = {}
        self.counter = 0

    def name(self, stem: str) -> str:
        self.counter += 1
        return f"authz-{stem}-{self.suffix}-{self.counter}"

    def pool(self, kind: str) -> Pool:
        return self.pools[kind]

    # -- factories (as sysadmin) --
    def dataset(self, org_id: str, **overrides) -> dict:
        made = self.portal.admin("package_create", **valid_dataset(org_id, name=self.name("bo-du-lieu"), **overrides))
        self.created["datasets"].append(made["id"])
        return made

    def organization(self) -> dict:
        made = self.portal.admin("organization_create", name=self.name("so"), title="Sở kiểm thử phân quyền",
                                 users=[{"name": self.users["member_a"]["name"], "capacity": "member"},
                                        {"name": self.users["editor_a"]["name"], "capacity": "editor"},
                                        {"name": self.users["admin_a"]["name"], "capacity": "admin"}])
        self.created["organizations"].append(made["id"])
        return made

    def make_group(self) -> dict:
        made = self.portal.admin("group_create", name=self.name("nhom"), title="Nhóm kiểm thử phân quyền")
        self.created["groups"].append(made["id"])
        return made

    def user(self) -> dict:
        name = self.name("nguoi-dung")
        made = self.portal.admin("user_create", name=name, email=f"{name}@example.org",
                                 password=secrets.token_urlsafe(16), fullname="Người dùng kiểm thử")
        self.created["users"].append(made["id"])
        return made

    def harvest_source(self) -> dict:
        made = self.portal.admin("harvest_source_create", name=self.name("nguon"), title="Nguồn thu thập kiểm thử",
                                 url=f"https://example.org/{self.name('catalog')}.ttl", source_type="dcat_rdf",
                                 frequency="MANUAL", owner_org=self.org_a["id"])
        self.created["harvest_sources"].append(made["id"])
        return made

    def refresh(self) -> None:
        """The datasets with their resources, as the update rows send them."""
        self.public = self.portal.admin("package_show", id=self.public["id"])
        self.private = self.portal.admin("package_show", id=self.private["id"])

    def finish_unrun_jobs(self, source_id: str) -> None:
        for job in self.portal.admin("harvest_job_list", source_id=source_id):
            if job["status"] in ("New", "Running"):
                self.portal.admin("harvest_job_abort", id=job["id"])

    def new_job(self, source_id: str) -> dict:
        self.finish_unrun_jobs(source_id)
        return self.portal.admin("harvest_job_create", source_id=source_id)


def _upload_csv(portal: Portal, dataset_id: str, name: str) -> dict:
    response = _request(portal.sessions["sysadmin"], "POST", f"{portal.url}/api/3/action/resource_create",
                        data={"package_id": dataset_id, "name": name, "format": "CSV"},
                        files={"upload": (f"{name}.csv", io.BytesIO(CSV_ROWS.encode()), "text/csv")})
    assert response.status_code == 200, response.text[:500]
    return response.json()["result"]


def _wait_for_datastore(portal: Portal, resource_ids: list[str]) -> None:
    deadline = time.monotonic() + XLOADER_WAIT
    waiting = set(resource_ids)
    while waiting:
        for resource_id in sorted(waiting):
            if portal.admin("resource_show", id=resource_id).get("datastore_active"):
                waiting.discard(resource_id)
        if not waiting:
            return
        if time.monotonic() > deadline:
            statuses = {rid: portal.call("sysadmin", "xloader_status", {"resource_id": rid}).short() for rid in waiting}
            pytest.fail(f"xloader did not load {sorted(waiting)} within {XLOADER_WAIT} s: {statuses}")
        time.sleep(2)


def _new_user(portal: Portal, world: World) -> tuple[dict, str]:
    user = world.user()
    token = portal.admin("api_token_create", user=user["name"], name="ma-tran-phan-quyen")["token"]
    return user, token


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


def _vocabulary(world: World) -> dict:
    made = world.portal.admin("vocabulary_create", name=world.name("tu-vung"))
    world.created["vocabularies"].append(made["id"])
    return made


def _task_status(world: World, role: str) -> dict:
    return world.portal.admin("task_status_update", entity_id=world.private_res["id"], entity_type="resource",
                              task_type="bd_authz_matrix", key=world.name("khoa"), value="1", state="done",
                              last_updated="2025-01-01T00:00:00", error="")


def _purge(world: World) -> None:
    """Remove everything the module made; each step on its own, so one failure does not leave the rest."""
    portal = world.portal
    steps: list[tuple[str, dict]] = []
    source_ids = list(world.created["harvest_sources"])
    for org_id in world.created["organizations"]:  # the search index does not return harvest sources
        answer = portal.call("sysadmin", "harvest_source_list", {"organization_id": org_id})
        source_ids += [source["id"] for source in answer.result] if answer.ok else []
    for source_id in dict.fromkeys(source_ids):
        steps.append(("finish_jobs", {"id": source_id}))
        steps.append(("binhduong_harvest_source_purge", {"id": source_id}))
    org_ids = world.created["organizations"]
    dataset_ids = list(world.created["datasets"])
    for org_id in org_ids:
        for fq in (f"owner_org:{org_id}", f"owner_org:{org_id} +dataset_type:harvest"):
            answer = portal.call("sysadmin", "package_search", {"fq": fq, "include_private": True,
                                                                "include_drafts": True, "rows": 1000})
            for dataset in answer.result["results"] if answer.ok else []:
                if dataset.get("type") == "harvest":
                    steps[:0] = [("finish_jobs", {"id": dataset["id"]}),
                                 ("binhduong_harvest_source_purge", {"id": dataset["id"]})]
                else:
                    dataset_ids.append(dataset["id"])
    steps += [("dataset_purge", {"id": dataset_id}) for dataset_id in dict.fromkeys(dataset_ids)]
    steps += [("organization_purge", {"id": org_id}) for org_id in org_ids]
    steps += [("group_purge", {"id": group_id}) for group_id in world.created["groups"]]
    for vocabulary_id in world.created["vocabularies"]:
        steps.append(("vocabulary_purge", {"id": vocabulary_id}))
    steps += [("user_delete", {"id": user_id}) for user_id in world.created["users"]]
    steps.append(("datastore_function_delete", {"name": DATASTORE_FUNCTION, "if_exists": True}))
    failures = []
    for action, data in steps:
        try:
            if action == "finish_jobs":
                world.finish_unrun_jobs(data["id"])
            elif action == "vocabulary_purge":
                vocabulary = portal.call("sysadmin", "vocabulary_show", data)
                for tag in (vocabulary.result.get("tags", []) if vocabulary.ok else []):
                    portal.call("sysadmin", "tag_delete", {"id": tag["id"], "vocabulary_id": data["id"]})
                portal.call("sysadmin", "vocabulary_delete", data)
            else:
                answer = portal.call("sysadmin", action, data)
                if not answer.ok and answer.status != 404:
                    failures.append(f"{action}({data}): {answer.short()}")
        except Exception as error:  # noqa: BLE001 - clean up as much as possible
            failures.append(f"{action}({data}): {error!r}")
    assert not failures, "clean-up failed:\n" + "\n".join(failures)


# ---------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------

DATASTORE_FUNCTION = "bd_authz_matrix_noop"


@dataclasses.dataclass
class Row:
    action: str
    allowed: frozenset
    build: Callable[[World, str], dict]
    note: str = ""
    pool: str | None = None  # a throwaway object consumed by an allowed call
    exact_404: bool = False  # refusals must be exactly 404 (private dataset reads)
    not_found_is_allowed: bool = False  # 404 after the auth check (the sysadmin's call of a missing thing)
    switched_off: bool = False  # the feature is off: its 409 "not enabled" is a refusal
    skip: dict = dataclasses.field(default_factory=dict)  # role -> why that cell is not called

    @property
    def label(self) -> str:
        return f"{self.action}{' (' + self.note + ')' if self.note else ''}"


def _full_update(dataset: dict, **changes) -> dict:
    data = {key: value for key, value in dataset.items()
            if key not in ("organization", "groups", "relationships_as_object", "relationships_as_subject",
                           "num_resources", "num_tags", "metadata_created", "metadata_modified", "creator_user_id")}
    data.update(changes)
    return data


def _resource_fields(resource: dict, **changes) -> dict:
    keep = ("id", "package_id", "name", "url", "format", "description")
    data = {key: resource[key] for key in keep if key in resource}
    data.update(changes)
    return data


def _unfollow_ready(world: World, role: str, action: str, object_id: str) -> dict:
    """unfollow_*: the role follows the object first (its own call; ignored when refused)."""
    world.portal.call(role, action.replace("unfollow_", "follow_"), {"id": object_id})
    return {"id": object_id}


def _member_ready(world: World, role: str) -> dict:
    world.portal.admin("organization_member_create", id=world.org_a["id"], username=world.extra["name"], role="member")
    return {"id": world.org_a["id"], "username": world.extra["name"]}


def _group_member_ready(world: World, role: str) -> dict:
    world.portal.admin("group_member_create", id=world.group["id"], username=world.extra["name"], role="member")
    return {"id": world.group["id"], "username": world.extra["name"]}


def _package_in_group(world: World, role: str) -> dict:
    world.portal.admin("member_create", id=world.group["id"], object=world.public["id"], object_type="package",
                       capacity="public")
    return {"id": world.group["id"], "object": world.public["id"], "object_type": "package"}


def _datastore_function_ready(world: World, role: str) -> dict:
    world.portal.admin("datastore_function_create", name=DATASTORE_FUNCTION, rettype="trigger", or_replace=True,
                       definition="BEGIN RETURN NEW; END;")
    return {"name": DATASTORE_FUNCTION}


def _relationship_ready(world: World, role: str) -> dict:
    world.portal.call("sysadmin", "package_relationship_create",
                      {"subject": world.public["id"], "object": world.private["id"], "type": "links_to"})
    return {"subject": world.public["id"], "object": world.private["id"], "type": "links_to"}


def _relationship_absent(world: World, role: str) -> dict:
    data = {"subject": world.public["id"], "object": world.private["id"], "type": "links_to"}
    world.portal.call("sysadmin", "package_relationship_delete", data)
    return data


def _harvest_job_create_ready(world: World, role: str) -> dict:
    world.finish_unrun_jobs(world.source["id"])
    return {"source_id": world.source["id"]}


def _config_unchanged(world: World, role: str) -> dict:
    current = world.portal.admin("config_option_show", key="ckan.site_intro_text")
    return {"ckan.site_intro_text": current or ""}


def _owner_org_update(world: World, role: str) -> dict:
    return {"id": world.pool("dataset_a").get()["id"], "organization_id": world.org_b["id"]}


def _sql(resource_id: str) -> dict:
    return {"sql": f'SELECT ma, ten FROM "{resource_id}" LIMIT 5'}


M = Row
MATRIX: list[Row] = [
    # --- datasets: reads ---
    M("package_show", EVERYONE, lambda w, r: {"id": w.public["id"]}, "public dataset"),
    M("package_show", READ_A, lambda w, r: {"id": w.private["id"]}, "private dataset", exact_404=True),
    M("package_search", EVERYONE, lambda w, r: {"q": "*:*", "include_private": True, "rows": 1}),
    M("package_list", EVERYONE, lambda w, r: {"limit": 1}),
    M("current_package_list_with_resources", EVERYONE, lambda w, r: {"limit": 1}),
    M("package_autocomplete", EVERYONE, lambda w, r: {"q": "ma-tran", "limit": 1}),
    M("package_relationships_list", EVERYONE, lambda w, r: {"id": w.public["id"]}, "public dataset"),
    # Dataset collaborators are off (ckan.auth.allow_dataset_collaborators): nobody may use them.
    M("package_collaborator_list", frozenset(), lambda w, r: {"id": w.private["id"]}, "private dataset",
      switched_off=True),
    M("package_collaborator_list_for_user", frozenset(), lambda w, r: {"id": w.users["registered"]["id"]},
      "the registered user's", switched_off=True),
    M("resource_show", EVERYONE, lambda w, r: {"id": w.public_res["id"]}, "public resource"),
    M("resource_show", READ_A, lambda w, r: {"id": w.private_res["id"]}, "private resource", exact_404=True),
    M("resource_search", EVERYONE, lambda w, r: {"query": "name:bang", "limit": 1}),
    M("resource_view_list", READ_A, lambda w, r: {"id": w.private_res["id"]}, "private resource"),
    M("resource_view_show", READ_A, lambda w, r: {"id": w.view["id"]}, "view of the private resource"),
    M("dataset_follower_count", EVERYONE, lambda w, r: {"id": w.public["id"]}),
    M("dataset_follower_list", SYSADMIN, lambda w, r: {"id": w.public["id"]}),
    M("am_following_dataset", LOGGED_IN, lambda w, r: {"id": w.public["id"]}),
    # --- datasets: writes ---
    M("package_create", EDIT_A, lambda w, r: valid_dataset(w.org_a["id"], name=w.name("tao-moi")), "in organization A"),
    M("package_create", frozenset({"editor_b", "sysadmin"}),
      lambda w, r: valid_dataset(w.org_b["id"], name=w.name("tao-moi-b")), "in organization B"),
    M("package_update", EDIT_A, lambda w, r: _full_update(w.public, notes=f"Sửa bởi {r}."), "public dataset"),
    M("package_update", EDIT_A, lambda w, r: _full_update(w.private, notes=f"Sửa bởi {r}."), "private dataset"),
    M("package_patch", EDIT_A, lambda w, r: {"id": w.public["id"], "notes": f"Vá bởi {r}."}, "public dataset"),
    M("package_patch", EDIT_A, lambda w, r: {"id": w.private["id"], "notes": f"Vá bởi {r}."}, "private dataset"),
    M("package_revise", EDIT_A, lambda w, r: {"match": {"id": w.private["id"]}, "update": {"notes": f"Sửa đổi bởi {r}."}},
      "private dataset"),
    M("package_resource_reorder", EDIT_A,
      lambda w, r: {"id": w.private["id"], "order": [res["id"] for res in w.private["resources"]]}, "private dataset"),
    M("package_delete", EDIT_A, lambda w, r: {"id": w.pool("dataset_a").get()["id"]}, "throwaway dataset in A",
      pool="dataset_a"),
    M("dataset_purge", SYSADMIN, lambda w, r: {"id": w.pool("dataset_a").get()["id"]}, "throwaway dataset in A",
      pool="dataset_a"),
    M("package_owner_org_update", SYSADMIN, _owner_org_update,
      "throwaway dataset of A moved to B", pool="dataset_a"),
    M("bulk_update_private", ADMIN_A, lambda w, r: {"org_id": w.org_a["id"], "datasets": [w.pool("dataset_a").get()["id"]]},
      "throwaway dataset in A"),
    M("bulk_update_public", ADMIN_A, lambda w, r: {"org_id": w.org_a["id"], "datasets": [w.pool("dataset_a").get()["id"]]},
      "throwaway dataset in A"),
    M("bulk_update_delete", ADMIN_A, lambda w, r: {"org_id": w.org_a["id"], "datasets": [w.pool("dataset_a").get()["id"]]},
      "throwaway dataset in A", pool="dataset_a"),
    M("package_relationship_create", EDIT_A, _relationship_absent, "public → private"),
    M("package_relationship_update", EDIT_A,
      lambda w, r: dict(_relationship_ready(w, r), comment=f"bởi {r}"), "public → private"),
    M("package_relationship_delete", EDIT_A, _relationship_ready, "public → private"),
    M("package_collaborator_create", frozenset(), lambda w, r: {"id": w.private["id"], "user_id": w.extra["id"],
                                                                "capacity": "member"}, switched_off=True),
    M("package_collaborator_delete", frozenset(), lambda w, r: {"id": w.private["id"], "user_id": w.extra["id"]},
      switched_off=True),
    M("follow_dataset", LOGGED_IN, lambda w, r: {"id": w.public["id"]}),
    M("unfollow_dataset", LOGGED_IN, lambda w, r: _unfollow_ready(w, r, "unfollow_dataset", w.public["id"])),
    M("package_create_default_resource_views", EDIT_A, lambda w, r: {"package": w.private}, "private dataset"),
    # --- resources and views ---
    M("resource_create", EDIT_A, lambda w, r: {"package_id": w.private["id"], "name": f"them-boi-{r}",
                                               "url": "https://example.org/them.html", "format": "HTML"},
      "in the private dataset"),
    M("resource_update", EDIT_A, lambda w, r: _resource_fields(w.page_res, description=f"Sửa bởi {r}."),
      "private dataset's resource"),
    M("resource_patch", EDIT_A, lambda w, r: {"id": w.page_res["id"], "description": f"Vá bởi {r}."},
      "private dataset's resource"),
    M("resource_delete", EDIT_A, lambda w, r: {"id": w.pool("resource").get()["id"]}, "throwaway resource",
      pool="resource"),
    M("resource_create_default_resource_views", EDIT_A,
      lambda w, r: {"resource": w.private_res, "package": w.private}, "private resource"),
    M("resource_view_create", EDIT_A, lambda w, r: {"resource_id": w.private_res["id"], "view_type": "datatables_view",
                                                    "title": f"Thêm bởi {r}"}, "private resource"),
    M("resource_view_update", EDIT_A, lambda w, r: {"id": w.view["id"], "resource_id": w.private_res["id"],
                                                    "view_type": "datatables_view", "title": f"Sửa bởi {r}"}),
    M("resource_view_reorder", EDIT_A, lambda w, r: {
        "id": w.private_res["id"],
        "order": [v["id"] for v in w.portal.admin("resource_view_list", id=w.private_res["id"])]}),
    M("resource_view_delete", EDIT_A, lambda w, r: {"id": w.pool("view").get()["id"]}, "throwaway view", pool="view"),
    M("resource_view_clear", SYSADMIN, lambda w, r: {"view_types": ["bd_authz_no_such_view"]},
      "a view type nobody uses: nothing is cleared"),
    # --- DataStore ---
    M("datastore_search", EVERYONE, lambda w, r: {"resource_id": w.public_res["id"], "limit": 1}, "public resource"),
    M("datastore_search", READ_A, lambda w, r: {"resource_id": w.private_res["id"], "limit": 1}, "private resource"),
    M("datastore_search_sql", EVERYONE, lambda w, r: _sql(w.public_res["id"]), "public table"),
    M("datastore_search_sql", READ_A, lambda w, r: _sql(w.private_res["id"]), "private table"),
    M("datastore_info", READ_A, lambda w, r: {"id": w.private_res["id"]}, "private resource"),
    M("datastore_create", EDIT_A, lambda w, r: {"resource_id": w.ds_res, "fields": w.ds_fields, "primary_key": ["ma"],
                                                "records": [{"ma": f"C-{r}", "ten": "tạo"}]}, "private table"),
    M("datastore_upsert", EDIT_A, lambda w, r: {"resource_id": w.ds_res, "method": "upsert",
                                                "records": [{"ma": f"U-{r}", "ten": "chèn"}]}, "private table"),
    M("datastore_delete", EDIT_A, lambda w, r: {"resource_id": w.ds_res, "filters": {"ma": f"U-{r}"}},
      "rows of the private table"),
    M("datastore_records_delete", EDIT_A, lambda w, r: {"resource_id": w.ds_res, "filters": {"ma": f"C-{r}"}},
      "rows of the private table"),
    M("datastore_run_triggers", SYSADMIN, lambda w, r: {"resource_id": w.ds_res}),
    M("datastore_function_create", SYSADMIN, lambda w, r: {"name": DATASTORE_FUNCTION, "rettype": "trigger",
                                                           "or_replace": True, "definition": "BEGIN RETURN NEW; END;"}),
    M("datastore_function_delete", SYSADMIN, _datastore_function_ready),
    M("xloader_status", EDIT_A, lambda w, r: {"resource_id": w.private_res["id"]}, "private resource"),
    M("xloader_submit", EDIT_A, lambda w, r: {"resource_id": w.reload_res["id"]}, "private resource"),
    M("xloader_submit", SYSADMIN, lambda w, r: {"resource_id": w.reload_res["id"], "queue": "bd_authz_custom_queue"},
      "custom queue: sysadmin only"),
    # --- DCAT (chained by ours) and scheming ---
    M("dcat_dataset_show", EVERYONE, lambda w, r: {"id": w.public["id"], "format": "ttl"}, "public dataset"),
    M("dcat_dataset_show", READ_A, lambda w, r: {"id": w.private["id"], "format": "ttl"}, "private dataset"),
    M("dcat_catalog_show", EVERYONE, lambda w, r: {"format": "ttl", "page": 1}),
    M("dcat_catalog_search", EVERYONE, lambda w, r: {"q": "ma trận", "format": "ttl"}),
    M("dcat_datasets_list", EVERYONE, lambda w, r: {"page": 1}),
    M("scheming_dataset_schema_list", EVERYONE, lambda w, r: {}),
    M("scheming_dataset_schema_show", EVERYONE, lambda w, r: {"type": "dataset"}),
    M("scheming_organization_schema_list", EVERYONE, lambda w, r: {}),
    M("scheming_organization_schema_show", EVERYONE, lambda w, r: {"type": "organization"}),
    # --- organizations ---
    M("organization_show", EVERYONE, lambda w, r: {"id": w.org_a["id"]}),
    M("organization_list", EVERYONE, lambda w, r: {"limit": 1}),
    M("organization_list_for_user", EVERYONE, lambda w, r: {}),
    M("organization_autocomplete", EVERYONE, lambda w, r: {"q": "so", "limit": 1}),
    M("organization_follower_count", EVERYONE, lambda w, r: {"id": w.org_a["id"]}),
    M("organization_follower_list", SYSADMIN, lambda w, r: {"id": w.org_a["id"]}),
    M("member_list", EVERYONE, lambda w, r: {"id": w.org_a["id"], "object_type": "package"}, "A's datasets"),
    M("member_list", READ_A, lambda w, r: {"id": w.org_a["id"], "object_type": "user"},
      "A's users"),
    M("member_roles_list", EVERYONE, lambda w, r: {"group_type": "organization"}),
    M("organization_create", SYSADMIN, lambda w, r: {"name": w.name("so-moi"), "title": "Sở mới"}),
    M("organization_update", ADMIN_A, lambda w, r: {"id": w.org_a["id"], "name": w.org_a["name"],
                                                    "title": w.org_a["title"], "description": f"Sửa bởi {r}.",
                                                    "users": [{"name": w.users[role]["name"], "capacity": cap}
                                                              for role, cap in (("member_a", "member"),
                                                                                ("editor_a", "editor"),
                                                                                ("admin_a", "admin"))]}),
    M("organization_patch", ADMIN_A, lambda w, r: {"id": w.org_a["id"], "description": f"Vá bởi {r}."}),
    M("organization_member_create", ADMIN_A, lambda w, r: {"id": w.org_a["id"], "username": w.extra["name"],
                                                           "role": "member"}, "another user into A"),
    M("organization_member_delete", ADMIN_A, _member_ready, "another user out of A"),
    M("organization_delete", ADMIN_A, lambda w, r: {"id": w.pool("organization").get()["id"]},
      "throwaway organization (A's members)", pool="organization"),
    M("organization_purge", SYSADMIN, lambda w, r: {"id": w.pool("organization").get()["id"]},
      "throwaway organization (A's members)", pool="organization"),
    M("follow_group", LOGGED_IN, lambda w, r: {"id": w.org_a["id"]}, "organization A"),
    M("unfollow_group", LOGGED_IN, lambda w, r: _unfollow_ready(w, r, "unfollow_group", w.org_a["id"]), "organization A"),
    M("am_following_group", LOGGED_IN, lambda w, r: {"id": w.org_a["id"]}),
    # --- groups ---
    M("group_show", EVERYONE, lambda w, r: {"id": w.group["id"]}),
    M("group_list", EVERYONE, lambda w, r: {"limit": 1}),
    M("group_list_authz", EVERYONE, lambda w, r: {}, "the groups one may edit: none for anonymous"),
    M("group_autocomplete", EVERYONE, lambda w, r: {"q": "nhom", "limit": 1}),
    M("group_package_show", EVERYONE, lambda w, r: {"id": w.group["id"]}),
    M("group_follower_count", EVERYONE, lambda w, r: {"id": w.group["id"]}),
    M("group_follower_list", SYSADMIN, lambda w, r: {"id": w.group["id"]}),
    M("group_create", SYSADMIN, lambda w, r: {"name": w.name("nhom-moi"), "title": "Nhóm mới"}),
    M("group_update", SYSADMIN, lambda w, r: {"id": w.group["id"], "name": w.group["name"], "title": w.group["title"],
                                              "description": f"Sửa bởi {r}."}),
    M("group_patch", SYSADMIN, lambda w, r: {"id": w.group["id"], "description": f"Vá bởi {r}."}),
    M("group_member_create", SYSADMIN, lambda w, r: {"id": w.group["id"], "username": w.extra["name"], "role": "member"}),
    M("group_member_delete", SYSADMIN, _group_member_ready),
    M("member_create", SYSADMIN, lambda w, r: {"id": w.group["id"], "object": w.public["id"], "object_type": "package",
                                               "capacity": "public"}, "A's public dataset into the group"),
    M("member_delete", SYSADMIN, _package_in_group, "A's public dataset out of the group"),
    M("group_delete", SYSADMIN, lambda w, r: {"id": w.pool("group").get()["id"]}, "throwaway group", pool="group"),
    M("group_purge", SYSADMIN, lambda w, r: {"id": w.pool("group").get()["id"]}, "throwaway group", pool="group"),
    # --- users ---
    # ckan.auth.public_user_details = false hides user details from anonymous visitors; signed-in
    # users (agency staff: accounts are made by the sysadmin) see names, never e-mail addresses
    # (test_user_details_keep_email_addresses_private).
    M("user_list", LOGGED_IN, lambda w, r: {"limit": 1}),
    M("user_show", LOGGED_IN, lambda w, r: {"id": w.extra["id"]}, "another user"),
    M("user_autocomplete", LOGGED_IN, lambda w, r: {"q": "authz", "limit": 1}),
    M("user_create", SYSADMIN, lambda w, r: {"name": w.name("tao-nguoi"), "email": f"{w.name('thu')}@example.org",
                                             "password": secrets.token_urlsafe(16)}),
    M("user_update", SYSADMIN, lambda w, r: {"id": w.extra["id"], "name": w.extra["name"],
                                             "email": f"{w.extra['name']}@example.org", "fullname": f"Sửa bởi {r}"},
      "another user"),
    M("user_patch", SYSADMIN, lambda w, r: {"id": w.extra["id"], "fullname": f"Vá bởi {r}"}, "another user"),
    M("user_delete", SYSADMIN, lambda w, r: {"id": w.pool("user").get()["id"]}, "throwaway user", pool="user"),
    M("api_token_create", SYSADMIN, lambda w, r: {"user": w.extra["name"], "name": f"cua-{r}"}, "for another user"),
    M("api_token_list", SYSADMIN, lambda w, r: {"user_id": w.extra["name"]}, "another user's"),
    M("api_token_revoke", SYSADMIN, lambda w, r: {"jti": _jti(w.pool("token").get()["token"])},
      "another user's token", pool="token"),
    M("user_follower_count", EVERYONE, lambda w, r: {"id": w.extra["id"]}),
    M("user_follower_list", SYSADMIN, lambda w, r: {"id": w.extra["id"]}),
    M("user_followee_count", EVERYONE, lambda w, r: {"id": w.extra["id"]}),
    M("user_followee_list", SYSADMIN, lambda w, r: {"id": w.extra["id"]}),
    M("followee_count", EVERYONE, lambda w, r: {"id": w.extra["id"]}),
    M("followee_list", SYSADMIN, lambda w, r: {"id": w.extra["id"]}),
    M("dataset_followee_count", EVERYONE, lambda w, r: {"id": w.extra["id"]}),
    M("dataset_followee_list", SYSADMIN, lambda w, r: {"id": w.extra["id"]}),
    M("group_followee_count", EVERYONE, lambda w, r: {"id": w.extra["id"]}),
    M("group_followee_list", SYSADMIN, lambda w, r: {"id": w.extra["id"]}),
    M("organization_followee_count", EVERYONE, lambda w, r: {"id": w.extra["id"]}),
    M("organization_followee_list", SYSADMIN, lambda w, r: {"id": w.extra["id"]}),
    M("follow_user", LOGGED_IN, lambda w, r: {"id": w.extra["id"]}),
    M("unfollow_user", LOGGED_IN, lambda w, r: _unfollow_ready(w, r, "unfollow_user", w.extra["id"])),
    M("am_following_user", LOGGED_IN, lambda w, r: {"id": w.extra["id"]}),
    # --- activity ---
    M("package_activity_list", READ_A, lambda w, r: {"id": w.private["id"]}, "private dataset"),
    M("package_activity_list", EVERYONE, lambda w, r: {"id": w.public["id"]}, "public dataset"),
    M("activity_show", READ_A, lambda w, r: {"id": w.activity["id"], "include_data": False},
      "activity of the private dataset"),
    # The activity's data (the whole dataset dict) only for those who may edit the dataset
    # (ckan.auth.public_activity_stream_detail is off).
    M("activity_data_show", EDIT_A, lambda w, r: {"id": w.activity["id"]}, "activity of the private dataset"),
    M("activity_diff", EDIT_A, lambda w, r: {"id": w.activity["id"], "object_type": "package"},
      "activity of the private dataset"),
    M("organization_activity_list", EVERYONE, lambda w, r: {"id": w.org_a["id"]}),
    M("group_activity_list", EVERYONE, lambda w, r: {"id": w.group["id"]}),
    M("user_activity_list", LOGGED_IN, lambda w, r: {"id": w.extra["id"]}, "another user"),
    M("recently_changed_packages_activity_list", EVERYONE, lambda w, r: {"limit": 1}),
    M("dashboard_activity_list", LOGGED_IN, lambda w, r: {"limit": 1}),
    M("dashboard_new_activities_count", LOGGED_IN, lambda w, r: {}),
    M("dashboard_mark_activities_old", LOGGED_IN, lambda w, r: {}),
    M("activity_create", SYSADMIN, lambda w, r: {"user_id": w.users["sysadmin"]["id"], "object_id": w.private["id"],
                                                 "activity_type": "changed package", "data": {}}),
    M("activity_delete", SYSADMIN, lambda w, r: {"id": w.pool("activity").get()["id"]}, "a throwaway activity",
      pool="activity"),
    M("activity_delete_counts", SYSADMIN, lambda w, r: {"offset_days": 36500}),
    M("activity_delete_all", SYSADMIN, lambda w, r: {}, skip={"sysadmin": "deletes every activity of the portal"}),
    M("send_email_notifications", SYSADMIN, lambda w, r: {},
      skip={"sysadmin": "sends e-mail to every user with notifications on"}),
    # --- harvest ---
    M("harvest_source_show", EVERYONE, lambda w, r: {"id": w.source["id"]}, "A's (public) source"),
    M("harvest_source_show_status", EVERYONE, lambda w, r: {"id": w.source["id"]}),
    M("harvest_source_list", EVERYONE, lambda w, r: {"organization_id": w.org_a["id"]}),
    M("harvesters_info_show", EVERYONE, lambda w, r: {}),
    M("harvest_log_list", SYSADMIN, lambda w, r: {"limit": 1}),
    M("harvest_object_list", EVERYONE, lambda w, r: {"source_id": w.source["id"]}),
    M("harvest_source_create", EDIT_A, lambda w, r: {
        "name": w.name("nguon-moi"), "title": "Nguồn mới", "url": f"https://example.org/{w.name('moi')}.ttl",
        "source_type": "dcat_rdf", "frequency": "MANUAL", "owner_org": w.org_a["id"]}, "owned by A"),
    M("harvest_source_update", EDIT_A, lambda w, r: {
        "id": w.source["id"], "name": w.source["name"], "title": f"Sửa bởi {r}", "url": w.source["url"],
        "source_type": "dcat_rdf", "frequency": "MANUAL", "owner_org": w.org_a["id"]}),
    M("harvest_source_patch", EDIT_A, lambda w, r: {"id": w.source["id"], "notes": f"Vá bởi {r}."}),
    M("harvest_job_list", EDIT_A, lambda w, r: {"source_id": w.source["id"]}),
    M("harvest_job_show", EDIT_A, lambda w, r: {"id": w.job["id"]}),
    M("harvest_job_report", EDIT_A, lambda w, r: {"id": w.job["id"]}),
    M("harvest_source_clear", EDIT_A, lambda w, r: {"id": w.source["id"]}),
    M("harvest_source_job_history_clear", EDIT_A, lambda w, r: {"id": w.source["id"]}),
    M("harvest_source_index_clear", EDIT_A, lambda w, r: {"id": w.source["id"]}),
    M("harvest_source_reindex", EDIT_A, lambda w, r: {"id": w.source["id"]}),
    M("harvest_source_delete", EDIT_A, lambda w, r: {"id": w.pool("harvest_source").get()["id"]},
      "throwaway source of A", pool="harvest_source"),
    M("harvest_job_create", EDIT_A, _harvest_job_create_ready),
    M("harvest_job_abort", SYSADMIN, lambda w, r: {"id": w.pool("harvest_job").get()["id"]}, "throwaway job",
      pool="harvest_job"),
    M("harvest_send_job_to_gather_queue", EDIT_A, lambda w, r: {"id": w.pool("harvest_job").get()["id"]},
      "throwaway job", pool="harvest_job"),
    M("harvest_jobs_run", SYSADMIN, lambda w, r: {"source_id": w.source["id"]}),
    M("harvest_objects_import", SYSADMIN, lambda w, r: {"source_id": w.source["id"]}),
    M("harvest_abort_failed_jobs", SYSADMIN, lambda w, r: {"life_span": 7, "include": w.source["id"]}),
    M("harvest_get_notifications_recipients", SYSADMIN, lambda w, r: {"source_id": w.source["id"]}),
    M("harvest_sources_reindex", SYSADMIN, lambda w, r: {}),
    M("harvest_sources_job_history_clear", SYSADMIN, lambda w, r: {},
      skip={"sysadmin": "clears the job history of every source of the portal"}),
    M("harvest_job_create_all", SYSADMIN, lambda w, r: {},
      skip={"sysadmin": "starts a job for every active source of the portal"}),
    # --- ours (dry runs only) ---
    M("binhduong_seed_catalogue", SYSADMIN, lambda w, r: {"dry_run": True}),
    M("binhduong_harvest_source_purge", SYSADMIN, lambda w, r: {"id": w.source["id"], "dry_run": True}),
    M("binhduong_harvest_source_purge_orphans", SYSADMIN, lambda w, r: {"dry_run": True}),
    # --- site administration ---
    M("config_option_update", SYSADMIN, _config_unchanged, "ckan.site_intro_text set to its own value"),
    M("config_option_show", SYSADMIN, lambda w, r: {"key": "ckan.site_intro_text"}),
    M("config_option_list", SYSADMIN, lambda w, r: {}),
    M("get_site_user", SYSADMIN, lambda w, r: {}),
    M("job_list", SYSADMIN, lambda w, r: {"queues": ["bd_authz_no_such_queue"]}),
    M("job_clear", SYSADMIN, lambda w, r: {"queues": ["bd_authz_no_such_queue"]}, "a queue nobody uses"),
    M("job_show", SYSADMIN, lambda w, r: {"id": "bd-authz-no-such-job"}, not_found_is_allowed=True),
    M("job_cancel", SYSADMIN, lambda w, r: {"id": "bd-authz-no-such-job"}, not_found_is_allowed=True),
    M("task_status_update", SYSADMIN, lambda w, r: {
        "entity_id": w.private_res["id"], "entity_type": "resource", "task_type": "bd_authz_matrix", "key": f"k-{r}",
        "value": "1", "state": "done", "last_updated": "2025-01-01T00:00:00", "error": ""}, "private resource"),
    M("task_status_update_many", SYSADMIN, lambda w, r: {"data": [{
        "entity_id": w.private_res["id"], "entity_type": "resource", "task_type": "bd_authz_matrix", "key": f"m-{r}",
        "value": "1", "state": "done", "last_updated": "2025-01-01T00:00:00", "error": ""}]}, "private resource"),
    M("task_status_show", READ_A, lambda w, r: {"id": w.pool("task_status").get()["id"]},
      "a task of the private resource: its readers only"),
    M("task_status_delete", SYSADMIN, lambda w, r: {"id": w.pool("task_status").get()["id"]}, pool="task_status"),
    M("term_translation_show", EVERYONE, lambda w, r: {"terms": ["bd-authz-term"]}),
    M("term_translation_update", SYSADMIN, lambda w, r: {"term": "bd-authz-term", "term_translation": "thuật ngữ",
                                                         "lang_code": "vi"}),
    M("term_translation_update_many", SYSADMIN, lambda w, r: {"data": [{"term": "bd-authz-term",
                                                                         "term_translation": "thuật ngữ",
                                                                         "lang_code": "vi"}]}),
    M("vocabulary_list", EVERYONE, lambda w, r: {}),
    M("vocabulary_show", EVERYONE, lambda w, r: {"id": w.vocabulary["id"]}),
    M("vocabulary_create", SYSADMIN, lambda w, r: {"name": w.name("tu-vung-moi")}),
    M("vocabulary_update", SYSADMIN, lambda w, r: {"id": w.vocabulary["id"], "name": w.vocabulary["name"],
                                                   "tags": [{"name": "the-mot"}]}),
    M("vocabulary_delete", SYSADMIN, lambda w, r: {"id": w.pool("vocabulary").get()["id"]}, pool="vocabulary"),
    M("tag_create", SYSADMIN, lambda w, r: {"name": w.name("the-moi"), "vocabulary_id": w.vocabulary["id"]}),
    M("tag_delete", SYSADMIN, lambda w, r: {"id": w.pool("tag").get()["id"], "vocabulary_id": w.vocabulary["id"]},
      pool="tag"),
    M("tag_list", EVERYONE, lambda w, r: {}),
    M("tag_show", EVERYONE, lambda w, r: {"id": "the-mot", "vocabulary_id": w.vocabulary["id"]}),
    M("tag_search", EVERYONE, lambda w, r: {"query": "the", "limit": 1}),
    M("tag_autocomplete", EVERYONE, lambda w, r: {"q": "the", "limit": 1}),
    M("format_autocomplete", EVERYONE, lambda w, r: {"q": "cs", "limit": 1}),
    M("license_list", EVERYONE, lambda w, r: {}),
    M("status_show", EVERYONE, lambda w, r: {}),
    M("help_show", EVERYONE, lambda w, r: {"name": "package_show"}),
    M("file_owner_scan", EDIT_A, lambda w, r: {"owner_type": "package", "owner_id": w.private["id"]},
      "files of the private dataset"),
]

# Registered actions deliberately not called by the matrix, each with the reason. Everything
# else the registry holds must be a row above (test_every_registered_action_is_in_the_matrix).
NOT_EXERCISED = {
    # ckanext-harvest's get_actions() registers every public callable of its action modules,
    # including helpers that are not actions: the Action API calls function(context, data_dict)
    # and these take other arguments, so a call fails before doing anything
    # (test_harvest_helpers_registered_as_actions_do_nothing checks they never succeed).
    "InactiveSource": "an exception class of ckanext-harvest, not an action",
    "get_mail_extra_vars": "ckanext-harvest helper (context, source_id, status), not an action",
    "prepare_summary_mail": "ckanext-harvest helper (context, source_id, status), not an action",
    "prepare_error_mail": "ckanext-harvest helper (context, source_id, status), not an action",
    "send_summary_email": "ckanext-harvest helper (context, source_id, status), not an action",
    "send_error_email": "ckanext-harvest helper (context, source_id, status), not an action",
    "send_mail": "ckanext-harvest helper (recipients, subject, body), not an action",
    # Need an object the matrix does not have; their authorization is the row named.
    "harvest_object_show": "needs a harvested object (none: example.org is never fetched); auth is everyone's, "
                           "as harvest_object_list (exercised)",
    "harvest_object_create": "needs a harvest job's gathered object; called by the gather worker with ignore_auth",
    "xloader_hook": "the xloader worker's callback (auth: sysadmin through resource_update of the job's resource); "
                    "a call marks a load finished, which would corrupt the status xloader_status reports",
    "user_invite": "sends an invitation e-mail; its auth is group_member_create, exercised by "
                   "organization_member_create",
    # CKAN 2.12's file API: file-manager (sysadmin) actions on the files table, unused by the
    # portal (resources upload through resource_create, exercised); file_owner_scan is a row.
    "file_create": "CKAN file API, unused by the portal; sysadmin/file managers only (permission_manage_files)",
    "file_register": "CKAN file API, unused by the portal; file managers only (permission_manage_files)",
    "file_delete": "CKAN file API, unused by the portal; needs a file (none exists)",
    "file_show": "CKAN file API, unused by the portal; needs a file (none exists)",
    "file_rename": "CKAN file API, unused by the portal; needs a file (none exists)",
    "file_pin": "CKAN file API, unused by the portal; needs a file (none exists)",
    "file_unpin": "CKAN file API, unused by the portal; needs a file (none exists)",
    "file_ownership_transfer": "CKAN file API, unused by the portal; needs a file (none exists)",
}


# What an allowed *_create call made, to purge at the end.
CREATES = {"package_create": "datasets", "harvest_source_create": "harvest_sources",
           "organization_create": "organizations", "group_create": "groups", "user_create": "users",
           "vocabulary_create": "vocabularies"}


def _jti(token: str) -> str:
    import base64
    import json

    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))["jti"]


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
