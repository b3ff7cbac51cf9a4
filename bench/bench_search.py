"""Search latency and throughput, stock configuration against ours, same data, same run (issue 15).

In process on the bench environment (bench/bench_env.sh: its own databases and Solr core
ckan_bench, which carries our schema). Stock gets a second Solr core, ckan_bench_stock, laid out
here: CKAN 2.12's own schema.xml unchanged, our solrconfig.xml without its Vietnamese parts (the
pf2/pf3 phrase defaults, the spelling handler), indexed from the same database by the same
command (`ckan binhduong search-index-rebuild`, which sends CKAN's own documents). The two modes:

- stock: CKAN's core and CKAN's own query (dismax over name^4 title^4 tags^2 groups^2 text,
  mm 2<-1 5<80%: our `search_ranking.tune` and the spelling step are switched off), and
  ckanext-tracking's own hooks (one SQL query per result and per resource);
- ours: our core, our edismax ({!edismax q.op=OR}, mm 2<-1 5<80%) over the Vietnamese fields
  with the phrase boosts and synonyms
  (search_ranking.py), the spelling and phrase steps (search_spelling.py) and the batched
  tracking summaries (search_tracking.py).

Everything else of the portal (templates, other plugins, visibility filters) is the same in both.
The queries are the judged set of tests/search/judgements.py (92 citizen queries). Measured:

1. `package_search` as the API calls it (rows=10), sequential, inside a request, each query
   by both modes in turn (stock, ours, stock, ours, ...) after one warm-up pass: p50, p95;
2. throughput at N clients (default 8): N forked processes each run the whole query list
   (each from a different start), one mode at a time, the modes alternating per round;
   queries per second over the wall time of the round (the median round is reported);
3. the search page GET /dataset/?q=... through the Flask test client (the whole request:
   routing, the search, the templates), sequential, alternating: p50, p95.

    var/venv/bin/python bench/bench_search.py --ini var/bench.ini [--repeat 5]
"""
from __future__ import annotations

import argparse
import configparser
import multiprocessing
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def stock_solrconfig() -> bytes:
    """Our solrconfig.xml without what we added for Vietnamese: same caches and handlers."""
    tree = ET.parse(ROOT / "config" / "solr" / "solrconfig.xml")
    root = tree.getroot()
    for handler in root.findall("requestHandler"):
        if handler.get("name") == "/bd-spell":
            root.remove(handler)
        elif handler.get("name") == "/select":
            defaults = handler.find("lst[@name='defaults']")
            for item in list(defaults):
                if item.get("name") in ("pf2", "pf3", "ps2", "ps3"):
                    defaults.remove(item)
    for component in root.findall("searchComponent"):
        if component.get("name") == "spellcheck":
            root.remove(component)
    return b"<?xml version='1.0' encoding='UTF-8'?>\n<!-- bench/bench_search.py: stock CKAN core -->\n" + \
        ET.tostring(root, encoding="utf-8")


def stock_core(ini: str) -> tuple[str, str, str, bool]:
    """The stock core beside the ini's own (`<core>_stock`: CKAN 2.12's schema.xml unchanged, our
    solrconfig.xml without its Vietnamese parts), created if missing, and an ini naming it:
    (stock url, stock ini, ours url, whether its configuration changed). Also used by
    bench_scale.py for the 100,000-dataset core."""
    import ckan

    parser = configparser.RawConfigParser(strict=False)
    parser.read(ini)
    ours_url = parser.get("app:main", "solr_url")
    base, core = ours_url.rsplit("/", 1)
    name = f"{core}_stock"
    stock_url = f"{base}/{name}"
    home = ROOT / "var" / "solr" / "home" / name
    conf = home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    schema = pathlib.Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"
    wanted = {"schema.xml": schema.read_bytes(), "solrconfig.xml": stock_solrconfig(),
              "synonyms.txt": b"", "protwords.txt": b""}
    changed = False
    for file_name, content in wanted.items():
        path = conf / file_name
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
            changed = True
    ping = requests.get(f"{stock_url}/admin/ping", params={"wt": "json"}, timeout=30)
    if ping.status_code != 200:
        (home / "core.properties").unlink(missing_ok=True)
        requests.get(f"{base}/admin/cores", params={"action": "CREATE", "name": name,
                                                    "instanceDir": name, "wt": "json"},
                     timeout=120).raise_for_status()
    elif changed:
        requests.get(f"{base}/admin/cores", params={"action": "RELOAD", "core": name, "wt": "json"},
                     timeout=120).raise_for_status()
    stock_ini = str(pathlib.Path(ini).with_name(pathlib.Path(ini).stem + "-stock.ini"))
    text = pathlib.Path(ini).read_text()
    pathlib.Path(stock_ini).write_text(text.replace(f"solr_url = {ours_url}", f"solr_url = {stock_url}"))
    os.chmod(stock_ini, 0o600)
    return stock_url, stock_ini, ours_url, changed


def ensure_stock_core(ini: str, rebuild: bool) -> tuple[str, str]:
    """The stock core (created, indexed like ours) and an ini naming it; (solr url, ini path)."""
    stock_url, stock_ini, ours_url, changed = stock_core(ini)
    rebuild = rebuild or changed

    def count(url: str) -> int:
        return requests.get(f"{url}/select", params={"q": "*:*", "rows": 0, "wt": "json"},
                            timeout=30).json()["response"]["numFound"]

    if rebuild or count(stock_url) != count(ours_url):
        print(f"indexing the stock core {stock_url} from the bench database ...", flush=True)
        subprocess.run([str(ROOT / "var" / "venv" / "bin" / "ckan"), "-c", stock_ini, "binhduong",
                        "search-index-rebuild"], check=True, stdout=subprocess.DEVNULL)
    return stock_url, stock_ini


class Modes:
    """Switches the running CKAN between the stock and our search configuration."""

    def __init__(self, stock_url: str):
        import ckan.plugins.toolkit as toolkit
        from ckanext.tracking.plugin import TrackingPlugin

        from ckanext.binhduong import search_ranking, search_spelling, search_tracking

        self.config, self.plugin = toolkit.config, TrackingPlugin
        self.ranking, self.spelling = search_ranking, search_spelling
        self.urls = {"stock": stock_url, "ours": toolkit.config["solr_url"]}
        self.hooks = {"stock": search_tracking.STOCK_HOOKS,
                      "ours": (TrackingPlugin.after_dataset_search, TrackingPlugin.after_dataset_show)}
        self.tune = {"stock": lambda params: params, "ours": search_ranking.tune}
        self.correct = {"stock": lambda up_func, context, data_dict: up_func(context, data_dict),
                        "ours": search_spelling.search_with_correction}

    def set(self, mode: str) -> None:
        self.config["solr_url"] = self.urls[mode]
        self.plugin.after_dataset_search, self.plugin.after_dataset_show = self.hooks[mode]
        self.ranking.tune = self.tune[mode]
        self.spelling.search_with_correction = self.correct[mode]


def client(app, modes: Modes, mode: str, queries: list[str], offset: int, rows: int, go, done) -> None:
    """A forked client: fresh database connections, then the whole list from its own start."""
    import ckan.plugins.toolkit as toolkit
    from ckan import model

    model.meta.engine.dispose(close=False)
    with app._wsgi_app.test_request_context("/"):
        modes.set(mode)
        search = toolkit.get_action("package_search")
        go.wait()
        for query in queries[offset:] + queries[:offset]:
            search({"ignore_auth": True}, {"q": query, "rows": rows})
    done.put(time.perf_counter())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ini", default=str(ROOT / "var" / "bench.ini"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds per mode")
    parser.add_argument("--page-repeat", type=int, default=1)
    parser.add_argument("--rebuild-stock", action="store_true", help="re-index the stock core")
    args = parser.parse_args()
    if "bench" not in args.ini and "test" not in args.ini:
        sys.exit("refusing an ini that is neither a bench nor a test configuration")

    stock_url, _ = ensure_stock_core(args.ini, args.rebuild_stock)

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    import ckan
    import ckan.plugins.toolkit as toolkit

    from search.judgements import QUERIES

    queries = [query for query, _ in QUERIES]
    modes = Modes(stock_url)
    search = toolkit.get_action("package_search")

    def run(mode: str, query: str) -> tuple[float, int]:
        modes.set(mode)
        started = time.perf_counter()
        result = search({"ignore_auth": True}, {"q": query, "rows": args.rows})
        return time.perf_counter() - started, result["count"]

    totals = {}
    times = {"stock": [], "ours": []}
    counts = {"stock": 0, "ours": 0}
    with app._wsgi_app.test_request_context("/"):
        for mode in ("stock", "ours"):
            modes.set(mode)
            totals[mode] = search({"ignore_auth": True}, {"q": "*:*", "rows": 0})["count"]
        for query in queries:  # warm-up: Solr caches, SQLAlchemy
            run("stock", query), run("ours", query)
        for _ in range(args.repeat):
            for query in queries:
                for mode in ("stock", "ours"):
                    elapsed, count = run(mode, query)
                    times[mode].append(elapsed)
                    counts[mode] += count
        modes.set("ours")

    # Throughput: forked clients, one mode per round, alternating.
    fork = multiprocessing.get_context("fork")
    rates = {"stock": [], "ours": []}
    from ckan import model
    model.Session.remove()
    model.meta.engine.dispose()
    for _ in range(args.rounds):
        for mode in ("stock", "ours"):
            go, done = fork.Event(), fork.Queue()
            workers = [fork.Process(target=client, args=(app, modes, mode, queries,
                                                         i * len(queries) // args.clients, args.rows, go, done))
                       for i in range(args.clients)]
            for worker in workers:
                worker.start()
            time.sleep(3)  # every client loaded and waiting
            started = time.perf_counter()
            go.set()
            ends = [done.get(timeout=600) for _ in workers]
            for worker in workers:
                worker.join()
            rates[mode].append(args.clients * len(queries) / (max(ends) - started))

    # The search page through the Flask test client.
    pages = {"stock": [], "ours": []}
    web = app._wsgi_app.test_client()

    def page(mode: str, query: str) -> float:
        modes.set(mode)
        started = time.perf_counter()
        response = web.get("/dataset/?" + urllib.parse.urlencode({"q": query}))
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{mode} page for {query!r}: HTTP {response.status_code}")
        return elapsed

    for query in queries[:10]:  # warm-up: templates
        page("stock", query), page("ours", query)
    for _ in range(args.page_repeat):
        for query in queries:
            for mode in ("stock", "ours"):
                pages[mode].append(page(mode, query))
    modes.set("ours")

    print(f"machine: nproc={os.cpu_count()} python {platform.python_version()}, ckan {ckan.__version__}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"index: stock core {totals['stock']} datasets, ours {totals['ours']}; {len(queries)} queries, "
          f"rows={args.rows}")
    print(f"package_search, sequential ({args.repeat} runs of each query, alternating stock/ours after a warm-up):")
    for mode in ("stock", "ours"):
        values = [value * 1000 for value in times[mode]]
        print(f"  {mode:5}  p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 0.95):6.1f} ms  "
              f"mean {statistics.mean(values):6.1f} ms  results per query {counts[mode] / len(values):.0f}")
    print(f"  p50 ours/stock {statistics.median(times['ours']) / statistics.median(times['stock']):.2f}  "
          f"p95 ours/stock {percentile(times['ours'], 0.95) / percentile(times['stock'], 0.95):.2f}")
    print(f"package_search, {args.clients} clients (forked processes), {args.rounds} rounds per mode, alternating:")
    for mode in ("stock", "ours"):
        print(f"  {mode:5}  median {statistics.median(rates[mode]):6.1f} queries/s  "
              f"(rounds: {', '.join(f'{rate:.1f}' for rate in rates[mode])})")
    print(f"  throughput ours/stock {statistics.median(rates['ours']) / statistics.median(rates['stock']):.2f}")
    print(f"search page GET /dataset/?q=... (Flask test client, {args.page_repeat} run(s) of each query, alternating):")
    for mode in ("stock", "ours"):
        values = [value * 1000 for value in pages[mode]]
        print(f"  {mode:5}  p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 0.95):6.1f} ms")
    print(f"  p50 ours/stock {statistics.median(pages['ours']) / statistics.median(pages['stock']):.2f}  "
          f"p95 ours/stock {percentile(pages['ours'], 0.95) / percentile(pages['stock'], 0.95):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
