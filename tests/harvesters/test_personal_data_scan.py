"""The point of bd_civil_registry: personal data never leaves the harvester.

A synthetic export with known names, 12-digit ID numbers, birth dates and addresses — plus
rows that exercise the error paths (an unknown commune, a malformed date, a name shifted
into the place column, an unknown event type) — is harvested through ckanext-harvest on the
real services, from CSV and from XLSX, and its DataStore table is loaded with xloader's own
loader. Then every place a value could end up is searched for every one of them:

- every row of every table of the CKAN test database and of the DataStore test database
  (tables enumerated from information_schema; each row read as text, JSON columns included);
- the logs: every log record emitted during the harvest (a handler on the root logger at
  DEBUG, tracebacks included) and the files var/log/*.log;
- the Solr documents of the test core (all stored fields);
- every file in the test FileStore (the published resources) and the package dicts.

The search must find nothing; the same search run on the source file finds every value (so
it can find them)."""
from __future__ import annotations

import json
import logging
import os
import pathlib
import re
import urllib.request

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action
from ckanext.binhduong.harvesters.samples import make_civil_registry_samples as samples

from .civil_registry_support import DATASET, csv_rows, dataset, file_of, plugins
from .harvest_support import object_errors, statuses

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", plugins()),
    pytest.mark.ckan_config("ckanext.binhduong.harvest_allow_private_addresses", "true"),
    pytest.mark.ckan_config("ckanext.binhduong.harvest_timeout_seconds", "5"),
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
]

ROOT = pathlib.Path(__file__).resolve().parents[2]
PERSONAL = ("Họ và tên", "Số định danh cá nhân", "Họ tên cha", "Họ tên mẹ", "Nơi cư trú", "Ngày sinh")


class Needles:
    """Every personal value of the sample, as typed and as JSON escapes would store it."""

    def __init__(self, rows: list[dict[str, str]]):
        values = {row[column] for row in rows for column in PERSONAL if row[column]}
        forms = set(values) | {json.dumps(v)[1:-1] for v in values}
        self.values = values
        self.pattern = re.compile(_trie_pattern(forms))

    def find(self, text: str) -> set[str]:
        return set(self.pattern.findall(text))


def _trie_pattern(words) -> str:
    """One regular expression matching any of ``words``, written as a trie (an alternation of
    two thousand names is too slow to run over megabytes of logs)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def walk(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + walk(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return walk(trie)


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def _tables(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema')"))]


def _scan_database(engine, needles: Needles) -> tuple[dict[str, set[str]], int]:
    found, rows_read = {}, 0
    for schema, table in _tables(engine):
        with engine.connect() as connection:
            result = connection.execute(sa.text(f'SELECT t::text FROM "{schema}"."{table}" AS t'))
            for (text,) in result:
                rows_read += 1
                hits = needles.find(text or "")
                if hits:
                    found.setdefault(f"{schema}.{table}", set()).update(hits)
    return found, rows_read


def _datastore_engine():
    return sa.create_engine(toolkit.config["ckan.datastore.write_url"])


def test_no_personal_value_reaches_a_table_a_log_the_index_or_a_file(sample_server, make_source, registry_office,
                                                                    caplog):
    rows = samples.records(300, seed=2024) + samples.problem_rows()
    needles = Needles(rows)
    source_bytes = samples.events_csv(rows)
    assert needles.find(source_bytes.decode("utf-8-sig")) == needles.values  # the search can find them

    logs = sorted((ROOT / "var" / "log").glob("*.log"))
    capture = Capture()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        csv_job = make_source(sample_server.put("ho-tich/quet.csv", source_bytes)).run()
        xlsx_job = make_source(sample_server.put("ho-tich/quet.xlsx", samples.events_xlsx(rows)),
                               {"events": {"name": "thong-ke-ho-tich-xlsx"}}).run()
        # The DataStore table, loaded by xloader's own loader from the published CSV.
        from ckanext.xloader import loader

        for name in (DATASET, "thong-ke-ho-tich-xlsx"):
            resource = dataset(name)["resources"][0]
            path = pathlib.Path(toolkit.config["ckan.storage_path"]) / "resources" / resource["id"][:3] / \
                resource["id"][3:6] / resource["id"][6:]
            loader.load_csv(str(path), resource_id=resource["id"], logger=logging.getLogger("xloader.test"))
    finally:
        root.removeHandler(capture)
        root.setLevel(previous_level)

    # The harvests ran, published, and went through the error paths.
    assert statuses(csv_job) == {"events": "added"} and statuses(xlsx_job) == {"events": "added"}
    errors = object_errors(csv_job)
    assert any("không xác định được xã" in e for e in errors) and any("ngày đăng ký không đọc được" in e for e in errors)
    assert any("không giống tên xã/phường" in e for e in errors)
    assert len(csv_rows(dataset())) > 100

    problems = {}
    # 1. Every table of both databases.
    ckan_hits, ckan_rows = _scan_database(model.meta.engine, needles)
    datastore_engine = _datastore_engine()
    store_hits, store_rows = _scan_database(datastore_engine, needles)
    with datastore_engine.connect() as connection:
        loaded = connection.execute(sa.text(
            f'SELECT count(*) FROM "{dataset()["resources"][0]["id"]}"')).scalar()
    datastore_engine.dispose()
    assert loaded == len(csv_rows(dataset())) and store_rows >= loaded
    scanned_tables = {table for _, table in _tables(model.meta.engine)}
    assert {"package", "resource", "harvest_object", "harvest_object_error", "harvest_gather_error", "activity",
            "task_status"} <= scanned_tables and ckan_rows > 40
    problems.update({f"ckan_test {k}": v for k, v in ckan_hits.items()})
    problems.update({f"datastore_test {k}": v for k, v in store_hits.items()})

    # 2. Logs: what this process logged (our handler and pytest's capture) and var/log files.
    assert capture.lines, "no log record captured: the capture is broken"
    if hits := needles.find("\n".join(capture.lines)):
        problems["log records"] = hits
    if hits := needles.find(caplog.text):
        problems["caplog"] = hits
    for path in logs:
        if hits := needles.find(path.read_text(encoding="utf-8", errors="replace")):
            problems[str(path)] = hits

    # 3. Solr: every stored field of every document of the test core, and direct queries.
    solr = toolkit.config["solr_url"].rstrip("/")
    with urllib.request.urlopen(f"{solr}/select?q=*:*&fl=*&rows=10000&wt=json") as response:
        documents = json.loads(response.read())
    assert documents["response"]["numFound"] >= 2
    if hits := needles.find(json.dumps(documents, ensure_ascii=False)):
        problems["solr documents"] = hits
    for row in rows[:20]:
        query = urllib.request.quote(f'text:"{row["Số định danh cá nhân"]}" OR text:"{row["Họ và tên"]}"')
        with urllib.request.urlopen(f"{solr}/select?q={query}&wt=json") as response:
            assert json.loads(response.read())["response"]["numFound"] == 0

    # 4. Every file in the FileStore, and the package dicts.
    storage = pathlib.Path(toolkit.config["ckan.storage_path"])
    scanned = 0
    for folder, _, names in os.walk(storage):
        for name in names:
            scanned += 1
            if hits := needles.find((pathlib.Path(folder) / name).read_bytes().decode("utf-8", errors="replace")):
                problems[os.path.join(folder, name)] = hits
    assert scanned >= 2
    for name in (DATASET, "thong-ke-ho-tich-xlsx"):
        package = dataset(name)
        if hits := needles.find(json.dumps(package, ensure_ascii=False)):
            problems[f"package {name}"] = hits
        assert file_of(package["resources"][0])

    assert problems == {}, {where: sorted(hits)[:5] for where, hits in problems.items()}


def test_error_messages_of_a_broken_export_name_no_one(sample_server, make_source, registry_office):
    """Misaligned rows (an unquoted comma in a name shifts every later cell) and a file whose
    header is missing: the messages give row numbers and labels, never a cell."""
    rows = samples.records(40, seed=99)
    needles = Needles(rows)
    text = samples.events_csv(rows).decode("utf-8-sig").splitlines()
    # Unquote a name and put a comma in it: the row now has one cell too many.
    person = rows[5]["Họ và tên"]
    text[2 + 5] = text[2 + 5].replace(person, person.replace(" ", ", ", 1))
    job = make_source(sample_server.put("ho-tich/lech.csv", "\r\n".join(text).encode())).run()
    errors = "\n".join(object_errors(job))
    assert "dòng có số ô khác số cột của tiêu đề" in errors and "(dòng 8)" in errors
    assert not needles.find(errors) and person.split()[0] + "," not in errors

    # No header at all: only data rows.
    headless = "\r\n".join(text[2:]).encode()
    source = make_source(sample_server.put("ho-tich/khong-tieu-de.csv", headless))
    job = source.run()
    report = call_action("harvest_job_report", id=job.id)
    messages = "\n".join(e["message"] for e in report["gather_errors"])
    assert "Không tìm thấy dòng tiêu đề" in messages or "thiếu cột bắt buộc" in messages
    assert not needles.find(messages)
