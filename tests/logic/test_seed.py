"""The starter-catalogue loader behind `ckan binhduong seed` (the action and its CLI)."""
from __future__ import annotations

import textwrap

import pytest
import ckan.plugins.toolkit as toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "binhduong scheming_datasets scheming_organizations dcat dcat_json_interface bd_chart_view"),
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]


@pytest.fixture
def seed_folder(tmp_path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "organizations.yaml").write_text(textwrap.dedent("""\
        - name: so-thong-tin-truyen-thong
          title: Sở Thông tin và Truyền thông
    """), encoding="utf-8")
    (tmp_path / "datasets" / "tram-bts.yaml").write_text(textwrap.dedent("""\
        name: tram-bts-mau
        title: Trạm BTS (dữ liệu mẫu)
        owner_org: so-thong-tin-truyen-thong
        notes: Dữ liệu mẫu.
        author: Sở Thông tin và Truyền thông
        contact:
          - name: Văn phòng Sở
            email: vanphong@binhduong.gov.vn
        issued: "2024-01-15"
        theme: [TECH]
        spatial_units: ["74"]
        license_id: CC-BY-4.0
        x_seed_chart: {type: bar, x: huyen, y: [so_tram]}
        resources:
          - name: Số trạm theo huyện
            format: CSV
            file: data/tram.csv
    """), encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tram.csv").write_text("huyen,so_tram\nThủ Dầu Một,1\n", encoding="utf-8")
    return tmp_path


def _seed(**data):
    sysadmin = factories.Sysadmin()
    return call_action("binhduong_seed_catalogue", context={"user": sysadmin["name"]}, **data)


def test_seed_creates_then_changes_nothing(seed_folder):
    first = _seed(source=str(seed_folder))
    assert first["organizations"]["created"] == ["so-thong-tin-truyen-thong"]
    assert first["datasets"]["created"] == ["tram-bts-mau"]

    second = _seed(source=str(seed_folder))
    assert second["organizations"] == {"created": [], "updated": [], "unchanged": ["so-thong-tin-truyen-thong"]}
    assert second["datasets"] == {"created": [], "updated": [], "unchanged": ["tram-bts-mau"]}
    dataset = call_action("package_show", id="tram-bts-mau")
    assert dataset["title"] == "Trạm BTS (dữ liệu mẫu)"
    assert [resource["name"] for resource in dataset["resources"]] == ["Số trạm theo huyện"]
    assert dataset["resources"][0]["size"] == len("huyen,so_tram\nThủ Dầu Một,1\n".encode("utf-8"))
    views = call_action("resource_view_list", id=dataset["resources"][0]["id"])
    assert [(view["view_type"], view["x"], view["y"]) for view in views] == [("bd_chart", "huyen", "so_tram")]


def test_a_changed_seed_file_is_uploaded_again(seed_folder):
    _seed(source=str(seed_folder))
    (seed_folder / "data" / "tram.csv").write_text("huyen,so_tram\nThủ Dầu Một,2\n", encoding="utf-8")
    report = _seed(source=str(seed_folder))
    assert report["datasets"]["updated"] == ["tram-bts-mau"]
    dataset = call_action("package_show", id="tram-bts-mau")
    assert len(dataset["resources"]) == 1
    assert _seed(source=str(seed_folder))["datasets"]["unchanged"] == ["tram-bts-mau"]


def test_seed_updates_a_changed_field(seed_folder):
    _seed(source=str(seed_folder))
    path = seed_folder / "datasets" / "tram-bts.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Dữ liệu mẫu.", "Mô tả mới."), encoding="utf-8")
    report = _seed(source=str(seed_folder))
    assert report["datasets"]["updated"] == ["tram-bts-mau"]
    assert call_action("package_show", id="tram-bts-mau")["notes"] == "Mô tả mới."


def test_dry_run_writes_nothing(seed_folder):
    report = _seed(source=str(seed_folder), dry_run=True)
    assert report["datasets"]["created"] == ["tram-bts-mau"]
    with pytest.raises(toolkit.ObjectNotFound):
        call_action("package_show", id="tram-bts-mau")


def test_missing_folder_is_a_validation_error(tmp_path):
    with pytest.raises(toolkit.ValidationError) as error:
        _seed(source=str(tmp_path / "missing"))
    assert "Seed folder not found" in str(error.value.error_dict["source"])


def test_unknown_parameter_is_refused(seed_folder):
    with pytest.raises(toolkit.ValidationError):
        _seed(source=str(seed_folder), wipe_everything=True)


def test_only_sysadmins_may_seed(seed_folder):
    user = factories.User()
    with pytest.raises(toolkit.NotAuthorized):
        call_action("binhduong_seed_catalogue", context={"user": user["name"], "ignore_auth": False},
                    source=str(seed_folder))


def test_packaged_seed_folder_loads(cli, ckan_config):
    from ckanext.binhduong.cli import binhduong

    result = cli.invoke(binhduong, ["seed", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "organizations:" in result.output and "(dry run)" in result.output


def test_cli_exits_non_zero_on_error(cli, tmp_path):
    from ckanext.binhduong.cli import binhduong

    result = cli.invoke(binhduong, ["seed", "--source", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "Seed folder not found" in result.output
