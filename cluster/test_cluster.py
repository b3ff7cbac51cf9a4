"""The local cluster (cluster/cluster.sh, `make cluster-up`) under failure: one Solr node, the
PostgreSQL standby, then one web node are stopped in turn while a client reads (dataset
search through nginx, DataStore reads through the standby-preferring read URL) and another
creates datasets and writes DataStore rows. Reads must keep answering, every acknowledged
write must be there at the end (in PostgreSQL, in the search index, on the standby), and each
stopped service must rejoin (Solr replicas active, the standby streaming and caught up, the
web node answering). Run by `make cluster-test`; not part of `make test`."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import threading
import time
import uuid

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from bd_factories import valid_dataset  # noqa: E402

CL = ROOT / "var" / "cluster"
BASE = "http://127.0.0.1:55080"
SOLR_NODES = ("http://127.0.0.1:58983/solr", "http://127.0.0.1:58984/solr")
WEB_NODES = {"web1": "http://127.0.0.1:55001", "web2": "http://127.0.0.1:55002"}
PG_PRIMARY, PG_STANDBY = 55432, 55433
OUTAGE_SECONDS = 12


def supervisorctl(*args: str) -> str:
    return subprocess.run(["supervisorctl", "-c", str(CL / "supervisord.conf"), *args],
                          capture_output=True, text=True, timeout=120).stdout


def psql(port: int, sql: str, database: str = "datastore") -> str:
    return subprocess.run(["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/psql", "-h", str(CL / "run"),
                           "-p", str(port), "-U", "postgres", "-d", database, "-qAt", "-c", sql],
                          capture_output=True, text=True, timeout=30, check=True).stdout.strip()


def wait(what: str, check, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, subprocess.SubprocessError, KeyError, ValueError):
            pass
        time.sleep(1)
    pytest.fail(f"{what} did not happen within {seconds} s")


class Api:
    def __init__(self, token: str | None = None) -> None:
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = token

    def call(self, action: str, base: str = BASE, **data):
        response = self.session.post(f"{base}/api/3/action/{action}", json=data, timeout=60)
        return self._result(action, response)

    def get(self, action: str, **params):
        return self._result(action, self.session.get(f"{BASE}/api/3/action/{action}", params=params, timeout=60))

    @staticmethod
    def _result(action: str, response: requests.Response):
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
        if response.status_code != 200 or not body.get("success"):
            raise RuntimeError(f"{action}: HTTP {response.status_code} {str(body.get('error') or response.text)[:300]}")
        return body["result"]


class Load:
    """A reader and a writer running against nginx until stopped."""

    def __init__(self, token: str, organization: str, resource_id: str, run: str) -> None:
        self.reader, self.writer = Api(), Api(token)
        self.organization, self.resource_id, self.run = organization, resource_id, run
        self.reads = 0
        self.read_failures: list[str] = []   # reads that failed twice in a row
        self.first_attempt_failures: list[str] = []
        self.created: list[str] = []
        self.rows: list[int] = []
        self.write_retries: list[str] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._read, daemon=True), threading.Thread(target=self._write, daemon=True)]

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(120)

    def _read(self) -> None:
        while not self.stopping.is_set():
            for action, data in (("package_search", {"q": "*:*", "rows": 5}),
                                 ("datastore_search", {"resource_id": self.resource_id, "limit": 5}),
                                 ("package_show", {"id": "cluster-test-table"})):
                # A client reads with GET, as browsers and harvesters do, and tries a failed
                # read once more: a query cut at the very moment its node stops fails once.
                for attempt in (1, 2):
                    try:
                        self.reader.get(action, **data)
                        self.reads += 1
                        break
                    except (RuntimeError, requests.RequestException) as error:
                        failures = self.first_attempt_failures if attempt == 1 else self.read_failures
                        failures.append(f"{time.strftime('%H:%M:%S')} {action}: {error}")
                        time.sleep(0.5)
            time.sleep(0.2)

    def _write(self) -> None:
        n = 0
        while not self.stopping.is_set():
            name = f"cluster-test-{self.run}-{n:04d}"
            try:
                self.writer.call("package_create", **valid_dataset(self.organization, name=name, title=f"Cụm thử {n}"))
            except (RuntimeError, requests.RequestException) as error:
                if "already" in str(error) or "đã được sử dụng" in str(error):
                    pass  # created, but the answer was lost: a retry of an acknowledged write
                else:
                    self.write_retries.append(f"{time.strftime('%H:%M:%S')} {name}: {error}")
                    time.sleep(1)
                    continue
            self.created.append(name)
            try:
                self.writer.call("datastore_upsert", resource_id=self.resource_id, method="insert",
                                 records=[{"n": n, "run": self.run}], force=True)
                self.rows.append(n)
            except (RuntimeError, requests.RequestException) as error:
                self.write_retries.append(f"{time.strftime('%H:%M:%S')} row {n}: {error}")
            n += 1
            time.sleep(0.3)


def solr_healthy() -> bool:
    status = requests.get(f"{SOLR_NODES[0]}/admin/collections", params={"action": "CLUSTERSTATUS", "wt": "json"},
                          timeout=10).json()["cluster"]
    replicas = [r for shard in status["collections"]["ckan"]["shards"].values() for r in shard["replicas"].values()]
    return len(status["live_nodes"]) == 2 and len(replicas) == 4 and all(r["state"] == "active" for r in replicas)


def standby_caught_up() -> bool:
    streaming = psql(PG_PRIMARY, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'", "postgres")
    if streaming != "1":
        return False
    lag = psql(PG_PRIMARY, "SELECT pg_current_wal_lsn() - replay_lsn FROM pg_stat_replication", "postgres")
    return int(float(lag)) == 0


@pytest.fixture(scope="module")
def cluster():
    token_file = CL / "secrets" / "api-token"
    assert token_file.exists(), "the cluster is not set up: run `make cluster-up` first"
    wait("the cluster to be up (make cluster-up)", lambda: requests.get(f"{BASE}/api/3/action/status_show", timeout=5).ok, 30)
    assert solr_healthy() and standby_caught_up()
    admin = Api(token_file.read_text().strip())
    try:
        organization = admin.call("organization_show", id="cluster-test")["id"]
    except RuntimeError:
        organization = admin.call("organization_create", name="cluster-test", title="Cụm thử nghiệm")["id"]
    try:
        table = admin.call("package_show", id="cluster-test-table")
    except RuntimeError:
        table = admin.call("package_create", **valid_dataset(organization, name="cluster-test-table", title="Bảng của cụm",
                                                            resources=[{"url": "https://example.gov.vn/bang.csv",
                                                                        "name": "Bảng", "format": "CSV"}]))
    resource_id = table["resources"][0]["id"]
    try:
        admin.call("datastore_search", resource_id=resource_id, limit=0)
    except RuntimeError:
        admin.call("datastore_create", resource_id=resource_id, force=True,
                   fields=[{"id": "n", "type": "int"}, {"id": "run", "type": "text"}])
    return {"admin": admin, "organization": organization, "resource_id": resource_id}


def test_reads_answer_and_nothing_is_lost_while_nodes_stop_in_turn(cluster):
    run = uuid.uuid4().hex[:6]
    timeline: list[str] = []
    with Load(cluster["admin"].session.headers["Authorization"], cluster["organization"], cluster["resource_id"],
              run) as load:
        time.sleep(3)
        for program, rejoined, what in (("solr2", solr_healthy, "Solr node 2 back, all 4 replicas active"),
                                        ("pg-standby", standby_caught_up, "the standby streaming and caught up"),
                                        ("web1", lambda: requests.get(f"{WEB_NODES['web1']}/api/3/action/status_show",
                                                                      timeout=5).ok, "web node 1 answering")):
            reads_before, created_before = load.reads, len(load.created)
            supervisorctl("stop", program)
            timeline.append(f"{time.strftime('%H:%M:%S')} stopped {program}")
            time.sleep(OUTAGE_SECONDS)
            during = (load.reads - reads_before, len(load.created) - created_before)
            supervisorctl("start", program)
            started = time.monotonic()
            wait(what, rejoined)
            timeline.append(f"{time.strftime('%H:%M:%S')} {program}: {during[0]} reads and {during[1]} datasets "
                            f"created while it was down; rejoined in {time.monotonic() - started:.0f} s")
            assert during[0] > 0, f"no read answered while {program} was down"
        time.sleep(3)
    print("\n".join(timeline))
    for line in load.first_attempt_failures:
        print("  read answered on the second attempt:", line[:300])
    print(f"reads {load.reads}, failed on the first attempt {len(load.first_attempt_failures)}, failed twice "
          f"{len(load.read_failures)}; datasets created {len(load.created)}, "
          f"DataStore rows {len(load.rows)}, writes retried {len(load.write_retries)}")
    for line in load.write_retries[:10]:
        print("  retried:", line)
    assert load.read_failures == [], "\n".join(line[:600] for line in load.read_failures)
    assert len(load.first_attempt_failures) <= 3, "\n".join(line[:600] for line in load.first_attempt_failures)
    assert load.created and load.rows

    # Nothing lost: every acknowledged dataset is in PostgreSQL (package_show) and in the
    # search index; every acknowledged row is on the primary and on the standby.
    admin = cluster["admin"]
    for name in load.created:
        assert admin.call("package_show", id=name)["name"] == name
    wait("the index to hold every created dataset", lambda: admin.call(
        "package_search", q=f"name:cluster-test-{run}-*", rows=0)["count"] == len(load.created), 30)
    found = admin.call("package_search", q=f"name:cluster-test-{run}-*", rows=1000, fl="name")["results"]
    assert sorted(d["name"] for d in found) == sorted(load.created)
    table = cluster["resource_id"]
    on_primary = psql(PG_PRIMARY, f"SELECT count(*) FROM \"{table}\" WHERE run = '{run}'")
    wait("the standby to hold every row", lambda: psql(
        PG_STANDBY, f"SELECT count(*) FROM \"{table}\" WHERE run = '{run}'") == on_primary, 30)
    assert int(on_primary) == len(load.rows)
    assert psql(PG_STANDBY, "SELECT pg_is_in_recovery()") == "t"
    # Both web nodes serve again, and the Solr collection is whole on both nodes.
    for base in WEB_NODES.values():
        assert requests.get(f"{base}/api/3/action/status_show", timeout=10).ok
    assert solr_healthy()
    for node in SOLR_NODES:
        count = requests.get(f"{node}/ckan/select", params={"q": f"name:cluster-test-{run}-*", "rows": 0, "wt": "json"},
                             timeout=10).json()["response"]["numFound"]
        assert count == len(load.created), node
    # Clean up what this run created (the table's rows stay: they are the replication check's).
    for name in load.created:
        admin.call("dataset_purge", id=name)
    print(json.dumps({"reads": load.reads, "created": len(load.created), "rows": len(load.rows)}))
