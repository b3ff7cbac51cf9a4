"""Backup and restore of the whole portal: CKAN's database, the DataStore's database and the
file store (`ckan binhduong backup DIR` / `ckan binhduong restore DIR`).

A backup folder holds ``ckan.dump`` and ``datastore.dump`` (pg_dump custom format),
``filestore.tar.gz`` (the storage path) and ``manifest.json`` (CKAN version, time, counts, the
sha256 of every file of the backup and of every stored file). Both dumps and the counts are
taken from snapshots exported by one transaction per database, so the counts in the manifest
are exactly what the dumps hold. Passwords are handed to pg_dump/pg_restore through the
environment and never printed: every URL shown is masked.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

import psycopg2
from sqlalchemy.engine import make_url

FORMAT = "binhduong-backup/1"
CKAN_DUMP = "ckan.dump"
DATASTORE_DUMP = "datastore.dump"
FILESTORE_TAR = "filestore.tar.gz"
MANIFEST = "manifest.json"
# The PostgreSQL 15 client binaries installed by Debian, matching the server.
PG_BIN = os.environ.get("BD_PG_BIN", "/usr/lib/postgresql/15/bin")
LOCK_TIMEOUT = "30s"
SKIPPED_STORAGE_DIRS = ("webassets",)

Echo = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, without secrets."""


# --- Connections ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Database:
    """One PostgreSQL database reached through a SQLAlchemy-style URL."""
    host: str
    port: int
    user: str
    password: Optional[str]
    name: str
    query: tuple = ()

    @classmethod
    def from_url(cls, url: str, known: tuple["Database", ...] = ()) -> "Database":
        """Parse a URL; a URL without a password borrows the password of a configured URL
        with the same host, port and user (or libpq finds one in PGPASSWORD / ~/.pgpass)."""
        try:
            parsed = make_url(url)
        except Exception as error:  # noqa: BLE001 - the message must not echo the URL
            raise BackupError(f"Not a database URL ({type(error).__name__})") from None
        if not parsed.drivername.startswith("postgresql") or not parsed.database:
            raise BackupError(f"Not a PostgreSQL database URL: {mask(url)}")
        db = cls(parsed.host or "127.0.0.1", int(parsed.port or 5432), parsed.username or "",
                 parsed.password, parsed.database, tuple(sorted((parsed.query or {}).items())))
        if db.password is None:
            for other in known:
                if (other.host, other.port, other.user) == (db.host, db.port, db.user) and other.password:
                    return cls(db.host, db.port, db.user, other.password, db.name, db.query)
        return db

    def __str__(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.name}"

    def same_as(self, other: "Database") -> bool:
        return (self.host, self.port, self.name) == (other.host, other.port, other.name)

    def connect(self):
        params = {"host": self.host, "port": self.port, "user": self.user, "dbname": self.name,
                  "application_name": "binhduong-backup"}
        if self.password is not None:
            params["password"] = self.password
        params.update({key: value for key, value in self.query if isinstance(value, str)})
        try:
            return psycopg2.connect(**params)
        except psycopg2.Error as error:
            raise BackupError(f"Cannot connect to {self}: {scrub(str(error).strip(), self)}") from None

    def env(self) -> dict[str, str]:
        """Environment for the PostgreSQL client programs: no password on a command line."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user, PGDATABASE=self.name,
                   PGAPPNAME="binhduong-backup")
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        for key, value in self.query:
            if key in ("sslmode", "sslcert", "sslkey", "sslrootcert", "connect_timeout"):
                env["PG" + key.upper()] = str(value)
        return env


def mask(url: str) -> str:
    """A URL with its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "<unparsable URL>"


def scrub(text: str, *databases: Database) -> str:
    for db in databases:
        if db.password:
            text = text.replace(db.password, "***")
    return text


def _pg_program(name: str) -> str:
    path = os.path.join(PG_BIN, name)
    if not os.access(path, os.X_OK):
        raise BackupError(f"{path} is missing: install Debian's postgresql-client-15 "
                          f"(or point BD_PG_BIN at the PostgreSQL client binaries)")
    return path


def _run_pg(name: str, args: list[str], db: Database) -> None:
    result = subprocess.run([_pg_program(name), *args], env=db.env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{name} failed on {db} (exit {result.returncode}):\n"
                          + scrub(result.stderr.strip(), db))


def _check_client_version(conn) -> str:
    server = conn.server_version // 10000
    output = subprocess.run([_pg_program("pg_dump"), "--version"], capture_output=True, text=True).stdout
    found = re.search(r"\(PostgreSQL\) (\d+)", output)
    if not found:
        raise BackupError(f"cannot read the version of {_pg_program('pg_dump')}: {output.strip()!r}")
    client = int(found.group(1))
    if client < server:
        raise BackupError(f"{output.strip()} is older than the server (PostgreSQL {server})")
    return output.strip()


# --- Counts ---------------------------------------------------------------------------------

def _scalar(cur, sql: str, *params) -> Any:
    cur.execute(sql, params)
    row = cur.fetchone()
    return row[0] if row else None


def _table_exists(cur, name: str) -> bool:
    return bool(_scalar(cur, "SELECT to_regclass(%s) IS NOT NULL", f"public.{name}"))


def ckan_counts(conn) -> dict[str, Any]:
    with conn.cursor() as cur:
        counts = {
            "datasets": _scalar(cur, "SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active'"),
            "packages_all": _scalar(cur, "SELECT count(*) FROM package"),
            "resources": _scalar(cur, "SELECT count(*) FROM resource r JOIN package p ON p.id = r.package_id "
                                      "WHERE r.state = 'active' AND p.state = 'active'"),
            "harvest_sources": None,
        }
        if _table_exists(cur, "harvest_source"):
            counts["harvest_sources"] = _scalar(cur, "SELECT count(*) FROM harvest_source WHERE active")
    return counts


def datastore_tables(conn) -> dict[str, int]:
    """Row count of every DataStore table (resource tables; CKAN's own start with '_')."""
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND NOT starts_with(tablename, '_') ORDER BY tablename")
        names = [row[0] for row in cur.fetchall()]
        tables = {}
        for name in names:
            cur.execute('SELECT count(*) FROM public."{}"'.format(name.replace('"', '""')))
            tables[name] = cur.fetchone()[0]
    return tables


def all_counts(ckan_conn, datastore_conn) -> dict[str, Any]:
    counts = ckan_counts(ckan_conn)
    tables = datastore_tables(datastore_conn)
    counts.update(datastore_tables=len(tables), datastore_rows=sum(tables.values()),
                  datastore_table_rows=tables)
    return counts


def _objects(conn, limit: int = 3) -> tuple[int, list[str]]:
    """How many tables, views and sequences the database holds, and a few of their names."""
    with conn.cursor() as cur:
        cur.execute("SELECT n.nspname || '.' || c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                    "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%' "
                    "ORDER BY 1")
        names = [row[0] for row in cur.fetchall()]
    conn.rollback()
    return len(names), names[:limit]


# --- Files ----------------------------------------------------------------------------------

def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stored_files(root: str) -> list[str]:
    """Every regular file under root, as sorted paths relative to it, except CKAN's webassets
    cache (rebuilt by CKAN when missing)."""
    found = []
    for folder, dirs, files in os.walk(root):
        if folder == root:
            dirs[:] = [name for name in dirs if name not in SKIPPED_STORAGE_DIRS]
        dirs.sort()
        for name in files:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                found.append(os.path.relpath(path, root))
    return sorted(found)


def _size(num: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if num < 1024 or unit == "GiB":
            return f"{num:.0f} {unit}" if unit == "B" else f"{num:.1f} {unit}"
        num /= 1024
    return ""


def _dir_is_empty(path: str) -> bool:
    return not os.path.exists(path) or not os.listdir(path)


# --- Backup ---------------------------------------------------------------------------------

@dataclass
class Sources:
    ckan: Database
    datastore: Database
    storage_path: Optional[str]


def sources_from_config(config) -> Sources:
    ckan_url = config.get("sqlalchemy.url")
    write_url = config.get("ckan.datastore.write_url")
    if not ckan_url or not write_url:
        raise BackupError("sqlalchemy.url and ckan.datastore.write_url must both be set in the config")
    return Sources(Database.from_url(ckan_url), Database.from_url(write_url),
                   config.get("ckan.storage_path") or None)


@contextlib.contextmanager
def _snapshot(db: Database) -> Iterator[tuple[Any, str]]:
    """A read-only REPEATABLE READ transaction whose snapshot pg_dump shares (--snapshot)."""
    conn = db.connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            snapshot = _scalar(cur, "SELECT pg_export_snapshot()")
        yield conn, snapshot
    finally:
        conn.rollback()
        conn.close()


def backup(config, folder: str, force: bool = False, dry_run: bool = False,
           echo: Echo = print) -> dict[str, Any]:
    """Write a backup of both databases and the file store into folder; return the manifest."""
    from ckan import __version__ as ckan_version

    started = time.monotonic()
    src = sources_from_config(config)
    folder = os.path.abspath(folder)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise BackupError(f"{folder} exists and is not a folder")
    if not _dir_is_empty(folder) and not force:
        raise BackupError(f"{folder} is not empty; choose an empty or new folder, or pass --force "
                          f"to overwrite the backup files in it")
    storage = src.storage_path if src.storage_path and os.path.isdir(src.storage_path) else None
    if src.storage_path and not storage:
        echo(f"note: storage path {src.storage_path} does not exist; no file store to back up")

    with _snapshot(src.ckan) as (ckan_conn, ckan_snap), \
            _snapshot(src.datastore) as (ds_conn, ds_snap):
        pg_dump_version = _check_client_version(ckan_conn)
        counts = all_counts(ckan_conn, ds_conn)
        server_version = ckan_conn.get_parameter_status("server_version")
        summary = (f"{counts['datasets']} datasets, {counts['resources']} resources, "
                   f"{counts['harvest_sources']} harvest sources, {counts['datastore_tables']} "
                   f"DataStore tables ({counts['datastore_rows']} rows)")
        files = stored_files(storage) if storage else []
        if dry_run:
            stored = sum(os.path.getsize(os.path.join(storage, f)) for f in files) if storage else 0
            echo(f"dry run: would create {folder} (mode 700)" if not os.path.exists(folder)
                 else f"dry run: would write into {folder}")
            echo(f"  pg_dump -Fc {src.ckan} -> {CKAN_DUMP}")
            echo(f"  pg_dump -Fc {src.datastore} -> {DATASTORE_DUMP}")
            if storage:
                echo(f"  tar {storage} ({len(files)} files, {_size(stored)}) -> {FILESTORE_TAR}")
            echo(f"  {MANIFEST}: CKAN {ckan_version}, {summary}, sha256 of every file")
            echo("dry run: nothing written")
            return {}
        old_umask = os.umask(0o077)  # the dumps hold user accounts and API tokens
        try:
            os.makedirs(folder, exist_ok=True)
            for name in (MANIFEST, CKAN_DUMP, DATASTORE_DUMP, FILESTORE_TAR):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(folder, name))
            for db, snap, name in ((src.ckan, ckan_snap, CKAN_DUMP), (src.datastore, ds_snap, DATASTORE_DUMP)):
                echo(f"dumping {db} -> {name}")
                _run_pg("pg_dump", ["--format=custom", f"--snapshot={snap}", "--no-password",
                                    f"--file={os.path.join(folder, name)}"], db)
            storage_hashes = {}
            if storage:
                echo(f"archiving {storage} ({len(files)} files) -> {FILESTORE_TAR}")
                with tarfile.open(os.path.join(folder, FILESTORE_TAR), "w:gz", compresslevel=6) as tar:
                    for rel in files:
                        tar.add(os.path.join(storage, rel), arcname=rel, recursive=False)
                        storage_hashes[rel] = sha256_file(os.path.join(storage, rel))
            manifest = {
                "format": FORMAT,
                "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "ckan_version": ckan_version,
                "postgresql": {"server": server_version, "pg_dump": pg_dump_version},
                "source": {"ckan_db": str(src.ckan), "datastore_db": str(src.datastore),
                           "storage_path": storage},
                "counts": counts,
                "files": {},
                "storage_files": storage_hashes,
            }
            for name in (CKAN_DUMP, DATASTORE_DUMP, FILESTORE_TAR):
                path = os.path.join(folder, name)
                if os.path.exists(path):
                    manifest["files"][name] = {"sha256": sha256_file(path), "bytes": os.path.getsize(path)}
            manifest["seconds"] = round(time.monotonic() - started, 2)
            with open(os.path.join(folder, MANIFEST + ".tmp"), "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, ensure_ascii=False, indent=2, sort_keys=True)
            os.replace(os.path.join(folder, MANIFEST + ".tmp"), os.path.join(folder, MANIFEST))
        finally:
            os.umask(old_umask)
    total = sum(entry["bytes"] for entry in manifest["files"].values())
    echo(f"backup written to {folder}: {summary}; {_size(total)} in "
         f"{manifest['seconds']:.1f} s")
    return manifest


# --- Restore --------------------------------------------------------------------------------

def verify(folder: str) -> dict[str, Any]:
    """Read the manifest and check every file of the backup against its sha256 and size."""
    path = os.path.join(folder, MANIFEST)
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except FileNotFoundError:
        raise BackupError(f"{path} is missing: {folder} is not a complete backup") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is damaged (not valid JSON: {error}); nothing restored") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} manifest; nothing restored")
    files = manifest.get("files") or {}
    for required in (CKAN_DUMP, DATASTORE_DUMP):
        if required not in files:
            raise BackupError(f"the manifest lists no {required}; nothing restored")
    for name, entry in files.items():
        file_path = os.path.join(folder, name)
        if os.path.basename(name) != name or not os.path.isfile(file_path):
            raise BackupError(f"{file_path} is missing; nothing restored")
        actual = sha256_file(file_path)
        if actual != entry.get("sha256") or os.path.getsize(file_path) != entry.get("bytes"):
            raise BackupError(f"backup damaged: {name} does not match the manifest (sha256 "
                              f"{actual[:16]}…, expected {str(entry.get('sha256'))[:16]}…); "
                              f"nothing restored")
    return manifest


@dataclass
class Targets:
    ckan: Database
    datastore: Database
    read_user: str
    storage_path: Optional[str]
    configured_ckan: Database


def targets(config, ckan_db_url: Optional[str] = None, datastore_db_url: Optional[str] = None,
            storage_path: Optional[str] = None) -> Targets:
    src = sources_from_config(config)
    read_url = config.get("ckan.datastore.read_url")
    if not read_url:
        raise BackupError("ckan.datastore.read_url must be set (the DataStore's read-only role)")
    known = (src.ckan, src.datastore)
    ckan = Database.from_url(ckan_db_url, known) if ckan_db_url else src.ckan
    datastore = Database.from_url(datastore_db_url, known) if datastore_db_url else src.datastore
    if ckan.same_as(datastore):
        raise BackupError("CKAN's database and the DataStore's must be two different databases")
    return Targets(ckan, datastore, Database.from_url(read_url).user,
                   storage_path or src.storage_path, src.ckan)


def _wipe(conn, db: Database) -> None:
    """Empty the public schema (--force), as its owner, within one transaction."""
    with conn.cursor() as cur:
        cur.execute("SELECT nspname FROM pg_namespace WHERE nspname NOT IN "
                    "('public', 'pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%%'")
        others = [row[0] for row in cur.fetchall()]
        if others:
            raise BackupError(f"{db} has schemas other than public ({', '.join(others)}); "
                              f"drop them by hand before restoring")
        try:
            cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cur.execute("DROP SCHEMA public CASCADE")
            cur.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
            cur.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
        except psycopg2.errors.LockNotAvailable:
            conn.rollback()
            raise BackupError(f"{db} is in use (no lock within {LOCK_TIMEOUT}): stop the portal's "
                              f"web, worker and harvest processes first") from None
        except psycopg2.Error as error:
            conn.rollback()
            raise BackupError(f"cannot empty {db}: {str(error).strip()}") from None
    conn.commit()


def set_permissions(t: Targets) -> None:
    """What `ckan datastore set-permissions | psql` does, run as the DataStore's write user on
    the restored databases (which it owns)."""
    from ckanext.datastore.cli import permissions_sql

    sql = permissions_sql(maindb=t.ckan.name, datastoredb=t.datastore.name, mainuser=t.ckan.user,
                          writeuser=t.datastore.user, readuser=t.read_user)
    sql = "\n".join(line for line in sql.splitlines() if not line.startswith("\\connect"))
    conn = t.datastore.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
        conn.commit()
    except psycopg2.Error as error:
        raise BackupError(f"DataStore permissions failed on {t.datastore}: {str(error).strip()}") from None
    finally:
        conn.close()


def _restore_storage(folder: str, storage: str, manifest: dict, echo: Echo) -> None:
    if not _dir_is_empty(storage):
        aside = f"{storage.rstrip(os.sep)}.before-restore-{time.strftime('%Y%m%d%H%M%S')}"
        os.makedirs(aside)
        for name in os.listdir(storage):
            shutil.move(os.path.join(storage, name), os.path.join(aside, name))
        echo(f"moved the previous contents of {storage} to {aside}")
    os.makedirs(storage, exist_ok=True)
    with tarfile.open(os.path.join(folder, FILESTORE_TAR), "r:gz") as tar:
        tar.extractall(storage, filter="data")
    expected = manifest.get("storage_files") or {}
    for rel, digest in expected.items():
        path = os.path.join(storage, rel)
        if not os.path.isfile(path) or sha256_file(path) != digest:
            raise BackupError(f"restored file {path} does not match the manifest")
    echo(f"restored {len(expected)} stored files into {storage} (sha256 checked)")


def restore(config, folder: str, ckan_db_url: Optional[str] = None,
            datastore_db_url: Optional[str] = None, storage_path: Optional[str] = None,
            force: bool = False, dry_run: bool = False, rebuild_index: bool = False,
            echo: Echo = print) -> dict[str, Any]:
    """Verify the backup, then restore it into the target databases and storage path."""
    started = time.monotonic()
    folder = os.path.abspath(folder)
    manifest = verify(folder)
    echo(f"backup {folder}: {len(manifest['files'])} files match the manifest "
         f"(CKAN {manifest.get('ckan_version')}, taken {manifest.get('created')})")
    from ckan import __version__ as ckan_version
    if manifest.get("ckan_version") != ckan_version:
        echo(f"warning: the backup was taken with CKAN {manifest.get('ckan_version')}, this is "
             f"CKAN {ckan_version}; run `ckan db upgrade` after the restore")
    t = targets(config, ckan_db_url, datastore_db_url, storage_path)
    has_storage = FILESTORE_TAR in manifest["files"]
    if has_storage and not t.storage_path:
        raise BackupError("the backup holds a file store but no storage path is configured or given")

    conns = {}
    try:
        busy = []
        for key, db in (("ckan", t.ckan), ("datastore", t.datastore)):
            conns[key] = db.connect()
            count, names = _objects(conns[key])
            if count:
                busy.append(f"{db} holds {count} tables/views/sequences (e.g. {', '.join(names)})")
        if has_storage and not _dir_is_empty(t.storage_path):
            busy.append(f"storage path {t.storage_path} is not empty")
        if busy and not force:
            raise BackupError("refusing to overwrite: " + "; ".join(busy)
                              + ". Pass --force to replace them (databases are emptied, the old "
                                "files are moved aside).")
        if dry_run:
            echo("dry run: would " + ("empty or move aside (--force): " + "; ".join(busy) + "; then:"
                                      if busy else "restore into empty targets:"))
            echo(f"  pg_restore {CKAN_DUMP} -> {t.ckan}")
            echo(f"  pg_restore {DATASTORE_DUMP} -> {t.datastore}")
            echo(f"  DataStore permissions for read-only role {t.read_user} (as `ckan datastore set-permissions`)")
            if has_storage:
                echo(f"  extract {FILESTORE_TAR} -> {t.storage_path}")
            echo("  compare the restored counts with the manifest")
            echo("dry run: nothing changed")
            return {}
        for key, db, dump in (("ckan", t.ckan, CKAN_DUMP), ("datastore", t.datastore, DATASTORE_DUMP)):
            if _objects(conns[key])[0]:
                echo(f"emptying {db} (--force)")
                _wipe(conns[key], db)
            echo(f"restoring {dump} -> {db}")
            _run_pg("pg_restore", ["--no-owner", "--no-privileges", "--single-transaction",
                                   "--exit-on-error", "--no-password", f"--dbname={db.name}",
                                   os.path.join(folder, dump)], db)
        echo(f"setting the DataStore permissions (read-only role {t.read_user})")
        set_permissions(t)
        if has_storage:
            _restore_storage(folder, t.storage_path, manifest, echo)
        for conn in conns.values():
            conn.rollback()
        counts = all_counts(conns["ckan"], conns["datastore"])
    finally:
        for conn in conns.values():
            conn.close()
    expected = manifest.get("counts") or {}
    differ = [key for key in expected if counts.get(key) != expected[key]]
    if differ:
        raise BackupError("restored, but the counts differ from the manifest: "
                          + ", ".join(f"{key} {counts.get(key)!r} != {expected[key]!r}"
                                      for key in differ if key != "datastore_table_rows")
                          + (" (DataStore row counts)" if "datastore_table_rows" in differ else ""))
    seconds = time.monotonic() - started
    echo(f"restored in {seconds:.1f} s: {counts['datasets']} datasets, {counts['resources']} "
         f"resources, {counts['harvest_sources']} harvest sources, {counts['datastore_tables']} "
         f"DataStore tables ({counts['datastore_rows']} rows), as in the manifest")
    _search_index(config, t, rebuild_index, echo)
    return counts


def _search_index(config, t: Targets, rebuild: bool, echo: Echo) -> None:
    if not t.ckan.same_as(t.configured_ckan):
        echo("reminder: the search index was not touched; with a config whose sqlalchemy.url points "
             "at the restored database, run `ckan -c <that config> search-index rebuild`")
        return
    if not rebuild:
        echo(f"reminder: rebuild the search index now: ckan -c {config.get('__file__', '<config>')} "
             f"search-index rebuild (or pass --rebuild-index)")
        return
    command = [os.path.join(os.path.dirname(sys.executable), "ckan"), "-c", config["__file__"],
               "search-index", "rebuild"]
    echo("rebuilding the search index: " + " ".join(command[1:]))
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError("search-index rebuild failed:\n" + scrub(result.stderr.strip()[-2000:], t.ckan, t.datastore))
    echo("search index rebuilt")
