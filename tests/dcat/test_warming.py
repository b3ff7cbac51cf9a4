"""The DCAT cache is warm after a deploy and after an edit (dcat/warming.py): once the
warming job has run, the next walk of /catalog.ttl renders nothing (every dataset is served
from fresh fragments) and shows the change."""
from __future__ import annotations

import pytest
import rdflib
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset
from ckanext.binhduong import background
from ckanext.binhduong.dcat import cached_catalogue, warming

from .catalogue import catalogue_ttl

DCT = rdflib.Namespace("http://purl.org/dc/terms/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context",
                                     "fragment_table")


@pytest.fixture
def redis_state():
    """The warming's Redis keys and the background queue start empty (the test database's Redis
    keeps them between tests)."""
    redis = connect_to_redis()
    background.get_queue().empty()
    names = [warming._name(suffix) for suffix in ("pending", "warming", "warmed")]
    names.append(background._pointer(warming.CHANGED_KEY))
    redis.delete(*names)
    yield redis
    redis.delete(*names)


def _run(job_id: str) -> None:
    """Run a queued job here, as the jobs worker would, and take it off the queue."""
    job = jobs.job_from_id(job_id)
    try:
        job.perform()
    finally:
        job.delete()


def _rendered_by(read) -> int:
    before = cached_catalogue.stats["rendered"]
    read()
    return cached_catalogue.stats["rendered"] - before


@pytest.mark.ckan_config("ckanext.binhduong.dcat.warm_pause", "0")
def test_after_a_configuration_change_the_warming_job_leaves_nothing_to_render(
        app, sysadmin_context, organizations, monkeypatch, redis_state):
    org = organizations["department"]["id"]
    for i in range(3):
        call_action("package_create", context=sysadmin_context(), **valid_dataset(org, title=f"Bộ {i}"))
    assert _rendered_by(lambda: catalogue_ttl(app)) == 3  # a cold cache
    assert _rendered_by(lambda: catalogue_ttl(app)) == 0  # warm
    first = warming.start()  # never warmed by a job: `make up` enqueues one
    assert first["enqueued"]
    _run(first["job"])
    assert warming.start()["enqueued"] is False  # warm for this version: nothing to do

    # A deploy with another DCAT setting: every stored key misses.
    old = warming.status()["version"]
    monkeypatch.setitem(toolkit.config, "ckanext.binhduong.dcat.place_uri", "{base}/don-vi-hanh-chinh/{code}")
    state = warming.start()
    assert state["version"] != old and state["enqueued"]
    assert warming.start()["enqueued"] is False  # already queued for this version

    _run(state["job"])
    assert warming.status()["warmed"] == state["version"]

    served = {}
    assert _rendered_by(lambda: served.setdefault("ttl", catalogue_ttl(app))) == 0
    assert "/don-vi-hanh-chinh/74" in served["ttl"]


@pytest.mark.ckan_config("ckanext.binhduong.dcat.warm_pause", "0")
@pytest.mark.ckan_config("ckanext.binhduong.quality.validate_dcat", "false")
def test_an_edited_dataset_and_an_edited_agency_are_rendered_by_the_jobs(app, sysadmin_context, organizations,
                                                                         redis_state, with_test_worker):
    org = organizations["department"]["id"]
    first = call_action("package_create", context=sysadmin_context(), **valid_dataset(org, title="Một"))
    second = call_action("package_create", context=sysadmin_context(), **valid_dataset(org, title="Hai"))
    # The two creations queued one job.
    assert [job.func_name for job in background.get_queue().jobs].count("ckanext.binhduong.dcat.warming.warm_changed") == 1
    assert background.waiting(warming.CHANGED_KEY) is not None
    # Not measured yet: left to the quality job queued with the change, which notes them for
    # warming once measured (whichever job the worker runs first).
    assert warming.warm_changed() == {"datasets": 0, "rendered": 0, "awaiting_measurement": 2}
    jobs.Worker([background.QUEUE]).work(burst=True)
    assert not background.get_queue().jobs and background.waiting(warming.CHANGED_KEY) is None
    assert _rendered_by(lambda: catalogue_ttl(app)) == 0

    call_action("package_patch", context=sysadmin_context(), id=first["id"], title="Một (đã sửa)")
    assert {m.decode() for m in redis_state.smembers(warming._name("pending"))} == {first["id"]}
    jobs.Worker([background.QUEUE]).work(burst=True)
    served = {}
    assert _rendered_by(lambda: served.setdefault("ttl", catalogue_ttl(app))) == 0
    graph = rdflib.Graph().parse(data=served["ttl"], format="turtle")
    assert "Một (đã sửa)" in {str(t) for t in graph.objects(None, DCT.title)}

    # Measured and then the agency renamed (its datasets do not change): rendered at once.
    call_action("binhduong_quality_compute", context=sysadmin_context())
    call_action("organization_patch", context=sysadmin_context(), id=org, title="Sở đã đổi tên")
    assert {m.decode() for m in redis_state.smembers(warming._name("pending"))} == {first["id"], second["id"]}
    assert warming.warm_changed() == {"datasets": 2, "rendered": 2, "awaiting_measurement": 0}
    served.clear()
    assert _rendered_by(lambda: served.setdefault("ttl", catalogue_ttl(app))) == 0
    assert "Sở đã đổi tên" in served["ttl"]
