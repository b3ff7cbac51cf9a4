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
import http.server
import importlib.util
import io
import json
import logging
import os
import pathlib
import platform
import sys
import tempfile
import threading
import time
from importlib.metadata import version

ROOT = pathlib.Path(__file__).resolve().parents[1]
PREFIX = "bench-ha-tang"
TARGET_COLD = 30.0


def machine() -> str:
    cpu = "unknown"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (f"nproc={os.cpu_count()} cpu={cpu!r} python {platform.python_version()}, ckan {version('ckan')}, "
            f"ckanext-harvest {version('ckanext-harvest')}, ckanext-xloader {version('ckanext-xloader')}, "
            f"pyproj {version('pyproj')}, pandas {version('pandas')}")


def samples_module():
    path = ROOT / "harvesters" / "samples" / "make_infrastructure_samples.py"
    spec = importlib.util.spec_from_file_location("bd_make_infrastructure_samples_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Served:
    """Files served over HTTP on 127.0.0.1."""

    def __init__(self, files: dict[str, bytes]):
        served = files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = served.get(self.path.lstrip("/").split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "test.ini"))
    parser.add_argument("--stations", type=int, default=3666)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model
    import ckan.plugins as plugins
    import ckan.plugins.toolkit as toolkit
    from ckan.cli.db import _run_migrations

    config = load_config(args.ini)
    config["ckanext.binhduong.harvest_allow_private_addresses"] = "true"
    names = config.get("ckan.plugins")
    names = names.split() if isinstance(names, str) else list(names)
    config["ckan.plugins"] = " ".join([n for n in names if n != "bd_infrastructure"] + ["bd_infrastructure"])
    app = make_app(config)
    database = toolkit.config.get("sqlalchemy.url", "").rsplit("/", 1)[-1]
    if "test" not in database and "bench" not in database:
        print("Refusing to run: the ini file does not point at a test or bench database.", file=sys.stderr)
        return 2
    for plugin in ("activity", "harvest", "tracking"):
        if plugins.plugin_loaded(plugin):
            _run_migrations(plugin)

    from ckan.lib import uploader
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestJob, HarvestObject
    from ckanext.xloader import loader
    import sqlalchemy as sa
    from werkzeug.datastructures import FileStorage

    samples = samples_module()
    started = time.perf_counter()
    files = samples.files(args.stations)
    stations = samples.stations(args.stations)
    csv_name, xlsx_name = "mau-tram-bts.wgs84.csv", "mau-tram-bts.vn2000.xlsx"
    print(f"machine: {machine()}")
    print(f"data: SAMPLE register, {len(stations)} rows ({args.stations} stations + the nasty ones), CSV "
          f"{len(files[csv_name]) / 1024:.0f} KiB, XLSX {len(files[xlsx_name]) / 1024:.0f} KiB, made in "
          f"{time.perf_counter() - started:.1f} s")
    served = Served(files)
    quiet = logging.getLogger("bench")
    quiet.setLevel(logging.WARNING)

    with app._wsgi_app.test_request_context("/"):
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

        def call(action, **data):
            return toolkit.get_action(action)({"user": site_user, "ignore_auth": True}, data)

        dataset_names = [f"{PREFIX}-tram-csv", f"{PREFIX}-xa-csv", f"{PREFIX}-tram-xlsx", f"{PREFIX}-xa-xlsx",
                         f"{PREFIX}-stock"]

        def purge():
            for name in dataset_names + [f"{PREFIX}-source-csv", f"{PREFIX}-source-xlsx"]:
                try:
                    package = call("package_show", id=name)
                except toolkit.ObjectNotFound:
                    continue
                if package.get("type") == "harvest":
                    call("harvest_source_clear", id=package["id"])
                for resource in package.get("resources", []):
                    try:
                        call("datastore_delete", resource_id=resource["id"], force=True)
                    except (toolkit.ObjectNotFound, toolkit.ValidationError):
                        pass
                call("dataset_purge", id=package["id"])
            try:
                call("organization_purge", id=f"{PREFIX}-org")
            except toolkit.ObjectNotFound:
                pass
            model.Session.remove()

        def activities() -> int:
            return model.Session.execute(sa.text("SELECT count(*) FROM activity")).scalar()

        purge()
        organization = call("organization_create", name=f"{PREFIX}-org", title="Sở TT&TT (benchmark)",
                            email="stttt@binhduong.gov.vn")
        harvester = queue.get_harvester("bd_infrastructure")

        def source(kind: str, url: str) -> dict:
            return call("harvest_source_create", name=f"{PREFIX}-source-{kind}", title=f"Trạm BTS {kind} (benchmark, "
                        "dữ liệu mẫu)", url=url, source_type="bd_infrastructure", owner_org=organization["id"],
                        config=json.dumps({"stations": {"name": f"{PREFIX}-tram-{kind}"},
                                           "summary": {"name": f"{PREFIX}-xa-{kind}"}}))

        def harvest(source_id: str) -> tuple[float, dict, int]:
            before = activities()
            began = time.perf_counter()
            job_dict = call("harvest_job_create", source_id=source_id, run=False)
            job = HarvestJob.get(job_dict["id"])
            job.status = "Running"
            job.save()
            object_ids = queue.gather_stage(harvester, job)
            for object_id in object_ids if isinstance(object_ids, list) else []:
                queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
            call("harvest_jobs_run", source_id=source_id)
            elapsed = time.perf_counter() - began
            model.Session.remove()
            return elapsed, call("harvest_job_show", id=job_dict["id"]).get("stats", {}), activities() - before

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

        before = activities()
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
        stock_activities = activities() - before
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
    print(f"  DataStore load of the source CSV (load_csv, in process): "
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
