"""What every benchmark needs, in one place: the machine line, sample files served over HTTP
on 127.0.0.1, CKAN loaded in process on a test or bench database (never the portal's), and,
inside a request, actions as the site user, purging what a run made and one harvest job run
through ckanext-harvest's gather, fetch and import stages as the queue consumers run them.

The benchmarks import it as ``harness`` (``python bench/bench_x.py`` puts bench/ on the path).
The sample generators are the package ``ckanext.binhduong.harvesters.samples``.
"""
from __future__ import annotations

import http.server
import os
import pathlib
import platform
import sys
import threading
import time
from importlib.metadata import version
from typing import Any, Iterable

ROOT = pathlib.Path(__file__).resolve().parents[1]

__all__ = ["ROOT", "machine", "Served", "load_ckan", "Bench"]


def machine(*packages: str) -> str:
    """CPUs, CPU model, Python, and the versions of CKAN and the packages named."""
    cpu = next((line.split(":", 1)[1].strip() for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown")
    versions = ", ".join(f"{name} {version(name)}" for name in ("ckan", *packages))
    return f"nproc={os.cpu_count()} cpu={cpu!r} python {platform.python_version()}, {versions}"


class Served:
    """Files served over HTTP on 127.0.0.1 by name (``files`` may change between runs; an
    unknown name is a 404)."""

    def __init__(self, files: dict[str, bytes], content_type: str = "application/octet-stream"):
        self.files = files
        served = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                body = served.files.get(self.path.lstrip("/").split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{name}"


def load_ckan(ini: str, settings: dict[str, str] | None = None, plugins: Iterable[str] = (),
              migrate: Iterable[str] = ("activity", "harvest", "tracking")):
    """CKAN's app for ``ini`` with ``settings`` over it and ``plugins`` loaded too; the
    plugins' migrations brought to head (test runs reset the database and restore only the
    tables of the plugins they load). Exits (2) when the ini's database is not a test or bench
    one: a benchmark creates and purges thousands of rows."""
    from ckan.cli import load_config
    from ckan.cli.db import _run_migrations
    from ckan.config.middleware import make_app
    import ckan.plugins as ckan_plugins
    import ckan.plugins.toolkit as toolkit

    config = load_config(ini)
    config["ckanext.binhduong.harvest_allow_private_addresses"] = "true"  # the samples are on 127.0.0.1
    config.update(settings or {})
    names = config.get("ckan.plugins")
    names = names.split() if isinstance(names, str) else list(names)
    config["ckan.plugins"] = " ".join([*names, *(name for name in plugins if name not in names)])
    app = make_app(config)
    database = toolkit.config.get("sqlalchemy.url", "").rsplit("/", 1)[-1]
    # ckan_scale: bench/bench_env.sh scale, the 100,000-dataset bench environment.
    if "test" not in database and "bench" not in database and database != "ckan_scale":
        print("Refusing to run: the ini file does not point at a test or bench database.", file=sys.stderr)
        raise SystemExit(2)
    for plugin in migrate:
        if ckan_plugins.plugin_loaded(plugin):
            _run_migrations(plugin)
    return app


class Bench:
    """Actions as the site user, inside a request context the caller holds open."""

    def __init__(self):
        import ckan.plugins.toolkit as toolkit

        self.toolkit = toolkit
        self.site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def call(self, action: str, **data: Any) -> Any:
        return self.toolkit.get_action(action)({"user": self.site_user, "ignore_auth": True}, data)

    def activities(self) -> int:
        import ckan.model as model
        import sqlalchemy as sa

        return model.Session.execute(sa.text("SELECT count(*) FROM activity")).scalar()

    def purge(self, datasets: Iterable[str] = (), organizations: Iterable[str] = ()) -> None:
        """Datasets and harvest sources by name (a source's jobs and objects first, the
        DataStore tables of their resources too), then the organizations; what is not there
        is skipped, so a run interrupted earlier is cleaned up the same way."""
        import ckan.model as model

        not_found = self.toolkit.ObjectNotFound
        for name in datasets:
            try:
                package = self.call("package_show", id=name)
            except not_found:
                continue
            if package.get("type") == "harvest":
                self.call("harvest_source_clear", id=package["id"])
            for resource in package.get("resources", []):
                try:
                    self.call("datastore_delete", resource_id=resource["id"], force=True)
                except (not_found, self.toolkit.ValidationError):
                    pass
            self.call("dataset_purge", id=package["id"])
        for name in organizations:
            try:
                self.call("organization_purge", id=name)
            except not_found:
                pass
        model.Session.remove()

    def run_job(self, harvester_name: str, source_id: str) -> str:
        """One harvest job of the source, its stages run here in turn; the job's id."""
        import ckan.model as model
        from ckanext.harvest import queue
        from ckanext.harvest.model import HarvestJob, HarvestObject

        harvester = queue.get_harvester(harvester_name)
        job_dict = self.call("harvest_job_create", source_id=source_id, run=False)
        job = HarvestJob.get(job_dict["id"])
        job.status = "Running"
        job.save()
        object_ids = queue.gather_stage(harvester, job)
        for object_id in object_ids if isinstance(object_ids, list) else []:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        self.call("harvest_jobs_run", source_id=source_id)
        model.Session.remove()
        return job_dict["id"]

    def harvest(self, harvester_name: str, source_id: str) -> tuple[float, dict, int]:
        """(seconds, the job's object counts, activities added) of one timed job."""
        before = self.activities()
        began = time.perf_counter()
        job_id = self.run_job(harvester_name, source_id)
        elapsed = time.perf_counter() - began
        return elapsed, self.call("harvest_job_show", id=job_id).get("stats", {}), self.activities() - before
