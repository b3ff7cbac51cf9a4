"""The committed sample sources: made by make_samples.py, small, and labelled as samples."""
from __future__ import annotations

import json

import pytest

from ckanext.binhduong.harvesters import read

from ckanext.binhduong.harvesters.samples import make_civil_registry_samples as civil_samples
from ckanext.binhduong.harvesters.samples import make_samples

from .conftest import SAMPLES

COMMITTED = make_samples.committed_files()
# The clerk-written civil-registry export is committed too, and checked against its own
# script by test_civil_registry_places.py (it is larger: 2,400 events).
CIVIL_REGISTRY = str(civil_samples.CLERK_FILE.relative_to(SAMPLES))


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_samples_are_what_the_script_makes(name):
    path = SAMPLES / name
    assert path.exists(), f"run python harvesters/samples/make_samples.py ({name} is missing)"
    assert path.read_bytes() == COMMITTED[name], f"{name} differs: run python harvesters/samples/make_samples.py"


def test_no_stray_sample_files():
    present = {str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*") if p.is_file()
               and "__pycache__" not in p.parts and p.suffix != ".py"}
    assert present == set(COMMITTED) | {CIVIL_REGISTRY}


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_every_sample_is_small_and_says_it_is_a_sample(name):
    data = COMMITTED[name]
    assert len(data) < 16_000
    if name.endswith(".json"):
        assert "DỮ LIỆU MẪU (SAMPLE)" in json.loads(data)["_ghi_chu"]
    else:
        text, _ = read.decode_text(data)
        # Lower-cased: TCVN3 cannot write "Ữ" (the .VnTimeH font drew it from the "ữ" code).
        assert "dữ liệu mẫu (sample)" in text.splitlines()[0].lower()


def test_the_workbook_is_labelled_too():
    sheets = read.read_xlsx(make_samples.workbook(make_samples.procedures(), make_samples.statistics()))
    assert all(any("DỮ LIỆU MẪU (SAMPLE)" in str(cell) for row in sheet.rows[:3] for cell in row) for sheet in sheets)


def test_the_generator_scales_for_the_benchmark():
    rows = make_samples.procedures(1887)
    assert len(rows) == 1887 and len({row["Mã TTHC"] for row in rows}) == 1887
    assert len(make_samples.statistics(36, 40)) == 36 * 40
