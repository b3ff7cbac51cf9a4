"""/catalog.ttl validates against the official DCAT-AP 3.0.0 SHACL shapes with no violation."""
from __future__ import annotations

import hashlib
import pathlib

import pytest
import rdflib
from pyshacl import validate
from rdflib.namespace import RDF, SH

from ckanext.dcat.processors import RDFSerializer

from ckan.tests.helpers import call_action

from ckanext.binhduong.quality import mqa

from .catalogue import PROFILES, SHACL_DIR, catalogue_ttl, parse, violations

DQV = rdflib.Namespace("http://www.w3.org/ns/dqv#")

SHAPES = pathlib.Path(__file__).parent / "shacl" / "dcat-ap-3.0.0-SHACL.ttl"
# SHA-256 of the official file as published (the lines after our header), so that the shapes
# cannot be loosened here without this test saying so.
SHAPES_SHA256 = "92f76609d78d257123e75bc6b7155df5cc0a63f14c29fbc12b0ac95c56af2059"

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")


def _official_shapes() -> str:
    text = SHAPES.read_text(encoding="utf-8")
    body = text[text.index("@prefix"):]
    assert hashlib.sha256(body.encode("utf-8")).hexdigest() == SHAPES_SHA256
    return body


def _results(report: rdflib.Graph, severity=SH.Violation) -> list[str]:
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if (result, SH.resultSeverity, severity) not in report:
            continue
        lines.append(" | ".join(str(report.value(result, p)) for p in
                                (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage)))
    return sorted(lines)


def _validate(ttl: str):
    data = rdflib.Graph().parse(data=ttl, format="turtle")
    shapes = rdflib.Graph().parse(data=_official_shapes(), format="turtle")
    conforms, report, text = validate(data, shacl_graph=shapes, advanced=True)
    return data, conforms, report, text


@pytest.mark.ckan_config("ckanext.binhduong.quality.validate_dcat", "false")
def test_the_catalogue_conforms_to_dcat_ap_3(app, catalogue, sysadmin_context, fragment_table):
    # With each dataset's quality measurements (DQV) in it, as the national portal reads it.
    call_action("binhduong_quality_compute", context=sysadmin_context())
    data, conforms, report, text = _validate(catalogue_ttl(app))

    assert _results(report) == [], text
    assert conforms, text
    # The shapes did look at what we publish: every dataset, distribution and place.
    DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    assert len(set(data.subjects(RDF.type, DCAT.Dataset))) == 3
    assert len(set(data.subjects(RDF.type, DCAT.Distribution))) == 5
    # Titles and descriptions say their language: @vi for datasets and distributions (our
    # schema's language), @vi and @en for the catalogue.
    DCT = rdflib.Namespace("http://purl.org/dc/terms/")
    described = {*data.subjects(RDF.type, DCAT.Dataset), *data.subjects(RDF.type, DCAT.Distribution)}
    texts = [value for subject in described for predicate in (DCT.title, DCT.description)
             for value in data.objects(subject, predicate)]
    assert texts and {value.language for value in texts} == {"vi"}
    catalog = next(data.subjects(RDF.type, DCAT.Catalog))
    for predicate in (DCT.title, DCT.description):
        assert {value.language for value in data.objects(catalog, predicate)} == {"vi", "en"}

    # DQV: every dataset carries its measurements (each MQA indicator and the total, as
    # binhduong_quality_show gives them) and its rating, and they are valid DQV (our shapes).
    for dataset in data.subjects(RDF.type, DCAT.Dataset):
        measurements = list(data.objects(dataset, DQV.hasQualityMeasurement))
        assert len(measurements) == len(mqa.INDICATORS) + 1
        values = {str(data.value(m, DQV.isMeasurementOf)).rsplit("/", 1)[1]: float(data.value(m, DQV.value))
                  for m in measurements}
        shown = call_action("binhduong_quality_show", id=str(dataset).rsplit("/", 1)[1])
        expected = {**{k: v["points"] for k, v in shown["indicators"].items()}, "score": shown["total"]}
        assert values == {k: round(float(v), 1) for k, v in expected.items()}
    assert len(set(data.subjects(RDF.type, DQV.Dimension))) == 5
    assert violations(data, rdflib.Graph().parse(SHACL_DIR / "dqv-shapes.ttl", format="turtle")) == []


def test_stock_euro_dcat_ap_3_alone_does_not_conform(app, catalogue):
    # Shows that the shapes bite on our data and that the conformance above is our
    # profile's doing: stock ckanext-dcat writes our codes as literals or relative URIs.
    _, conforms, report, _ = _validate(catalogue_ttl(app, profiles="euro_dcat_ap_3"))

    assert not conforms
    messages = " ".join(_results(report))
    for expected in ("accrualPeriodicity", "accessURL", "format"):
        assert expected in messages


def test_harvested_provenance_conforms_and_comes_back(catalogue):
    # Harvested datasets will carry these keys (the harvester issues add them to the schema);
    # until then they are set on the API's dict, as package_show will return them.
    harvested = dict(
        catalogue["commune"],
        harvest_source_url="https://dangkykinhdoanh.gov.vn/dataset/ho-kinh-doanh-74",
        harvest_content_hash="2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        harvest_source_identifier="HKD-74-2023",
    )
    ttl = RDFSerializer(profiles=PROFILES).serialize_catalog({}, [harvested], _format="ttl")

    _, conforms, report, text = _validate(ttl)
    assert _results(report) == [], text
    assert conforms, text

    [parsed] = parse(ttl).values()  # the source is not read as a second dataset
    assert parsed["harvest_source_url"] == harvested["harvest_source_url"]
    assert parsed["harvest_content_hash"] == harvested["harvest_content_hash"]
    assert parsed["harvest_source_identifier"] == harvested["harvest_source_identifier"]
    assert parsed["title"] == harvested["title"]
