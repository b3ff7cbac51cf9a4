"""A small Turtle writer for the cached catalogue: triples → subject blocks, and blocks →
one document under a fixed set of prefixes.

rdflib's Turtle serializer works on a whole graph: it sorts every subject, counts the
references of every blank node and looks up prefixes for every term, which is most of
what a catalogue page costs. The cached catalogue writes each dataset's triples once,
as text, and builds a page by concatenating them. That needs a writer whose output for one
dataset does not depend on the rest of the page:

- every prefix the blocks may use is declared in one fixed header (``PREFIXES``), so any
  concatenation of blocks under it is a valid document;
- blank nodes get labels that carry their own scope (``_:b<scope>x<n>``), unique per
  dataset, so blocks of different datasets never collide;
- a literal is always written on one line (``"..."`` with ``\\n`` escapes), so a blank line
  only ever separates blocks and a page can drop a block it has already written (the same
  vocabulary concept or place described by many datasets).

Turtle allows a subject to be described in several statements, and RDF graphs are sets:
a repeated triple is the same triple. The parsed graph is therefore the same as the one
rdflib would have written.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict
from typing import Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

__all__ = ["BLOCK_SEPARATOR", "PREFIXES", "header", "term", "write_blocks"]

# Every namespace the stock DCAT-AP profiles and ours write terms in. Changing this table
# changes the cached text, so the cache's version key includes this module's source.
PREFIXES: tuple[tuple[str, str], ...] = (
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("dcatap", "http://data.europa.eu/r5r/"),
    ("adms", "http://www.w3.org/ns/adms#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("spdx", "http://spdx.org/rdf/terms#"),
    ("schema", "http://schema.org/"),
    ("locn", "http://www.w3.org/ns/locn#"),
    ("gsp", "http://www.opengis.net/ont/geosparql#"),
    ("time", "http://www.w3.org/2006/time#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("eli", "http://data.europa.eu/eli/ontology#"),
    ("odrl", "http://www.w3.org/ns/odrl/2/"),
    ("cnt", "http://www.w3.org/2011/content#"),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("dqv", "http://www.w3.org/ns/dqv#"),
    ("oa", "http://www.w3.org/ns/oa#"),
)

BLOCK_SEPARATOR = "\n\n"

# A local name written as prefix:name only when it is plainly safe in Turtle (no dots,
# escapes or percent signs); anything else is written as a full <IRI>.
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
# Longest namespace first, so that a namespace that extends another wins.
_BY_LENGTH = sorted(((ns, prefix) for prefix, ns in PREFIXES), key=lambda item: -len(item[0]))
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
_TO_ESCAPE = re.compile(r'[\\"\n\r]')


def header() -> str:
    return "".join(f"@prefix {prefix}: <{namespace}> .\n" for prefix, namespace in PREFIXES) + "\n"


@functools.lru_cache(maxsize=65536)
def _iri(value: str) -> str:
    for namespace, prefix in _BY_LENGTH:
        if value.startswith(namespace):
            local = value[len(namespace):]
            if _LOCAL_NAME.match(local):
                return f"{prefix}:{local}"
            break
    if _IRI_FORBIDDEN.search(value):
        # rdflib refuses to write such an IRI too; Turtle's \u escapes keep it parseable.
        value = _IRI_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group(0)):04X}", value)
    return f"<{value}>"


def _literal(literal: Literal) -> str:
    text = '"' + _TO_ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], str(literal)) + '"'
    if literal.language:
        return f"{text}@{literal.language}"
    if literal.datatype is not None:
        return f"{text}^^{_iri(str(literal.datatype))}"
    return text


def term(node, scope: str = "") -> str:
    if isinstance(node, URIRef):
        return _iri(str(node))
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, BNode):
        return f"_:b{scope}x{node}" if _LOCAL_NAME.match(str(node)) else f"_:b{scope}x{abs(hash(node)):x}"
    raise TypeError(f"Cannot write {node!r} as Turtle")


def write_blocks(triples: Iterable[tuple], scope: str = "") -> list[str]:
    """One Turtle statement per subject, each ending with " ." and free of blank lines.

    ``scope`` makes the blank-node labels of this call unique within a page (letters and
    digits only).
    """
    by_subject: dict = defaultdict(lambda: defaultdict(list))
    for subject, predicate, value in triples:
        by_subject[subject][predicate].append(value)
    blocks = []
    for subject in sorted(by_subject, key=lambda node: (isinstance(node, BNode), str(node))):
        predicates = by_subject[subject]
        lines = []
        for predicate in sorted(predicates, key=lambda p: (p != RDF.type, str(p))):
            name = "a" if predicate == RDF.type else term(predicate, scope)
            values = sorted({term(value, scope) for value in predicates[predicate]})
            lines.append(f"    {name} " + ",\n        ".join(values))
        blocks.append(term(subject, scope) + "\n" + " ;\n".join(lines) + " .")
    return blocks
