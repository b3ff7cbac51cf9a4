"""/catalog.ttl from stored per-dataset Turtle (dcat/cached_catalogue.py): the same graph as
ckanext-dcat writes with the same profiles, keyset paging that neither skips nor repeats a
dataset when another leaves the catalogue during a walk, and the stored text reused only
while it is current."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import rdflib
import rdflib.compare
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset

from .catalogue import catalogue_ttl

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context",
                                     "fragment_table")


def _graph(ttl: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ttl, format="turtle")


def _without_next(graph: rdflib.Graph) -> rdflib.Graph:
    for predicate in (HYDRA.next, HYDRA.nextPage):
        graph.remove((None, predicate, None))
    return graph


def _listed(graph: rdflib.Graph) -> list[str]:
    return sorted(str(s) for s in graph.subjects(rdflib.RDF.type, DCAT.Dataset))


def _stored() -> dict[str, tuple]:
    with model.meta.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT dataset_id, cache_key, written FROM binhduong_dcat_fragment"))
        return {row[0]: (row[1], row[2]) for row in rows}


def test_the_cached_page_is_the_graph_ckanext_dcat_writes(app, catalogue, monkeypatch):
    cold = catalogue_ttl(app)  # renders and stores every dataset
    warm = catalogue_ttl(app)  # reads them back
    monkeypatch.setitem(toolkit.config, "ckanext.binhduong.dcat.cache", False)
    stock = catalogue_ttl(app)
    expected = _without_next(_graph(stock))
    assert len(_listed(expected)) == 3
    for served in (cold, warm):
        graph = _without_next(_graph(served))
        assert rdflib.compare.isomorphic(graph, expected), sorted(
            rdflib.compare.graph_diff(rdflib.compare.to_isomorphic(graph), rdflib.compare.to_isomorphic(expected))[1]
        )[:10]
    assert set(_stored()) == {d["id"] for d in catalogue.values()}


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_an_unchanged_dataset_is_not_written_again_and_an_edited_one_is(app, sysadmin_context, organizations):
    org = organizations["department"]["id"]
    first = call_action("package_create", context=sysadmin_context(), **valid_dataset(org, title="Một"))
    second = call_action("package_create", context=sysadmin_context(), **valid_dataset(org, title="Hai"))
    catalogue_ttl(app)
    stored = _stored()
    assert set(stored) == {first["id"], second["id"]}

    catalogue_ttl(app)
    assert _stored() == stored

    call_action("package_patch", context=sysadmin_context(), id=first["id"], title="Một (đã sửa)")
    graph = _graph(catalogue_ttl(app))
    titles = {str(t) for t in graph.objects(None, DCT.title)}
    assert "Một (đã sửa)" in titles and "Một" not in titles
    now = _stored()
    assert now[second["id"]] == stored[second["id"]]
    assert now[first["id"]][0] != stored[first["id"]][0]


def _walk(app, deleting=None, sysadmin_context=None) -> tuple[list[str], list[str]]:
    """Every page by hydra:next; after the first page, delete `deleting` (if given)."""
    seen, urls = [], []
    params = {}
    while True:
        graph = _graph(catalogue_ttl(app, **params))
        seen += _listed(graph)
        following = next(graph.objects(None, HYDRA.next), None)
        if deleting and len(urls) == 0:
            call_action("package_delete", context=sysadmin_context(), id=deleting)
        urls.append(str(following) if following else "")
        if following is None:
            return seen, urls
        params = {key: values[0] for key, values in parse_qs(urlparse(str(following)).query).items()}


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
def test_a_walk_by_hydra_next_skips_nobody_when_a_dataset_leaves(app, sysadmin_context, organizations):
    org = organizations["department"]["id"]
    created = [call_action("package_create", context=sysadmin_context(), **valid_dataset(org, title=f"Bộ {i}"))
               for i in range(5)]
    full, urls = _walk(app)
    assert len(full) == 5 and len(set(full)) == 5
    assert all("after=" in url for url in urls[:-1]), urls

    # The newest dataset (first page) is deleted while the harvester is on page 1.
    newest = max(created, key=lambda d: d["metadata_modified"])
    walked, _ = _walk(app, deleting=newest["id"], sysadmin_context=sysadmin_context)
    remaining = sorted(uri for uri in full if not uri.endswith(newest["id"]))
    assert sorted(walked) == sorted(set(walked)), "a dataset was listed twice"
    assert set(remaining) <= set(walked), "a dataset was skipped"

    # ckanext-dcat's numbered pages (the hydra:first/last links) still work: page 2 by offset.
    graph = _graph(catalogue_ttl(app, page=2))
    assert len(_listed(graph)) == 2
    assert [str(last).rsplit("?", 1)[1] for last in graph.objects(None, HYDRA.last)] == ["page=2"]


def test_a_malformed_key_is_refused(app):
    # Refused before any search: no catalogue needed.
    response = app.get("/catalog.ttl", query_string={"page": 2, "after": "2024-01-01,x) OR id:*"})
    assert response.status_code == 409
    response = app.get("/catalog.ttl", query_string={"page": 2, "after": "not-a-key"})
    assert response.status_code == 409


def test_other_formats_are_ckanext_dcats_own(app, catalogue):
    response = app.get("/catalog.jsonld")
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.body, format="json-ld")
    assert len(_listed(graph)) == 3
    assert _stored() == {}


DQV = rdflib.Namespace("http://www.w3.org/ns/dqv#")


def _score(graph: rdflib.Graph, dataset_id: str) -> float:
    [dataset] = [s for s in graph.subjects(rdflib.RDF.type, DCAT.Dataset) if str(s).endswith(dataset_id)]
    return next(float(graph.value(m, DQV.value)) for m in graph.objects(dataset, DQV.hasQualityMeasurement)
                if str(graph.value(m, DQV.isMeasurementOf)).endswith("/score"))


@pytest.mark.ckan_config("ckanext.binhduong.quality.validate_dcat", "false")
def test_a_recomputed_quality_score_shows_in_the_next_read(app, sysadmin_context, organizations):
    from ckanext.binhduong.quality import mqa, store

    url = "https://stttt.binhduong.gov.vn/files/tram.csv"
    dataset = call_action("package_create", context=sysadmin_context(), **valid_dataset(
        organizations["department"]["id"], resources=[{"url": url, "name": "Bảng", "format": "CSV"}]))
    call_action("binhduong_quality_compute", context=sysadmin_context())
    before = _score(_graph(catalogue_ttl(app)), dataset["id"])
    assert before == call_action("binhduong_quality_show", id=dataset["id"])["total"]
    key = _stored()[dataset["id"]][0]

    # The link checker finds the file: the dataset does not change, its score does.
    store.save_links({url: mqa.LinkStatus(ok=True, status=200)})
    call_action("binhduong_quality_compute", context=sysadmin_context(), all=True)
    after = _score(_graph(catalogue_ttl(app)), dataset["id"])
    assert after == call_action("binhduong_quality_show", id=dataset["id"])["total"] > before
    assert _stored()[dataset["id"]][0] != key

    # Recomputed to the same values: the stored text stays (no render of the whole catalogue).
    call_action("binhduong_quality_compute", context=sysadmin_context(), all=True)
    stored = _stored()
    catalogue_ttl(app)
    assert _stored() == stored
