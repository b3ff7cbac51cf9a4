"""Shared pieces of the bd_civil_registry tests: the sample generator, a harvest source run
as the queue consumers run it, and readers of what was published."""
from __future__ import annotations

import csv
import importlib.util
import io

import pytest
from ckan import model
from ckan.lib import uploader
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .conftest import SAMPLES
# Re-exported for the civil-registry test modules, which import them from here.
from .harvest_support import Source, gather_errors, object_errors, plugins_with, report, statuses  # noqa: F401

HARVESTER = "bd_civil_registry"
DATASET = "thong-ke-su-kien-ho-tich"


def _load_generator():
    spec = importlib.util.spec_from_file_location("bd_make_civil_samples", SAMPLES / "make_civil_registry_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


samples = _load_generator()


def plugins() -> str:
    return plugins_with(HARVESTER)


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def registry_office():
    return factories.Organization(name="so-tu-phap", title="Sở Tư pháp tỉnh Bình Dương",
                                  email="sotuphap@binhduong.gov.vn")


@pytest.fixture
def make_source(sysadmin, registry_office):
    def make(url: str, config: dict | None = None) -> Source:
        return Source.create(sysadmin, registry_office["id"], url, HARVESTER, config,
                             name_prefix="nguon-ho-tich", title="Hệ thống đăng ký hộ tịch (mẫu)")
    return make


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
