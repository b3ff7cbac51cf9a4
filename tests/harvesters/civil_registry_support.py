"""Shared pieces of the bd_civil_registry tests: readers of what was published (the
fixtures registry_office and make_source are in conftest.py)."""
from __future__ import annotations

import csv
import io

from ckan import model
from ckan.lib import uploader
from ckan.tests.helpers import call_action

from .harvest_support import plugins_with

HARVESTER = "bd_civil_registry"
DATASET = "thong-ke-su-kien-ho-tich"


def plugins() -> str:
    return plugins_with(HARVESTER)


def dataset(name: str = DATASET) -> dict:
    return call_action("package_show", id=name)


def file_of(res: dict) -> bytes:
    path = uploader.get_resource_uploader(dict(res)).get_path(res["id"])
    with open(path, "rb") as handle:
        return handle.read()


def csv_rows(package: dict) -> list[dict]:
    resource = next(r for r in package["resources"] if r["format"] == "CSV")
    return list(csv.DictReader(io.StringIO(file_of(resource).decode("utf-8"))))


def activities(name: str = DATASET) -> int:
    from ckanext.activity.model import Activity

    return model.Session.query(Activity).filter(Activity.object_id == dataset(name)["id"]).count()


def snapshot(name: str = DATASET) -> dict:
    package = dataset(name)
    return {"metadata_modified": package["metadata_modified"], "activities": activities(name),
            "resources": [(r["id"], r.get("sha256"), file_of(r)) for r in package["resources"]]}
