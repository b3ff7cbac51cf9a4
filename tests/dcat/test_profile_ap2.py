"""dcat/profile_ap2.py: our DCAT-AP 2.1.1 profile ``binhduong_dcat_ap_2``. Older harvesters
that expect DCAT-AP 2 get valid DCAT-AP 2.1.1: the catalogue and a dataset, validated with
pyshacl against the official DCAT-AP 2.1.1 SHACL shapes (tests/dcat/shacl/, origin and licence
in each file's header), with zero violations.

Each test runs on the profile list as a DCAT-AP 2 harvester sends it (``euro_dcat_ap_2``
alone, which dcat/switch.py serves with our DCAT-AP 2 profile on top), and naming the profile
(``euro_dcat_ap_2,binhduong_dcat_ap_2``)."""
from __future__ import annotations

import pytest
import rdflib
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.utils import dataset_uri
from rdflib.namespace import RDF

from ckanext.binhduong.dcat.profile_ap2 import BinhDuongDCATAP2Profile
from ckanext.binhduong.dcat.switch import with_our_profile

from .catalogue import (
    DCAT,
    DCATAP,
    SPDX,
    catalogue_ttl,
    dataset_ttl,
    official_shapes,
    parse,
    violations,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

# The 2.1.1 release splits its constraints: existence, domain, literal range and cardinality
# in one file, the class each object must have in the other. Both are applied.
SHAPES = {
    "dcat-ap_2.1.1_shacl_shapes.ttl": "467ace005196e261b9299422e921aba079c279a9e914e3a2d499e048cbc7cd0b",
    "dcat-ap_2.1.1_shacl_range.ttl": "36f01df2b8cd0f51bda7c12a64e16868430caebb39dabd998071795f99bfe353",
}
AP2 = "euro_dcat_ap_2"
OURS_AP2 = "binhduong_dcat_ap_2"
# (The pair consumers were told before the profile existed, euro_dcat_ap_2,binhduong_dcat, is
# turned into the named one by the switch: test_the_switch_serves_... below.)
SWITCHES = pytest.mark.parametrize("profiles", [
    pytest.param(AP2, id="switch"),
    pytest.param(f"{AP2},{OURS_AP2}", id="named"),
])


def _violations(ttl: str) -> tuple[rdflib.Graph, list[str]]:
    data = rdflib.Graph().parse(data=ttl, format="turtle")
    found = []
    for name, sha256 in SHAPES.items():
        found += [f"{name}: {line}" for line in violations(data, official_shapes(name, sha256))]
    return data, found


@SWITCHES
def test_the_catalogue_under_the_dcat_ap_2_switch_conforms_to_dcat_ap_2_1_1(app, catalogue, profiles):
    data, found = _violations(catalogue_ttl(app, profiles=profiles))

    assert found == [], "\n".join(found)
    # The shapes looked at everything we publish: every dataset and distribution.
    assert len(set(data.subjects(RDF.type, DCAT.Dataset))) == 3
    assert len(set(data.subjects(RDF.type, DCAT.Distribution))) == 5
    # Our profile did run under the switch: codes are EU vocabulary URIs, not literals.
    full = rdflib.URIRef(dataset_uri(catalogue["full"]))
    assert rdflib.URIRef("http://publications.europa.eu/resource/authority/frequency/ANNUAL") in set(
        data.objects(full, rdflib.URIRef("http://purl.org/dc/terms/accrualPeriodicity")))
    # DCAT-AP 2.1.1 admits only SHA-1 checksums, and dcatap:applicableLegislation is DCAT-AP 3:
    # neither is written under the switch, both are under DCAT-AP 3.
    assert not set(data.triples((None, SPDX.checksum, None)))
    assert not set(data.triples((None, DCATAP.applicableLegislation, None)))
    ap3 = rdflib.Graph().parse(data=catalogue_ttl(app), format="turtle")
    assert set(ap3.triples((None, SPDX.checksum, None)))
    assert set(ap3.triples((None, DCATAP.applicableLegislation, None)))


@SWITCHES
def test_a_dataset_under_the_dcat_ap_2_switch_conforms_to_dcat_ap_2_1_1(app, catalogue, profiles):
    data, found = _violations(dataset_ttl(app, catalogue["full"]["id"], profiles=profiles))

    assert found == [], "\n".join(found)
    assert set(data.subjects(RDF.type, DCAT.Dataset)) == {rdflib.URIRef(dataset_uri(catalogue["full"]))}
    assert len(set(data.subjects(RDF.type, DCAT.Distribution))) == len(catalogue["full"]["resources"])


def test_stock_dcat_ap_2_does_not_conform(app, catalogue):
    # The shapes bite on our data: stock euro_dcat_ap_2 (asked for with its scheming profile,
    # so the switch leaves it alone) writes our codes as literals. Conformance above is our
    # profile's doing.
    _, found = _violations(catalogue_ttl(app, profiles=f"{AP2},euro_dcat_ap_scheming"))
    messages = " ".join(found)
    assert found
    for expected in ("accrualPeriodicity", "theme"):
        assert expected in messages, messages


@SWITCHES
def test_a_harvester_reading_dcat_ap_2_gets_our_values_back(app, catalogue, profiles):
    # Legal bases written as dct:relation under DCAT-AP 2 come back as they were.
    parsed = parse(catalogue_ttl(app, profiles=profiles))
    full = parsed[dataset_uri(catalogue["full"])]
    for field in ("frequency", "license_id", "contact"):
        assert full[field] == catalogue["full"][field], field
    for field in ("theme", "spatial_units", "language"):
        assert sorted(full[field]) == sorted(catalogue["full"][field]), field
    assert sorted(item["number"] for item in full["legal_basis"]) == sorted(
        item["number"] for item in catalogue["full"]["legal_basis"])


def test_the_switch_serves_our_dcat_ap_2_profile_to_dcat_ap_2_consumers():
    assert with_our_profile({"profiles": [AP2]})["profiles"] == [AP2, OURS_AP2]
    assert with_our_profile({"profiles": AP2})["profiles"] == [AP2, OURS_AP2]
    assert with_our_profile({"profiles": f"{AP2},binhduong_dcat"})["profiles"] == [AP2, OURS_AP2]
    for asked in (None, ["euro_dcat_ap_3"], [AP2, "euro_dcat_ap_scheming"], [AP2, OURS_AP2],
                  [AP2, "euro_dcat_ap_3", "binhduong_dcat"]):
        assert with_our_profile({"profiles": asked})["profiles"] == asked


def test_the_profile_list_decides_the_version_not_the_request(app, catalogue):
    # Serialised outside any /catalog request: which profile classes run is all that counts.
    full = catalogue["full"]
    ap2 = rdflib.Graph().parse(data=RDFSerializer(profiles=[AP2, OURS_AP2]).serialize_dataset(full, _format="turtle"),
                               format="turtle")
    ap3 = rdflib.Graph().parse(data=RDFSerializer(profiles=["euro_dcat_ap_3", "binhduong_dcat"]).serialize_dataset(
        full, _format="turtle"), format="turtle")
    assert not set(ap2.triples((None, SPDX.checksum, None))) and set(ap3.triples((None, SPDX.checksum, None)))
    assert BinhDuongDCATAP2Profile.DCAT_AP_VERSION == 2
    # The Vietnamese title carries its language under both versions.
    for graph in (ap2, ap3):
        titles = set(graph.objects(rdflib.URIRef(dataset_uri(full)), rdflib.URIRef("http://purl.org/dc/terms/title")))
        assert titles == {rdflib.Literal(full["title"], lang="vi")}
