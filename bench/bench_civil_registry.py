"""Benchmark of the civil-registry harvester (bd_civil_registry).

Data: a SYNTHETIC record-level export of 10 years × 91 communes (600,000 events by
default; names, 12-digit ID numbers, birth dates, parents and addresses all invented, as
make_civil_registry_samples.py writes them), one UTF-8 CSV served over HTTP on 127.0.0.1.

Timed, end to end through ckanext-harvest's gather, fetch and import stages in process (as
the queue consumers run them):

  cold        first harvest: fetch, read (only date/place/event/sex kept), map the places,
              count, suppress, build the table, write the CSV, create and index the dataset,
              request the DataStore load
  no-change   the same export again (recognised by its fingerprint: not read again)

Peak memory: the process's peak resident set (VmHWM) during each step, reset before it
through /proc/self/clear_refs; the served export (held in memory by the HTTP thread of this
same process) is part of the baseline printed beside it.

Stock CKAN has no harvester that aggregates record-level data: publishing the export as it is
would publish the personal data, so that is not something to time. The comparison is a
naive pandas baseline on the same file in the same run: pandas.read_csv of the whole file
(every column) and one groupby(place spelling, month, event wording, sex).size() — no place
mapping, no suppression, no totals, nothing written.

    var/venv/bin/python bench/bench_civil_registry.py [--records 600000] [--ini var/bench.ini]

Uses var/bench.ini (bench/bench_env.sh: its own databases and Solr core) when it exists,
else var/test.ini, then holding /tmp/bd-pytest.lock only while it uses the database. It
refuses an ini whose database name lacks "test" or "bench" and purges what it created.
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import pathlib
import sys
import tempfile
import time

from harness import ROOT, Bench, Served, load_ckan, machine

PREFIX = "bench-ho-tich"
DATASET = "thong-ke-su-kien-ho-tich"
EXPORT = "so-ho-tich.csv"


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def rss(field: str) -> float:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def measured(label: str, results: dict):
    gc.collect()
    baseline = rss("VmRSS")
    reset_peak()
    began = time.perf_counter()
    yield
    results[label] = (time.perf_counter() - began, rss("VmHWM"), baseline)


@contextlib.contextmanager
def database_lock(ini_database: str):
    if "test" not in ini_database:
        yield
        return
    with open("/tmp/bd-pytest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=600_000)
    parser.add_argument("--years", type=int, default=10)
    bench_ini = ROOT / "var" / "bench.ini"
    parser.add_argument("--ini", default=str(bench_ini if bench_ini.exists() else ROOT / "var" / "test.ini"))
    parser.add_argument("--profile", action="store_true", help="profile the no-change harvest (cProfile, top 25)")
    parser.add_argument("--data", type=pathlib.Path, default=pathlib.Path(tempfile.gettempdir()) / "bd-bench-ho-tich",
                        help="where the generated export is cached")
    args = parser.parse_args()

    from ckanext.binhduong.harvesters.samples import make_civil_registry_samples as samples

    # Migrations run inside the database lock below (a test database is shared).
    app = load_ckan(args.ini, settings={
        "ckanext.binhduong.harvest_max_bytes": str(1 << 30),  # ten years with personal columns: > 100 MB
    }, plugins=["bd_civil_registry"], migrate=())
    import ckan.plugins as plugins
    import ckan.plugins.toolkit as toolkit
    from ckan.cli.db import _run_migrations

    database = toolkit.config.get("sqlalchemy.url", "").rsplit("/", 1)[-1]

    args.data.mkdir(parents=True, exist_ok=True)
    path = args.data / f"so-ho-tich-{args.records}-{args.years}.csv"
    if not path.exists():
        began = time.perf_counter()
        samples.write_events_csv(path, args.records, args.years)
        print(f"generated {path} in {time.perf_counter() - began:.1f} s")
    export = path.read_bytes()
    print(f"machine: {machine('pandas', 'numpy')}")
    print(f"data: SYNTHETIC export, {args.records:,} records over {args.years} years and 91 communes, "
          f"{len(export) / 1048576:.0f} MiB CSV (UTF-8, 12 columns of which 7 personal)")
    served = Served({EXPORT: export}, "text/csv")

    results: dict = {}
    # The naive pandas baseline first (no database).
    import io

    import pandas as pd

    with measured("pandas baseline", results):
        frame = pd.read_csv(io.BytesIO(export), skiprows=1, dtype=str)
        frame["thang"] = frame["Ngày đăng ký"].str[6:10] + "-" + frame["Ngày đăng ký"].str[3:5]
        counted = frame.groupby(["Nơi đăng ký", "thang", "Loại việc hộ tịch", "Giới tính"], dropna=False).size()
    baseline_cells = len(counted)
    del frame, counted

    with database_lock(database), app._wsgi_app.test_request_context("/"):
        for plugin in ("activity", "harvest", "tracking"):
            if plugins.plugin_loaded(plugin):
                _run_migrations(plugin)
        bench = Bench()
        call = bench.call

        def purge():
            bench.purge([DATASET, f"{PREFIX}-source"], [f"{PREFIX}-org"])

        purge()
        organization = call("organization_create", name=f"{PREFIX}-org", title="Sở Tư pháp (benchmark)",
                            email="sotuphap@binhduong.gov.vn")
        source = call("harvest_source_create", name=f"{PREFIX}-source", title="Hộ tịch (benchmark, dữ liệu mẫu)",
                      url=served.url(EXPORT), source_type="bd_civil_registry", owner_org=organization["id"], config="{}")
        reports = {}

        def harvest(label: str) -> None:
            with measured(label, results):
                job_id = bench.run_job("bd_civil_registry", source["id"])
            reports[label] = call("harvest_job_show", id=job_id).get("stats", {})
            errors = call("harvest_job_report", id=job_id)
            for error in [*errors["gather_errors"], *(e for o in errors["object_errors"].values() for e in o["errors"])]:
                print(f"  {label}: {error['message'][-260:]}")

        harvest("cold")
        package = call("package_show", id=DATASET)
        rows = package["notes"]
        resource = package["resources"][0]
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        harvest("no-change")
        if args.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        published = call("package_show", id=DATASET)
        purge()

    print(f"\npublished: 1 dataset, CSV of {resource['size'] / 1048576:.1f} MiB; pandas baseline: {baseline_cells:,} "
          "groups (raw spellings, no totals, no suppression)")
    print(f"{'step':18} {'time':>8} {'peak RSS':>10} {'RSS before':>11}  objects")
    for label in ("cold", "no-change", "pandas baseline"):
        elapsed, peak, before = results[label]
        counts = ", ".join(f"{k} {v}" for k, v in sorted(reports.get(label, {}).items()) if v)
        print(f"{label:18} {elapsed:7.2f}s {peak:8.0f} MiB {before:8.0f} MiB  {counts}")
    cold, cold_peak, _ = results["cold"]
    nochange = results["no-change"][0]
    print(f"\ntargets: cold <= 90 s ({'met' if cold <= 90 else 'NOT met'}), peak memory <= 1 GiB "
          f"({'met' if cold_peak <= 1024 else 'NOT met'}), no-change <= 5 s ({'met' if nochange <= 5 else 'NOT met'}); "
          f"cold / pandas baseline time: {cold / results['pandas baseline'][0]:.1f}")
    assert published["metadata_modified"] == package["metadata_modified"], "the no-change run changed the dataset"
    del rows
    return 0


if __name__ == "__main__":
    sys.exit(main())
