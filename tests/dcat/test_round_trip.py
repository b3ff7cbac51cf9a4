"""Round trip as the national portal runs it: /catalog.ttl parsed with ckanext-dcat's
RDFParser and our profiles gives back, for every dataset, what our API returns."""
from __future__ import annotations

import json

import pytest
from ckan.tests.helpers import call_action
from ckanext.dcat.utils import dataset_uri

from .catalogue import catalogue_ttl, parse

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

# Fields of our schema that DCAT does not carry as such, and why:
NOT_IN_DCAT = {
    "name",        # the URL slug; the dataset is identified by its URI, built from its id
    "owner_org",   # becomes the publisher (compared below); a harvester maps it to its own org
    "tag_string",  # the form's view of the tags, compared as tags
}
# Multi-valued fields: RDF has no order, so they come back in the vocabulary's order.
UNORDERED = {"theme", "language", "spatial_units", "conforms_to"}


def _schema_fields(kind: str) -> list[str]:
    schema = call_action("scheming_dataset_schema_show", type="dataset")
    return [field["field_name"] for field in schema[f"{kind}_fields"]]


def _blank(value) -> bool:
    return value in (None, "", [], {})


def _clean(items: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in item.items() if not _blank(v)} for item in items),
                  key=lambda item: json.dumps(item, sort_keys=True))


def _comparable(field: str, value):
    if field in UNORDERED:
        return sorted(value)
    if field in ("contact", "legal_basis"):
        return _clean(value)
    if field == "spatial":
        return json.loads(value)
    return value


def test_every_dataset_comes_back_as_our_api_returns_it(app, catalogue, organizations):
    parsed = parse(catalogue_ttl(app))
    assert len(parsed) == len(catalogue)
    orgs = {org["id"]: call_action("organization_show", id=org["id"]) for org in organizations.values()}
    dataset_fields = [f for f in _schema_fields("dataset") if f not in NOT_IN_DCAT]
    resource_fields = _schema_fields("resource")

    for ours in catalogue.values():
        theirs = parsed[dataset_uri(ours)]

        for field in dataset_fields:
            if _blank(ours.get(field)):
                continue
            assert field in theirs, f"{ours['name']}: {field} is lost"
            assert _comparable(field, theirs[field]) == _comparable(field, ours[field]), (ours["name"], field)

        assert sorted(tag["name"] for tag in theirs["tags"]) == sorted(tag["name"] for tag in ours["tags"])

        org = orgs[ours["owner_org"]]
        [publisher] = theirs["publisher"]
        assert publisher["name"] == org["title"]
        assert publisher["agency_code"] == org["agency_code"]
        assert publisher["agency_type"] == org["agency_type"]
        assert publisher["email"] == org["email"]
        assert (publisher["website"] or None) == org.get("website")

        their_resources = {r["uri"].rsplit("/", 1)[1]: r for r in theirs["resources"]}
        assert set(their_resources) == {r["id"] for r in ours["resources"]}
        for resource in ours["resources"]:
            their_resource = their_resources[resource["id"]]
            for field in resource_fields:
                if _blank(resource.get(field)):
                    continue
                assert their_resource.get(field) == resource[field], (ours["name"], resource["name"], field)


def test_the_round_trip_covers_every_kind_of_value(app, catalogue):
    # Guards the test above against a catalogue that no longer exercises the schema.
    full = catalogue["full"]
    present = {field for field in _schema_fields("dataset") if not _blank(full.get(field))}
    assert present >= set(_schema_fields("dataset")) - {"tag_string"}
    formats = {r["format"] for d in catalogue.values() for r in d["resources"]}
    assert {"CSV", "API", "HTML", "GEOJSON", "XLSX"} <= formats
    assert any(r["url_type"] == "upload" for r in full["resources"])
    assert {"2025/25750", "718", "25741", "2025/79"} <= {
        code for d in catalogue.values() for code in d["spatial_units"]}


def test_what_a_harvester_reads_back_is_valid_for_our_schema(app, catalogue, sysadmin_context, organizations):
    # The parsed dict goes straight into package_create on another portal running our schema.
    parsed = parse(catalogue_ttl(app))
    theirs = parsed[dataset_uri(catalogue["full"])]
    copy = {key: value for key, value in theirs.items() if key not in ("uri", "publisher", "extras")}
    copy.update(name="ban-sao-tram-bts", owner_org=organizations["district"]["id"], identifier=None)
    created = call_action("package_create", context=sysadmin_context(), **copy)
    for field in ("title", "theme", "spatial_units", "legal_basis", "contact", "license_id", "frequency"):
        assert _comparable(field, created[field]) == _comparable(field, catalogue["full"][field]), field
    assert len(created["resources"]) == len(catalogue["full"]["resources"])
