"""xloader is installed without its declared dependencies (see constraints.txt); this test
loads a real CSV through the running jobs worker into the DataStore, so a broken pairing of
xloader with CKAN's pins fails loudly."""
from __future__ import annotations

import hashlib
import io
import uuid

import ckanapi
import pytest

from bd_factories import valid_dataset
from portal_datastore import wait_for_load

CSV = (
    "ma_huyen,ten_huyen,so_tram_bts\n"
    "718,Thành phố Thủ Dầu Một,1\n"
    "724,Thành phố Dĩ An,2\n"
    "725,Thành phố Thuận An,3\n"
)


@pytest.fixture
def dataset_with_csv(portal_api):
    suffix = uuid.uuid4().hex[:8]
    organization = portal_api.action.organization_create(name=f"xloader-{suffix}", title="Kiểm thử xloader")
    try:
        dataset = portal_api.action.package_create(**valid_dataset(
            organization["id"], name=f"xloader-{suffix}", title="Kiểm thử nạp CSV (dữ liệu mẫu)"))
        resource = portal_api.action.resource_create(
            package_id=dataset["id"],
            name="Dữ liệu mẫu",
            upload=("mau.csv", io.BytesIO(CSV.encode("utf-8"))),
        )
        yield resource
    finally:
        # Runs even when creating the dataset failed, so the portal keeps no test leftovers.
        if _exists(portal_api, f"xloader-{suffix}"):
            portal_api.action.dataset_purge(id=f"xloader-{suffix}")
        portal_api.action.organization_purge(id=organization["id"])


def _exists(portal_api, name: str) -> bool:
    try:
        portal_api.action.package_show(id=name)
        return True
    except ckanapi.NotFound:
        return False


def test_upload_records_size_checksum_format_and_licence(portal_api, dataset_with_csv):
    stored = portal_api.action.resource_show(id=dataset_with_csv["id"])
    body = CSV.encode("utf-8")
    assert stored["size"] == len(body)
    assert stored["sha256"] == hashlib.sha256(body).hexdigest()
    assert stored["format"] == "CSV"
    assert stored["mimetype"] == "text/csv"
    assert stored["license_id"] == "CC-BY-4.0"  # inherited from the dataset


def test_uploaded_csv_is_loaded_into_the_datastore(portal_api, dataset_with_csv):
    status = wait_for_load(portal_api, dataset_with_csv["id"])
    assert status.get("status") == "complete", status

    rows = portal_api.action.datastore_search(resource_id=dataset_with_csv["id"], sort="ma_huyen")
    assert [row["ten_huyen"] for row in rows["records"]] == [
        "Thành phố Thủ Dầu Một",
        "Thành phố Dĩ An",
        "Thành phố Thuận An",
    ]
    assert rows["total"] == 3
