"""bench/generate_catalogue.py: a catalogue written by the bulk path (rows copied from
package_create templates, bench/bulk_catalogue.py) is the catalogue package_create makes
dataset by dataset: package_show of each dataset and its 'new package' activity are equal,
ids and timestamps aside."""
from __future__ import annotations

import json
import pathlib
import sys
import time

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "bench"))

import bulk_catalogue  # noqa: E402
import generate_catalogue as generator  # noqa: E402

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

DATASETS, VARIANTS = 40, 8
OWN = {"id", "metadata_created", "metadata_modified", "identifier", "package_id", "created"}


def _normal(value, prefix: str):
    """The dict without ids and timestamps, its prefix taken out of names."""
    if isinstance(value, dict):
        return {k: _normal(v, prefix) for k, v in value.items() if k not in OWN}
    if isinstance(value, list):
        return [_normal(v, prefix) for v in value]
    if isinstance(value, str):
        return value.replace(prefix, "PREFIX")
    return value


def _activity(package_id: str) -> tuple[list[str], dict]:
    rows = model.Session.execute(sa.text(
        "SELECT activity_type, data, permission_labels FROM activity WHERE object_id = :id"), {"id": package_id}).all()
    return [row.activity_type for row in rows], {"data": json.loads(rows[0].data), "labels": rows[0].permission_labels}


def test_the_bulk_path_stores_what_package_create_stores():
    site_user = call_action("get_site_user", context={"ignore_auth": True})["name"]
    codes = generator.vocabulary_codes()
    organizations = generator.ensure_organizations(
        lambda action, context, data: call_action(action, context=context, **data),
        lambda: {"user": site_user, "ignore_auth": True}, "gen-", codes)
    numbers = range(DATASETS)

    # The same datasets, once through package_create one by one, once through the bulk path
    # (every 7th validated in full and compared on the way).
    made, _seconds, errors = generator.create_chunk(
        (0, DATASETS, codes, organizations, "gen-api-", site_user, VARIANTS))
    assert errors == [] and len(made) == DATASETS
    generator._STATE["templates"] = generator.make_templates(
        numbers, codes, organizations, "gen-bulk-", site_user, VARIANTS)
    written, _seconds, errors = generator.bulk_chunk(
        (0, DATASETS, codes, organizations, "gen-bulk-", site_user, VARIANTS, 7, time.time()))
    assert errors == [] and len(written) == DATASETS
    model.Session.remove()

    for i in numbers:
        api = call_action("package_show", id=f"gen-api-{i:06d}")
        bulk = call_action("package_show", id=f"gen-bulk-{i:06d}")
        assert bulk["id"] in written and bulk["identifier"] != api["identifier"]
        assert _normal(bulk, "gen-bulk-") == _normal(api, "gen-api-"), i
        assert len({r["id"] for r in bulk["resources"]} | {r["id"] for r in api["resources"]}) == 6
        api_types, api_activity = _activity(api["id"])
        bulk_types, bulk_activity = _activity(bulk["id"])
        assert api_types == bulk_types == ["new package"]
        assert bulk_activity["data"]["package"]["id"] == bulk["id"]
        assert _normal(bulk_activity, "gen-bulk-") == _normal(api_activity, "gen-api-"), i
    # Their own parts made it in: the number and words of dataset 13, not its template's.
    bulk = call_action("package_show", id="gen-bulk-000013")
    assert "(bộ 13)" in bulk["title"] and generator.words(13, 4).capitalize() in bulk["title"]
    assert "/du-lieu/13/" in bulk["resources"][0]["url"]
    assert not any(marker in json.dumps(bulk, ensure_ascii=False) for marker in generator.MARKERS.values())

    # The full-validation check catches a template that does not stand for its dataset.
    template = generator._STATE["templates"][53 % VARIANTS]
    data, texts = generator.dataset_dict(53, codes, organizations, "gen-bulk-", VARIANTS), generator.own_texts(53)
    assert bulk_catalogue.check_dataset(data, template, generator.MARKERS, texts, site_user) is None
    data["frequency"] = "ANNUAL" if data["frequency"] != "ANNUAL" else "MONTHLY"
    problem = bulk_catalogue.check_dataset(data, template, generator.MARKERS, texts, site_user)
    assert problem and "frequency" in problem
