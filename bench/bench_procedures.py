"""Benchmark of the procedures harvester (bd_procedures) against stock CKAN publishing.

On SAMPLE data of the benchmark's size (1,887 procedures; 36 months x 40 agencies of
statistics, in one XLSX workbook as the TTHC system exports it, served over HTTP on
127.0.0.1), it times three harvests end to end through ckanext-harvest's gather, fetch and
import stages, in process, as the queue consumers run them:

  cold        the first harvest: both datasets created, 4 files written
  no-change   the same source again
  one-row     one procedure renamed in the source

and, on the same workbook in the same run, what stock CKAN does for an agency that publishes
the export by hand or by a script (package_create with the file uploaded, then
resource_update with the file again on each refresh): stock has no content comparison, so
an unchanged refresh rewrites the file and adds an activity, as a changed one does.

What "end to end" covers: fetch, read, normalise, build, schema check, files written,
dataset created/updated and indexed, DataStore load requested. The DataStore load itself is
xloader's asynchronous job (the same for stock and ours) and is not timed here.

    var/venv/bin/python bench/bench_procedures.py [--ini var/bench.ini]   (make bench runs it)

It refuses an ini whose database name lacks "test" or "bench", and purges what it created
(also at the start, after an interrupted run). Do not run it while the test suite runs.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time

from harness import ROOT, Bench, Served, load_ckan, machine

PREFIX = "bench-tthc"
PROCEDURES, MONTHS, AGENCIES = 1887, 36, 40
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "test.ini"))
    args = parser.parse_args()

    app = load_ckan(args.ini)
    import ckan.model as model
    import ckan.plugins as plugins
    from werkzeug.datastructures import FileStorage

    from ckanext.binhduong.harvesters.samples import make_samples

    if not plugins.plugin_loaded("bd_procedures"):
        print("bd_procedures is not in ckan.plugins of", args.ini, file=sys.stderr)
        return 2

    rows = make_samples.procedures(PROCEDURES)
    stats = make_samples.statistics(MONTHS, AGENCIES)
    started = time.perf_counter()
    workbook = make_samples.workbook(rows, stats)
    print(f"machine: {machine('ckanext-harvest', 'pandas')}")
    print(f"data: SAMPLE workbook, {PROCEDURES} procedures, {MONTHS} months x {AGENCIES} agencies "
          f"({len(stats)} rows), {len(workbook) / 1024:.0f} KiB, made in {time.perf_counter() - started:.1f} s")
    served = Served({f"{PREFIX}.xlsx": workbook}, XLSX)

    with app._wsgi_app.test_request_context("/"):
        bench = Bench()
        call = bench.call
        created = ["danh-muc-thu-tuc-hanh-chinh", "tinh-hinh-giai-quyet-ho-so-tthc", f"{PREFIX}-stock", f"{PREFIX}-source"]
        bench.purge(created, [f"{PREFIX}-org"])
        organization = call("organization_create", name=f"{PREFIX}-org", title="Văn phòng UBND tỉnh (benchmark)",
                            email="vanphong@binhduong.gov.vn")
        source = call("harvest_source_create", name=f"{PREFIX}-source", title="TTHC (benchmark, dữ liệu mẫu)",
                      url=served.url(f"{PREFIX}.xlsx"), source_type="bd_procedures", owner_org=organization["id"],
                      config=json.dumps({"frequency": "MONTHLY"}))

        def harvest() -> tuple[float, dict, int]:
            return bench.harvest("bd_procedures", source["id"])

        results = {}
        results["cold"] = harvest()
        results["no-change"] = harvest()
        rows[100] = {**rows[100], "Tên thủ tục": rows[100]["Tên thủ tục"] + " (sửa đổi)"}
        served.files[f"{PREFIX}.xlsx"] = make_samples.workbook(rows, stats)
        results["one-row"] = harvest()

        def upload(data: bytes) -> dict:
            return {"upload": FileStorage(stream=io.BytesIO(data), filename=f"{PREFIX}.xlsx", content_type=XLSX)}

        def stock(first: bool, data: bytes) -> tuple[float, int]:
            before = bench.activities()
            began = time.perf_counter()
            if first:
                package = call("package_create", **{
                    "name": f"{PREFIX}-stock", "title": "Danh mục TTHC (benchmark, tải lên thủ công)",
                    "owner_org": organization["id"], "notes": "Dữ liệu mẫu cho benchmark.",
                    "license_id": "CC-BY-4.0", "theme": ["GOVE"], "spatial_units": ["74"], "frequency": "MONTHLY",
                    "language": ["vi"], "access_rights": "PUBLIC", "author": "Văn phòng UBND tỉnh", "issued": "2024-01-15",
                    "contact": [{"name": "Văn phòng UBND tỉnh", "email": "vanphong@binhduong.gov.vn"}]})
                resource = call("resource_create", package_id=package["id"], name="Danh mục TTHC (XLSX)",
                                format="XLSX", url=f"{PREFIX}.xlsx", **upload(data))
                stock.resource_id = resource["id"]
            else:
                call("resource_patch", id=stock.resource_id, url=f"{PREFIX}.xlsx", **upload(data))
            elapsed = time.perf_counter() - began
            model.Session.remove()
            return elapsed, bench.activities() - before

        unchanged = make_samples.workbook(make_samples.procedures(PROCEDURES), stats)
        stock_results = {"cold": stock(True, unchanged), "no-change": stock(False, unchanged),
                         "one-row": stock(False, served.files[f"{PREFIX}.xlsx"])}
        bench.purge(created, [f"{PREFIX}-org"])

    print("\n                 ours (bd_procedures)                          stock (upload + resource_update)")
    for name in ("cold", "no-change", "one-row"):
        elapsed, report, new_activities = results[name]
        stock_elapsed, stock_activities = stock_results[name]
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.items()) if v)
        print(f"{name:10} {elapsed:7.2f} s  activities +{new_activities}  objects: {counts:24}"
              f"   {stock_elapsed:6.2f} s  activities +{stock_activities}  file rewritten: yes")
    ours_total = sum(results[n][0] for n in results)
    print(f"\nratio no-change ours/stock time: {results['no-change'][0] / stock_results['no-change'][0]:.2f}; "
          f"targets: cold <= 60 s ({'met' if results['cold'][0] <= 60 else 'NOT met'}), "
          f"no-change <= 5 s ({'met' if results['no-change'][0] <= 5 else 'NOT met'}); "
          f"three harvests {ours_total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
