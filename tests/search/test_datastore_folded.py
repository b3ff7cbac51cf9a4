"""DataStore full-text search folded for Vietnamese on the running portal (scripts/init_db.sh:
unaccent text-search configuration, the database's default; ckan.datastore.default_fts_lang):
"thu" finds "Thủ" as "Thủ" does, for a table created through the API. Purged afterwards."""
from __future__ import annotations

import uuid

import pytest

from bd_factories import valid_dataset


@pytest.fixture(scope="module")
def table(portal_api):
    organization = portal_api.action.organization_list(limit=1)[0]
    dataset = portal_api.action.package_create(**valid_dataset(
        organization, name=f"tim-kiem-khong-dau-{uuid.uuid4().hex[:8]}",
        title="Bảng kiểm thử tìm kiếm không dấu (dữ liệu mẫu)"))
    try:
        resource = portal_api.action.datastore_create(
            resource={"package_id": dataset["id"], "name": "Bảng mẫu", "format": "CSV"},
            fields=[{"id": "ten_xa", "type": "text"}, {"id": "ten_huyen", "type": "text"}],
            records=[{"ten_xa": "Phường Phú Cường", "ten_huyen": "Thành phố Thủ Dầu Một"},
                     {"ten_xa": "Xã Định Hiệp", "ten_huyen": "Huyện Dầu Tiếng"},
                     {"ten_xa": "Phường Đông Hòa", "ten_huyen": "Thành phố Dĩ An"}],
            force=True)
        yield resource["resource_id"]
    finally:
        portal_api.action.dataset_purge(id=dataset["id"])


@pytest.mark.parametrize("accented, folded, expected", [
    ("Thủ", "thu", 1), ("Dầu", "dau", 2), ("Đông Hòa", "dong hoa", 1), ("Định", "dinh", 1),
])
def test_a_query_without_diacritics_finds_what_the_accented_one_finds(anonymous_api, table, accented, folded, expected):
    found = {query: anonymous_api.action.datastore_search(resource_id=table, q=query)["total"]
             for query in (accented, folded)}
    assert found == {accented: expected, folded: expected}
