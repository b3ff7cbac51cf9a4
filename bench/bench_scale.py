#!/usr/bin/env python
"""Scale benchmark: `search-index rebuild`, stock CKAN against ours
(`ckanext.binhduong.index_rebuild`), on the same bench catalogue in the same run, with the
two indexes compared document by document.

    bash bench/bench_env.sh scale
    var/venv/bin/python bench/generate_catalogue.py --ini var/scale.ini --datasets 100000
    var/venv/bin/python bench/bench_scale.py --ini var/scale.ini [--repeat 1] [--workers 2] [--cli]
    var/venv/bin/python bench/bench_scale.py --ini var/scale.ini --sample 2000   # at 100,000
    var/venv/bin/python bench/bench_scale.py --ini var/scale.ini --web           # search, pages
    var/venv/bin/python bench/bench_scale.py --ini var/scale.ini --stock-index   # stock core ckan_scale_stock
    var/venv/bin/python bench/bench_scale.py --ini var/scale.ini --web --stock --runs 3   # stock against ours

`--sample N`: stock (about 20 to 100 datasets/s here) would take 15 to 80 minutes at 100,000,
so it indexes an evenly spread sample of N datasets; ours indexes the same sample, then the
whole catalogue, and the sample's documents are compared. `--web`: the portal through
gunicorn with 2 workers (as config/supervisord.conf.template runs it) on the ini, on a spare
port: package_search over the API (the judged queries of tests/search/judgements.py)
sequential p50/p95 and requests/s at 8 clients, the home, search and statistics pages
p50/p95, and the peak resident memory of every process. `--stock-index` lays out a stock core
beside the ini's (`<core>_stock`: CKAN 2.12's own schema.xml, as bench/bench_search.py lays
out ckan_bench_stock) and fills it with `ckan binhduong search-index-rebuild` on an ini naming
it (CKAN's own documents, tests/test_index_rebuild.py). `--web --stock` then starts a second
gunicorn (bench/stock_wsgi.py: the same portal switched to stock CKAN's search by
bench_search's `Modes`) and alternates stock and ours in every measure; `--runs N` repeats
the whole and reports the medians of the runs.

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


def _digest(doc: dict) -> str:
    stable = {k: v for k, v in doc.items() if k not in UNSTABLE}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()


def fingerprints(ids: list[str] | None = None) -> dict[str, str]:
    """id → digest of the stored document, for the whole index (cursor paging) or the
    documents of the given datasets."""
    from ckan.lib.search.common import make_connection

    connection = make_connection(decode_dates=False)
    connection.commit()
    found: dict[str, str] = {}
    if ids is not None:
        for start in range(0, len(ids), 100):
            chunk = " OR ".join(f'"{i}"' for i in ids[start:start + 100])
            for doc in connection.search(q=f"id:({chunk})", fl="*", rows=100).docs:
                found[doc["id"]] = _digest(doc)
        return found
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


def stock_run(ids: list[str] | None = None) -> float:
    from ckan import model
    from ckan.lib import search

    search.clear_all()
    model.Session.remove()
    started = time.perf_counter()
    search.rebuild(defer_commit=True, quiet=True, package_ids=ids)
    search.commit()
    return time.perf_counter() - started


def ours_run(workers: int, batch_size: int, ids: list[str] | None = None) -> float:
    from ckan import model
    from ckan.lib import search
    from ckanext.binhduong import index_rebuild

    search.clear_all()
    model.Session.remove()
    started = time.perf_counter()
    report = index_rebuild.rebuild(ids, workers=workers, batch_size=batch_size)
    if report.failed:
        raise SystemExit(f"our rebuild failed for {len(report.failed)} datasets: {report.failed[:3]}")
    return time.perf_counter() - started


def sample_runs(all_ids: list[str], size: int, workers: int, batch_size: int) -> int:
    """Stock on an evenly spread sample; ours on the same sample, then on the whole catalogue;
    the sample's documents compared between stock and ours' whole-catalogue index."""
    step = max(1, len(all_ids) // size)
    sample = all_ids[::step][:size]
    stock = stock_run(sample)
    stock_index = fingerprints(sample)
    print(f"  stock, sample of {len(sample)}: {stock:7.1f} s ({len(sample) / stock:6.1f}/s)  load {load_average()}",
          flush=True)
    ours_sample = ours_run(workers, batch_size, sample)
    print(f"  ours,  sample of {len(sample)}: {ours_sample:7.1f} s ({len(sample) / ours_sample:6.1f}/s, "
          f"{workers} workers)  load {load_average()}", flush=True)
    ours_all = ours_run(workers, batch_size)
    print(f"  ours,  all {len(all_ids)}: {ours_all:7.1f} s ({len(all_ids) / ours_all:6.1f}/s, {workers} workers)  "
          f"load {load_average()}", flush=True)
    ours_index = fingerprints(sample)
    differing = sorted(i for i in set(stock_index) | set(ours_index) if stock_index.get(i) != ours_index.get(i))
    print(f"  sample: {len(stock_index)} stock documents, {len(ours_index)} of ours, {len(differing)} differ")
    print(f"speed-up on the sample: {stock / ours_sample:.1f}x; stock's sample rate against ours on all: "
          f"{(len(all_ids) / ours_all) / (len(sample) / stock):.1f}x "
          f"(stock at {len(all_ids)}: about {len(all_ids) / (len(sample) / stock):.0f} s, extrapolated)")
    print(peak_rss())
    print(solr_memory())
    print(f"load average after: {load_average()}")
    return 1 if differing else 0


def cli_run(ini: str, args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(harness.ROOT / "var" / "venv" / "bin" / "ckan"), "-c", ini, *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


# -- stock CKAN's search at scale ---------------------------------------------------------------

def stock_core(ini: str) -> tuple[str, str, str]:
    """A stock core beside the ini's own (`<core>_stock`), laid out as bench/bench_search.py lays
    out ckan_bench_stock (by its code), created if missing, and an ini naming it: (stock url,
    stock ini, ours url). Filling it is `ckan -c <stock ini> binhduong search-index-rebuild`
    (CKAN's own documents)."""
    import bench_search

    stock_url, stock_ini, ours_url, _changed = bench_search.stock_core(ini)
    return stock_url, stock_ini, ours_url


def solr_count(url: str) -> int:
    import requests

    return requests.get(f"{url}/select", params={"q": "*:*", "rows": 0, "wt": "json"},
                        timeout=60).json()["response"]["numFound"]


def fill_stock_core(ini: str, workers: int) -> int:
    """Create the stock core and fill it from the ini's database by the batched rebuild
    (whose documents equal stock's: tests/test_index_rebuild.py), timed."""
    stock_url, stock_ini, ours_url = stock_core(ini)
    print(f"stock core {stock_url} ({solr_count(stock_url)} documents), ours {ours_url} "
          f"({solr_count(ours_url)}); stock ini {stock_ini}", flush=True)
    started = time.perf_counter()
    subprocess.run([str(harness.ROOT / "var" / "venv" / "bin" / "ckan"), "-c", stock_ini, "binhduong",
                    "search-index-rebuild", "--workers", str(workers)], check=True)
    elapsed = time.perf_counter() - started
    print(f"stock core filled: {solr_count(stock_url)} documents in {elapsed:.0f} s; load {load_average()}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(harness.ROOT / "var" / "bench.ini"))
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs (default 1)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--cli", action="store_true", help="also time both commands end to end")
    parser.add_argument("--skip-stock", action="store_true", help="time ours only (no comparison)")
    parser.add_argument("--sample", type=int, default=0,
                        help="stock on a sample of this many datasets (every n-th), ours on the sample "
                             "and on all; the sample's documents compared")
    parser.add_argument("--web", action="store_true",
                        help="instead: package_search and pages through gunicorn (2 workers) on the ini")
    parser.add_argument("--passes", type=int, default=2, help="--web: sequential passes over the queries")
    parser.add_argument("--clients", type=int, default=8, help="--web: concurrent clients")
    parser.add_argument("--seconds", type=float, default=30, help="--web: duration of the concurrent run")
    parser.add_argument("--stock", action="store_true",
                        help="--web: also stock CKAN's search on the stock core <core>_stock (see --stock-index), "
                             "alternating with ours")
    parser.add_argument("--runs", type=int, default=1, help="--web: repeat the whole, report medians")
    parser.add_argument("--stock-index", action="store_true",
                        help="instead: create the stock core <core>_stock and fill it from the ini's database")
    args = parser.parse_args()
    if args.stock_index:
        if not pathlib.Path(args.ini).stem.startswith(("bench", "scale")):
            sys.exit("refusing an ini that is not a bench one (var/bench.ini, var/scale.ini)")
        return fill_stock_core(args.ini, args.workers)

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.plugins.toolkit as toolkit

    app = make_app(load_config(args.ini))
    problem = check_bench_ini(toolkit.config)
    if problem:
        print(f"Refusing to run: {problem}. Use var/bench.ini or var/scale.ini (bash bench/bench_env.sh [scale]).", file=sys.stderr)
        return 2
    print(f"machine: {harness.machine('pysolr')}; load average before: {load_average()}", flush=True)
    if args.web:
        with app._wsgi_app.test_request_context("/"):
            return web_run(args.ini, args.passes, args.clients, args.seconds, args.runs, args.stock)
    with app._wsgi_app.test_request_context("/"):
        from ckanext.binhduong import index_rebuild

        all_ids = index_rebuild.dataset_ids()
        count = len(all_ids)
        print(f"catalogue: {count} datasets in the bench database", flush=True)
        if args.sample:
            return sample_runs(all_ids, args.sample, args.workers, args.batch_size)
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


# -- the portal at scale, through production WSGI ---------------------------------------------

PAGES = {"home": "/", "search": "/dataset/?q={q}", "statistics": "/thong-ke"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _process_peaks(root_pid: int) -> dict[str, str]:
    """Peak resident memory (VmHWM) of a process and of its children."""
    peaks = {}
    for status in pathlib.Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        pid = int(status.parent.name)
        if pid == root_pid or fields.get("PPid", "").strip() == str(root_pid):
            role = "gunicorn master" if pid == root_pid else f"gunicorn worker {pid}"
            peaks[role] = fields.get("VmHWM", "?").strip()
    return peaks


def _start_gunicorn(ini: str, module: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [str(harness.ROOT / "var" / "venv" / "bin" / "gunicorn"),
         "--pythonpath", f"{harness.ROOT / 'config'},{harness.ROOT / 'bench'}",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120", module],
        env=dict(os.environ, CKAN_INI=ini, **env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return server, f"http://127.0.0.1:{port}"


def _wait_for(base: str) -> None:
    import requests

    for _ in range(180):
        try:
            if requests.get(f"{base}/api/3/action/status_show", timeout=30).ok:
                return
        except requests.RequestException:  # still starting
            pass
        time.sleep(1)
    raise SystemExit(f"gunicorn at {base} did not answer in 180 s")


def web_run(ini: str, passes: int, clients: int, seconds: float, runs: int = 1, stock: bool = False) -> int:
    """gunicorn with 2 workers on the ini (as config/supervisord.conf.template runs the
    portal) on a spare port: package_search over the API, sequential and at `clients`
    clients, then the home, search and statistics pages. With `stock`, a second gunicorn
    serves the same portal switched to stock CKAN's search (bench/stock_wsgi.py, the stock
    core `<core>_stock`) and every measure alternates stock and ours; `runs` repeats the
    whole and reports the medians of the runs."""
    import concurrent.futures
    import urllib.parse

    import requests

    sys.path.insert(0, str(harness.ROOT / "tests"))
    from search.judgements import QUERIES

    queries = [query for query, _grades in QUERIES]
    servers = {"ours": _start_gunicorn(ini, "wsgi:application", {})}
    if stock:
        stock_url, _stock_ini, _ours_url = stock_core(ini)
        servers["stock"] = _start_gunicorn(ini, "stock_wsgi:application", {"BENCH_STOCK_SOLR_URL": stock_url})
    modes = [mode for mode in ("stock", "ours") if mode in servers]
    bases = {mode: base for mode, (_server, base) in servers.items()}
    results: dict[str, dict[str, list[float]]] = {mode: {} for mode in modes}

    def note(mode: str, what: str, value: float) -> None:
        results[mode].setdefault(what, []).append(value)

    try:
        for base in bases.values():
            _wait_for(base)
        session = requests.Session()

        def search(client: requests.Session, mode: str, query: str) -> float:
            started = time.perf_counter()
            response = client.get(f"{bases[mode]}/api/3/action/package_search",
                                  params={"q": query, "rows": 10}, timeout=60)
            response.raise_for_status()
            return time.perf_counter() - started

        for mode in modes:
            count = session.get(f"{bases[mode]}/api/3/action/package_search", params={"rows": 0}).json()["result"]["count"]
            print(f"{mode}: gunicorn 2 workers at {bases[mode]}; package_search finds {count} datasets", flush=True)
        found = {mode: 0 for mode in modes}
        for query in queries:  # warm-up pass; what each mode finds, to see that they differ
            for mode in modes:
                found[mode] += session.get(f"{bases[mode]}/api/3/action/package_search",
                                           params={"q": query, "rows": 10}, timeout=60).json()["result"]["count"]
        print("results per query (warm-up pass): " + ", ".join(f"{mode} {found[mode] / len(queries):.0f}"
                                                                for mode in modes), flush=True)

        for run in range(runs):
            times: dict[str, list[float]] = {mode: [] for mode in modes}
            for _ in range(passes):
                for query in queries:
                    for mode in modes:
                        times[mode].append(search(session, mode, query))
            for mode in modes:
                note(mode, "api p50", percentile(times[mode], 0.5) * 1000)
                note(mode, "api p95", percentile(times[mode], 0.95) * 1000)
                print(f"run {run + 1} {mode:5} package_search sequential ({len(times[mode])} requests, "
                      f"{len(queries)} queries x {passes}, alternating): p50 {percentile(times[mode], 0.5) * 1000:.0f} ms, "
                      f"p95 {percentile(times[mode], 0.95) * 1000:.0f} ms; load {load_average()}", flush=True)

            for mode in modes:
                def client_loop(n: int, mode: str = mode) -> int:
                    client, done, k = requests.Session(), 0, n * 7
                    deadline = time.perf_counter() + seconds
                    while time.perf_counter() < deadline:
                        search(client, mode, queries[k % len(queries)])
                        done, k = done + 1, k + 1
                    return done

                started = time.perf_counter()
                with concurrent.futures.ThreadPoolExecutor(clients) as pool:
                    done = sum(pool.map(client_loop, range(clients)))
                elapsed = time.perf_counter() - started
                note(mode, "throughput", done / elapsed)
                print(f"run {run + 1} {mode:5} package_search at {clients} clients: {done} requests in {elapsed:.1f} s, "
                      f"{done / elapsed:.1f} requests/s; load {load_average()}", flush=True)

            for page, path in PAGES.items():
                page_modes = modes if "{q}" in path else ["ours"]  # home and statistics: no search to compare
                paths = [path.format(q=urllib.parse.quote(query)) for query in queries[:20]] if "{q}" in path \
                    else [path] * 20
                cold = {}
                for mode in page_modes:
                    started = time.perf_counter()
                    session.get(bases[mode] + paths[0], timeout=120).raise_for_status()
                    cold[mode] = time.perf_counter() - started
                page_times: dict[str, list[float]] = {mode: [] for mode in page_modes}
                for url in paths:
                    for mode in page_modes:
                        started = time.perf_counter()
                        session.get(bases[mode] + url, timeout=120).raise_for_status()
                        page_times[mode].append(time.perf_counter() - started)
                for mode in page_modes:
                    note(mode, f"page {page} p50", percentile(page_times[mode], 0.5) * 1000)
                    note(mode, f"page {page} p95", percentile(page_times[mode], 0.95) * 1000)
                    print(f"run {run + 1} {mode:5} page {page} ({path}): first {cold[mode] * 1000:.0f} ms, then "
                          f"p50 {percentile(page_times[mode], 0.5) * 1000:.0f} ms, "
                          f"p95 {percentile(page_times[mode], 0.95) * 1000:.0f} ms ({len(page_times[mode])} requests)",
                          flush=True)

        print(f"medians of {runs} run(s):")
        for what in results["ours"]:
            line = "  ".join(f"{mode} {statistics.median(results[mode][what]):7.1f}" for mode in modes
                             if what in results[mode])
            ratio = ""
            if "stock" in results and what in results["stock"]:
                ratio = f"  ours/stock {statistics.median(results['ours'][what]) / statistics.median(results['stock'][what]):.2f}"
            unit = "requests/s" if what == "throughput" else "ms"
            print(f"  {what:22} {line} {unit}{ratio}")
        for mode, (server, _base) in servers.items():
            for role, peak in sorted(_process_peaks(server.pid).items()):
                print(f"peak resident {mode} {role}: {peak}")
        print(solr_memory())
        print(f"load average after: {load_average()}")
    finally:
        for server, _base in servers.values():
            server.terminate()
        for server, _base in servers.values():
            server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
