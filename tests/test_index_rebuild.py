"""`ckan binhduong search-index-rebuild` (ckanext/binhduong/index_rebuild.py) builds the index
CKAN's own `search-index rebuild` builds dataset by dataset: every stored field of every
document, on the test Solr core, with the configured plugins."""
from __future__ import annotations

import datetime
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib import search
from ckan.lib.search.common import make_connection
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

# Solr stamps each document when it indexes it; its version is Solr's own.
UNSTABLE = {"indexed_ts", "_version_"}


def _index() -> dict[str, dict]:
    connection = make_connection()
    connection.commit()
    found = connection.search(q="*:*", fl="*", rows=1000, sort="id asc")
    return {doc["id"]: {k: v for k, v in doc.items() if k not in UNSTABLE} for doc in found.docs}


@pytest.fixture
def catalogue():
    """Datasets that exercise every path of the document: resources (one uploaded), tags,
    a group, a relationship, a private and a draft dataset, page views, and a deleted one."""
    sysadmin = factories.Sysadmin()
    organization = factories.Organization()
    group = factories.Group()
    context = {"user": sysadmin["name"]}

    def create(**overrides) -> dict:
        return call_action("package_create", context=dict(context), **valid_dataset(organization["id"], **overrides))

    made = {
        "full": create(title="Trạm BTS (đầy đủ)", tag_string="viễn thông,hạ tầng số", spatial_units=["25741", "724"],
                       theme=["TECH", "ECON"], frequency="MONTHLY", language=["vi", "en"],
                       legal_basis=[{"number": "47/2020/NĐ-CP", "date": "2020-04-09", "title": "Nghị định 47"}],
                       resources=[{"url": "https://example.gov.vn/tram.csv", "name": "Bảng trạm", "format": "CSV"},
                                  {"url": "https://example.gov.vn/tram.geojson", "name": "Bản đồ", "format": "GeoJSON"}]),
        "private": create(private=True, title="Dữ liệu nội bộ"),
        "in_group": create(groups=[{"id": group["id"]}], title="Trong nhóm"),
        "draft": create(state="draft", title="Bản nháp"),
        "deleted": create(title="Sẽ bị xoá"),
        "plain": create(title="Không có tài nguyên"),
    }
    call_action("package_relationship_create", context=dict(context), subject=made["full"]["id"],
                object=made["plain"]["id"], type="depends_on")
    upload = call_action("resource_create", context=dict(context), package_id=made["plain"]["id"],
                         url="bang.csv", url_type="upload", name="Tệp tải lên", format="CSV")
    made["upload"] = upload
    # Page views and downloads, as `ckan tracking update` leaves them.
    today = datetime.date.today()
    rows = [(f"/dataset/{made['full']['name']}", made["full"]["id"], "page", 7, 40, 12, today),
            ("https://example.gov.vn/tram.csv", None, "resource", 3, 9, 3, today)]
    for row in rows:
        model.Session.execute(sa.text(
            "INSERT INTO tracking_summary (url, package_id, tracking_type, count, running_total, recent_views, "
            "tracking_date) VALUES (:u, :p, :t, :c, :r, :v, :d)"),
            dict(zip("uptcrvd", row)))
    # Deleted behind the index's back: its document stays until a rebuild removes it.
    model.Session.execute(sa.text("UPDATE package SET state = 'deleted' WHERE id = :id"), {"id": made["deleted"]["id"]})
    model.Session.commit()
    return made


def _ids_where(query: str) -> list[str]:
    return [doc["id"] for doc in make_connection().search(q=query, fl="id").docs]


def _difference(ours: dict, stock: dict) -> str:
    """The fields that differ (the stored dicts decoded), for a readable failure."""
    lines = []
    for key in sorted(set(ours) | set(stock)):
        a, b = ours.get(key), stock.get(key)
        if a == b:
            continue
        if key in ("data_dict", "validated_data_dict"):
            a, b = json.loads(a), json.loads(b)
            lines += [f"{key}.{k}: ours {a.get(k)!r} stock {b.get(k)!r}" for k in sorted(set(a) | set(b))
                      if a.get(k) != b.get(k)]
        else:
            lines.append(f"{key}: ours {a!r} stock {b!r}")
    return "\n".join(lines)


def _stock_index() -> dict[str, dict]:
    """CKAN's `search-index rebuild`: one dataset after the other, from an empty index."""
    search.clear_all()
    model.Session.remove()  # as in a fresh `ckan` process: datasets read from the database
    search.rebuild(defer_commit=True, quiet=True)
    search.commit()
    return _index()


def test_the_rebuilt_index_is_the_one_ckan_builds_dataset_by_dataset(catalogue):
    from ckanext.binhduong import index_rebuild

    stale = _index()
    assert catalogue["deleted"]["id"] in stale  # the deleted dataset's document, still there

    # In this process (1 worker), over the stale index; then by 2 forked workers from empty.
    built = {}
    for workers in (1, 2):
        if workers == 2:
            search.clear_all()
        model.Session.remove()
        report = index_rebuild.rebuild(workers=workers, batch_size=3)
        built[workers] = _index()
        assert report.failed == []
        assert report.indexed == 5 and report.workers == workers
        assert report.removed == (1 if workers == 1 else 0)

    stock = _stock_index()
    assert catalogue["deleted"]["id"] not in stock
    for workers, ours in built.items():
        assert set(ours) == set(stock), workers
        for dataset_id, document in stock.items():
            assert ours[dataset_id] == document, _difference(ours[dataset_id], document)
    # The paths the documents had to go through are in them.
    ours = built[2]
    full = ours[catalogue["full"]["id"]]
    assert full["res_format"] == ["CSV", "GeoJSON"]
    # Page views are indexed, not stored: ask for them.
    assert _ids_where("views_total:40") == [full["id"]]
    assert ours[catalogue["in_group"]["id"]]["groups"]
    assert ours[catalogue["private"]["id"]]["capacity"] == "private"
    assert ours[catalogue["draft"]["id"]]["state"] == "draft"
    assert "/download/" in ours[catalogue["plain"]["id"]]["res_url"][0]


def test_the_command_rebuilds_one_dataset_and_counts_in_a_dry_run(catalogue, cli):
    from ckanext.binhduong.cli import binhduong

    search.clear_all()
    result = cli.invoke(binhduong, ["search-index-rebuild", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would index 5 dataset(s)" in result.output and not _index()

    result = cli.invoke(binhduong, ["search-index-rebuild", "--dataset", catalogue["full"]["name"]])
    assert result.exit_code == 0, result.output
    assert set(_index()) == {catalogue["full"]["id"]}

    result = cli.invoke(binhduong, ["search-index-rebuild", "--dataset", "khong-co-bo-nay"])
    assert result.exit_code == 1 and "No dataset 'khong-co-bo-nay'" in result.output
