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

With ``--from-db N`` (default 10,000; 0 skips it) the whole path of the scheduled
``quality compute --all`` runs on the bench database's ``bench-cat-*`` datasets (made by
generate_catalogue.py / the bulk generator): ``package_show`` as the site user, the score with
the stored link checks, freshness, and the stored rows written in batches, timed, with the
process's peak resident memory; the DCAT-AP (pyshacl) validation of that path on a sample of
the same datasets, per dataset. The rows it writes are deleted afterwards (the bench database
is left as it was: other benchmarks read it). Run it under the bench lock:

    flock var/run/bench-db.lock var/venv/bin/python bench/bench_quality.py [--datasets 10000]
        [--shacl-sample 50] [--from-db 10000] [--db-shacl-sample 100] [--ini var/bench.ini]
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import resource
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


def _rss_mib() -> float:
    """The process's current resident memory (MiB), from /proc."""
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def from_database(ini: str, count: int, shacl_sample: int) -> None:
    """The scheduled measurement's path on the bench database (see the module's text)."""
    import sqlalchemy as sa
    from harness import load_ckan
    import ckan.plugins.toolkit as toolkit
    from ckan import model
    from ckanext.binhduong.quality import compute, store

    app = load_ckan(ini)
    with app._wsgi_app.test_request_context():
        with model.meta.engine.connect() as connection:
            ids = [row[0] for row in connection.execute(sa.text(
                "SELECT id FROM package WHERE state = 'active' AND type = 'dataset' AND name LIKE 'bench-cat-%' "
                "ORDER BY name LIMIT :n"), {"n": count})]
            before = {row[0] for row in connection.execute(sa.text(
                "SELECT dataset_id FROM binhduong_quality WHERE dataset_id = ANY(:ids)"), {"ids": ids})}
        if len(ids) < count:
            print(f"from the database: only {len(ids)} bench-cat-* datasets in {ini} (wanted {count})")
        site = {"user": toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
        show = toolkit.get_action("package_show")
        options = dict(compute.settings(), validate_dcat=False)
        rss_before = _rss_mib()
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        reading = scoring = 0.0
        batch: list[dict] = []
        totals = []
        for number, dataset_id in enumerate(ids, 1):
            t0 = time.perf_counter()
            pkg = show(dict(site), {"id": dataset_id})
            t1 = time.perf_counter()
            batch.append(compute.measure(pkg, options))
            scoring += time.perf_counter() - t1
            reading += t1 - t0
            if len(batch) == 500 or number == len(ids):
                store.save(batch)
                totals.extend(row["total"] for row in batch)
                batch = []
                model.Session.remove()
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        writing = elapsed - reading - scoring
        print(f"from the database ({ini}): {len(ids):,} bench-cat-* datasets, scheduled path without DCAT-AP: "
              f"{elapsed:.1f} s ({elapsed / len(ids) * 1000:.1f} ms per dataset: package_show {reading / len(ids) * 1000:.1f}, "
              f"score + freshness {scoring / len(ids) * 1000:.2f}, storing {writing / len(ids) * 1000:.2f})")
        print(f"  resident memory {rss_before:.0f} MiB before the pass, {_rss_mib():.0f} MiB after it; process peak "
              f"{peak_before:.0f} MiB before the pass, {peak:.0f} MiB after it; average score {sum(totals) / len(totals):.1f}")
        if shacl_sample:
            with_dcat = dict(options, validate_dcat=True)
            sample = ids[:shacl_sample]
            compute.measure(show(dict(site), {"id": sample[0]}), with_dcat)  # shapes loaded once
            start = time.perf_counter()
            conform = 0
            for dataset_id in sample:
                conform += compute.measure(show(dict(site), {"id": dataset_id}), with_dcat)["dcat_ap"] is True
            per = (time.perf_counter() - start) / len(sample)
            print(f"  with DCAT-AP validation (pyshacl), sample of {len(sample)}: {per * 1000:.0f} ms per dataset, "
                  f"{conform} of {len(sample)} conform; the whole {len(ids):,} would take {per * len(ids) / 60:.1f} min "
                  "(estimate; done once per changed dataset by the jobs worker)")
        with model.meta.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM binhduong_quality WHERE dataset_id = ANY(:ids)"),
                               {"ids": [i for i in ids if i not in before]})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=10000)
    parser.add_argument("--shacl-sample", type=int, default=50)
    parser.add_argument("--from-db", type=int, default=10000,
                        help="bench-cat-* datasets of the bench database to measure through the real path (0: skip)")
    parser.add_argument("--db-shacl-sample", type=int, default=100)
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
    if args.from_db:
        from_database(args.ini, args.from_db, args.db_shacl_sample)
    return 0


if __name__ == "__main__":
    sys.exit(main())
