"""Typed DataStore tables (ckanext/binhduong/datastore_types.py): a harvested table is made
with its columns' types and data dictionary before xloader loads it, and xloader's COPY keeps
them; an upload's text columns get the type their Vietnamese-written values share."""
from __future__ import annotations

import logging

import pytest
from ckan.lib import uploader
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.xloader import loader

from ckanext.binhduong import datastore_types as types
from ckanext.binhduong.harvesters import plan
from ckanext.binhduong.harvesters.samples import make_samples

from bd_factories import valid_dataset

from .harvest_support import plugins_with
from .test_procedures_harvest import STATISTICS, XLSX, dataset, make_source, publisher, resource  # noqa: F401

FIELDS = [{"name": "thang", "label": "Tháng", "description": "Tháng báo cáo (yyyy-mm)"},
          {"name": "tiep_nhan", "label": "Số hồ sơ tiếp nhận", "description": ""},
          {"name": "ty_le", "label": "Tỷ lệ (%)", "description": ""},
          {"name": "ngay", "label": "Ngày", "description": ""},
          {"name": "dat", "label": "Đạt", "description": ""},
          {"name": "ma_tthc", "label": "Mã TTHC", "description": ""}]
ROWS = [{"thang": "2024-01", "tiep_nhan": 3137, "ty_le": 65.4, "ngay": "2024-01-31", "dat": True, "ma_tthc": "1.004227"},
        {"thang": "2024-02", "tiep_nhan": 980, "ty_le": 70, "ngay": None, "dat": False, "ma_tthc": "2.000488"}]


def test_harvested_columns_take_the_type_of_their_values_and_the_harvesters_labels():
    fields = types.harvest_fields(FIELDS, ROWS)
    assert [(f["id"], f["type"]) for f in fields] == [
        ("thang", "text"), ("tiep_nhan", "int4"), ("ty_le", "numeric"), ("ngay", "date"), ("dat", "text"),
        ("ma_tthc", "text")]
    assert fields[1]["info"] == {"label": "Số hồ sơ tiếp nhận", "notes": "", "type_override": "int4"}
    assert fields[0]["info"]["notes"] == "Tháng báo cáo (yyyy-mm)"
    # A field's own type wins; an empty type is not part of the content (hashes stay equal).
    assert types.harvest_fields([{**FIELDS[1], "type": "numeric"}], ROWS)[0]["type"] == "numeric"
    assert plan.OutputField("a", "A").as_content() == {"name": "a", "label": "A", "description": ""}
    assert plan.OutputField("a", "A", type="date").as_content()["type"] == "date"


@pytest.mark.parametrize("values, expected", [
    (["980", "870", "1.430", "1.250", "1.105"], ("int4", {"1.430": "1430", "980": "980"})),
    (["12,5", "7", "-", ""], ("numeric", {"12,5": "12.5", "-": None, "": None})),
    (["2.5", "1,234.5"], ("numeric", {"1,234.5": "1234.5"})),
    (["01/07/2025", "2025-07-02", "ngày 3 tháng 7 năm 2025"], ("date", {"01/07/2025": "2025-07-01"})),
    (["12345678901", "1"], ("numeric", {})),
    (["025741", "12"], ("text", {})),  # a code with its leading zero
    (["76%", "80%"], ("text", {})),  # a unit in the cell: kept as written
    (["2.000 đồng"], ("text", {})),
    (["01/07/2025 10:30"], ("text", {})),
    (["Thủ Dầu Một", "1"], ("text", {})),
    (["-", "x"], ("text", {})),
])
def test_upload_columns_are_guessed_from_vietnamese_text(values, expected):
    kind, canonical = types.guess_column("cot", values)
    assert kind == expected[0]
    assert {k: canonical[k] for k in expected[1]} == expected[1]


def test_columns_named_as_codes_stay_text():
    assert types.guess_column("ma_dvhc", ["74", "718"]) == ("text", {})
    assert types.guess_column("so_dien_thoai", ["2743822888"]) == ("text", {})


@pytest.mark.ckan_config("ckan.plugins", plugins_with("bd_procedures"))
@pytest.mark.ckan_config("ckanext.binhduong.harvest_allow_private_addresses", "true")
@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_a_harvested_table_is_typed_and_xloader_keeps_the_types(sample_server, make_source):  # noqa: F811
    make_source(sample_server.url(XLSX)).run()
    table = resource(dataset(STATISTICS), "CSV")
    info = call_action("datastore_info", id=table["id"])
    kinds = {f["id"]: f["type"] for f in info["fields"]}
    assert kinds["thang"] == "text" and kinds["tiep_nhan"] == "int4" and kinds["ty_le_truc_tuyen"] == "numeric"
    labels = {f["id"]: f["info"]["label"] for f in info["fields"]}
    assert labels["tiep_nhan"] == "Số hồ sơ tiếp nhận"

    # What the jobs worker does with the file: xloader's COPY into the existing table.
    path = uploader.get_resource_uploader(table).get_path(table["id"])
    loader.load_csv(path, resource_id=table["id"], mimetype="CSV", logger=logging.getLogger(__name__))
    after = call_action("datastore_info", id=table["id"])
    assert {f["id"]: f["type"] for f in after["fields"]} == kinds
    assert {f["id"]: f["info"]["label"] for f in after["fields"]} == labels
    rows = call_action("datastore_search", resource_id=table["id"], sort="tiep_nhan desc", limit=1000)["records"]
    counts = [row["tiep_nhan"] for row in rows]
    assert counts == sorted(counts, reverse=True) and len(counts) == len(make_samples.statistics())
    assert all(isinstance(count, int) for count in counts)

    # A second harvest of changed columns' types would recreate it; the same ones only rewrite
    # the dictionary and keep the rows.
    assert types.prepare_table(table["id"], types.harvest_fields(
        [{"name": f["id"], "label": f["info"]["label"], "description": f["info"]["notes"], "type": f["type"]}
         for f in info["fields"]], []), "") == "dictionary"
    assert call_action("datastore_search", resource_id=table["id"], limit=0)["total"] == len(counts)


def _text_table(sysadmin: dict, records: list[dict]) -> dict:
    """A table as xloader's COPY leaves it: every column text."""
    organization = factories.Organization()
    package = call_action("package_create", context={"user": sysadmin["name"]},
                          **valid_dataset(organization["id"], title="Số học sinh (dữ liệu mẫu)"))
    table = call_action("resource_create", context={"user": sysadmin["name"]}, package_id=package["id"],
                        name="Số học sinh", url="https://example.org/so-hoc-sinh.csv", format="CSV")
    call_action("datastore_create", context={"user": sysadmin["name"]}, resource_id=table["id"], force=True,
                fields=[{"id": name, "type": "text"} for name in records[0]], records=records)
    return table


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_harvested_table_loaded_as_text_before_is_converted_in_place(sysadmin):
    table = _text_table(sysadmin, [{"thang": "2024-01", "tiep_nhan": "3137", "ty_le": "65.4", "ngay": "2024-01-31"},
                                   {"thang": "2024-02", "tiep_nhan": "980", "ty_le": "", "ngay": ""}])
    fields = types.harvest_fields([{"name": name, "label": name} for name in ("thang", "tiep_nhan", "ty_le", "ngay")],
                                  [{"thang": "2024-01", "tiep_nhan": 3137, "ty_le": 65.4, "ngay": "2024-01-31"}])
    assert types.prepare_table(table["id"], fields, sysadmin["name"]) == "retyped"
    rows = call_action("datastore_search", resource_id=table["id"], sort="tiep_nhan desc")["records"]
    assert [(r["tiep_nhan"], r["ty_le"], r["ngay"]) for r in rows] == [(3137, 65.4, "2024-01-31"),
                                                                       (980, None, None)]
    info = call_action("datastore_info", id=table["id"])
    assert {f["id"]: f["info"]["type_override"] for f in info["fields"]} == {
        "thang": "text", "tiep_nhan": "int4", "ty_le": "numeric", "ngay": "date"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_an_uploaded_text_table_gets_number_and_date_columns(sysadmin):
    table = _text_table(sysadmin, [{"ma_truong": "0101", "so_hoc_sinh": "980", "ngay": "01/07/2025", "ty_le": "95,5"},
                                   {"ma_truong": "0103", "so_hoc_sinh": "1.430", "ngay": "02/01/2025", "ty_le": "-"},
                                   {"ma_truong": "0104", "so_hoc_sinh": "1.250", "ngay": "20/12/2024", "ty_le": "90"}])
    assert types.retype_loaded_table(table["id"]) == {"so_hoc_sinh": "int4", "ngay": "date", "ty_le": "numeric"}
    rows = call_action("datastore_search", resource_id=table["id"], sort="so_hoc_sinh desc")["records"]
    assert [(r["ma_truong"], r["so_hoc_sinh"], r["ty_le"]) for r in rows] == [
        ("0103", 1430, None), ("0104", 1250, 90), ("0101", 980, 95.5)]
    assert types.retype_loaded_table(table["id"]) == {}  # the second call (job complete): nothing left
