#!/usr/bin/env python
"""Scale benchmark: `search-index rebuild`, stock CKAN against ours
(`ckanext.binhduong.index_rebuild`), on the same bench catalogue in the same run, with the
two indexes compared document by document.

    bash bench/bench_env.sh scale
    var/venv/bin/python bench/generate_catalogue.py --ini var/scale.ini --datasets 100000
    var/venv/bin/python bench/bench_scale.py --ini var/scale.ini [--repeat 1] [--workers 2] [--cli]

In process (CKAN loaded once, as the `ckan` command does it, without its start-up), each run
starts from an empty index: stock is `ckan.lib.search.rebuild()` with deferred commits and a
commit at the end, exactly what `ckan search-index rebuild` calls; ours is
`index_rebuild.rebuild()`. Runs alternate (stock, ours, stock, ...) so that the other work on
this shared machine weighs on both. After each pair the stored documents are compared (Solr's
`indexed_ts` and `_version_` aside); a difference fails the run. `--cli` also times both
commands end to end as an operator runs them (start-up included). Only on the bench
environment (bench/bench_env.sh). Figures: bench/README.md, section "Scale".
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import harness  # noqa: E402
from generate_catalogue import check_bench_ini  # noqa: E402

UNSTABLE = {"indexed_ts", "_version_"}


def fingerprints() -> dict[str, str]:
    """id → digest of the stored document, for the whole index (cursor paging)."""
    from ckan.lib.search.common import make_connection

    connection = make_connection(decode_dates=False)
    connection.commit()
    found: dict[str, str] = {}
    cursor = "*"
    while True:
        page = connection.search(q="*:*", fl="*", rows=1000, sort="index_id asc", cursorMark=cursor)
        for doc in page.docs:
            stable = {k: v for k, v in doc.items() if k not in UNSTABLE}
            found[doc["id"]] = hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()
        if page.nextCursorMark == cursor or not page.docs:
            return found
        cursor = page.nextCursorMark


def solr_memory() -> str:
    """Solr's JVM heap in use and its process's peak resident memory (VmHWM)."""
    import urllib.request

    from ckan.common import config

    base = config.get("solr_url").rstrip("/").rsplit("/", 1)[0]
    with urllib.request.urlopen(f"{base}/admin/info/system?wt=json", timeout=30) as response:
        info = json.load(response)
    raw = info["jvm"]["memory"]["raw"]
    peak = "?"
    for status in pathlib.Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        cmdline = (status.parent / "cmdline").read_bytes()
        if b"SolrLauncher" in cmdline:
            peak = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("VmHWM"))
    return (f"Solr heap used {raw['used'] / 2**20:.0f} MiB of {raw['max'] / 2**20:.0f} MiB, "
            f"process peak resident {peak}")


def peak_rss() -> str:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"peak resident: this process {own:.0f} MiB, largest worker {children:.0f} MiB"


def load_average() -> str:
    return " ".join(pathlib.Path("/proc/loadavg").read_text().split()[:3])


def stock_run() -> float:
    from ckan import model
    from ckan.lib import search

    search.clear_all()
    model.Session.remove()
    started = time.perf_counter()
    search.rebuild(defer_commit=True, quiet=True)
    search.commit()
    return time.perf_counter() - started


def ours_run(workers: int, batch_size: int) -> float:
    from ckan import model
    from ckan.lib import search
    from ckanext.binhduong import index_rebuild

    search.clear_all()
    model.Session.remove()
    started = time.perf_counter()
    report = index_rebuild.rebuild(workers=workers, batch_size=batch_size)
    if report.failed:
        raise SystemExit(f"our rebuild failed for {len(report.failed)} datasets: {report.failed[:3]}")
    return time.perf_counter() - started


def cli_run(ini: str, args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(harness.ROOT / "var" / "venv" / "bin" / "ckan"), "-c", ini, *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(harness.ROOT / "var" / "bench.ini"))
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (default 1)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--cli", action="store_true", help="also time both commands end to end")
    parser.add_argument("--skip-stock", action="store_true", help="time ours only (no comparison)")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.plugins.toolkit as toolkit

    app = make_app(load_config(args.ini))
    problem = check_bench_ini(toolkit.config)
    if problem:
        print(f"Refusing to run: {problem}. Use var/bench.ini or var/scale.ini (bash bench/bench_env.sh [scale]).", file=sys.stderr)
        return 2
    print(f"machine: {harness.machine('pysolr')}; load average before: {load_average()}", flush=True)
    with app._wsgi_app.test_request_context("/"):
        from ckanext.binhduong import index_rebuild

        count = len(index_rebuild.dataset_ids())
        print(f"catalogue: {count} datasets in the bench database", flush=True)
        times: dict[str, list[float]] = {"stock": [], "ours": []}
        for run in range(args.repeat):
            if not args.skip_stock:
                times["stock"].append(stock_run())
                stock_index = fingerprints()
                print(f"  run {run + 1}: stock {times['stock'][-1]:7.1f} s ({count / times['stock'][-1]:6.0f}/s)"
                      f"  load {load_average()}", flush=True)
            times["ours"].append(ours_run(args.workers, args.batch_size))
            ours_index = fingerprints()
            print(f"  run {run + 1}: ours  {times['ours'][-1]:7.1f} s ({count / times['ours'][-1]:6.0f}/s, "
                  f"{args.workers} workers)  load {load_average()}", flush=True)
            if not args.skip_stock:
                differing = sorted(i for i in stock_index.keys() | ours_index.keys()
                                   if stock_index.get(i) != ours_index.get(i))
                print(f"  run {run + 1}: {len(ours_index)} documents each, {len(differing)} differ", flush=True)
                if differing:
                    print(f"FAILED: documents differ, e.g. {differing[:3]}", file=sys.stderr)
                    return 1
    ours = statistics.median(times["ours"])
    print(f"ours  median {ours:7.1f} s  {count / ours:6.0f} datasets/s ({args.workers} workers, "
          f"batches of {args.batch_size})")
    if times["stock"]:
        stock = statistics.median(times["stock"])
        print(f"stock median {stock:7.1f} s  {count / stock:6.0f} datasets/s")
        print(f"speed-up stock/ours: {stock / ours:.1f}x; the indexes are identical")
    if args.cli:
        stock_cli = cli_run(args.ini, ["search-index", "rebuild", "-q"])
        ours_cli = cli_run(args.ini, ["binhduong", "search-index-rebuild"])
        print(f"commands end to end (start-up included): `ckan search-index rebuild` {stock_cli:.1f} s "
              f"({count / stock_cli:.0f}/s), `ckan binhduong search-index-rebuild` {ours_cli:.1f} s "
              f"({count / ours_cli:.0f}/s): {stock_cli / ours_cli:.1f}x")
    print(peak_rss())
    print(solr_memory())
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
