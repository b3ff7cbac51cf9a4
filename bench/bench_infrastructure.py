"""Benchmark of the infrastructure harvester (bd_infrastructure) against stock CKAN publishing.

On a SAMPLE register of the province's size (3,666 BTS stations, made by
harvesters/samples/make_infrastructure_samples.py, every nasty case included), served over
HTTP on 127.0.0.1, it times harvests end to end through ckanext-harvest's gather, fetch and
import stages, in process, as the queue consumers run them:

  cold (CSV, WGS84)     the first harvest: stations (CSV + GeoJSON, extent, map view) and the
                        per-commune summary (CSV + JSON) created
  no-change             the same source again
  cold (XLSX, VN-2000)  a second source of the same stations in VN-2000 grid metres (3,666
                        points reprojected), published under other dataset names

and, on the same CSV in the same run, what stock CKAN does for an agency that uploads the
register by hand: package_create + resource_create with the CSV uploaded. The DataStore load
is xloader's asynchronous job in both cases; to compare like with like it is timed here too,
in process (ckanext.xloader.loader.load_csv on the test DataStore): the source CSV for stock,
our published stations CSV for ours. Stock gives neither a map, nor checks, nor the summary.

    flock /tmp/bd-pytest.lock var/venv/bin/python bench/bench_infrastructure.py [--stations 3666] [--ini var/test.ini]

It refuses an ini whose database name lacks "test" or "bench", and purges what it created
(also at the start, after an interrupted run). Do not run it while the test suite runs.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import sys
import tempfile
import time

from harness import ROOT, Bench, Served, load_ckan, machine

PREFIX = "bench-ha-tang"
TARGET_COLD = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "test.ini"))
    parser.add_argument("--stations", type=int, default=3666)
    args = parser.parse_args()

    app = load_ckan(args.ini, plugins=["bd_infrastructure"])
    import ckan.model as model
    from ckan.lib import uploader
    from ckanext.xloader import loader
    from werkzeug.datastructures import FileStorage

    from ckanext.binhduong.harvesters.samples import make_infrastructure_samples as samples

    started = time.perf_counter()
    files = samples.files(args.stations)
    stations = samples.stations(args.stations)
    csv_name, xlsx_name = "mau-tram-bts.wgs84.csv", "mau-tram-bts.vn2000.xlsx"
    print(f"machine: {machine('ckanext-harvest', 'ckanext-xloader', 'pyproj', 'pandas')}")
    print(f"data: SAMPLE register, {len(stations)} rows ({args.stations} stations + the nasty ones), CSV "
          f"{len(files[csv_name]) / 1024:.0f} KiB, XLSX {len(files[xlsx_name]) / 1024:.0f} KiB, made in "
          f"{time.perf_counter() - started:.1f} s")
    served = Served(files)
    quiet = logging.getLogger("bench")
    quiet.setLevel(logging.WARNING)

    with app._wsgi_app.test_request_context("/"):
        bench = Bench()
        call = bench.call
        created = [f"{PREFIX}-tram-csv", f"{PREFIX}-xa-csv", f"{PREFIX}-tram-xlsx", f"{PREFIX}-xa-xlsx",
                   f"{PREFIX}-stock", f"{PREFIX}-source-csv", f"{PREFIX}-source-xlsx"]

        def purge():
            bench.purge(created, [f"{PREFIX}-org"])

        purge()
        organization = call("organization_create", name=f"{PREFIX}-org", title="Sở TT&TT (benchmark)",
                            email="stttt@binhduong.gov.vn")

        def source(kind: str, url: str) -> dict:
            return call("harvest_source_create", name=f"{PREFIX}-source-{kind}", title=f"Trạm BTS {kind} (benchmark, "
                        "dữ liệu mẫu)", url=url, source_type="bd_infrastructure", owner_org=organization["id"],
                        config=json.dumps({"stations": {"name": f"{PREFIX}-tram-{kind}"},
                                           "summary": {"name": f"{PREFIX}-xa-{kind}"}}))

        def harvest(source_id: str) -> tuple[float, dict, int]:
            return bench.harvest("bd_infrastructure", source_id)

        def load(resource: dict, path: str) -> float:
            began = time.perf_counter()
            loader.load_csv(path, resource_id=resource["id"], mimetype="text/csv", logger=quiet)
            elapsed = time.perf_counter() - began
            model.Session.remove()
            return elapsed

        csv_source = source("csv", served.url(csv_name))
        results = {"cold (CSV, WGS84)": harvest(csv_source["id"])}
        results["no-change"] = harvest(csv_source["id"])
        results["cold (XLSX, VN-2000)"] = harvest(source("xlsx", served.url(xlsx_name))["id"])
        published = call("package_show", id=f"{PREFIX}-tram-csv")
        ours_csv = next(r for r in published["resources"] if r["format"] == "CSV")
        valid = sum(1 for s in stations if s["code"] and samples.is_valid(s))
        ours_load = load(ours_csv, uploader.get_resource_uploader(dict(ours_csv)).get_path(ours_csv["id"]))

        before = bench.activities()
        began = time.perf_counter()
        package = call("package_create", **{
            "name": f"{PREFIX}-stock", "title": "Trạm BTS (benchmark, tải lên thủ công)",
            "owner_org": organization["id"], "notes": "Dữ liệu mẫu cho benchmark.", "license_id": "CC-BY-4.0",
            "theme": ["TECH"], "spatial_units": ["74"], "frequency": "QUARTERLY", "language": ["vi"],
            "access_rights": "PUBLIC", "author": "Sở TT&TT", "issued": "2024-01-15",
            "contact": [{"name": "Sở TT&TT", "email": "stttt@binhduong.gov.vn"}]})
        stock_resource = call("resource_create", package_id=package["id"], name="Trạm BTS (CSV)", format="CSV",
                              url=csv_name, upload=FileStorage(stream=io.BytesIO(files[csv_name]), filename=csv_name,
                                                               content_type="text/csv"))
        stock_upload = time.perf_counter() - began
        stock_activities = bench.activities() - before
        model.Session.remove()
        with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
            handle.write(files[csv_name])
            handle.flush()
            try:
                stock_load = load(stock_resource, handle.name)
                stock_load_note = ""
            except Exception as error:  # the register's title row above the header trips xloader
                stock_load, stock_load_note = None, f"load_csv failed: {type(error).__name__}: {str(error)[:120]}"
                model.Session.rollback()
        purge()

    print(f"\nours (bd_infrastructure), {valid} valid stations mapped of {len([s for s in stations if s['code']])}:")
    for name, (elapsed, report, new_activities) in results.items():
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.items()) if v)
        print(f"  {name:22} {elapsed:7.2f} s  activities +{new_activities}  objects: {counts}")
    print(f"  DataStore load of our stations CSV (load_csv, in process): {ours_load:.2f} s")
    print("stock (package_create + resource_create with the CSV uploaded):")
    print(f"  upload                 {stock_upload:7.2f} s  activities +{stock_activities}")
    print("  DataStore load of the source CSV (load_csv, in process): "
          + (f"{stock_load:.2f} s" if stock_load is not None else stock_load_note))
    cold = results["cold (CSV, WGS84)"][0]
    ours_total = cold + ours_load
    stock_total = stock_upload + (stock_load or 0)
    print(f"\ncold harvest + load {ours_total:.2f} s vs stock upload + load {stock_total:.2f} s: ratio "
          f"{ours_total / stock_total:.1f}; target cold <= {TARGET_COLD:.0f} s: "
          f"{'met' if cold <= TARGET_COLD else 'NOT met'} (CSV), "
          f"{'met' if results['cold (XLSX, VN-2000)'][0] <= TARGET_COLD else 'NOT met'} (XLSX, VN-2000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
