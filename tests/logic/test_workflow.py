"""The approval workflow's rule in process (workflow.py), on the test databases: what an
editor writes stays private, admins publish, a harvested dataset is never held, the agency's
policy switches the rule, and the actions' auth functions for each role."""
from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action, call_auth

from bd_factories import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")


@pytest.fixture
def agency():
    editor, admin, outsider = factories.User(), factories.User(), factories.User()
    organization = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"},
                                                 {"name": admin["name"], "capacity": "admin"}])
    other = factories.Organization(users=[{"name": outsider["name"], "capacity": "admin"}])
    return {"editor": editor, "admin": admin, "outsider": outsider, "organization": organization, "other": other}


def _create(user, organization, **overrides):
    return call_action("package_create", context={"user": user["name"]},
                       **valid_dataset(organization["id"], **overrides))


def test_an_editors_dataset_waits_and_an_admins_is_public(agency):
    held = _create(agency["editor"], agency["organization"], private=False)
    assert held["private"] is True
    assert call_action("bd_review_show", id=held["id"])["status"] == "pending"
    published = _create(agency["admin"], agency["organization"], private=False)
    assert published["private"] is False
    assert call_action("bd_review_show", id=published["id"])["status"] is None


def test_a_harvested_dataset_is_never_held(agency):
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

    dataset = _create(agency["admin"], agency["organization"], private=False)
    source = HarvestSource(url="https://example.org/catalog.ttl", type="dcat_rdf")
    source.save()
    job = HarvestJob(source=source)
    job.save()
    HarvestObject(guid="x", job=job, source=source, package_id=dataset["id"], current=True).save()
    updated = call_action("package_patch", context={"user": agency["editor"]["name"]}, id=dataset["id"],
                          notes="Sửa bởi biên tập viên")
    assert updated["private"] is False


def test_the_agency_policy_switches_the_rule(agency):
    call_action("bd_review_policy_update", context={"user": agency["admin"]["name"]},
                id=agency["organization"]["id"], review_required=False)
    free = _create(agency["editor"], agency["organization"], private=False)
    assert free["private"] is False


@pytest.mark.parametrize("action", ["bd_review_approve", "bd_review_return"])
def test_only_an_admin_of_the_agency_decides(agency, action):
    held = _create(agency["editor"], agency["organization"])
    assert call_auth(action, context={"user": agency["admin"]["name"], "model": model}, id=held["id"])
    for who in ("editor", "outsider"):
        with pytest.raises(toolkit.NotAuthorized):
            call_auth(action, context={"user": agency[who]["name"], "model": model}, id=held["id"])
    with pytest.raises(toolkit.NotAuthorized):
        call_auth(action, context={"user": "", "model": model}, id=held["id"])


def test_policy_update_queue_auth_lists_and_what_a_decision_queues(agency):
    """Who may set the policy and read the queue; the dashboard's lists of an editor (in review,
    drafts); an approval changes the dataset (public now), so its quality is measured again; a
    return changes only the review row."""
    from ckanext.binhduong import background, workflow
    from ckanext.binhduong.quality import jobs

    org_id = agency["organization"]["id"]
    assert call_auth("bd_review_policy_update", context={"user": agency["admin"]["name"], "model": model}, id=org_id)
    for user in (agency["editor"]["name"], agency["outsider"]["name"], ""):
        with pytest.raises(toolkit.NotAuthorized):
            call_auth("bd_review_policy_update", context={"user": user, "model": model}, id=org_id)
    with pytest.raises(toolkit.NotAuthorized):
        call_auth("bd_review_list", context={"user": "", "model": model})
    held = _create(agency["editor"], agency["organization"])
    queue = call_action("bd_review_list", context={"user": agency["admin"]["name"]})
    assert [row["package_id"] for row in queue] == [held["id"]]
    assert call_action("bd_review_list", context={"user": agency["outsider"]["name"]}) == []

    draft = _create(agency["editor"], agency["organization"], title="Bản nháp của biên tập viên", state="draft")
    _create(agency["admin"], agency["organization"], state="draft")  # another user's draft
    mine = workflow.submitted_by_me(agency["editor"]["name"])
    assert [(row["package_id"], row["status"]) for row in mine] == [(held["id"], "pending")]
    assert [(row["id"], row["title"]) for row in workflow.drafts_of(agency["editor"]["name"])] == [
        (draft["id"], "Bản nháp của biên tập viên")]
    assert workflow.submitted_by_me(agency["admin"]["name"]) == []
    assert workflow.submitted_by_me("khong-co-nguoi-nay") == [] and workflow.drafts_of("") == []

    returned = _create(agency["editor"], agency["organization"])
    background.get_queue().empty()  # the creations' own measurements
    admin = {"user": agency["admin"]["name"]}
    call_action("bd_review_approve", context=dict(admin), id=held["id"])
    call_action("bd_review_return", context=dict(admin), id=returned["id"], reason="Thiếu nguồn dữ liệu")
    assert background.waiting(jobs.measure_key(held["id"])) is not None
    assert background.waiting(jobs.measure_key(returned["id"])) is None
