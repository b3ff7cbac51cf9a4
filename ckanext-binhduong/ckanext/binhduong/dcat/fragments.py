"""Each public dataset's DCAT triples, written once as Turtle and kept in PostgreSQL
(table ``binhduong_dcat_fragment``, created by the plugin's Alembic migration).

A stored fragment is used only when its key matches, and the key is a digest of everything
the text was written from:

- the dataset's id and ``metadata_modified`` as the catalogue's own search returned them
  (CKAN moves ``metadata_modified`` on every change to the dataset or its resources, and
  indexes it in the same request: an edit always misses);
- the row of the dataset's organization (our profile describes the publisher from it, and
  an organization edit touches neither its datasets' ``metadata_modified`` nor their index
  entries);
- a digest of the dataset's stored quality measurement as the DCAT output writes it
  (dcat/quality.py): a recomputed score changes the text without touching the dataset;
- the profile stack, and a version of the code and configuration (``version()``): the
  source of our DCAT modules, the vocabulary and licence files, the installed versions of
  CKAN, ckanext-dcat, rdflib and the unit data, and every ``ckanext.dcat.*``,
  ``ckanext.binhduong.dcat.*`` (but the warming ones) and site-URL setting. A deploy or a
  config change misses; the warming jobs (dcat/warming.py) render the misses in the
  background so that readers do not pay for them.

One row per dataset and profile stack, replaced on the next read after a change; a purged
dataset's row goes with it (foreign key, ON DELETE CASCADE).

The cache reads and writes on a connection of its own, never through the ORM session of
the request: a failure here (the table missing on a database not yet migrated) costs the
page its cache, not the request's transaction.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.resources
import logging
import pathlib
import uuid
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

import ckan.plugins.toolkit as toolkit
from ckan import model

__all__ = ["TABLE", "Fragment", "enabled", "load", "organization_digests", "store", "version"]

log = logging.getLogger(__name__)

TABLE = "binhduong_dcat_fragment"
ENABLED_OPTION = "ckanext.binhduong.dcat.cache"

_warned = {"missing": False}


class Fragment(tuple):
    """(cache_key, dataset_uri, body) of one stored dataset."""

    __slots__ = ()

    @property
    def key(self) -> str:
        return self[0]

    @property
    def uri(self) -> str:
        return self[1]

    @property
    def body(self) -> str:
        return self[2]


def enabled() -> bool:
    return toolkit.asbool(toolkit.config.get(ENABLED_OPTION, True))


def _engine():
    return model.meta.engine


# Settings of the warming jobs change when and how fast fragments are written, not what.
_NOT_IN_OUTPUT = ("ckanext.binhduong.dcat.warm",)


def _config_items() -> list[tuple[str, str]]:
    wanted = ("ckanext.dcat.", "ckanext.binhduong.dcat.", "ckan.site_url", "ckan.root_path",
              "licenses_group_url", "scheming.")
    return sorted((str(key), str(value)) for key, value in toolkit.config.items()
                  if str(key).startswith(wanted) and not str(key).startswith(_NOT_IN_OUTPUT))


@functools.lru_cache(maxsize=8)
def _code_digest() -> str:
    """Digest of the code and data our DCAT output is written from (once per process)."""
    digest = hashlib.sha256()
    package = pathlib.Path(__file__).resolve().parent.parent
    files = sorted((package / "dcat").glob("*.py"))
    files += [package / name for name in ("places.py", "vocabularies.py", "indexing.py",
                                          "quality/dqv.py", "quality/mqa.py")]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    # The ratings' Vietnamese names, written in each dataset's quality annotation.
    from ckanext.binhduong.quality import dqv, mqa
    digest.update("|".join(dqv.vietnamese(label) for label in sorted(mqa.RATING_LABELS.values())).encode())
    try:
        schemas = importlib.resources.files("ckanext.binhduong.schemas")
        for entry in sorted([*schemas.iterdir(), *(schemas / "vocabularies").iterdir()], key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith((".yaml", ".json")):
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    for distribution in ("ckan", "ckanext-dcat", "rdflib", "vietnamadminunits", "ckanext-scheming"):
        try:
            digest.update(f"{distribution}={importlib.metadata.version(distribution)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{distribution}=none".encode())
    return digest.hexdigest()


def version(profiles: Iterable[str]) -> str:
    """What every key of this profile stack shares: code, data and configuration."""
    digest = hashlib.sha256(_code_digest().encode())
    digest.update(" ".join(profiles).encode())
    for key, value in _config_items():
        digest.update(f"\0{key}={value}".encode())
    return digest.hexdigest()[:32]


def key(version_key: str, metadata_modified: str, organization_digest: str, quality_digest: str = "") -> str:
    return hashlib.sha256(
        f"{version_key}|{metadata_modified}|{organization_digest}|{quality_digest}".encode()).hexdigest()[:40]


def _missing_table(error: SQLAlchemyError) -> bool:
    if TABLE in str(error) and "does not exist" in str(error):
        if not _warned["missing"]:
            _warned["missing"] = True
            log.warning("DCAT cache table %s is missing (run `ckan db upgrade -p binhduong`); "
                        "the catalogue is served without it", TABLE)
        return True
    return False


def organization_digests(names: Iterable[str]) -> dict[str, str]:
    """A digest of each organization's row (title, state, extras…), by the name the search
    index holds for it: one query.

    CKAN does not reindex an organization's datasets when the organization is renamed, so
    the index may still hold the old name. Such a name gets a digest that matches nothing
    (a new one on every read): those datasets are rendered afresh each time, never served
    stale, until a search-index rebuild brings the new name in.
    """
    wanted = sorted({name for name in names if name})
    if not wanted:
        return {}
    query = sa.text(
        'SELECT name, md5(ROW(id, title, description, state, type, approval_status, image_url, '
        'is_organization, extras)::text) FROM "group" WHERE name = ANY(:names)'
    )
    with _engine().connect() as connection:
        found = {row[0]: row[1] for row in connection.execute(query, {"names": wanted})}
    return {name: found.get(name) or f"unknown-{uuid.uuid4().hex}" for name in wanted}


def load(profiles: str, dataset_ids: list[str]) -> dict[str, Fragment]:
    if not dataset_ids:
        return {}
    query = sa.text(
        f"SELECT dataset_id, cache_key, dataset_uri, body FROM {TABLE} "
        "WHERE profiles = :profiles AND dataset_id = ANY(:ids)"
    )
    try:
        with _engine().connect() as connection:
            rows = connection.execute(query, {"profiles": profiles, "ids": dataset_ids})
            return {row[0]: Fragment((row[1], row[2], row[3])) for row in rows}
    except SQLAlchemyError as error:
        if _missing_table(error):
            return {}
        raise


def store(profiles: str, fragments: dict[str, Fragment]) -> None:
    """Insert or replace these datasets' fragments (one transaction; a dataset purged
    meanwhile is skipped by the foreign key check rather than failing the page)."""
    if not fragments:
        return
    upsert = sa.text(
        f"INSERT INTO {TABLE} (dataset_id, profiles, cache_key, dataset_uri, body, written) "
        "SELECT :dataset_id, :profiles, :cache_key, :dataset_uri, :body, now() "
        "WHERE EXISTS (SELECT 1 FROM package WHERE id = :dataset_id) "
        "ON CONFLICT (dataset_id, profiles) DO UPDATE SET cache_key = EXCLUDED.cache_key, "
        "dataset_uri = EXCLUDED.dataset_uri, body = EXCLUDED.body, written = EXCLUDED.written"
    )
    rows = [{"dataset_id": dataset_id, "profiles": profiles, "cache_key": fragment.key,
             "dataset_uri": fragment.uri, "body": fragment.body}
            for dataset_id, fragment in fragments.items()]
    try:
        with _engine().begin() as connection:
            connection.execute(upsert, rows)
    except SQLAlchemyError as error:
        if _missing_table(error):
            return
        # A concurrent purge between the check and the insert: the page is still right,
        # only this write is lost.
        log.warning("DCAT cache write failed (%s); the page was served uncached", error.__class__.__name__)
