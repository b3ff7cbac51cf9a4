"""Hand-built datasets in package_show's shape (our schema, schemas/dataset.yaml), and the
starter catalogue as the portal stores it, for the quality tests."""
from __future__ import annotations

import copy
import os

from ckanext.binhduong import seed, vocabularies

UPLOAD = "http://127.0.0.1:5000/dataset/d1/resource/r1/download/tram-bts.csv"
LINK_PDF = "https://stttt.binhduong.gov.vn/bao-cao/tram-bts-2024.pdf"

COMPLETE = {
    "id": "d1", "name": "tram-bts-day-du", "title": "Trạm BTS trên địa bàn tỉnh",
    "notes": "Danh mục trạm BTS.", "owner_org": "org-stttt",
    "organization": {"name": "so-thong-tin-va-truyen-thong"},
    "author": "Sở Thông tin và Truyền thông",
    "contact": [{"name": "Phòng Bưu chính - Viễn thông", "email": "vienthong@binhduong.gov.vn"}],
    "issued": "2024-01-15", "modified": "2024-06-30",
    "metadata_modified": "2024-07-01T08:00:00",
    "theme": ["TECH"], "tags": [{"name": "viễn thông"}, {"name": "trạm BTS"}],
    "spatial_units": ["74"], "temporal_start": "2023-01-01", "temporal_end": "2023-12-31",
    "frequency": "ANNUAL", "access_rights": "PUBLIC", "license_id": "CC-BY-4.0", "language": ["vi"],
    "resources": [{
        "id": "r1", "name": "Danh mục trạm BTS", "url": UPLOAD, "url_type": "upload", "format": "CSV",
        "mimetype": "text/csv", "size": 2313, "rights": "Giấy phép CC BY 4.0; ghi nguồn Sở TT&TT.",
        "created": "2024-01-15T08:00:00", "last_modified": "2024-06-30T08:00:00",
    }],
}

BARE = {
    "id": "d2", "name": "bo-du-lieu-trong", "title": "Bộ dữ liệu trống", "notes": "",
    "metadata_modified": None, "resources": [],
}


def complete() -> dict:
    return copy.deepcopy(COMPLETE)


def bare() -> dict:
    return copy.deepcopy(BARE)


def starter_catalogue() -> list[dict]:
    """The starter catalogue (seed_datasets/) in package_show's shape: every resource an upload,
    with the media type and size the upload gives it (resources.fill_upload_facts)."""
    catalogue = seed.load_catalogue("ckanext.binhduong.seed_datasets:.")
    datasets = []
    for number, wanted in enumerate(catalogue.datasets):
        resources = []
        for position, resource in enumerate(wanted.get("resources", [])):
            resource = dict(resource)
            path = os.path.join(catalogue.folder, resource.pop("file"))
            file_type = vocabularies.file_type_for(path)
            resources.append(dict(
                resource, id=f"r{number}-{position}", url_type="upload",
                url=f"http://127.0.0.1:5000/dataset/{wanted['name']}/resource/{position}/download/"
                    f"{os.path.basename(path)}",
                mimetype=file_type.extra.get("media_type"), size=os.path.getsize(path),
                created="2026-11-26T00:00:00", last_modified="2026-11-26T00:00:00"))
        datasets.append(dict(wanted, id=f"d{number}", resources=resources,
                             metadata_modified="2026-11-26T00:00:00"))
    return datasets
