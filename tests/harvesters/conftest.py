"""Fixtures of the harvester tests: a local HTTP server for the sample sources (and for the
misbehaving servers fetch.py must survive), and the bd_procedures plugin's registration.

The plugin is found by CKAN through the ``ckan.plugins`` entry point in setup.py. Until that
line is in the installed metadata, this file adds it the standard way — a ``.dist-info``
folder with an ``entry_points.txt``, on ``sys.path`` for this test session only — so the
tests exercise the real plugin loading. Once the installed distribution declares the entry
point, nothing is added.
"""
from __future__ import annotations

import atexit
import pathlib
import shutil
import sys
import tempfile
from importlib.metadata import entry_points

import pytest

from local_server import SampleServer

from ckanext.binhduong.harvesters.samples import make_samples

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "harvesters" / "samples"
ENTRY_POINT = "bd_procedures = ckanext.binhduong.harvesters.procedures:ProceduresHarvester"


def _register_entry_point() -> None:
    if entry_points(group="ckan.plugins", name="bd_procedures"):
        return
    folder = pathlib.Path(tempfile.mkdtemp(prefix="bd-harvest-entry-points-"))
    info = folder / "binhduong_harvester_tests-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: binhduong-harvester-tests\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(f"[ckan.plugins]\n{ENTRY_POINT}\n")
    sys.path.append(str(folder))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


_register_entry_point()


@pytest.fixture(scope="session")
def _sample_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    shutil.copytree(SAMPLES, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (root / "mau-thu-tuc-hanh-chinh.xlsx").write_bytes(
        make_samples.workbook(make_samples.procedures(), make_samples.statistics()))
    server = SampleServer(root)
    yield server
    server.close()


@pytest.fixture
def sample_server(_sample_server):
    _sample_server.reset()
    yield _sample_server
    _sample_server.reset()


# -- the civil-registry harvester (civil_registry_support.py) ---------------------------

@pytest.fixture
def registry_office():
    from ckan.tests import factories

    return factories.Organization(name="so-tu-phap", title="Sở Tư pháp tỉnh Bình Dương",
                                  email="sotuphap@binhduong.gov.vn")


@pytest.fixture
def make_source(sysadmin, registry_office):
    from .civil_registry_support import HARVESTER
    from .harvest_support import Source

    return Source.maker(sysadmin, registry_office, HARVESTER, "nguon-ho-tich", "Hệ thống đăng ký hộ tịch (mẫu)")
