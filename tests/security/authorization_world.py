"""The world of the authorization matrix (test_authorization_matrix.py): the seven roles, the
portal as each of them calls it, the organizations, datasets and users the matrix works on,
and their clean-up."""
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

DATASTORE_FUNCTION = "bd_authz_matrix_noop"
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


def _jti(token: str) -> str:
    import base64
    import json

    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))["jti"]
