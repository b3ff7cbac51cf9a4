"""The cached catalogue is never stale: on the running portal, over HTTP, an edit to a
dataset or to its organization shows in the very next read of /catalog.ttl, and an
unchanged dataset is served from the stored Turtle (its row is not written again)."""
from __future__ import annotations

import configparser
import os
import pathlib
import uuid

import pytest
import rdflib
import requests
import sqlalchemy as sa

from bd_factories import valid_dataset

ROOT = pathlib.Path(__file__).resolve().parents[2]
INI = os.environ.get("BD_CKAN_INI", str(ROOT / "var" / "ckan.ini"))
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")


def _engine():
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(INI)
    return sa.create_engine(parser["app:main"]["sqlalchemy.url"])


def stored_row(dataset_id: str) -> tuple | None:
    """The portal's stored Turtle of a dataset: (cache_key, written, body)."""
    with _engine().connect() as connection:
        return connection.execute(sa.text(
            "SELECT cache_key, written, body FROM binhduong_dcat_fragment WHERE dataset_id = :id"
        ), {"id": dataset_id}).first()


def catalogue_graph_with(portal_url: str, dataset_id: str) -> rdflib.Graph:
    """The /catalog.ttl page that lists this dataset, found by following hydra:next."""
    url = f"{portal_url}/catalog.ttl"
    for _ in range(200):
        response = requests.get(url, timeout=60)
        assert response.status_code == 200, response.text[:500]
        assert response.headers["Content-Type"].startswith("text/turtle")
        # Turtle is UTF-8 (W3C Turtle §5); requests would guess Latin-1 for a text/* type without charset.
        graph = rdflib.Graph().parse(data=response.content, format="turtle")
        if any(str(s).endswith(f"/dataset/{dataset_id}") for s in graph.subjects(DCT.title, None)):
            return graph
        following = list(graph.objects(None, HYDRA.next))
        if not following:
            break
        url = str(following[0])
    pytest.fail(f"dataset {dataset_id} is on no page of {portal_url}/catalog.ttl")


def dataset_ref(graph: rdflib.Graph, dataset_id: str):
    return next(s for s in graph.subjects(DCT.title, None) if str(s).endswith(f"/dataset/{dataset_id}"))


@pytest.fixture
def published(portal_api):
    suffix = uuid.uuid4().hex[:8]
    organization = portal_api.action.organization_create(
        name=f"tuoi-moi-{suffix}", title=f"Cơ quan kiểm thử độ mới {suffix}")
    try:
        dataset = portal_api.action.package_create(**valid_dataset(
            organization["id"], name=f"tuoi-moi-{suffix}", title=f"Danh mục trước khi sửa {suffix} (dữ liệu mẫu)",
            notes=f"Mô tả trước khi sửa {suffix}."))
        yield {"dataset": dataset, "organization": organization, "suffix": suffix}
    finally:
        try:
            portal_api.action.dataset_purge(id=f"tuoi-moi-{suffix}")
        except Exception:  # noqa: BLE001 - the dataset may not have been created
            pass
        portal_api.action.organization_purge(id=organization["id"])


def test_an_edited_dataset_shows_in_the_next_read(portal_url, portal_api, published):
    dataset, suffix = published["dataset"], published["suffix"]
    before = catalogue_graph_with(portal_url, dataset["id"])
    ref = dataset_ref(before, dataset["id"])
    assert str(before.value(ref, DCT.title)) == dataset["title"]
    row = stored_row(dataset["id"])
    assert row is not None, "the catalogue read did not store the dataset's Turtle"
    assert dataset["title"] in row.body

    # Unchanged: the next read uses the stored text instead of writing it again.
    catalogue_graph_with(portal_url, dataset["id"])
    assert stored_row(dataset["id"])[:2] == row[:2]

    new_title = f"Danh mục sau khi sửa {suffix} (dữ liệu mẫu)"
    new_notes = f"Mô tả sau khi sửa {suffix}: thêm cột số trạm."
    portal_api.action.package_patch(id=dataset["id"], title=new_title, notes=new_notes)

    after = catalogue_graph_with(portal_url, dataset["id"])
    ref = dataset_ref(after, dataset["id"])
    assert {str(t) for t in after.objects(ref, DCT.title)} == {new_title}
    assert {str(d) for d in after.objects(ref, DCT.description)} == {new_notes}
    assert stored_row(dataset["id"]).cache_key != row.cache_key


def test_an_edited_organization_shows_in_the_next_read(portal_url, portal_api, published):
    dataset, organization, suffix = published["dataset"], published["organization"], published["suffix"]
    before = catalogue_graph_with(portal_url, dataset["id"])
    publisher = before.value(dataset_ref(before, dataset["id"]), DCT.publisher)
    assert str(before.value(publisher, FOAF.name)) == organization["title"]

    # Renaming an agency does not touch its datasets' metadata_modified.
    new_title = f"Cơ quan kiểm thử đã đổi tên {suffix}"
    portal_api.action.organization_patch(id=organization["id"], title=new_title)
    assert portal_api.action.package_show(id=dataset["id"])["metadata_modified"] == dataset["metadata_modified"]

    after = catalogue_graph_with(portal_url, dataset["id"])
    publisher = after.value(dataset_ref(after, dataset["id"]), DCT.publisher)
    assert {str(name) for name in after.objects(publisher, FOAF.name)} == {new_title}
