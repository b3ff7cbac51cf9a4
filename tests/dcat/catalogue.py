"""Reading the catalogue as the national portal would: over HTTP from /catalog.ttl, parsed
with ckanext-dcat's RDF parser and the same profiles."""
from __future__ import annotations

from ckanext.dcat.processors import RDFParser

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


