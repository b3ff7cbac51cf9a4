"""Search latency and throughput, stock configuration against ours, same data, same run (issue 15).

In process on the bench environment (bench/bench_env.sh: its own databases and Solr core, whose
configuration is ours, so both runs read the same index), through the `package_search` action
as the API calls it (rows=10), inside a request:

- stock: what CKAN 2.12 does without our search work: dismax over CKAN's own fields
  (name^4 title^4 tags^2 groups^2 text, mm 2<-1 5<80%), and ckanext-tracking's own hooks
  (one SQL query per result and per resource);
- ours: our edismax over the Vietnamese fields with the phrase boosts and synonyms
  (search_ranking.py), the zero-result spelling retry (search_spelling.py) and the batched
  tracking summaries (search_tracking.py).

The queries are the judged set of tests/search/judgements.py (92 citizen queries), each run by
both configurations in turn (stock, ours, stock, ours, ...), after one warm-up pass.

    var/venv/bin/python bench/bench_search.py --ini var/bench.ini [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

STOCK_QF = "name^4 title^4 tags^2 groups^2 text"
STOCK_MM = "2<-1 5<80%"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ini", default=str(ROOT / "var" / "bench.ini"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10)
    args = parser.parse_args()
    if "bench" not in args.ini and "test" not in args.ini:
        sys.exit("refusing an ini that is neither a bench nor a test configuration")

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    import ckan
    import ckan.plugins.toolkit as toolkit
    from ckanext.tracking.plugin import TrackingPlugin

    from ckanext.binhduong import search_tracking
    from search.judgements import QUERIES

    queries = [query for query, _ in QUERIES]
    search = toolkit.get_action("package_search")
    ours_hooks = (TrackingPlugin.after_dataset_search, TrackingPlugin.after_dataset_show)
    stock_hooks = search_tracking.STOCK_HOOKS

    def run(mode: str, query: str) -> tuple[float, int]:
        if mode == "stock":
            TrackingPlugin.after_dataset_search, TrackingPlugin.after_dataset_show = stock_hooks
            params = {"q": query, "rows": args.rows, "defType": "dismax", "qf": STOCK_QF, "mm": STOCK_MM}
        else:
            TrackingPlugin.after_dataset_search, TrackingPlugin.after_dataset_show = ours_hooks
            params = {"q": query, "rows": args.rows}
        started = time.perf_counter()
        result = search({"ignore_auth": True}, params)
        return time.perf_counter() - started, result["count"]

    with app._wsgi_app.test_request_context():
        total = search({"ignore_auth": True}, {"q": "*:*", "rows": 0})["count"]
        for query in queries:  # warm-up: Solr caches, SQLAlchemy, templates of nothing
            run("stock", query), run("ours", query)
        times = {"stock": [], "ours": []}
        counts = {"stock": 0, "ours": 0}
        walls = {"stock": 0.0, "ours": 0.0}
        for _ in range(args.repeat):
            for query in queries:
                for mode in ("stock", "ours"):
                    elapsed, count = run(mode, query)
                    times[mode].append(elapsed)
                    walls[mode] += elapsed
                    counts[mode] += count
        TrackingPlugin.after_dataset_search, TrackingPlugin.after_dataset_show = ours_hooks

    print(f"machine: nproc={os.cpu_count()} python {platform.python_version()}, ckan {ckan.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"index: {total} datasets; {len(queries)} queries x {args.repeat} runs each, rows={args.rows}, "
          f"alternating stock/ours after one warm-up pass")
    for mode in ("stock", "ours"):
        values = [value * 1000 for value in times[mode]]
        print(f"{mode:5}  p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 0.95):6.1f} ms  "
              f"mean {statistics.mean(values):6.1f} ms  throughput {len(values) / walls[mode]:6.1f} queries/s "
              f"(one client)  results per query {counts[mode] / len(values):.0f}")
    ratio = percentile(times["ours"], 0.95) / percentile(times["stock"], 0.95)
    print(f"p95 ours/stock: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
