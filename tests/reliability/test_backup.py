"""`ckan binhduong backup` / `restore`, run as an operator would (the CLI as a subprocess).

The backup is taken from the RUNNING portal's databases and file store (read-only for the
portal). It is restored into two fresh databases created here with unique names (and dropped
at the end) and a temporary storage folder; the restored catalogue is compared with the
portal's. The shared test databases (ckan_test, datastore_test) and CKAN's DB fixtures are not
used. Creating and dropping the fresh databases needs the cluster's superuser, whose password
`make up` keeps in var/secrets/secrets.env.
"""
from __future__ import annotations

import configparser
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import time
import uuid

import psycopg2
import pytest
from sqlalchemy.engine import make_url

ROOT = pathlib.Path(__file__).resolve().parents[2]
VAR = pathlib.Path(os.environ.get("BD_VAR", ROOT / "var"))
CKAN = VAR / "venv" / "bin" / "ckan"
CKAN_INI = VAR / "ckan.ini"
BACKUP_FILES = {"ckan.dump", "datastore.dump", "filestore.tar.gz", "manifest.json"}


def _config() -> dict:
    parser = configparser.RawConfigParser(strict=False)
    assert parser.read(CKAN_INI), f"{CKAN_INI} is missing: run `make up` first"
    return dict(parser["app:main"])


CONFIG = _config()
CKAN_URL = make_url(CONFIG["sqlalchemy.url"])
DATASTORE_URL = make_url(CONFIG["ckan.datastore.write_url"])
READ_URL = make_url(CONFIG["ckan.datastore.read_url"])
STORAGE = pathlib.Path(CONFIG["ckan.storage_path"])
PASSWORDS = {url.password for url in (CKAN_URL, DATASTORE_URL, READ_URL) if url.password}


def _connect(url, database: str | None = None):
    return psycopg2.connect(host=url.host, port=url.port or 5432, user=url.username,
                            password=url.password, dbname=database or url.database)


def _superuser_password() -> str:
    secrets = VAR / "secrets" / "secrets.env"
    assert secrets.exists(), f"{secrets} is missing: run `make up` first"
    for line in secrets.read_text().splitlines():
        if line.startswith("PG_SUPERUSER_PASSWORD="):
            return line.split("=", 1)[1].strip().strip("'\"")
    pytest.fail(f"no PG_SUPERUSER_PASSWORD in {secrets}")


def cli(*args: str) -> subprocess.CompletedProcess:
    """`ckan -c var/ckan.ini binhduong ...`; no password may appear in what it prints."""
    result = subprocess.run([str(CKAN), "-c", str(CKAN_INI), "binhduong", *args],
                            capture_output=True, text=True, timeout=900, cwd=ROOT)
    for password in PASSWORDS:
        assert password not in result.stdout + result.stderr, "a database password was printed"
    return result


# --- What a catalogue holds, read straight from the databases and the file store ------------

def _sha256(path: pathlib.Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def catalogue_state(ckan_conn, datastore_conn, storage: pathlib.Path) -> dict:
    with ckan_conn.cursor() as cur:
        cur.execute("SELECT id, name, type, state, metadata_modified FROM package ORDER BY id")
        datasets = {row[0]: (row[1], row[2], row[3], row[4].isoformat()) for row in cur.fetchall()}
        cur.execute("SELECT id, package_id, url, url_type, state FROM resource ORDER BY id")
        resources = {}
        for rid, package_id, url, url_type, state in cur.fetchall():
            stored = storage / "resources" / rid[:3] / rid[3:6] / rid[6:]
            resources[rid] = (package_id, url, url_type, state,
                              _sha256(stored) if url_type == "upload" else None)
        cur.execute("SELECT to_regclass('public.harvest_source') IS NOT NULL")
        harvest_sources = {}
        if cur.fetchone()[0]:
            cur.execute("SELECT id, url, type, active, frequency FROM harvest_source ORDER BY id")
            harvest_sources = {row[0]: row[1:] for row in cur.fetchall()}
    ckan_conn.rollback()
    with datastore_conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND NOT starts_with(tablename, '_') ORDER BY 1")
        tables = {}
        for (name,) in cur.fetchall():
            cur.execute('SELECT count(*) FROM public."{}"'.format(name.replace('"', '""')))
            tables[name] = cur.fetchone()[0]
    datastore_conn.rollback()
    files = {str(path.relative_to(storage)): _sha256(path)  # the webassets cache is left out
             for path in sorted(storage.rglob("*")) if path.is_file() and not path.is_symlink()
             and path.relative_to(storage).parts[0] != "webassets"}
    return {"datasets": datasets, "resources": resources, "harvest_sources": harvest_sources,
            "datastore_tables": tables, "stored_files": files}


def portal_state() -> dict:
    ckan_conn, datastore_conn = _connect(CKAN_URL), _connect(DATASTORE_URL)
    try:
        return catalogue_state(ckan_conn, datastore_conn, STORAGE)
    finally:
        ckan_conn.close()
        datastore_conn.close()


# --- Fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fresh_databases():
    """Two empty databases with unique names, owned by the portal's database role, and a
    temporary storage folder; dropped at the end."""
    tag = uuid.uuid4().hex[:10]
    names = {"ckan": f"bd_restore_{tag}_ckan", "datastore": f"bd_restore_{tag}_datastore"}
    admin = psycopg2.connect(host=CKAN_URL.host, port=CKAN_URL.port or 5432, user="postgres",
                             password=_superuser_password(), dbname="postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            for name in names.values():
                cur.execute(f'CREATE DATABASE "{name}" OWNER "{CKAN_URL.username}" '
                            f"ENCODING 'UTF8' TEMPLATE template0")
        yield names
    finally:
        with admin.cursor() as cur:
            for name in names.values():
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _target_args(names: dict, storage: pathlib.Path) -> list[str]:
    """Target URLs without a password: the restore borrows the configured one."""
    def url(base, name):
        return f"postgresql://{base.username}@{base.host}:{base.port or 5432}/{name}"
    return ["--ckan-db-url", url(CKAN_URL, names["ckan"]),
            "--datastore-db-url", url(DATASTORE_URL, names["datastore"]),
            "--storage-path", str(storage)]


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    """A backup of the running portal, and the portal's state it holds. The portal stays in
    use (other tests create and purge datasets), so the backup is taken again until the state
    read before it equals the state read after it."""
    for attempt in range(5):
        folder = tmp_path_factory.mktemp("backup") / "portal"
        before = portal_state()
        started = time.monotonic()
        result = cli("backup", str(folder))
        seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        if portal_state() == before:
            print(f"\nbackup: {seconds:.1f} s, {sum(p.stat().st_size for p in folder.iterdir())} bytes")
            return {"folder": folder, "state": before, "output": result.stdout}
        time.sleep(2)
    pytest.fail("the portal's catalogue kept changing during five backups")


@pytest.fixture(scope="module")
def restored(backup, fresh_databases, tmp_path_factory):
    storage = tmp_path_factory.mktemp("restored-storage")
    args = _target_args(fresh_databases, storage)
    started = time.monotonic()
    result = cli("restore", str(backup["folder"]), *args)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"\nrestore: {seconds:.1f} s")
    return {"storage": storage, "args": args, "output": result.stdout}


def restored_state(names: dict, storage: pathlib.Path) -> dict:
    ckan_conn = _connect(CKAN_URL, names["ckan"])
    datastore_conn = _connect(DATASTORE_URL, names["datastore"])
    try:
        return catalogue_state(ckan_conn, datastore_conn, storage)
    finally:
        ckan_conn.close()
        datastore_conn.close()


# --- Backup ---------------------------------------------------------------------------------

def test_backup_writes_dumps_archive_and_manifest(backup):
    folder, state = backup["folder"], backup["state"]
    assert {path.name for path in folder.iterdir()} == BACKUP_FILES
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["ckan_version"].startswith("2.12")
    assert manifest["created"]
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"]
    counts = manifest["counts"]
    assert counts["packages_all"] == len(state["datasets"])
    assert counts["datasets"] == sum(1 for _, kind, st, _ in state["datasets"].values()
                                     if kind == "dataset" and st == "active")
    assert counts["datasets"] >= 30, "the starter catalogue is loaded by `make up`"
    assert counts["harvest_sources"] == sum(1 for row in state["harvest_sources"].values() if row[2])
    assert counts["datastore_table_rows"] == state["datastore_tables"]
    assert manifest["storage_files"] == state["stored_files"]
    # Dumps hold accounts and API tokens: readable by their owner only; no password anywhere.
    assert all(path.stat().st_mode & 0o077 == 0 for path in folder.iterdir())
    text = (folder / "manifest.json").read_text()
    assert not any(password in text for password in PASSWORDS)


def test_backup_dry_run_writes_nothing(tmp_path):
    folder = tmp_path / "never"
    result = cli("backup", "--dry-run", str(folder))
    assert result.returncode == 0, result.stderr
    assert "dry run: nothing written" in result.stdout
    assert "ckan.dump" in result.stdout and "datastore.dump" in result.stdout
    assert not folder.exists()


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    result = cli("backup", str(tmp_path))
    assert result.returncode == 1
    assert "is not empty" in result.stderr and "--force" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


# --- Restore --------------------------------------------------------------------------------

def test_restore_into_fresh_databases_gives_the_same_catalogue(backup, restored, fresh_databases):
    assert "as in the manifest" in restored["output"]
    assert "search-index rebuild" in restored["output"]  # the reminder
    expected, actual = backup["state"], restored_state(fresh_databases, restored["storage"])
    assert actual["datasets"] == expected["datasets"]  # ids, names, types, states, metadata_modified
    assert actual["resources"] == expected["resources"]  # with the sha256 of each stored file
    assert actual["datastore_tables"] == expected["datastore_tables"]
    assert actual["harvest_sources"] == expected["harvest_sources"]
    assert actual["stored_files"] == expected["stored_files"]
    uploads = [row for row in expected["resources"].values() if row[2] == "upload" and row[4]]
    assert uploads, "the starter catalogue has uploaded files"


def test_restored_datastore_has_its_read_only_role(backup, restored, fresh_databases):
    table = max(backup["state"]["datastore_tables"], key=backup["state"]["datastore_tables"].get)
    conn = _connect(READ_URL, fresh_databases["datastore"])
    try:
        with conn.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM "{table}"')
            assert cur.fetchone()[0] == backup["state"]["datastore_tables"][table]
            cur.execute('SELECT count(*) FROM "_table_metadata"')
            assert cur.fetchone()[0] >= len(backup["state"]["datastore_tables"])
        conn.rollback()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
            cur.execute("CREATE TABLE not_allowed (a int)")
        conn.rollback()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
            cur.execute(f'DELETE FROM "{table}"')
    finally:
        conn.close()
    # CKAN's set-permissions revokes CONNECT on CKAN's database from the read-only role (PUBLIC
    # keeps its default CONNECT, as on the portal); its tables stay out of reach either way.
    conn = _connect(READ_URL, fresh_databases["ckan"])
    try:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
            cur.execute('SELECT count(*) FROM "user"')
    finally:
        conn.close()


def test_restore_refuses_non_empty_databases_without_force(backup, restored, fresh_databases):
    before = restored_state(fresh_databases, restored["storage"])
    result = cli("restore", str(backup["folder"]), *restored["args"])
    assert result.returncode == 1
    assert "refusing to overwrite" in result.stderr and "--force" in result.stderr
    assert fresh_databases["ckan"] in result.stderr and fresh_databases["datastore"] in result.stderr
    dry = cli("restore", "--dry-run", "--force", str(backup["folder"]), *restored["args"])
    assert dry.returncode == 0 and "dry run: nothing changed" in dry.stdout
    assert restored_state(fresh_databases, restored["storage"]) == before


def test_restore_with_force_replaces_what_is_there(backup, restored, fresh_databases):
    conn = _connect(CKAN_URL, fresh_databases["ckan"])
    with conn, conn.cursor() as cur:  # a change made after the backup, that --force undoes
        cur.execute("UPDATE package SET title = 'changed after the backup'")
    conn.close()
    result = cli("restore", "--force", str(backup["folder"]), *restored["args"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "moved the previous contents" in result.stdout
    assert restored_state(fresh_databases, restored["storage"]) == backup["state"]
    conn = _connect(CKAN_URL, fresh_databases["ckan"])
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM package WHERE title = 'changed after the backup'")
        assert cur.fetchone()[0] == 0
    conn.close()
    for aside in restored["storage"].parent.glob(restored["storage"].name + ".before-restore-*"):
        shutil.rmtree(aside)


@pytest.mark.parametrize("damaged", ["ckan.dump", "filestore.tar.gz"])
def test_restore_refuses_a_tampered_backup(backup, restored, fresh_databases, tmp_path, damaged):
    folder = tmp_path / "tampered"
    shutil.copytree(backup["folder"], folder)
    data = bytearray((folder / damaged).read_bytes())
    data[len(data) // 2] ^= 0x01  # one changed bit
    (folder / damaged).write_bytes(bytes(data))
    before = restored_state(fresh_databases, restored["storage"])
    result = cli("restore", "--force", str(folder), *restored["args"])
    assert result.returncode == 1
    assert f"backup damaged: {damaged} does not match the manifest" in result.stderr
    assert "nothing restored" in result.stderr
    assert restored_state(fresh_databases, restored["storage"]) == before
