"""Credentials written into old harvest source URLs, moved out of public view.

Since the hardening round a source URL with ``user:password@`` is refused
(logic/harvest_source_urls.py), but a source created before that still publishes its password:
in the source's URL (``package`` and ``harvest_source`` rows, the search index), in every
activity that recorded the source, and in harvest error messages that quoted the URL.
`ckan binhduong harvest-source-credentials` moves each such credential into the server's
secret file of harvest credentials (var/secrets/harvest-credentials, one ``host=user:password``
line each, rendered into ``ckanext.binhduong.harvest_credentials`` by `make up`), strips it
from the URL and scrubs it from those stored copies. The fetcher sends the configured
credential to the same host (harvesters/fetch.py), so harvesting goes on unchanged once
`make up` has re-rendered the configuration.

A credential that cannot be written as a configuration entry (a space or a comma in it) is
still removed from public view; the report says it has to be configured by hand.
"""
from __future__ import annotations

import dataclasses
import os
import pathlib
from urllib.parse import unquote, urlsplit, urlunsplit

import ckan.model as model
import sqlalchemy as sa

__all__ = ["ExposedCredential", "exposed_credentials", "move_credentials"]

# Stored text that may quote a source's URL: (table, column, how rows are chosen).
SCRUBBED_TEXT = (
    ("activity", "data", "object_id = :source_id"),
    ("harvest_gather_error", "message",
     "harvest_job_id IN (SELECT id FROM harvest_job WHERE source_id = :source_id)"),
    ("harvest_object_error", "message",
     "harvest_object_id IN (SELECT id FROM harvest_object WHERE harvest_source_id = :source_id)"),
)


@dataclasses.dataclass(frozen=True)
class ExposedCredential:
    source_id: str
    source_name: str
    url: str = dataclasses.field(repr=False)
    host: str
    user: str
    secret: str = dataclasses.field(repr=False)

    @property
    def public_url(self) -> str:
        parts = urlsplit(self.url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    @property
    def userinfo(self) -> str:
        return urlsplit(self.url).netloc.rsplit("@", 1)[0] + "@"

    @property
    def config_entry(self) -> str | None:
        entry = f"{self.host}={self.user}:{self.secret}"
        return None if any(character.isspace() or character == "," for character in entry) else entry

    def report(self) -> dict:
        return {"source": self.source_name, "host": self.host, "user": self.user, "url": self.public_url,
                "configured": self.config_entry is not None}


def exposed_credentials() -> list[ExposedCredential]:
    """Harvest sources (not deleted) whose URL holds a user name or password."""
    rows = model.Session.execute(sa.text(
        "SELECT id, name, url FROM package WHERE type = 'harvest' AND state <> 'deleted' AND url LIKE '%@%' "
        "ORDER BY name")).all()
    found = []
    for source_id, name, url in rows:
        try:
            parts = urlsplit(url or "")
            host = (parts.hostname or "").lower().rstrip(".")
        except ValueError:
            continue
        if parts.username is None and parts.password is None:
            continue
        found.append(ExposedCredential(source_id, name, url, host, unquote(parts.username or ""),
                                       unquote(parts.password or "")))
    return found


def _append_secret_lines(secrets_file: pathlib.Path, entries: list[str]) -> None:
    secrets_file.parent.mkdir(parents=True, exist_ok=True)
    existing = secrets_file.read_text().split() if secrets_file.exists() else []
    new = [entry for entry in entries if entry not in existing]
    if not new:
        return
    descriptor = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a") as handle:
        handle.write("".join(f"{entry}\n" for entry in new))
    os.chmod(secrets_file, 0o600)


def _scrub(credential: ExposedCredential) -> None:
    session = model.Session
    params = {"source_id": credential.source_id, "url": credential.url, "public_url": credential.public_url,
              "userinfo": credential.userinfo}
    session.execute(sa.text("UPDATE package SET url = :public_url WHERE id = :source_id"), params)
    session.execute(sa.text("UPDATE harvest_source SET url = :public_url WHERE id = :source_id"), params)
    for table, column, rows in SCRUBBED_TEXT:
        session.execute(sa.text(
            f"UPDATE {table} SET {column} = replace(replace({column}, :url, :public_url), :userinfo, '') "
            f"WHERE {rows} AND strpos({column}, :userinfo) > 0"), params)


def move_credentials(secrets_file: pathlib.Path, dry_run: bool = False) -> list[dict]:
    """Move every exposed credential into ``secrets_file`` and out of the stored copies; the
    report names source, host and user, never the password."""
    from ckan.lib import search

    found = exposed_credentials()
    if dry_run or not found:
        return [credential.report() for credential in found]
    _append_secret_lines(secrets_file, [entry for credential in found if (entry := credential.config_entry)])
    for credential in found:
        _scrub(credential)
    model.Session.commit()
    for credential in found:
        search.rebuild(credential.source_id)
    return [credential.report() for credential in found]
