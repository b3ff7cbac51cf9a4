"""`ckan binhduong datastore-retype` (ckanext/binhduong/datastore_retype.py) on real DataStore
tables left all text by loads made before typed tables: a dry run lists what would change and
changes nothing; the run types an upload's columns from its values and its data dictionary, and
a harvested table from the harvester's own columns (its "1.234" is 1.234, not 1234)."""
from __future__ import annotations

import json

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset
from ckanext.binhduong.cli import binhduong

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _types(resource_id: str) -> dict[str, str]:
    return {f["id"]: f["type"] for f in call_action("datastore_info", id=resource_id)["fields"]}


def _sorted(resource_id: str, column: str) -> list:
    return [row[column] for row in call_action("datastore_search", resource_id=resource_id,
                                               sort=f"{column} desc")["records"]]


def test_an_uploaded_text_table_is_typed_and_a_dry_run_changes_nothing(sysadmin, cli):
    organization = factories.Organization()
    package = call_action("package_create", context={"user": sysadmin["name"]},
                          **valid_dataset(organization["id"], title="Số học sinh (dữ liệu mẫu)"))
    table = call_action("resource_create", context={"user": sysadmin["name"]}, package_id=package["id"],
                        name="Số học sinh", url="https://example.org/so-hoc-sinh.csv", format="CSV")
    records = [{"ma_truong": "0101", "so_hoc_sinh": "980", "so_lop": "30", "don_vi": "%"},
               {"ma_truong": "0103", "so_hoc_sinh": "1.430", "so_lop": "41", "don_vi": "đồng"},
               {"ma_truong": "0104", "so_hoc_sinh": "1.250", "so_lop": "", "don_vi": "người"}]
    # As xloader's COPY left it: all text; a publisher has since said in the data dictionary
    # that so_lop is a whole number.
    call_action("datastore_create", context={"user": sysadmin["name"]}, resource_id=table["id"], force=True,
                fields=[{"id": name, "type": "text", "info": {"type_override": "int4"} if name == "so_lop" else {}}
                        for name in records[0]], records=records)
    assert _sorted(table["id"], "so_hoc_sinh") == ["980", "1.430", "1.250"]  # what citizens saw

    dry = cli.invoke(binhduong, ["datastore-retype", "--dry-run", "--resource", table["id"]])
    assert dry.exit_code == 0, dry.output
    assert f"{table['id']} " in dry.output and "so_hoc_sinh text→int4 [guess]" in dry.output
    assert "so_lop text→int4 [dictionary]" in dry.output and "ma_truong" not in dry.output
    assert "would retype 1 of 1 table(s) (dry run: nothing changed)" in dry.output
    assert set(_types(table["id"]).values()) == {"text"}
    assert _sorted(table["id"], "so_hoc_sinh") == ["980", "1.430", "1.250"]

    run = cli.invoke(binhduong, ["datastore-retype", "--resource", table["id"]])
    assert run.exit_code == 0, run.output
    assert "retyped 1 of 1 table(s)" in run.output
    assert _types(table["id"]) == {"ma_truong": "text", "so_hoc_sinh": "int4", "so_lop": "int4",
                                   "don_vi": "text"}
    assert _sorted(table["id"], "so_hoc_sinh") == [1430, 1250, 980]
    assert [row["so_lop"] for row in call_action("datastore_search", resource_id=table["id"],
                                                 sort="so_lop")["records"]] == [30, 41, None]

    again = cli.invoke(binhduong, ["datastore-retype", "--dry-run", "--resource", table["id"]])
    assert "would retype 0 of 1 table(s)" in again.output, again.output
    unknown = cli.invoke(binhduong, ["datastore-retype", "--resource", "khong-co-bang-nay"])
    assert unknown.exit_code == 1 and "No DataStore table for resource 'khong-co-bang-nay'" in unknown.output


def test_a_harvested_text_table_takes_the_harvesters_types(sysadmin, cli, create_with_upload):
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

    organization = factories.Organization()
    package = call_action("package_create", context={"user": sysadmin["name"]},
                          **valid_dataset(organization["id"], title="Hồ sơ thủ tục (dữ liệu mẫu)"))
    csv = "thang,tiep_nhan,ty_le\n2024-01,3137,1.234\n2024-02,980,65.4\n"
    table = create_with_upload(csv, "thong-ke.csv", context={"user": sysadmin["name"]}, package_id=package["id"],
                               name="Thống kê (CSV)", format="CSV")
    call_action("datastore_create", context={"user": sysadmin["name"]}, resource_id=table["id"], force=True,
                fields=[{"id": name, "type": "text"} for name in ("thang", "tiep_nhan", "ty_le")],
                records=[{"thang": "2024-01", "tiep_nhan": "3137", "ty_le": "1.234"},
                         {"thang": "2024-02", "tiep_nhan": "980", "ty_le": "65.4"}])
    source = HarvestSource(url="https://example.org/thu-tuc.xlsx", type="bd_procedures")
    source.save()
    job = HarvestJob(source=source)
    job.save()
    content = {"version": 1, "publications": [{
        "key": "thong-ke", "title": "Thống kê", "description": "",
        "fields": [{"name": "thang", "label": "Tháng", "description": ""},
                   {"name": "tiep_nhan", "label": "Số hồ sơ tiếp nhận", "description": ""},
                   {"name": "ty_le", "label": "Tỷ lệ (%)", "description": ""}],
        "rows": [{"thang": "2024-01", "tiep_nhan": 3137, "ty_le": 1.234},
                 {"thang": "2024-02", "tiep_nhan": 980, "ty_le": 65.4}]}]}
    HarvestObject(guid="thong-ke", job=job, source=source, package_id=package["id"], current=True,
                  content=json.dumps(content, ensure_ascii=False)).save()

    dry = cli.invoke(binhduong, ["datastore-retype", "--dry-run", "--resource", table["id"]])
    assert "tiep_nhan text→int4 [harvest], ty_le text→numeric [harvest]" in dry.output, dry.output
    assert set(_types(table["id"]).values()) == {"text"}

    run = cli.invoke(binhduong, ["datastore-retype", "--resource", table["id"]])
    assert run.exit_code == 0 and "converted in place (harvester's types)" in run.output, run.output
    assert _sorted(table["id"], "ty_le") == [65.4, 1.234]  # the harvester's 1.234, not a guessed 1234
    info = call_action("datastore_info", id=table["id"])
    assert {f["id"]: f["info"]["label"] for f in info["fields"]}["tiep_nhan"] == "Số hồ sơ tiếp nhận"
