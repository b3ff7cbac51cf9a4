"""A dataset's URI (and its distributions') does not change when its title or name does."""
from __future__ import annotations

import pytest
import rdflib
from ckan.tests.helpers import call_action
from ckanext.dcat.utils import catalog_uri

from bd_factories import valid_dataset

from .catalogue import catalogue_ttl, parse

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def _described(app, path: str) -> tuple[set[str], set[str]]:
    graph = rdflib.Graph().parse(data=app.get(path).body, format="turtle")
    return ({str(s) for s in graph.subjects(rdflib.RDF.type, DCAT.Dataset)},
            {str(s) for s in graph.subjects(rdflib.RDF.type, DCAT.Distribution)})


def test_renaming_a_dataset_keeps_its_uris(app, sysadmin_context, organizations):
    dataset = call_action("package_create", context=sysadmin_context(), **valid_dataset(
        organizations["department"]["id"], name="ten-cu", title="Tên cũ",
        resources=[{"url": "https://example.gov.vn/a.csv", "name": "Tệp", "format": "CSV"}]))
    expected = f"{catalog_uri().rstrip('/')}/dataset/{dataset['id']}"
    before = parse(catalogue_ttl(app))
    assert list(before) == [expected]
    datasets_before, distributions_before = _described(app, "/dataset/ten-cu.ttl")
    assert datasets_before == {expected}

    call_action("package_patch", context=sysadmin_context(), id=dataset["id"], name="ten-moi", title="Tên mới")

    after = parse(catalogue_ttl(app))
    assert list(after) == [expected]
    assert after[expected]["title"] == "Tên mới"
    assert after[expected]["identifier"] == before[expected]["identifier"] == dataset["identifier"]
    assert _described(app, "/dataset/ten-moi.ttl") == (datasets_before, distributions_before)
    assert "ten-cu" not in expected and "ten-moi" not in expected
