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
import statistics
import sys
import time

from harness import ROOT, load_ckan, machine

PREFIX = "bench-dcat-"
DCAT_DATASET = None  # rdflib term, set once rdflib is imported
STOCK = ["euro_dcat_ap_3"]
OURS = ["euro_dcat_ap_3", "binhduong_dcat"]


def purge_previous_runs(call, context) -> None:
    # A run that was interrupted leaves its organizations; their datasets go with them.
    for org in call("organization_list", context(), {"all_fields": False, "limit": 1000}):
        if org.startswith(PREFIX):
            while True:
                found = call("package_search", context(), {"fq": f"organization:{org}", "rows": 1000,
                                                            "include_private": True, "fl": ["id"]})
                if not found["results"]:
                    break
                for dataset in found["results"]:
                    call("dataset_purge", context(), {"id": dataset["id"]})
            call("organization_purge", context(), {"id": org})


def existing_run(call, context) -> list[str]:
    found = call("package_search", context(), {"q": f"name:{PREFIX}*", "rows": 0})["count"]
    ids: list[str] = []
    while len(ids) < found:
        page = call("package_search", context(), {"q": f"name:{PREFIX}*", "rows": 1000, "start": len(ids),
                                                  "sort": "name asc", "fl": ["id"]})["results"]
        if not page:
            break
        ids.extend(row["id"] for row in page)
    return ids


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
        if (i + 1) % 1000 == 0:
            print(f"  {i + 1} datasets created", file=sys.stderr, flush=True)
    return ids


NEXT_LINK = None  # compiled on first use


def load_average() -> str:
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def walk(call, context, stack: str, pages: int) -> tuple[float, int, list[float]]:
    """One full walk of the catalogue as a harvester makes it: page 1, then each hydra:next.

    ``stock``: ckanext-dcat alone (euro_dcat_ap_3; numbered pages by offset, as its links
    say). ``ours``: the configured stack with the DCAT cache. ``uncached``: the configured
    stack rendered by ckanext-dcat (cache off), to price the profile itself.
    Returns (seconds, bytes, seconds of each page)."""
    import re
    from urllib.parse import parse_qs, urlparse

    global NEXT_LINK
    NEXT_LINK = NEXT_LINK or re.compile(r'hydra:next "([^"]+)"|hydra:next> "([^"]+)"')
    base = {"format": "ttl"}
    if stack == "stock":
        base["profiles"] = STOCK
    size, times = 0, []
    params: dict = {"page": 1}
    started = time.perf_counter()
    while True:
        page_started = time.perf_counter()
        output = call("dcat_catalog_show", context(), {**base, **params})
        times.append(time.perf_counter() - page_started)
        size += len(output)
        match = NEXT_LINK.search(output)
        if not match or len(times) > pages + 5:
            break
        query = parse_qs(urlparse(match.group(1) or match.group(2)).query)
        params = {key: values[0] for key, values in query.items() if key in ("page", "after")}
    return time.perf_counter() - started, size, times


def page_latency(call, context, stack: str, page: int, repeat: int) -> float:
    """Median seconds of one numbered page (?page=N, as the hydra:first/last links name it)."""
    base = {"format": "ttl", "page": page}
    if stack == "stock":
        base["profiles"] = STOCK
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        call("dcat_catalog_show", context(), dict(base))
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def breakdown(call, context, profiles: list[str], per_page: int) -> dict[str, float]:
    """Where the time of one full page goes with ckanext-dcat: the search, building the
    graph, writing Turtle."""
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


def after_deploy(call, context, pages: int, prefill: bool = True) -> dict:
    import ckan.plugins.toolkit as toolkit
    from ckanext.binhduong.dcat import cached_catalogue, warming

    results = {}
    if prefill:
        walk(call, context, "ours", pages)  # everything current for the old version
    toolkit.config["ckanext.binhduong.dcat.bench_deploy"] = str(time.time())  # a new version
    started, rendered = time.perf_counter(), cached_catalogue.stats["rendered"]
    report = warming.run_catalogue(pause=0)
    results["warming"] = time.perf_counter() - started
    results["warmed"] = cached_catalogue.stats["rendered"] - rendered
    results["batches"] = math.ceil(report["datasets"] / warming._batch())
    rendered = cached_catalogue.stats["rendered"]
    results["first_walk"], _, _ = walk(call, context, "ours", pages)
    results["first_walk_rendered"] = cached_catalogue.stats["rendered"] - rendered
    print(f"  after a deploy: {results}  load {load_average()}", file=sys.stderr, flush=True)
    return results


def stock_pages(call, context, total: int, pages: int, repeat: int) -> int:
    """Stock's numbered pages at the start, middle and end of the catalogue, and the walk
    they imply (a walk reads every page once, by offset)."""
    times = {}
    for page in (1, max(1, pages // 2), pages):
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            call("dcat_catalog_show", context(), {"format": "ttl", "page": page, "profiles": STOCK})
            runs.append(time.perf_counter() - started)
        times[page] = runs
        print(f"stock ?page={page}: " + ", ".join(f"{1000 * t:.0f}" for t in runs) + f" ms  load {load_average()}",
              flush=True)
    median = statistics.median([t for runs in times.values() for t in runs])
    print(f"catalogue: {total} datasets, {pages} pages; stock page median {1000 * median:.0f} ms; "
          f"walk extrapolated {pages} x {median:.2f} s = {pages * median:.0f} s")
    return 0


def clear_cache() -> None:
    import sqlalchemy as sa
    from ckan import model

    with model.meta.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM binhduong_dcat_fragment"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "bench.ini"))
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="do not purge the generated data")
    parser.add_argument("--reuse", action="store_true",
                        help="keep and reuse the generated datasets of an earlier --keep run of the same size")
    parser.add_argument("--generate-only", action="store_true", help="create the data (implies --keep) and stop")
    parser.add_argument("--skip-uncached", action="store_true", help="do not time our profile without the cache")
    parser.add_argument("--existing", action="store_true",
                        help="walk the catalogue the bench index holds as it is (no bench-dcat-* data made or purged)")
    parser.add_argument("--skip-cold", action="store_true", help="do not time the first walk on an empty cache")
    parser.add_argument("--no-prefill", action="store_true",
                        help="with --skip-cold: no walk renders the old version before the deploy (the "
                             "warming then renders every dataset into an empty cache, as it would over stale rows)")
    parser.add_argument("--stock-pages", type=int, default=0, metavar="N",
                        help="with --existing: only time stock's ?page=1, the middle page and the last page N "
                             "times each and extrapolate its walk (pages x their median); nothing else")
    parser.add_argument("--skip-stock", action="store_true",
                        help="walk ours only (stock's offset walk takes about 20 ms a dataset: half an hour at 100,000)")
    args = parser.parse_args()
    args.keep = args.keep or args.reuse or args.generate_only or args.existing

    global DCAT_DATASET
    from rdflib import URIRef

    DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#dataset")
    app = load_ckan(args.ini, migrate=("activity", "harvest", "tracking", "binhduong"))
    import ckan.plugins.toolkit as toolkit

    cache_option = "ckanext.binhduong.dcat.cache"
    with app._wsgi_app.test_request_context("/catalog.ttl"):
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

        def context():
            return {"user": site_user, "ignore_auth": True}

        def call(action, ctx, data):
            return toolkit.get_action(action)(ctx, data)

        existing = existing_run(call, context) if args.reuse else []
        if args.existing:
            ids, created_in = [], None
        elif len(existing) == args.datasets:
            ids, created_in = existing, None
        else:
            purge_previous_runs(call, context)
            started = time.perf_counter()
            ids = generate(call, context, args.datasets)
            created_in = time.perf_counter() - started
        if args.generate_only:
            print(f"{len(ids)} datasets ready in {created_in or 0:.1f} s")
            return 0
        try:
            # Other datasets may sit in the index; the walk covers the whole catalogue.
            total = call("package_search", context(), {"rows": 0})["count"]
            per_page = int(toolkit.config.get("ckanext.dcat.datasets_per_page", 100))
            pages = max(1, math.ceil(total / per_page))
            if args.stock_pages:
                return stock_pages(call, context, total, pages, args.stock_pages)
            results: dict = {"walks": {"stock": [], "ours": []}, "sizes": {}, "first": {}, "last": {},
                             "walk_pages": {"stock": [], "ours": []}}

            # Ours, cold: the first walk after a deploy (or on an empty cache) renders and
            # stores every dataset.
            clear_cache()
            if not args.skip_cold:
                results["cold"], _, _ = walk(call, context, "ours", pages)
                print(f"  cold walk: {results['cold']:.1f} s  load {load_average()}", file=sys.stderr, flush=True)
            # A deploy (here: a DCAT setting changed, so every stored key misses), then the
            # warming the jobs worker runs (dcat/warming.py, in this process, without its
            # pauses), then the first walk.
            results["deploy"] = after_deploy(call, context, pages, prefill=not args.no_prefill)
            if not args.skip_uncached:
                toolkit.config[cache_option] = False
                try:
                    results["uncached"], results["sizes"]["uncached"], _ = walk(call, context, "ours", pages)
                finally:
                    toolkit.config[cache_option] = True
            stacks = ("ours",) if args.skip_stock else ("stock", "ours")
            if not args.skip_stock:
                walk(call, context, "stock", pages)  # warm-up of ckanext-dcat's own path
            for _ in range(args.repeat):
                for stack in stacks:
                    seconds, results["sizes"][stack], times = walk(call, context, stack, pages)
                    print(f"  walk {stack}: {seconds:.2f} s  load {load_average()}", file=sys.stderr, flush=True)
                    results["walks"][stack].append(seconds)
                    results["walk_pages"][stack].append(times)
            for stack in stacks:
                results["first"][stack] = page_latency(call, context, stack, 1, 5)
                results["last"][stack] = page_latency(call, context, stack, pages, 5)
            parts = {label: breakdown(call, context, profiles, per_page) for label, profiles in
                     (("stock", STOCK), ("ours", OURS)) if label in stacks}
        finally:
            if not args.keep:
                for dataset_id in ids:
                    call("dataset_purge", context(), {"id": dataset_id})
                purge_previous_runs(call, context)

    print(f"machine: {machine('ckanext-dcat', 'rdflib')}; load average before/after in README")
    made = f"generated in {created_in:.0f} s" if created_in is not None else "generated earlier (--reuse)"
    if args.existing:
        made = "the bench index as it was (--existing)"
    print(f"catalogue: {total} datasets ({len(ids) or total} {made}, 3 resources each), {pages} page(s) of "
          f"{per_page}, Turtle; {args.repeat} walks each, alternating, after one warm-up walk")
    ours = statistics.median(results["walks"]["ours"])
    stock = statistics.median(results["walks"]["stock"]) if not args.skip_stock else None
    for stack, label in (("stock", "stock euro_dcat_ap_3 (offset pages)"),
                         ("ours", "ours  configured stack, cached (keyset)")):
        if stack not in stacks:
            continue
        runs = ", ".join(f"{t:.2f}" for t in results["walks"][stack])
        median = statistics.median(results["walks"][stack])
        print(f"{label:42} walk median {median:7.2f} s ({1000 * median / total:5.2f} ms/dataset, "
              f"{results['sizes'][stack] / 1048576:6.1f} MiB)  runs: {runs}")
    if "cold" in results:
        print(f"ours, cold cache (first walk: renders and stores all) {results['cold']:7.2f} s")
    deploy = results["deploy"]
    print(f"ours, after a deploy: warming (jobs worker's work, in process, no pauses) {deploy['warming']:7.2f} s, "
          f"{deploy['warmed']} rendered in {deploy['batches']} batches")
    print(f"ours, first walk after the deploy, warming done {deploy['first_walk']:7.2f} s "
          f"({deploy['first_walk_rendered']} rendered; {deploy['first_walk'] / ours:.2f}x the warm walk median"
          + (f", {stock / deploy['first_walk']:.1f}x faster than stock)" if stock else "; stock not walked)"))
    if "uncached" in results:
        print(f"ours, cache off (configured stack through ckanext-dcat) {results['uncached']:7.2f} s "
              f"({results['sizes']['uncached'] / 1048576:.1f} MiB)")
    if stock:
        print(f"walk speed-up stock/ours: {stock / ours:.1f}x")
    for stack in stacks:
        walks = results["walk_pages"][stack]
        first_in_walk = statistics.median(w[0] for w in walks)
        last_in_walk = statistics.median(w[-1] for w in walks)
        deepest = statistics.median(max(w[len(w) // 2:]) for w in walks)
        print(f"{stack:5} in the walk: first page {1000 * first_in_walk:7.1f} ms, last page "
              f"{1000 * last_in_walk:7.1f} ms (ratio {last_in_walk / first_in_walk:.2f}; slowest of the "
              f"second half {1000 * deepest:.1f} ms)")
        first, last = results["first"][stack], results["last"][stack]
        print(f"{stack:5} by number:   ?page=1 {1000 * first:7.1f} ms, ?page={pages} {1000 * last:7.1f} ms "
              f"(ratio {last / first:.2f}; median of 5)")
    print(f"one page of {per_page} through ckanext-dcat (medians): search, graph building, Turtle writing, triples")
    for label in stacks:
        part = parts[label]
        print(f"{label:5} search {part['search']:.3f} s  graph {part['graph']:.3f} s  "
              f"turtle {part['turtle']:.3f} s  {int(part['triples'])} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
