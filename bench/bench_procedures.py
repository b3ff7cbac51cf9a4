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

    flock /tmp/bd-pytest.lock var/venv/bin/python bench/bench_procedures.py [--ini var/test.ini]

It refuses an ini whose database name lacks "test" or "bench", and purges what it created
(also at the start, after an interrupted run). Do not run it while the test suite runs.
"""
from __future__ import annotations

import argparse
import http.server
import io
import json
import os
import pathlib
import platform
import sys
import threading
import time
from importlib.metadata import version

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "harvesters" / "samples"))

PREFIX = "bench-tthc"
PROCEDURES, MONTHS, AGENCIES = 1887, 36, 40


def machine() -> str:
    cpu = "unknown"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (f"nproc={os.cpu_count()} cpu={cpu!r} python {platform.python_version()}, ckan {version('ckan')}, "
            f"ckanext-harvest {version('ckanext-harvest')}, pandas {version('pandas')}")


class Served:
    """One file served over HTTP on 127.0.0.1, replaceable between runs."""

    def __init__(self):
        self.body = b""
        served = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                self.send_header("Content-Length", str(len(served.body)))
                self.end_headers()
                self.wfile.write(served.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/{PREFIX}.xlsx"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "test.ini"))
    args = parser.parse_args()

    import make_samples
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model
    import ckan.plugins as plugins
    import ckan.plugins.toolkit as toolkit
    from ckan.cli.db import _run_migrations

    config = load_config(args.ini)
    config["ckanext.binhduong.harvest_allow_private_addresses"] = "true"
    app = make_app(config)
    database = toolkit.config.get("sqlalchemy.url", "").rsplit("/", 1)[-1]
    if "test" not in database and "bench" not in database:
        print("Refusing to run: the ini file does not point at a test or bench database.", file=sys.stderr)
        return 2
    for plugin in ("activity", "harvest", "tracking"):
        if plugins.plugin_loaded(plugin):
            _run_migrations(plugin)
    if not plugins.plugin_loaded("bd_procedures"):
        print("bd_procedures is not in ckan.plugins of", args.ini, file=sys.stderr)
        return 2

    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject
    import sqlalchemy as sa
    from werkzeug.datastructures import FileStorage

    rows = make_samples.procedures(PROCEDURES)
    stats = make_samples.statistics(MONTHS, AGENCIES)
    started = time.perf_counter()
    workbook = make_samples.workbook(rows, stats)
    print(f"machine: {machine()}")
    print(f"data: SAMPLE workbook, {PROCEDURES} procedures, {MONTHS} months x {AGENCIES} agencies "
          f"({len(stats)} rows), {len(workbook) / 1024:.0f} KiB, made in {time.perf_counter() - started:.1f} s")
    served = Served()
    served.body = workbook

    with app._wsgi_app.test_request_context("/"):
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

        def call(action, **data):
            return toolkit.get_action(action)({"user": site_user, "ignore_auth": True}, data)

        def purge():
            for kind, name in (("dataset", "danh-muc-thu-tuc-hanh-chinh"), ("dataset", "tinh-hinh-giai-quyet-ho-so-tthc"),
                               ("dataset", f"{PREFIX}-stock"), ("harvest", f"{PREFIX}-source")):
                try:
                    package = call("package_show", id=name)
                except toolkit.ObjectNotFound:
                    continue
                if kind == "harvest":
                    call("harvest_source_clear", id=package["id"])
                call("dataset_purge", id=package["id"])
            try:
                call("organization_purge", id=f"{PREFIX}-org")
            except toolkit.ObjectNotFound:
                pass
            model.Session.remove()

        def activities() -> int:
            return model.Session.execute(sa.text("SELECT count(*) FROM activity")).scalar()

        purge()
        organization = call("organization_create", name=f"{PREFIX}-org", title="Văn phòng UBND tỉnh (benchmark)",
                            email="vanphong@binhduong.gov.vn")
        source = call("harvest_source_create", name=f"{PREFIX}-source", title="TTHC (benchmark, dữ liệu mẫu)",
                      url=served.url, source_type="bd_procedures", owner_org=organization["id"],
                      config=json.dumps({"frequency": "MONTHLY"}))
        harvester = queue.get_harvester("bd_procedures")

        def harvest() -> tuple[float, dict, int]:
            before = activities()
            began = time.perf_counter()
            job_dict = call("harvest_job_create", source_id=source["id"], run=False)
            job = HarvestJob.get(job_dict["id"])
            job.status = "Running"
            job.save()
            object_ids = queue.gather_stage(harvester, job)
            for object_id in object_ids if isinstance(object_ids, list) else []:
                queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
            call("harvest_jobs_run", source_id=source["id"])
            elapsed = time.perf_counter() - began
            model.Session.remove()
            report = call("harvest_job_show", id=job_dict["id"]).get("stats", {})
            return elapsed, report, activities() - before

        results = {}
        results["cold"] = harvest()
        results["no-change"] = harvest()
        rows[100] = {**rows[100], "Tên thủ tục": rows[100]["Tên thủ tục"] + " (sửa đổi)"}
        served.body = make_samples.workbook(rows, stats)
        results["one-row"] = harvest()

        def upload(data: bytes) -> dict:
            return {"upload": FileStorage(stream=io.BytesIO(data), filename=f"{PREFIX}.xlsx",
                                          content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}

        def stock(first: bool, data: bytes) -> tuple[float, int]:
            before = activities()
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
            return elapsed, activities() - before

        unchanged = make_samples.workbook(make_samples.procedures(PROCEDURES), stats)
        stock_results = {"cold": stock(True, unchanged), "no-change": stock(False, unchanged),
                         "one-row": stock(False, served.body)}
        purge()

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
