"""Reading the catalogue as the national portal would: over HTTP from /catalog.ttl, parsed
with ckanext-dcat's RDF parser and the same profiles."""
from __future__ import annotations

import hashlib
import pathlib

import rdflib
from ckanext.dcat.processors import RDFParser
from pyshacl import validate
from rdflib.namespace import RDF, SH

PROFILES = ["euro_dcat_ap_3", "binhduong_dcat"]


def catalogue_ttl(app, **params) -> str:
    response = app.get("/catalog.ttl", query_string=params)
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("text/turtle")
    return response.body


def parse(ttl: str) -> dict[str, dict]:
    """Datasets of a Turtle catalogue parsed with our profiles, keyed by their URI."""
    parser = RDFParser(profiles=PROFILES)
    parser.parse(ttl, _format="ttl")
    return {dataset["uri"]: dataset for dataset in (_with_uri(d) for d in parser.datasets())}


def _with_uri(dataset: dict) -> dict:
    uri = next((e["value"] for e in dataset.get("extras", []) if e["key"] == "uri"), None)
    dataset["uri"] = uri
    return dataset


# -- shared by the SHACL tests -------------------------------------------------------

SHACL_DIR = pathlib.Path(__file__).parent / "shacl"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCATAP = rdflib.Namespace("http://data.europa.eu/r5r/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")


def dataset_ttl(app, dataset_id: str, **params) -> str:
    response = app.get(f"/dataset/{dataset_id}.ttl", query_string=params)
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("text/turtle")
    return response.body


def official_shapes(name: str, sha256: str) -> rdflib.Graph:
    """A shapes file of tests/dcat/shacl/ without our header, checked against the SHA-256 of
    the file as published, so that the shapes cannot be loosened here unnoticed."""
    text = (SHACL_DIR / name).read_text(encoding="utf-8")
    body = text[text.index("@prefix"):]
    assert hashlib.sha256(body.encode("utf-8")).hexdigest() == sha256, f"{name} differs from the official file"
    return rdflib.Graph().parse(data=body, format="turtle")


def violations(data: rdflib.Graph, shapes: rdflib.Graph) -> list[str]:
    """Every SHACL violation of data against shapes, one readable line each."""
    _, report, _ = validate(data, shacl_graph=shapes, advanced=True)
    return sorted(
        " | ".join(str(report.value(result, p)) for p in (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage))
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if (result, SH.resultSeverity, SH.Violation) in report
    )
