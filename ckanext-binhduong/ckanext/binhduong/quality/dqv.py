"""The quality measurements as W3C DQV (Data Quality Vocabulary), for the national portal.

Each dataset (its DCAT URI, as /catalog.ttl publishes it) gets ``dqv:hasQualityMeasurement``
links to one ``dqv:QualityMeasurement`` per MQA indicator (``dqv:value``: the points earned,
``xsd:decimal``) and one for the total score; each measurement names its ``dqv:Metric``
(``dqv:isMeasurementOf``), which belongs to a ``dqv:Dimension`` (``dqv:inDimension``) of the
five. Metrics and dimensions are described once in the same graph under the portal's base
(``{base}/chat-luong/tieu-chi/<key>``, ``{base}/chat-luong/khia-canh/<dimension>``), with
labels in Vietnamese and English, their maximum points, and ``rdfs:seeAlso`` the
methodology of data.europa.eu. A quality annotation (``dqv:QualityAnnotation``) carries the
rating. Served at /dataset/<id>/chat-luong.ttl and /chat-luong.ttl (public datasets), and
inside the DCAT output (/catalog.ttl, /dataset/<id>.ttl: each dataset's measurements with its
description, the metrics with the catalogue record; dcat/quality.py).
"""
from __future__ import annotations

import datetime as dt
import functools
import gettext
import importlib.resources
import pathlib
from typing import Iterable

import rdflib
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ckanext.binhduong.quality import mqa

__all__ = ["DQV", "add_measurements", "describe_scheme", "graph", "vietnamese"]

DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
METHODOLOGY = URIRef("https://data.europa.eu/mqa/methodology")

DIMENSION_VI = {"findability": "Khả năng tìm thấy", "accessibility": "Khả năng truy cập",
                "interoperability": "Khả năng liên thông", "reusability": "Khả năng tái sử dụng",
                "contextuality": "Thông tin ngữ cảnh"}


@functools.lru_cache(maxsize=1)
def _vietnamese() -> gettext.NullTranslations:
    """Our compiled catalogue over CKAN's own, whatever the language of the request."""
    import ckan

    ours = pathlib.Path(str(importlib.resources.files("ckanext.binhduong") / "i18n"))
    core = pathlib.Path(ckan.__file__).parent / "i18n"
    translations = gettext.translation("ckanext-binhduong", localedir=str(ours), languages=["vi"], fallback=True)
    translations.add_fallback(gettext.translation("ckan", localedir=str(core), languages=["vi"], fallback=True))
    return translations


def vietnamese(text: str) -> str:
    return _vietnamese().gettext(text)


def metric_uri(base: str, key: str) -> URIRef:
    return URIRef(f"{base}/chat-luong/tieu-chi/{key}")


def dimension_uri(base: str, dimension: str) -> URIRef:
    return URIRef(f"{base}/chat-luong/khia-canh/{dimension}")


def describe_scheme(g: rdflib.Graph, base: str, translate=vietnamese) -> None:
    """The five dimensions and every metric (with the total score's), once per graph."""
    for dimension in mqa.DIMENSIONS:
        node = dimension_uri(base, dimension)
        g.add((node, RDF.type, DQV.Dimension))
        g.add((node, SKOS.prefLabel, Literal(mqa.DIMENSION_LABELS[dimension], lang="en")))
        g.add((node, SKOS.prefLabel, Literal(DIMENSION_VI[dimension], lang="vi")))
        g.add((node, RDFS.seeAlso, METHODOLOGY))
    for indicator in mqa.INDICATORS:
        node = metric_uri(base, indicator.key)
        g.add((node, RDF.type, DQV.Metric))
        g.add((node, DQV.inDimension, dimension_uri(base, indicator.dimension)))
        g.add((node, SKOS.prefLabel, Literal(indicator.label, lang="en")))
        g.add((node, SKOS.prefLabel, Literal(translate(indicator.label), lang="vi")))
        g.add((node, DQV.expectedDataType, XSD.decimal))
        g.add((node, SKOS.definition, Literal(f"0 to {indicator.points} points", lang="en")))
        g.add((node, RDFS.seeAlso, METHODOLOGY))
    score = metric_uri(base, "score")
    g.add((score, RDF.type, DQV.Metric))
    g.add((score, SKOS.prefLabel, Literal("MQA score", lang="en")))
    g.add((score, SKOS.prefLabel, Literal("Điểm chất lượng siêu dữ liệu (MQA)", lang="vi")))
    g.add((score, DQV.expectedDataType, XSD.decimal))
    g.add((score, SKOS.definition, Literal(f"0 to {mqa.MAX_POINTS} points", lang="en")))
    g.add((score, RDFS.seeAlso, METHODOLOGY))


def _decimal(value: float) -> Literal:
    return Literal(f"{float(value):.1f}", datatype=XSD.decimal)


def add_measurements(g: rdflib.Graph, base: str, dataset_uri, result: dict, computed: str | None = None,
                     translate=vietnamese) -> None:
    """One dataset's measurements (one per indicator and the total) and its rating annotation.
    Without ``computed``, no ``prov:generatedAtTime`` (the catalogue's cached text is keyed on
    the values only, dcat/quality.py)."""
    dataset = URIRef(str(dataset_uri))
    when = Literal(dt.datetime.fromisoformat(computed).replace(microsecond=0), datatype=XSD.dateTime) if computed else None
    values = [(key, value["points"]) for key, value in result["indicators"].items()] + [("score", result["total"])]
    for key, points in values:
        node = BNode()
        g.add((dataset, DQV.hasQualityMeasurement, node))
        g.add((node, RDF.type, DQV.QualityMeasurement))
        g.add((node, DQV.computedOn, dataset))
        g.add((node, DQV.isMeasurementOf, metric_uri(base, key)))
        g.add((node, DQV.value, _decimal(points)))
        if when is not None:
            g.add((node, PROV.generatedAtTime, when))
    annotation = BNode()
    g.add((dataset, DQV.hasQualityAnnotation, annotation))
    g.add((annotation, RDF.type, DQV.QualityAnnotation))
    g.add((annotation, OA.hasTarget, dataset))
    g.add((annotation, OA.motivatedBy, DQV.qualityAssessment))
    g.add((annotation, OA.bodyValue, Literal(mqa.RATING_LABELS[result["rating"]], lang="en")))
    g.add((annotation, OA.bodyValue, Literal(translate(mqa.RATING_LABELS[result["rating"]]), lang="vi")))


def graph(base: str, measurements: Iterable[tuple[str, dict, str | None]], translate=vietnamese) -> rdflib.Graph:
    """DQV of ``(dataset URI, stored result, computed ISO time)`` triples."""
    g = rdflib.Graph()
    g.bind("dqv", DQV)
    g.bind("dct", DCTERMS)
    g.bind("skos", SKOS)
    g.bind("prov", PROV)
    g.bind("oa", OA)
    describe_scheme(g, base, translate)
    for dataset_uri, result, computed in measurements:
        add_measurements(g, base, dataset_uri, result, computed, translate)
    return g
