"""/catalog.ttl from stored per-dataset Turtle: the page is searched by key, each dataset's
text is read from the fragment store, and only datasets whose key changed are rendered.

Per page: one Solr query for the keys (id, metadata_modified, organization; no dataset
JSON), one PostgreSQL query for the organizations' rows and one for the stored text, the
catalogue record and Hydra links (a handful of triples, rendered as ckanext-dcat renders
them), and concatenation. A dataset whose stored key does not match is fetched from Solr
(the validated dict ckanext-dcat itself would serialise), rendered by the same profiles on
one graph for all the page's misses, split into one fragment per dataset (the subjects
reachable from it), written back and used. So the text served is always what the profiles
produce from the current search result; the store only saves producing it again.

Served this way: Turtle with the configured profile stack and without ckanext-dcat's
sub-catalogues. Every other format, profile list or option goes to ckanext-dcat unchanged
(``fallback``). Why and how fast: bench/README.md.
"""
from __future__ import annotations

import json
import logging
import time
from collections import defaultdict

from rdflib import URIRef

import ckan.plugins.toolkit as toolkit
from ckanext.dcat.processors import RDF_PROFILES_CONFIG_OPTION, RDFSerializer
from ckanext.dcat.utils import DCAT_EXPOSE_SUBCATALOGS, url_to_rdflib_format

from ckanext.binhduong.dcat import fragments, paging, quality, turtle

__all__ = ["catalog_show", "current_fragments", "serves", "stats"]

log = logging.getLogger(__name__)

DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#dataset")
CATALOGUE_ENDPOINT = "dcat.read_catalog"

#: Datasets rendered by this process (tests and the warming jobs' reports read it).
stats = {"rendered": 0}


class _Serializer(RDFSerializer):
    """ckanext-dcat's serializer, with the profile classes looked up once per process
    (the entry-point scan costs about 25 ms, as much as the rest of a cached page)."""

    _classes: dict[tuple, list] = {}

    def _load_profiles(self, profile_names):
        key = tuple(profile_names)
        if key not in self._classes:
            self._classes[key] = super()._load_profiles(profile_names)
        return self._classes[key]


def configured_profiles() -> list[str]:
    configured = toolkit.config.get(RDF_PROFILES_CONFIG_OPTION, None)
    return configured.split() if configured else ["euro_dcat_ap_3"]


def serves(data_dict: dict) -> bool:
    """Whether this request is one the cached path answers (else: ckanext-dcat's own)."""
    if not fragments.enabled():
        return False
    if url_to_rdflib_format(data_dict.get("format") or "xml") != "turtle":
        return False
    if data_dict.get("profiles") and list(data_dict["profiles"]) != configured_profiles():
        return False
    if toolkit.asbool(toolkit.config.get(DCAT_EXPOSE_SUBCATALOGS, False)):
        return False
    return True


def _cursor(data_dict: dict):
    value = data_dict.get(paging.CURSOR_PARAM)
    if value is None:
        # /catalog.ttl hands the action a fixed set of parameters; the key of a hydra:next
        # link is read from the request itself, and only on that endpoint.
        try:
            if toolkit.request and toolkit.request.endpoint == CATALOGUE_ENDPOINT:
                value = toolkit.request.args.get(paging.CURSOR_PARAM)
        except RuntimeError:  # no request (CLI, jobs)
            value = None
    return paging.parse_cursor(value)


def current_fragments(context: dict, rows: list[dict], profiles: list[str]) -> dict[str, fragments.Fragment]:
    """The current fragment of each of these catalogue rows (id, metadata_modified,
    organization as the catalogue's search returned them): the stored one when its key
    matches, else rendered and stored. The catalogue pages and the warming jobs both use it."""
    profiles_key = " ".join(profiles)
    version = fragments.version(profiles)
    organizations = fragments.organization_digests(row.get("organization") for row in rows)
    measured = quality.digests(row["id"] for row in rows)

    def key_of(row: dict) -> str:
        return fragments.key(version, str(row["metadata_modified"]), organizations.get(row.get("organization"), ""),
                             measured.get(row["id"], ""))

    keys = {row["id"]: key_of(row) for row in rows}
    stored = {dataset_id: fragment
              for dataset_id, fragment in fragments.load(profiles_key, list(keys)).items()
              if fragment.key == keys[dataset_id]}
    missing = [dataset_id for dataset_id in keys if dataset_id not in stored]
    if missing:
        rendered = _render(context, _Serializer(profiles=profiles), missing, version, organizations)
        fragments.store(profiles_key, rendered)
        stored.update(rendered)
    return stored


def catalog_show(context: dict, data_dict: dict) -> str:
    toolkit.check_access("dcat_catalog_show", context, data_dict)
    profiles = configured_profiles()
    page = paging.search(context, data_dict, _cursor(data_dict))
    rows = page["rows"]
    stored = current_fragments(context, rows, profiles)
    serializer = _Serializer(profiles=profiles)
    # A dataset that left the public catalogue between the two searches is left out.
    listed = [row["id"] for row in rows if row["id"] in stored]

    catalog_ref = serializer.graph_from_catalog({})
    for dataset_id in listed:
        serializer.g.add((catalog_ref, DCAT_DATASET, URIRef(stored[dataset_id].uri)))
    info = paging.pagination(page, data_dict)
    if info:
        serializer._add_pagination_triples(info)

    blocks = turtle.write_blocks(serializer.g.triples((None, None, None)), scope="c")
    seen = set(blocks)
    for dataset_id in listed:
        for block in stored[dataset_id].body.split(turtle.BLOCK_SEPARATOR):
            if block not in seen:
                seen.add(block)
                blocks.append(block)
    return turtle.header() + turtle.BLOCK_SEPARATOR.join(blocks) + "\n"


def _render(context: dict, serializer: RDFSerializer, dataset_ids: list[str], version: str,
            organizations: dict[str, str]) -> dict[str, fragments.Fragment]:
    """Render these datasets from their current index entries, one fragment each."""
    started = time.perf_counter()
    # The measurements' digests before their values (read while rendering): a score
    # recomputed in between gives a key that misses next time, never stale text that matches.
    measured = quality.digests(dataset_ids)
    found = toolkit.get_action("package_search")(dict(context), {
        "q": "*:*",
        "fq_list": paging.filters({}) + ["id:(" + " OR ".join(f'"{i}"' for i in dataset_ids) + ")"],
        "rows": len(dataset_ids),
        "fl": [f"{alias}:{field}" for field, alias in paging.FIELDS.items()] + ["validated_data_dict"],
    })
    current = [{**{field: row.get(alias) for field, alias in paging.FIELDS.items()},
                "validated_data_dict": row["validated_data_dict"]} for row in found["results"]]
    # An organization that was edited since the first search gets its current digest.
    late = {row.get("organization") for row in current} - set(organizations)
    if late:
        organizations.update(fragments.organization_digests(late))
    refs = {}
    with quality.prefetched(row["id"] for row in current):
        for row in current:
            dataset_dict = json.loads(row["validated_data_dict"])
            refs[row["id"]] = (serializer.graph_from_dataset(dataset_dict), row)
    by_subject: dict = defaultdict(list)
    for subject, predicate, value in serializer.g.triples((None, None, None)):
        by_subject[subject].append((predicate, value))
    roots = {ref for ref, _ in refs.values()}
    result = {}
    for dataset_id, (ref, row) in refs.items():
        triples = []
        # Everything reachable from the dataset, except the other datasets of the batch:
        # its distributions, blank nodes, and the shared nodes it uses (concepts, places,
        # publisher), which the page writes once.
        queue, visited = [ref], {ref}
        while queue:
            subject = queue.pop()
            for predicate, value in by_subject.get(subject, ()):
                triples.append((subject, predicate, value))
                if value not in visited and value in by_subject and value not in roots:
                    visited.add(value)
                    queue.append(value)
        body = turtle.BLOCK_SEPARATOR.join(turtle.write_blocks(triples))
        cache_key = fragments.key(version, str(row["metadata_modified"]),
                                  organizations.get(row.get("organization"), ""), measured.get(dataset_id, ""))
        result[dataset_id] = fragments.Fragment((cache_key, str(ref), body))
    stats["rendered"] += len(result)
    log.debug("DCAT cache: rendered %d of %d datasets in %.3f s", len(result), len(dataset_ids),
              time.perf_counter() - started)
    return result
