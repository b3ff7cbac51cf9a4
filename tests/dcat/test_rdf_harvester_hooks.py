"""dcat/rdf_harvester_hooks.py in process, on the test databases: when ckanext-dcat's RDF harvester may
skip a dataset as unchanged at its source, with the harvest objects ckanext-harvest stores.
The whole harvest, through the running portal's consumers, is tests/dcat/test_reharvest.py."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

from bd_factories import valid_dataset
from ckanext.binhduong.dcat.rdf_harvester_hooks import DCATHarvestHooks, same_record

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

GUID = "http://127.0.0.1:5000/dataset/7f0e5d1a-2b6c-4c1e-9a57-0d1f2a3b4c5d"


def _record(**changes) -> dict:
    record = {
        "title": "Điểm wifi công cộng", "notes": "Điểm phát wifi miễn phí.", "theme": ["TECH"],
        "spatial_units": ["2025/79"], "license_id": "CC-BY-4.0", "name": "diem-wifi-cong-cong",
        "extras": [{"key": "uri", "value": GUID}, {"key": "guid", "value": GUID}],
        "resources": [{"url": "https://stttt.binhduong.gov.vn/files/wifi.xlsx", "format": "XLSX",
                       "uri": GUID + "/resource/1"}],
    }
    record.update(changes)
    return record


@pytest.fixture
def harvested():
    """A harvest source, a dataset it imported, and the harvest object of that import."""
    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    context = {"user": sysadmin["name"]}
    source_dict = call_action("harvest_source_create", context=context, name="nguon-dcat", title="Nguồn DCAT",
                              url="http://127.0.0.1:5000/catalog.ttl", source_type="dcat_rdf",
                              owner_org=org["id"])
    dataset = call_action("package_create", context=context, **valid_dataset(org["id"], name="ban-sao-wifi"))
    source = HarvestSource.get(source_dict["id"])
    job = HarvestJob(source=source)
    job.save()
    imported = HarvestObject(guid=GUID, job=job, source=source, package_id=dataset["id"], state="COMPLETE",
                             current=True, content=json.dumps(_record()),
                             import_finished=dt.datetime.utcnow())
    imported.save()
    return {"source": source, "dataset": dataset, "imported": imported}


def _next_object(harvested, record: dict) -> HarvestObject:
    """The object a new job gathers for the same guid, as the import stage hands it to the
    hook: flagged current, the previous one not."""
    job = HarvestJob(source=harvested["source"])
    job.save()
    harvested["imported"].current = False
    harvested["imported"].save()
    obj = HarvestObject(guid=GUID, job=job, source=harvested["source"], content=json.dumps(record),
                        current=True, state="IMPORT")
    obj.save()
    return obj


def _before_update(harvested, obj: HarvestObject) -> dict:
    """The dict as the import stage passes it: with the existing dataset's id and name."""
    dataset = dict(json.loads(obj.content), id=harvested["dataset"]["id"], name=harvested["dataset"]["name"])
    DCATHarvestHooks().before_update(obj, dataset, {})
    model.Session.commit()
    return dataset


def test_an_unchanged_record_is_skipped_and_its_object_still_stands_for_the_dataset(harvested):
    # The gather stage makes a new name up from the title on every job: not a change.
    obj = _next_object(harvested, _record(name="diem-wifi-cong-cong-1"))

    dataset = _before_update(harvested, obj)

    assert dataset == {}  # the harvester then reports the object "not modified"
    assert HarvestObject.get(obj.id).package_id == harvested["dataset"]["id"]


@pytest.mark.parametrize("change", [
    {"title": "Điểm wifi công cộng miễn phí"},
    {"theme": ["TECH", "REGI"]},
    {"resources": [{"url": "https://stttt.binhduong.gov.vn/files/wifi-2025.xlsx", "format": "XLSX",
                    "uri": GUID + "/resource/1"}]},
])
def test_a_changed_record_is_imported(harvested, change):
    obj = _next_object(harvested, _record(**change))

    dataset = _before_update(harvested, obj)

    assert dataset["id"] == harvested["dataset"]["id"]
    assert {key: dataset[key] for key in change} == change


def test_a_failed_import_is_not_taken_as_the_last_one(harvested):
    # The last object that reached the dataset failed on import: the record must be written.
    failed = _next_object(harvested, _record(title="Tiêu đề đã sửa"))
    failed.state, failed.current, failed.package_id = "ERROR", False, harvested["dataset"]["id"]
    failed.import_finished = dt.datetime.utcnow()
    failed.save()
    harvested["imported"].current = True
    harvested["imported"].save()

    obj = _next_object(harvested, _record(title="Tiêu đề đã sửa"))
    dataset = _before_update(harvested, obj)

    assert dataset["title"] == "Tiêu đề đã sửa"


def test_same_record_ignores_only_the_made_up_name():
    assert same_record(json.dumps(_record()), json.dumps(_record(name="khac")))
    assert not same_record(json.dumps(_record()), json.dumps(_record(notes="Khác.")))
    assert not same_record(None, json.dumps(_record()))
    assert not same_record("not json", "not json")


def test_a_new_copy_is_named_from_its_title_with_the_vietnamese_letters_folded(harvested):
    # CKAN's munging, which the gather stage uses, gives "im-wifi-cong-cng" here.
    dataset = _record(title="Điểm wifi công cộng (dữ liệu mẫu)", name="im-wifi-cong-cng-d-liu-mu")
    DCATHarvestHooks().before_create(None, dataset, {})
    assert dataset["name"] == "diem-wifi-cong-cong-du-lieu-mau"


def test_a_taken_name_gets_the_next_number(harvested):
    taken = harvested["dataset"]  # named "ban-sao-wifi"
    call_action("package_create", context={"user": factories.Sysadmin()["name"]},
                **valid_dataset(taken["owner_org"], name="ban-sao-wifi-2"))
    dataset = _record(title="Bản sao wifi")
    DCATHarvestHooks().before_create(None, dataset, {})
    assert dataset["name"] == "ban-sao-wifi-3"
