"""The quality actions (quality/actions.py) on the test databases: computed, stored,
recomputed when the dataset changes, shown per dataset and per agency, with their access rules."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
import ckan.plugins.toolkit as toolkit
from ckan import model
from ckan.lib import jobs
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset
from ckanext.binhduong import background
from ckanext.binhduong.quality import store
from ckanext.binhduong.quality.helpers import bd_quality_summary

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context"),
    pytest.mark.ckan_config("ckanext.binhduong.quality.links_per_host_per_second", "20"),
]


@pytest.fixture
def world(recording_server):
    sysadmin = factories.Sysadmin()
    editor = factories.User()
    agency = factories.Organization(name="so-chat-luong", title="Sở kiểm thử chất lượng",
                                    users=[{"name": editor["name"], "capacity": "editor"}])
    context = {"user": sysadmin["name"]}
    good = recording_server.url("/tram-bts.csv")
    broken = recording_server.url("/missing/tram-bts.csv")
    dataset = call_action("package_create", context=context, **valid_dataset(
        agency["id"], name="tram-bts-chat-luong", tag_string="viễn thông", frequency="MONTHLY",
        resources=[{"name": "Danh mục trạm BTS", "url": good, "format": "CSV", "mimetype": "text/csv"},
                   {"name": "Bản cũ", "url": broken, "format": "CSV", "mimetype": "text/csv"}]))
    hidden = call_action("package_create", context=context, **valid_dataset(
        agency["id"], name="bo-du-lieu-rieng", private=True, access_rights="NON_PUBLIC",
        license_id="restricted-decree-47"))
    return {"sysadmin": sysadmin, "editor": editor, "agency": agency, "dataset": dataset, "hidden": hidden,
            "good": good, "broken": broken}


def _as(user: dict | None) -> dict:
    return {"user": user["name"] if user else "", "ignore_auth": False}


def test_compute_checks_links_scores_stores_and_recomputes_a_changed_dataset(world, recording_server, monkeypatch,
                                                                            ckan_config, with_test_worker):
    report = call_action("binhduong_quality_compute", context=_as(world["sysadmin"]), check_links=True)

    assert report["datasets"] == 2 and report["links"]["checked"] == 2
    assert report["links"]["broken"] == [world["broken"]]
    assert report["dcat_ap_violations"] == 0
    shown = call_action("binhduong_quality_show", context=_as(None), id="tram-bts-chat-luong")
    indicators = shown["indicators"]
    # One of two links answers: half of the access and the download reachability points.
    assert indicators["access_url_reachable"]["points"] == 25
    assert indicators["download_url_reachable"]["points"] == 15
    assert shown["dcat_ap"] is True and indicators["dcat_ap"]["points"] == 30
    # No temporal coverage, no rights, no file size in this dataset.
    assert shown["dimensions"]["findability"]["points"] == 80
    assert shown["total"] == 405 - 25 - 15 - 20 - 5 - 5
    assert shown["rating"] == "good"
    assert [item["key"] for item in shown["checklist"]] == [
        "access_url_reachable", "temporal", "download_url_reachable", "byte_size", "rights"]
    assert [d["access_url_reachable"] for d in shown["distributions"]] == [True, False]
    # Nothing changed: a second run computes nothing and fetches nothing.
    hits = len(recording_server.hits)
    again = call_action("binhduong_quality_compute", context=_as(world["sysadmin"]), check_links=True)
    assert again["datasets"] == 0 and len(recording_server.hits) == hits

    # A change queues a measurement for the jobs worker; reads meanwhile only read the
    # stored row (the dataset page's badge and the API compute and write nothing).
    before = call_action("binhduong_quality_show", context=_as(None), id="tram-bts-chat-luong")
    assert before["indicators"]["temporal"]["met"] is False and before["stale"] is False
    queue = background.get_queue()
    queue.empty()

    def quality_jobs():  # the DCAT warming queues its own job after the change too
        return [job.func_name for job in queue.jobs if ".quality." in job.func_name]

    call_action("package_patch", context={"user": world["sysadmin"]["name"]}, id="tram-bts-chat-luong",
                temporal_start="2024-01-01", temporal_end="2024-12-31")
    assert quality_jobs() == ["ckanext.binhduong.quality.jobs.measure_dataset"]
    # Changed again before the worker took it: the waiting job measures both changes.
    call_action("resource_patch", context={"user": world["sysadmin"]["name"]},
                id=world["dataset"]["resources"][0]["id"], description="Danh mục trạm BTS (cập nhật)")
    assert quality_jobs() == ["ckanext.binhduong.quality.jobs.measure_dataset"]
    stored = store.load(world["dataset"]["id"])
    pending = call_action("binhduong_quality_show", context=_as(None), id="tram-bts-chat-luong")
    badge = bd_quality_summary(call_action("package_show", id="tram-bts-chat-luong"))
    assert pending["stale"] is True and pending["total"] == before["total"] and badge["stale"] is True
    assert store.load(world["dataset"]["id"])["computed"] == stored["computed"]  # nothing written by reads

    jobs.Worker([background.QUEUE]).work(burst=True)
    after = call_action("binhduong_quality_show", context=_as(None), id="tram-bts-chat-luong")
    assert after["indicators"]["temporal"]["met"] is True and after["stale"] is False
    assert after["total"] == before["total"] + 20
    assert bd_quality_summary(call_action("package_show", id="tram-bts-chat-luong"))["total"] == after["total"]

    # Queued once the change is committed (CKAN's action_succeeded signal): a resource's change
    # (through package_update).
    call_action("resource_patch", context={"user": world["sysadmin"]["name"]},
                id=world["dataset"]["resources"][1]["id"], description="Bản cũ (lưu trữ)")
    assert quality_jobs() == ["ckanext.binhduong.quality.jobs.measure_dataset"]
    queue.empty()

    # A link that breaks is found by the next check that is due, and its dataset measured again.
    recording_server.broken.add("/tram-bts.csv")
    monkeypatch.setitem(ckan_config, "ckanext.binhduong.quality.link_recheck_days", "0")
    report = call_action("binhduong_quality_compute", context=_as(world["sysadmin"]), check_links=True)
    assert report["links"]["changed_datasets"] == [world["dataset"]["id"]] and report["datasets"] == 1
    broken = call_action("binhduong_quality_show", context=_as(None), id="tram-bts-chat-luong")
    assert broken["indicators"]["access_url_reachable"]["points"] == 0

    # A dataset created by a caller that commits it later (defer_commit): measured after that commit.
    queue.empty()
    call_action("package_create", context={"user": world["sysadmin"]["name"], "defer_commit": True},
                **valid_dataset(world["agency"]["id"], name="tram-bts-cho-commit"))
    assert quality_jobs() == []
    model.repo.commit()
    assert quality_jobs() == ["ckanext.binhduong.quality.jobs.measure_dataset"]
    queue.empty()


def test_dry_runs_and_who_may_do_what(cli, world, recording_server):
    from ckanext.binhduong.cli import binhduong

    report = call_action("binhduong_quality_check_links", context=_as(world["sysadmin"]), dry_run=True)
    assert sorted(report["would_check"]) == sorted([world["good"], world["broken"]])
    result = cli.invoke(binhduong, ["quality", "compute", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would compute 2 dataset(s)" in result.output
    assert recording_server.hits == []  # dry runs fetch nothing
    assert call_action("binhduong_quality_agency", context=_as(None))["unmeasured_count"] == 1
    result = cli.invoke(binhduong, ["quality", "compute", "--dataset", "khong-co"])
    assert result.exit_code == 1 and "Not found" in result.output

    for user in (None, world["editor"]):
        with pytest.raises(toolkit.NotAuthorized):
            call_action("binhduong_quality_compute", context=_as(user))
        with pytest.raises(toolkit.NotAuthorized):
            call_action("binhduong_quality_check_links", context=_as(user), dry_run=True)
    # A private dataset's quality answers "not found" to those who may not read it.
    with pytest.raises(toolkit.ObjectNotFound):
        call_action("binhduong_quality_show", context=_as(None), id="bo-du-lieu-rieng")
    assert call_action("binhduong_quality_show", context=_as(world["editor"]), id="bo-du-lieu-rieng")["total"] > 0
    with pytest.raises(toolkit.ValidationError):
        call_action("binhduong_quality_show", context=_as(None))
    with pytest.raises(toolkit.ObjectNotFound):
        call_action("binhduong_quality_agency", context=_as(None), id="khong-co-co-quan-nay")


def test_agency_dashboard_with_an_overdue_monthly_dataset(world):
    # Declared monthly, last updated four months ago (data and record alike).
    model.Session.execute(sa.text(
        "UPDATE package SET metadata_modified = now() at time zone 'utc' - interval '4 months' WHERE id = :id"),
        {"id": world["dataset"]["id"]})
    model.Session.execute(sa.text(
        "UPDATE resource SET last_modified = NULL, metadata_modified = now() at time zone 'utc' - interval '4 months' "
        "WHERE package_id = :id"), {"id": world["dataset"]["id"]})
    model.Session.commit()
    model.Session.expire_all()  # CKAN's session keeps objects across commits
    call_action("binhduong_quality_compute", context=_as(world["sysadmin"]), check_links=True)

    agency = call_action("binhduong_quality_agency", context=_as(None), id="so-chat-luong")
    assert agency["organization"]["name"] == "so-chat-luong"
    # Public datasets only: the private one is not counted.
    assert agency["summary"]["count"] == 1 and agency["summary"]["rating"] == "good"
    assert agency["broken_links"] == [{"name": "tram-bts-chat-luong", "title": world["dataset"]["title"],
                                       "resource": "Bản cũ", "url": world["broken"]}]
    [overdue] = agency["overdue"]
    assert overdue["name"] == "tram-bts-chat-luong" and overdue["frequency"] == "MONTHLY"
    # Four months since the update, one month allowed: about three months late.
    assert 88 <= overdue["days_late"] <= 92
    assert agency["most_to_gain"][0]["name"] == "tram-bts-chat-luong"

    portal = call_action("binhduong_quality_agency", context=_as(None))
    assert portal["organization"] is None and portal["summary"]["count"] == 1
    assert [a["name"] for a in portal["agencies"]] == ["so-chat-luong"]
    assert portal["agencies"][0]["overdue_count"] == 1
    assert portal["review"]["next"] > portal["review"]["previous"]

