"""`dct:spatial` across the reform of 1 July 2025: a dataset whose period spans it names its
places on both maps (a legacy unit's successors, a new unit's predecessors); one that lies
wholly on one side names only the units it was given."""
from __future__ import annotations

import pytest
import rdflib
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset
from ckanext.binhduong import places
from ckanext.binhduong.dcat import uris

from .catalogue import dataset_ttl

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

DCT = rdflib.Namespace("http://purl.org/dc/terms/")
OLD_WARD = "25741"  # a ward of Thủ Dầu Một before the reform


def _spatial(app, context, organization, **period) -> set[str]:
    dataset = call_action("package_create", context=context(), **valid_dataset(
        organization["id"], spatial_units=[OLD_WARD], **period))
    graph = rdflib.Graph().parse(data=dataset_ttl(app, dataset["id"]), format="turtle")
    return {str(place) for place in graph.objects(None, DCT.spatial) if isinstance(place, rdflib.URIRef)}


def test_a_period_across_the_reform_names_both_maps(app, sysadmin_context, organizations):
    named = _spatial(app, sysadmin_context, organizations["department"],
                     temporal_start="2024-01-01", temporal_end="2025-12-31")
    successors = {uris.place_uri(unit.code) for unit in places.successors(OLD_WARD)}
    assert successors and uris.place_uri(OLD_WARD) in named and successors <= named


def test_a_period_before_the_reform_names_the_old_map_only(app, sysadmin_context, organizations):
    named = _spatial(app, sysadmin_context, organizations["department"],
                     temporal_start="2023-01-01", temporal_end="2024-12-31")
    assert uris.place_uri(OLD_WARD) in named
    assert not {uris.place_uri(unit.code) for unit in places.successors(OLD_WARD)} & named


def test_a_new_unit_names_what_it_took_over_when_the_period_began_before():
    new_ward = places.successors(OLD_WARD)[0].code
    assert OLD_WARD in {unit.code for unit in places.predecessors(new_ward)}
