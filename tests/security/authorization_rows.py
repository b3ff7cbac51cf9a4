"""The table of the authorization matrix (test_authorization_matrix.py): each action, the
data it is called with, and the roles that must be allowed; the actions deliberately not
called, each with its reason."""
from __future__ import annotations

import dataclasses
import secrets
from typing import Callable


from bd_factories import valid_dataset

from .authorization_world import (
    _jti,
    ADMIN_A,
    DATASTORE_FUNCTION,
    EDIT_A,
    EVERYONE,
    LOGGED_IN,
    READ_A,
    SYSADMIN,
    World,
)



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
    # --- data quality (quality/actions.py; tests/quality/) ---
    M("binhduong_quality_show", EVERYONE, lambda w, r: {"id": w.public["id"]}, "public dataset"),
    M("binhduong_quality_show", READ_A, lambda w, r: {"id": w.private["id"]}, "private dataset", exact_404=True),
    M("binhduong_quality_agency", EVERYONE, lambda w, r: {"id": w.org_a["id"]}),
    M("binhduong_quality_compute", SYSADMIN, lambda w, r: {"id": w.public["id"], "dry_run": True}),
    M("binhduong_quality_check_links", SYSADMIN, lambda w, r: {"id": w.public["id"], "dry_run": True}),
    M("binhduong_quality_table_report", EVERYONE, lambda w, r: {"id": w.public_res["id"]}, "public resource"),
    M("binhduong_quality_table_report", READ_A, lambda w, r: {"id": w.private_res["id"]}, "private resource",
      exact_404=True),
    M("binhduong_quality_validate_tables", SYSADMIN, lambda w, r: {"id": w.public["id"], "dry_run": True}),
    # --- the approval workflow (logic/workflow_actions.py; its steps: tests/e2e/test_publishing_workflow.py) ---
    M("bd_review_show", READ_A, lambda w, r: {"id": w.private["id"]}, "private dataset"),
    M("bd_review_list", LOGGED_IN, lambda w, r: {}),
    M("bd_review_policy_show", READ_A, lambda w, r: {"id": w.org_a["id"]}),
    M("bd_review_policy_update", ADMIN_A, lambda w, r: {"id": w.org_a["id"], "review_required": False},
      "set to what the world has"),
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
    # Steps of the approval workflow: each needs a dataset in a given state (waiting, returned),
    # which one call changes; tests/e2e/test_publishing_workflow.py calls them as the editor, the
    # agency's admin, another agency's admin, a sysadmin and anonymous.
    "bd_review_submit": "a workflow step (needs a finished dataset); tested in test_publishing_workflow.py",
    "bd_review_approve": "a workflow step (needs a waiting dataset); tested in test_publishing_workflow.py",
    "bd_review_return": "a workflow step (needs a waiting dataset); tested in test_publishing_workflow.py",
}


# What an allowed *_create call made, to purge at the end.
CREATES = {"package_create": "datasets", "harvest_source_create": "harvest_sources",
           "organization_create": "organizations", "group_create": "groups", "user_create": "users",
           "vocabulary_create": "vocabularies"}
