"""The bulk path of bench/generate_catalogue.py: a catalogue written as CKAN stores it, without
running package_create for every dataset.

1. Templates. For each variant v (datasets whose number i has i % variants == v share every
   choice: organization, themes, units, formats, licences, dates...), one dataset is created
   by CKAN's own `package_create` (validation against our scheming schema, the plugins' hooks,
   the activity, the organization membership, default views) inside a savepoint, with markers
   in place of the dataset's own parts (its number and words: generate_catalogue.MARKERS).
   Every row it wrote is read back, then the savepoint is rolled back (tags it created are
   kept). A row in a table this module does not copy stops the run.
2. Rows. Dataset i is its variant's rows with the markers replaced by its own parts, fresh
   ids (dataset, resources, memberships, activity, views, DCAT identifier) and its own
   timestamps, written with `execute_values` in batches (one transaction per batch).
3. Checks. Every `check_every`-th dataset is also validated in full through the validation
   package_create runs (`plugin_validate` with the create schema), and the result must equal
   its variant's validated template with the markers replaced (the generated identifier
   aside); any difference stops the run. tests/bench/test_generate_catalogue.py checks that
   package_show of datasets written this way equals package_show of the same datasets made
   by package_create, ids and timestamps aside.

Indexing is left to the caller (one batched build: ckanext.binhduong.index_rebuild).
"""
from __future__ import annotations

import datetime
import uuid
from typing import Any, Callable

from sqlalchemy import event, text

# Tables package_create writes for a new dataset, and how a dataset's rows are found.
TABLES = {
    "package": "id = :id",
    "resource": "package_id = :id",
    "package_tag": "package_id = :id",
    "member": "table_id = :id",
    "activity": "object_id = :id",
    "resource_view": "resource_id IN (SELECT id FROM resource WHERE package_id = :id)",
}
ORDER = ["package", "resource", "package_tag", "member", "activity", "resource_view"]
JSONB = {("package", "extras"), ("package", "plugin_data")}


class Template:
    """One variant's stored rows, and its validated dict, with the markers in them."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]], validated: dict[str, Any]) -> None:
        self.rows = rows
        self.validated = validated
        package = rows["package"][0]
        # Values that are the template's own and must be new for each dataset.
        self.ids = [row["id"] for table in ORDER if table != "package" for row in rows[table]]
        self.package_id = package["id"]
        self.identifier = (package.get("extras") or {}).get("identifier")
        stamps = {value for table in ORDER for row in rows[table] for value in row.values()
                  if isinstance(value, datetime.datetime)}
        self.first = min(stamps)
        self.stamps = sorted(stamps)


def _written_tables(session) -> tuple[set[str], Callable[[], None]]:
    written: set[str] = set()
    engine = session.get_bind()

    def listener(conn, cursor, statement, params, context, executemany):
        words = statement.lstrip().split(None, 3)
        if words and words[0].upper() == "INSERT":
            written.add(words[2].strip('"'))
        elif words and words[0].upper() in ("UPDATE", "DELETE"):
            written.add(words[1 if words[0].upper() == "UPDATE" else 2].strip('"'))

    event.listen(engine, "before_cursor_execute", listener)
    return written, lambda: event.remove(engine, "before_cursor_execute", listener)


def make_template(data: dict, user: str) -> Template:
    """package_create of `data` in a savepoint; its rows read back; rolled back."""
    import ckan.lib.plugins as lib_plugins
    import ckan.plugins.toolkit as toolkit
    from ckan import model

    session = model.Session
    plugin = lib_plugins.lookup_package_plugin("dataset")
    validated, errors = lib_plugins.plugin_validate(
        plugin, {"user": user, "ignore_auth": True, "model": model, "session": session},
        dict(data, type="dataset"), plugin.create_package_schema(), "package_create")
    if errors:
        raise toolkit.ValidationError(errors)
    tags_before = {row[0] for row in session.execute(text("SELECT id FROM tag"))}
    written, stop = _written_tables(session)
    savepoint = session.begin_nested()
    try:
        package_id = toolkit.get_action("package_create")(
            {"user": user, "ignore_auth": True, "defer_commit": True, "return_id_only": True}, dict(data))
        session.flush()
        rows = {table: [dict(row._mapping) for row in session.execute(
            text(f"SELECT * FROM {table} WHERE {where} ORDER BY id"), {"id": package_id})]
            for table, where in TABLES.items()}
        rows["resource"].sort(key=lambda row: row["position"])
        new_tags = [dict(row._mapping) for row in session.execute(
            text("SELECT tag.* FROM tag JOIN package_tag ON tag.id = package_tag.tag_id "
                 "WHERE package_tag.package_id = :id"), {"id": package_id}) if row.id not in tags_before]
    finally:
        stop()
        savepoint.rollback()
        if hasattr(session, "_object_cache"):
            del session._object_cache  # the rolled-back dataset is neither indexed nor announced
    unknown = written - set(TABLES) - {"tag"}
    if unknown:
        raise RuntimeError(f"package_create wrote to {sorted(unknown)}, which the bulk path does not copy")
    for tag in new_tags:
        session.execute(text("INSERT INTO tag (id, name, vocabulary_id) VALUES (:id, :name, :vocabulary_id)"), tag)
    return Template(rows, validated)


def _replacer(pairs: list[tuple[str, str]], stamps: dict[datetime.datetime, datetime.datetime]):
    def walk(value):
        if isinstance(value, str):
            for old, new in pairs:
                if old in value:
                    value = value.replace(old, new)
            return value
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, datetime.datetime):
            return stamps.get(value, value)
        return value
    return walk


def substitutions(template: Template, markers: dict[str, str], texts: dict[str, str],
                  when: datetime.datetime) -> tuple[Callable[[Any], Any], str]:
    """The function that turns the template's values into dataset's, and the dataset's id."""
    package_id = str(uuid.uuid4())
    ids = {template.package_id: package_id, **{old: str(uuid.uuid4()) for old in template.ids}}
    if template.identifier:
        ids[template.identifier] = str(uuid.uuid4())
    stamps = {stamp: when + (stamp - template.first) for stamp in template.stamps}
    pairs = [(markers[key], texts[key]) for key in markers] + list(ids.items())
    pairs += [(old.isoformat(), new.isoformat()) for old, new in stamps.items()]
    return _replacer(pairs, stamps), package_id


def dataset_rows(template: Template, markers: dict[str, str], texts: dict[str, str],
                 when: datetime.datetime) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    walk, package_id = substitutions(template, markers, texts, when)
    return package_id, {table: [walk(row) for row in template.rows[table]] for table in ORDER}


def validated_like(template: Template, markers: dict[str, str], texts: dict[str, str]) -> dict:
    """The template's validated dict with the dataset's own parts (identifier left out)."""
    walk, _ = substitutions(template, markers, texts, template.first)
    result = walk(template.validated)
    return _without_identifier(result)


def _without_identifier(validated: dict) -> dict:
    result = {k: v for k, v in validated.items() if k != "identifier"}
    result["extras"] = [e for e in validated.get("extras", []) if e.get("key") != "identifier"]
    return result


def check_dataset(data: dict, template: Template, markers: dict[str, str], texts: dict[str, str],
                  user: str) -> str | None:
    """Full validation of one dataset against what the bulk path writes for it: None when
    equal, else the fields that differ."""
    import ckan.lib.plugins as lib_plugins
    from ckan import model

    plugin = lib_plugins.lookup_package_plugin("dataset")
    validated, errors = lib_plugins.plugin_validate(
        plugin, {"user": user, "ignore_auth": True, "model": model, "session": model.Session},
        dict(data, type="dataset"), plugin.create_package_schema(), "package_create")
    if errors:
        return f"{data['name']} is invalid: {errors}"
    ours, full = validated_like(template, markers, texts), _without_identifier(validated)
    if ours != full:
        keys = sorted(k for k in set(ours) | set(full) if ours.get(k) != full.get(k))
        return f"{data['name']}: the bulk rows differ from validation in {keys}"
    return None


def columns(connection, table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                       "AND table_name = %s ORDER BY ordinal_position", (table,))
        return [row[0] for row in cursor.fetchall()]


def write_rows(connection, batch: dict[str, list[dict[str, Any]]], table_columns: dict[str, list[str]]) -> None:
    """INSERT the batch's rows, table by table in dependency order, one statement per table."""
    from psycopg2.extras import Json, execute_values

    with connection.cursor() as cursor:
        for table in ORDER:
            rows = batch.get(table) or []
            if not rows:
                continue
            names = table_columns[table]
            values = [tuple(Json(row[c]) if (table, c) in JSONB and row[c] is not None else row[c]
                            for c in names) for row in rows]
            quoted = ", ".join(f'"{c}"' for c in names)
            execute_values(cursor, f"INSERT INTO {table} ({quoted}) VALUES %s", values, page_size=2000)
    connection.commit()
