#!/usr/bin/env python
"""DCAT catalogue benchmark: rendering /catalog.ttl with stock ckanext-dcat
(euro_dcat_ap_3 alone) against our profile stack (euro_dcat_ap_3 + binhduong_dcat), on the
same generated data in the same run.

    var/venv/bin/python bench/bench_dcat.py [--ini var/test.ini] [--datasets 200] [--repeat 5]

It runs in-process against the *test* databases and Solr core of the ini file (never the
portal's): it creates the datasets under organizations named bench-dcat-*, walks every page
of the catalogue the way /catalog.ttl does (the dcat_catalog_show action, Turtle, inside a
request for /catalog.ttl), alternating stock and ours so that drift hits both alike, and
purges what it created. Results and method: bench/README.md, section "DCAT catalogue".
"""
from __future__ import annotations

import argparse
import math
import os
import pathlib
import platform
import statistics
import sys
import time
from importlib.metadata import version

ROOT = pathlib.Path(__file__).resolve().parent.parent
PREFIX = "bench-dcat-"
DCAT_DATASET = None  # rdflib term, set once rdflib is imported
STOCK = ["euro_dcat_ap_3"]
OURS = ["euro_dcat_ap_3", "binhduong_dcat"]


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "ckan": version("ckan"),
        "ckanext-dcat": version("ckanext-dcat"),
        "rdflib": version("rdflib"),
    }


def purge_previous_runs(call, context) -> None:
    # A run that was interrupted leaves its organizations; their datasets go with them.
    for org in call("organization_list", context(), {"all_fields": False, "limit": 1000}):
        if org.startswith(PREFIX):
            found = call("package_search", context(), {"fq": f"organization:{org}", "rows": 1000,
                                                        "include_private": True})
            for dataset in found["results"]:
                call("dataset_purge", context(), {"id": dataset["id"]})
            call("organization_purge", context(), {"id": org})


def generate(call, context, count: int) -> list[str]:
    from ckanext.binhduong import places, vocabularies

    agency_types = [t.code for t in vocabularies.terms("agency_types")]
    themes = [t.code for t in vocabularies.terms("themes")]
    frequencies = [t.code for t in vocabularies.terms("frequencies")]
    units = [u.code for u in places.all_units()]
    formats = [("CSV", "text/csv"), ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
               ("JSON", "application/json"), ("PDF", "application/pdf"), ("API", None)]
    licences = ["CC-BY-4.0", "CC0-1.0", "ODbL-1.0"]
    orgs = []
    for i in range(5):
        orgs.append(call("organization_create", context(), {
            "name": f"{PREFIX}{i}", "title": f"Cơ quan thử nghiệm {i}", "agency_type": agency_types[i % len(agency_types)],
            "agency_code": f"000.{i:02d}.16.H57", "admin_unit": "74", "email": f"coquan{i}@binhduong.gov.vn",
            "website": f"https://coquan{i}.binhduong.gov.vn"})["id"])
    ids = []
    for i in range(count):
        resources = []
        for j in range(3):
            fmt, media = formats[(i + j) % len(formats)]
            resources.append({
                "url": f"https://coquan{i % 5}.binhduong.gov.vn/du-lieu/{i}/tep-{j}.{fmt.lower()}",
                "name": f"Tệp {j} của bộ dữ liệu {i}", "description": "Dữ liệu thử nghiệm hiệu năng.",
                "format": fmt, **({"mimetype": media} if media else {}), "size": 1000 + i * 10 + j,
                "sha256": f"{i:032x}{j:032x}", "language": "vi", "status": "COMPLETED",
            })
        dataset = call("package_create", context(), {
            "name": f"{PREFIX}{i:05d}", "title": f"Bộ dữ liệu thử nghiệm số {i}",
            "notes": "Bộ dữ liệu sinh tự động để đo hiệu năng danh mục DCAT. " * 3,
            "owner_org": orgs[i % len(orgs)], "author": f"Phòng thống kê {i % 7}",
            "contact": [{"name": "Phòng Dữ liệu", "email": "dulieu@binhduong.gov.vn", "phone": "0274 3822 123"}],
            "issued": f"20{10 + i % 15:02d}-0{1 + i % 9}-15", "theme": [themes[i % len(themes)], themes[(i * 7) % len(themes)]],
            "tag_string": f"thử nghiệm,bộ {i % 11},hiệu năng", "spatial_units": [units[i % len(units)], units[(i * 3) % len(units)]],
            "temporal_start": "2020-01-01", "temporal_end": "2024-12-31", "frequency": frequencies[i % len(frequencies)],
            "access_rights": "PUBLIC", "license_id": licences[i % len(licences)], "language": ["vi", "en"][: 1 + i % 2],
            "legal_basis": [{"number": "47/2020/NĐ-CP", "date": "2020-04-09", "title": "Nghị định 47"}],
            "version": "1.0", "url": f"https://coquan{i % 5}.binhduong.gov.vn/du-lieu/{i}",
            "provenance": "Sinh tự động.", "maintainer": "Người duy trì", "maintainer_email": "duytri@binhduong.gov.vn",
            "resources": resources,
        })
        ids.append(dataset["id"])
    return ids


def walk(call, context, profiles: list[str], pages: int) -> tuple[float, int]:
    size = 0
    started = time.perf_counter()
    for page in range(1, pages + 1):
        size += len(call("dcat_catalog_show", context(), {"format": "ttl", "page": page, "profiles": profiles}))
    return time.perf_counter() - started, size


def breakdown(call, context, profiles: list[str], per_page: int) -> dict[str, float]:
    """Where the time of one full page goes: the search, building the graph, writing Turtle."""
    from ckanext.dcat.processors import RDFSerializer

    started = time.perf_counter()
    datasets = call("package_search", context(), {"rows": per_page, "sort": "metadata_modified desc"})["results"]
    searched = time.perf_counter()
    serializer = RDFSerializer(profiles=profiles)
    catalog = serializer.graph_from_catalog({})
    for dataset in datasets:
        serializer.g.add((catalog, DCAT_DATASET, serializer.graph_from_dataset(dataset)))
    built = time.perf_counter()
    serializer.g.serialize(format="turtle")
    written = time.perf_counter()
    return {"search": searched - started, "graph": built - searched, "turtle": written - built,
            "triples": len(serializer.g)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "test.ini"))
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="do not purge the generated data")
    args = parser.parse_args()

    global DCAT_DATASET
    from rdflib import URIRef

    DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#dataset")
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.plugins.toolkit as toolkit

    app = make_app(load_config(args.ini))
    if "test" not in toolkit.config.get("sqlalchemy.url", "").rsplit("/", 1)[-1]:
        print("Refusing to run: the ini file does not point at a test database.", file=sys.stderr)
        return 2

    # Test runs reset the test database and bring the plugins' tables back only for the
    # plugins they load; bring them to head (a no-op when they are) as tests/conftest.py does.
    import ckan.plugins as plugins
    from ckan.cli.db import _run_migrations

    for plugin in ("activity", "harvest"):
        if plugins.plugin_loaded(plugin):
            _run_migrations(plugin)

    with app._wsgi_app.test_request_context("/catalog.ttl"):
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

        def context():
            return {"user": site_user, "ignore_auth": True}

        def call(action, ctx, data):
            return toolkit.get_action(action)(ctx, data)

        purge_previous_runs(call, context)
        started = time.perf_counter()
        ids = generate(call, context, args.datasets)
        created_in = time.perf_counter() - started
        try:
            # Other datasets may sit in the test index; the walk covers the whole catalogue.
            total = call("package_search", context(), {"rows": 0})["count"]
            per_page = int(toolkit.config.get("ckanext.dcat.datasets_per_page", 100))
            pages = max(1, math.ceil(total / per_page))
            walk(call, context, STOCK, pages)  # warm caches and imports for both stacks
            walk(call, context, OURS, pages)
            timings: dict[str, list[float]] = {"stock": [], "ours": []}
            parts: dict[str, list[dict]] = {"stock": [], "ours": []}
            sizes: dict[str, int] = {}
            for _ in range(args.repeat):
                for label, profiles in (("stock", STOCK), ("ours", OURS)):
                    seconds, sizes[label] = walk(call, context, profiles, pages)
                    timings[label].append(seconds)
                    parts[label].append(breakdown(call, context, profiles, per_page))
        finally:
            if not args.keep:
                for dataset_id in ids:
                    call("dataset_purge", context(), {"id": dataset_id})
                purge_previous_runs(call, context)

    info = machine()
    stock, ours = statistics.median(timings["stock"]), statistics.median(timings["ours"])
    print(f"machine: nproc={info['nproc']} cpu={info['cpu']!r} python {info['python']}, ckan {info['ckan']}, "
          f"ckanext-dcat {info['ckanext-dcat']}, rdflib {info['rdflib']}")
    print(f"catalogue: {total} datasets ({args.datasets} generated, 3 resources each, in {created_in:.1f} s), "
          f"{pages} page(s) of {per_page}, Turtle; {args.repeat} walks each, alternating, after one warm-up walk")
    for label, profiles in (("stock", STOCK), ("ours", OURS)):
        runs = ", ".join(f"{t:.2f}" for t in timings[label])
        median = statistics.median(timings[label])
        print(f"{label:5} {' + '.join(profiles):32} median {median:6.2f} s "
              f"({1000 * median / total:5.1f} ms/dataset, {sizes[label] / 1024:7.0f} KiB)  runs: {runs}")
    print(f"ratio ours/stock: {ours / stock:.2f}")
    print(f"one page of {per_page} (medians): search, graph building, Turtle writing, triples")
    for label in ("stock", "ours"):
        medians = {key: statistics.median(p[key] for p in parts[label]) for key in parts[label][0]}
        print(f"{label:5} search {medians['search']:.3f} s  graph {medians['graph']:.3f} s  "
              f"turtle {medians['turtle']:.3f} s  {int(medians['triples'])} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
