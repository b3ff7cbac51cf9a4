"""DCAT-AP 3 conformance of one dataset: its DCAT graph (our profiles, as /catalog.ttl
publishes it) validated with pyshacl against the official DCAT-AP 3.0.0 shapes
(``quality/shacl/``, checked against the SHA-256 of the published file)."""
from __future__ import annotations

import functools
import hashlib
import importlib.resources

import rdflib
from rdflib.namespace import RDF, SH

__all__ = ["SHAPES_SHA256", "validate_dataset"]

SHAPES_FILE = "dcat-ap-3.0.0-SHACL.ttl"
SHAPES_SHA256 = "92f76609d78d257123e75bc6b7155df5cc0a63f14c29fbc12b0ac95c56af2059"


@functools.lru_cache(maxsize=1)
def shapes() -> rdflib.Graph:
    text = (importlib.resources.files("ckanext.binhduong.quality") / "shacl" / SHAPES_FILE).read_text(encoding="utf-8")
    body = text[text.index("@prefix"):]
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != SHAPES_SHA256:
        raise ValueError(f"{SHAPES_FILE} differs from the official DCAT-AP 3.0.0 shapes")
    return rdflib.Graph().parse(data=body, format="turtle")


def _profiles() -> list[str]:
    import ckan.plugins.toolkit as toolkit

    return toolkit.aslist(toolkit.config.get("ckanext.dcat.rdf.profiles") or "euro_dcat_ap_3 binhduong_dcat")


def validate_dataset(pkg: dict) -> tuple[bool, list[str]]:
    """(conforms, violations as "focus | path | message" lines) of one dataset dict."""
    from ckanext.dcat.processors import RDFSerializer
    from pyshacl import validate

    serializer = RDFSerializer(profiles=_profiles())
    serializer.graph_from_dataset(pkg)
    conforms, report, _text = validate(serializer.g, shacl_graph=shapes(), advanced=True)
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if (result, SH.resultSeverity, SH.Violation) not in report:
            continue
        violations.append(" | ".join(str(report.value(result, p) or "") for p in
                                     (SH.focusNode, SH.resultPath, SH.resultMessage)))
    return (not violations), sorted(violations)
