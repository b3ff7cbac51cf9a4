"""Factories for our schema: a valid dataset dictionary that tests vary one field at a time."""
from __future__ import annotations

import uuid


def valid_dataset(owner_org: str, **overrides) -> dict:
    dataset = {
        "name": f"bo-du-lieu-{uuid.uuid4().hex[:10]}",
        "title": "Trạm BTS trên địa bàn tỉnh (dữ liệu mẫu)",
        "notes": "Dữ liệu mẫu dùng cho kiểm thử.",
        "owner_org": owner_org,
        "author": "Sở Thông tin và Truyền thông",
        "contact": [{"name": "Phòng Bưu chính - Viễn thông", "email": "vienthong@binhduong.gov.vn", "phone": "0274 3822 123"}],
        "issued": "2024-01-15",
        "theme": ["TECH"],
        "spatial_units": ["74"],
        "frequency": "ANNUAL",
        "access_rights": "PUBLIC",
        "license_id": "CC-BY-4.0",
        "language": ["vi"],
    }
    dataset.update(overrides)
    return dataset
