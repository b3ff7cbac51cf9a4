"""The starter catalogue in the running portal: loaded by `make up`, idempotent, every
CSV loaded into the DataStore by xloader."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import time

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = ROOT / "seed_datasets"


def _seed_names() -> tuple[set[str], set[str]]:
    organizations = {org["name"] for org in yaml.safe_load((SEED / "organizations.yaml").read_text(encoding="utf-8"))}
    datasets = {yaml.safe_load(path.read_text(encoding="utf-8"))["name"] for path in (SEED / "datasets").glob("*.yaml")}
    return organizations, datasets


def test_every_seed_object_is_in_the_portal(anonymous_api):
    organizations, datasets = _seed_names()
    assert organizations <= set(anonymous_api.action.organization_list(limit=1000))
    found = anonymous_api.action.package_search(fq="+organization:(" + " OR ".join(organizations) + ")", rows=1000)
    assert datasets <= {dataset["name"] for dataset in found["results"]}


def test_a_second_seed_would_change_nothing(portal_url):
    ini = os.environ.get("BD_CKAN_INI", str(ROOT / "var" / "ckan.ini"))
    result = subprocess.run([str(ROOT / "var" / "venv" / "bin" / "ckan"), "-c", ini, "binhduong", "seed", "--dry-run"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    counts = dict(line.split(": ", 1) for line in result.stdout.splitlines() if line.startswith(("organizations", "datasets")))
    for kind in ("organizations", "datasets"):
        report = json.loads(counts[kind].replace(" (dry run)", ""))
        assert report["created"] == 0 and report["updated"] == 0, (kind, report)


def test_every_seed_csv_is_queryable_in_the_datastore(anonymous_api):
    _, datasets = _seed_names()
    deadline = time.monotonic() + 180
    pending = set(datasets)
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            resources = anonymous_api.action.package_show(id=name)["resources"]
            if resources and all(resource.get("datastore_active") for resource in resources if resource["format"] == "CSV"):
                pending.discard(name)
        time.sleep(2)
    assert not pending, f"CSV resources not loaded into the DataStore: {sorted(pending)}"


def test_seed_chart_hints_become_chart_views_drawn_on_the_page(portal_url, anonymous_api):
    import requests

    charted = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in (SEED / "datasets").glob("*.yaml")]
    charted = [dataset for dataset in charted if dataset.get("x_seed_chart")]
    assert charted
    for dataset in charted:
        stored = anonymous_api.action.package_show(id=dataset["name"])
        csv = next(resource for resource in stored["resources"] if resource["format"] == "CSV")
        views = [view for view in anonymous_api.action.resource_view_list(id=csv["id"]) if view["view_type"] == "bd_chart"]
        assert len(views) == 1 and views[0]["x"] == dataset["x_seed_chart"]["x"]
        page = requests.get(f"{portal_url}/dataset/{stored['id']}/resource/{csv['id']}?view_id={views[0]['id']}", timeout=30)
        assert page.status_code == 200
        assert 'class="bd-chart' in page.text and 'class="bd-bar"' in page.text, dataset["name"]
