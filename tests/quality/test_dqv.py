"""The quality measurements as W3C DQV (quality/dqv.py): on the dataset's DCAT URI, and the
DCAT description with its DQV still validates against the DCAT-AP 3 shapes (0 results)."""
from __future__ import annotations

import pytest
import rdflib
from ckan.tests import factories
from ckan.tests.helpers import call_action
from pyshacl import validate
from rdflib.namespace import RDF, SH

from ckanext.binhduong.quality import mqa, shacl
from ckanext.binhduong.quality.dqv import DQV

from bd_factories import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def test_dqv_measurements_on_the_catalogue_uris_and_shacl_still_clean(app):
    sysadmin = factories.Sysadmin()
    agency = factories.Organization(name="so-dqv")
    context = {"user": sysadmin["name"]}
    dataset = call_action("package_create", context=context, **valid_dataset(
        agency["id"], name="bo-du-lieu-dqv", tag_string="chất lượng",
        resources=[{"name": "Bảng", "url": "http://10.9.9.9/bang.csv", "format": "CSV"}]))
    call_action("package_create", context=context, **valid_dataset(agency["id"], name="bo-dqv-rieng", private=True))
    call_action("binhduong_quality_compute", context={"user": sysadmin["name"], "ignore_auth": False})

    response = app.get("/dataset/bo-du-lieu-dqv/chat-luong.ttl")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    dqv = rdflib.Graph().parse(data=response.body, format="turtle")
    dcat = rdflib.Graph().parse(data=app.get(f"/dataset/{dataset['id']}.ttl").body, format="turtle")
    [dataset_node] = list(dcat.subjects(RDF.type, DCAT.Dataset))

    measurements = list(dqv.objects(dataset_node, DQV.hasQualityMeasurement))
    assert len(measurements) == len(mqa.INDICATORS) + 1
    values = {str(dqv.value(m, DQV.isMeasurementOf)).rsplit("/", 1)[1]: float(dqv.value(m, DQV.value)) for m in measurements}
    shown = call_action("binhduong_quality_show", id="bo-du-lieu-dqv")
    assert values["score"] == shown["total"] and values["keywords"] == 30
    for m in measurements:
        assert dqv.value(m, DQV.computedOn) == dataset_node
        metric = dqv.value(m, DQV.isMeasurementOf)
        assert (metric, RDF.type, DQV.Metric) in dqv
    assert len(set(dqv.subjects(RDF.type, DQV.Dimension))) == 5
    # Vietnamese labels of the metrics, whatever the page's language.
    labels = {str(label) for label in dqv.objects(None, rdflib.namespace.SKOS.prefLabel) if label.language == "vi"}
    assert "Từ khóa" in labels and "Khả năng tìm thấy" in labels

    combined = dcat + dqv
    conforms, report, text = validate(combined, shacl_graph=shacl.shapes(), advanced=True)
    violations = list(report.subjects(RDF.type, SH.ValidationResult))
    assert violations == [] and conforms, text

    catalogue = rdflib.Graph().parse(data=app.get("/chat-luong.ttl").body, format="turtle")
    assert set(catalogue.subjects(DQV.hasQualityMeasurement, None)) == {dataset_node}  # the private one is left out
    assert app.get("/dataset/bo-dqv-rieng/chat-luong.ttl", status=404).status_code == 404
