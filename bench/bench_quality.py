"""Benchmark of the quality score (ckanext.binhduong.quality): the MQA score, checklist and
freshness of a whole catalogue of 10,000 datasets, and the portal's and agencies' summaries,
with time and peak memory.

The datasets are the starter catalogue (seed_datasets/) in package_show's shape, repeated
and varied so that every indicator is both met and missed somewhere: every fifth dataset
loses its keywords and temporal coverage, every seventh has a broken link, every third gets
a PDF or XLSX resource beside its CSV, every eleventh has no licence and no contact. Link
checks and SHACL results come in as the stored ones would (dicts), so this times the scoring
itself, which is what a full recomputation of the catalogue costs on top of reading it.
The DCAT-AP (pyshacl) validation is timed apart on a sample, per dataset.

Stock CKAN has no quality measure to compare with; the reference figure is reading the same
10,000 dicts' JSON back (what any pass over the stored catalogue costs at least).

    var/venv/bin/python bench/bench_quality.py [--datasets 10000] [--shacl-sample 50] [--ini var/bench.ini]
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import sys
import time
import tracemalloc

from harness import ROOT, machine

from ckanext.binhduong import seed, vocabularies
from ckanext.binhduong.quality import freshness, mqa
from ckanext.binhduong.quality.mqa import LinkStatus


def starter_catalogue() -> list[dict]:
    catalogue = seed.load_catalogue("ckanext.binhduong.seed_datasets:.")
    datasets = []
    for number, wanted in enumerate(catalogue.datasets):
        resources = []
        for position, resource in enumerate(wanted.get("resources", [])):
            resource = dict(resource)
            path = os.path.join(catalogue.folder, resource.pop("file"))
            file_type = vocabularies.file_type_for(path)
            resources.append(dict(resource, id=f"r{number}-{position}", url_type="upload",
                                  url=f"https://opendata.binhduong.gov.vn/dataset/{wanted['name']}/resource/{position}/"
                                      f"download/{os.path.basename(path)}",
                                  mimetype=file_type.extra.get("media_type"), size=os.path.getsize(path),
                                  last_modified="2026-11-26T00:00:00"))
        datasets.append(dict(wanted, resources=resources, metadata_modified="2026-11-26T00:00:00"))
    return datasets


def generate(count: int) -> tuple[list[dict], dict[str, LinkStatus]]:
    base = starter_catalogue()
    datasets, links = [], {}
    for number in range(count):
        pkg = copy.deepcopy(base[number % len(base)])
        pkg["id"] = f"d{number}"
        pkg["name"] = f"{pkg['name']}-{number}"
        for resource in pkg["resources"]:
            resource["url"] = resource["url"].replace("/dataset/", f"/dataset/{number}-")
            links[resource["url"]] = LinkStatus(ok=True, status=200)
        if number % 5 == 0:
            pkg.pop("tags", None)
            pkg.pop("temporal_start", None)
        if number % 3 == 0:
            fmt = "PDF" if number % 2 else "XLSX"
            url = f"https://so-{number % 40}.binhduong.gov.vn/tai-lieu/{number}.{fmt.lower()}"
            pkg["resources"].append({"id": f"x{number}", "name": "Tài liệu", "url": url, "format": fmt})
            links[url] = LinkStatus(ok=number % 7 != 0, status=200 if number % 7 else 404)
        if number % 11 == 0:
            pkg["license_id"] = ""
            pkg["contact"] = []
        pkg["frequency"] = ("MONTHLY", "QUARTERLY", "ANNUAL", "IRREG")[number % 4]
        datasets.append(pkg)
    return datasets, links


def score_all(datasets: list[dict], links: dict, now: dt.datetime) -> tuple[list[dict], dict]:
    results = []
    by_org: dict[str, list[dict]] = {}
    for pkg in datasets:
        result = mqa.score_dataset(pkg, links, dcat_ap=True)
        mqa.checklist(result)
        freshness.assess(pkg, now)
        results.append(result)
        by_org.setdefault(pkg.get("owner_org") or "", []).append(result)
    summaries = {org: mqa.summarise(rows) for org, rows in by_org.items()}
    summaries[""] = mqa.summarise(results)
    return results, summaries


def shacl_per_dataset(datasets: list[dict], sample: int, ini: str) -> float | None:
    """Seconds per dataset of the DCAT-AP validation, in a CKAN environment (nothing is written)."""
    try:
        from ckan.cli import load_config
        from ckan.config.middleware import make_app
    except ImportError:
        return None
    app = make_app(load_config(ini))
    from ckanext.binhduong.quality import shacl

    with app._wsgi_app.test_request_context():
        shacl.shapes()
        picked = []
        for pkg in datasets[:sample]:
            pkg = dict(pkg, owner_org=None, organization=None)
            picked.append(pkg)
        start = time.perf_counter()
        for pkg in picked:
            shacl.validate_dataset(pkg)
        return (time.perf_counter() - start) / len(picked)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--shacl-sample", type=int, default=50)
    parser.add_argument("--ini", default=str(ROOT / "var" / ("bench.ini" if (ROOT / "var" / "bench.ini").exists() else "test.ini")),
                        help="CKAN config for the DCAT-AP sample (default var/bench.ini, else var/test.ini)")
    args = parser.parse_args()
    now = dt.datetime(2026, 12, 6, 12, 0)

    datasets, links = generate(args.datasets)
    text = json.dumps(datasets)
    start = time.perf_counter()
    json.loads(text)
    reference = time.perf_counter() - start

    start = time.perf_counter()
    results, summaries = score_all(datasets, links, now)
    elapsed = time.perf_counter() - start

    tracemalloc.start()
    score_all(datasets, links, now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    portal = summaries[""]
    print(machine("rdflib", "pyshacl"))
    print(f"datasets: {len(datasets):,}, resources: {sum(len(d['resources']) for d in datasets):,}")
    print(f"scoring (MQA + checklist + freshness + {len(summaries) - 1} agency summaries): {elapsed:.2f} s "
          f"({elapsed / len(datasets) * 1e6:.0f} µs per dataset); peak memory of the pass {peak / 1048576:.1f} MiB")
    print(f"reference: reading the same dicts back from JSON {reference:.2f} s")
    print(f"portal: average {portal['average']}, ratings {portal['ratings']}")
    if args.shacl_sample:
        per = shacl_per_dataset(datasets, args.shacl_sample, args.ini)
        if per is not None:
            print(f"DCAT-AP validation (pyshacl, official shapes): {per * 1000:.0f} ms per dataset "
                  f"(sample of {args.shacl_sample}), {per * len(datasets) / 60:.1f} min for the whole catalogue "
                  "(done once per changed dataset)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
