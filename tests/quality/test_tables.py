"""Table validation reports (quality/tables.py): frictionless finds the faults of a CSV (by
type and by row), none in a clean one, checks types and required values against the data
dictionary; reports are made by the quality job, stored, shown on the resource page in
Vietnamese, and a private dataset's report is not readable by anonymous."""
from __future__ import annotations

import pytest
import ckan.plugins.toolkit as toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset
from ckanext.binhduong.quality import jobs, tables

# Header: a duplicate and a blank name; row 4 blank, row 5 short by three cells, row 6 one too many.
FAULTY = "mã,tên,tên,,dân số\n1,Thủ Dầu Một,a,x,3\n2,Dĩ An,b,y,4\n\n3,Thuận An\n4,Bến Cát,c,z,5,thừa\n"
CLEAN = "mã,tên,dân số\n1,Thủ Dầu Một,10\n2,Dĩ An,20\n3,Thuận An,30\n"
FAULTY_BY_TYPE = {"missing-cell": 3, "duplicate-label": 1, "blank-label": 1, "blank-row": 1, "extra-cell": 1}
BOUNDS = {"max_bytes": 10_000, "max_rows": 1000, "max_errors": 100, "report_rows": 2}


def test_faults_by_type_and_row_none_in_a_clean_table_and_the_dictionary_checked(tmp_path):
    (tmp_path / "loi.csv").write_text(FAULTY, encoding="utf-8")
    (tmp_path / "sach.csv").write_text(CLEAN, encoding="utf-8")
    report = tables.validate_file(str(tmp_path), "loi.csv", "csv", None, BOUNDS)
    assert report["valid"] is False and report["error_count"] == 7 and report["by_type"] == FAULTY_BY_TYPE
    assert [(e["type"], e.get("label", "")) for e in report["header"]] == [("duplicate-label", "tên"), ("blank-label", "")]
    # The first two rows with errors are kept (report_rows), the count of all of them too.
    assert [(row["row"], [e["type"] for e in row["errors"]]) for row in report["rows"]] == [
        (4, ["blank-row"]), (5, ["missing-cell"] * 3)]
    assert report["rows_with_errors"] == 3 and report["rows_checked"] == 5 and report["dictionary"] is False

    clean = tables.validate_file(str(tmp_path), "sach.csv", "csv", None, BOUNDS)
    assert clean["valid"] is True and clean["error_count"] == 0 and clean["by_type"] == {} and clean["rows"] == []

    # The DataStore's dictionary: "dân số" an integer (type override), "tên" required.
    schema = tables.frictionless_schema([
        {"id": "_id", "type": "int"}, {"id": "mã", "type": "text"},
        {"id": "tên", "type": "text", "info": {"required": True}},
        {"id": "dân số", "type": "text", "info": {"type_override": "int"}}])
    assert schema == {"fields": [{"name": "mã", "type": "string"},
                                 {"name": "tên", "type": "string", "constraints": {"required": True}},
                                 {"name": "dân số", "type": "integer"}]}
    assert tables.frictionless_schema([{"id": "a", "type": "text"}]) is None  # says nothing: structure only
    # A column the portal typed after an upload, as its cells read in Vietnamese, is not called wrong.
    assert tables.frictionless_schema([{"id": "so_hoc_sinh", "type": "int4"}, {"id": "ngay", "type": "date"}]) is None
    (tmp_path / "viet.csv").write_text('so_hoc_sinh,ty_le,ngay\n1.430,"12,5",01/07/2025\n980,90,15/06/2025\n',
                                       encoding="utf-8")
    assert tables.validate_file(str(tmp_path), "viet.csv", "csv", None, BOUNDS)["valid"] is True
    (tmp_path / "kieu.csv").write_text("mã,tên,dân số\n1,Thủ Dầu Một,mười\n2,,20\n", encoding="utf-8")
    typed = tables.validate_file(str(tmp_path), "kieu.csv", "csv", schema, BOUNDS)
    assert typed["dictionary"] is True and typed["by_type"] == {"type-error": 1, "constraint-error": 1}
    assert [(row["row"], row["errors"][0]["type"], row["errors"][0]["field"]) for row in typed["rows"]] == [
        (2, "type-error", "dân số"), (3, "constraint-error", "tên")]
    assert tables.validate_file(str(tmp_path), "sach.csv", "csv", {"fields": schema["fields"]}, BOUNDS)["valid"] is True


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_reports_made_by_the_job_shown_in_vietnamese_and_kept_private(app, create_with_upload, cli):
    sysadmin = factories.Sysadmin()
    agency = factories.Organization(name="so-kiem-tra-bang")
    context = {"user": sysadmin["name"]}
    public = call_action("package_create", context=context, **valid_dataset(agency["id"], name="bang-co-loi"))
    private = call_action("package_create", context=context, **valid_dataset(agency["id"], name="bang-rieng", private=True))
    faulty = create_with_upload(FAULTY, "dan-so.csv", context=context, package_id=public["id"], name="Dân số")
    clean = create_with_upload(CLEAN, "dan-so.csv", context=context, package_id=private["id"], name="Dân số")
    assert faulty["url_type"] == "upload" and tables.is_tabular(faulty) == "csv"

    # What the jobs worker runs after each change (the queue itself: tests/quality/test_actions.py).
    jobs.measure_dataset(public["id"])
    jobs.measure_dataset(private["id"])

    anonymous = {"user": "", "ignore_auth": False}
    shown = call_action("binhduong_quality_table_report", context=anonymous, id=faulty["id"])
    assert shown["validated"] is True and shown["valid"] is False and shown["by_type"] == FAULTY_BY_TYPE
    assert shown["source"] == "upload" and shown["rows"][0]["row"] == 4
    with pytest.raises(toolkit.ObjectNotFound):
        call_action("binhduong_quality_table_report", context=anonymous, id=clean["id"])
    assert call_action("binhduong_quality_table_report", context={"user": sysadmin["name"], "ignore_auth": False},
                       id=clean["id"])["valid"] is True

    # Beside the score (not in its 405 points): the dataset's quality and the agency's dashboard.
    assert [t["valid"] for t in call_action("binhduong_quality_show", context=anonymous, id="bang-co-loi")["tables"]] == [False]
    agency = call_action("binhduong_quality_agency", context=anonymous, id="so-kiem-tra-bang")
    assert agency["invalid_tables_count"] == 1 and agency["invalid_tables"][0]["resource_id"] == faulty["id"]

    page = app.get(f"/dataset/bang-co-loi/resource/{faulty['id']}").body
    assert "Kiểm tra bảng dữ liệu" in page and 'data-errors="7"' in page
    assert "Ô tiêu đề cột bị trống" in page and "Dòng trống" in page and "Thiếu ô so với tiêu đề cột" in page
    english = app.get(f"/en/dataset/bang-co-loi/resource/{faulty['id']}").body
    assert "Table check" in english and "Blank row" in english and "Dòng trống" not in english

    # Nothing changed since: nothing to validate again.
    from ckanext.binhduong.cli import binhduong

    result = cli.invoke(binhduong, ["quality", "validate-tables", "--dry-run"])
    assert result.exit_code == 0 and "would validate 0 table(s)" in result.output, result.output
    result = cli.invoke(binhduong, ["quality", "validate-tables", "--all", "--dataset", "bang-co-loi"])
    assert result.exit_code == 0 and "1 with errors" in result.output, result.output
