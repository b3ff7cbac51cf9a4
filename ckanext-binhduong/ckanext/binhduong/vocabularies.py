"""Controlled vocabularies of the catalogue (themes, frequencies, access rights, file types,
languages, agency types) and the licence list.

The terms live as data in ``schemas/vocabularies/<name>.yaml`` (installed as
``ckanext.binhduong.schemas``) so that editors change a label without touching code; the
licence list is ``schemas/licenses.json``, the same file CKAN reads through
``licenses_group_url``. Each file is read once per process.
"""
from __future__ import annotations

import functools
import importlib.resources
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

SCHEMAS_PACKAGE = "ckanext.binhduong.schemas"
_ENTRY_KEYS = {"code", "uri", "label_vi", "label_en"}


@dataclass(frozen=True)
class Term:
    code: str
    uri: str | None
    label_vi: str
    label_en: str
    # Excluded from hashing so that terms can live in sets; treat it as read-only, it is
    # shared by every caller.
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def label(self, lang: str = "vi") -> str:
        if (lang or "").lower().startswith("en"):
            return self.label_en or self.label_vi
        return self.label_vi or self.label_en


@dataclass(frozen=True)
class _Vocabulary:
    terms: tuple[Term, ...]
    by_code: dict[str, Term]
    by_uri: dict[str, Term]


def _schemas_dir():
    return importlib.resources.files(SCHEMAS_PACKAGE)


@functools.lru_cache(maxsize=None)
def _available() -> frozenset[str]:
    folder = _schemas_dir() / "vocabularies"
    if not folder.is_dir():
        return frozenset()
    return frozenset(
        entry.name[: -len(".yaml")]
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml") and re.fullmatch(r"[a-z][a-z0-9_]*\.yaml", entry.name)
    )


@functools.lru_cache(maxsize=None)
def _load(vocabulary: str) -> _Vocabulary:
    if vocabulary not in _available():
        raise KeyError(f"Unknown vocabulary {vocabulary!r}; known: {', '.join(sorted(_available()))}")
    path = _schemas_dir() / "vocabularies" / f"{vocabulary}.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = document.get("terms") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: a vocabulary file needs a non-empty `terms` list")
    terms: list[Term] = []
    by_code: dict[str, Term] = {}
    by_uri: dict[str, Term] = {}
    for position, entry in enumerate(entries, start=1):
        missing = {"code", "label_vi", "label_en"} - set(entry or {})
        if missing:
            raise ValueError(f"{path}: term {position} lacks {', '.join(sorted(missing))}")
        term = Term(
            code=str(entry["code"]),
            uri=entry.get("uri") or None,
            label_vi=str(entry["label_vi"]),
            label_en=str(entry["label_en"]),
            extra={k: v for k, v in entry.items() if k not in _ENTRY_KEYS},
        )
        if term.code.lower() in by_code:
            raise ValueError(f"{path}: code {term.code!r} appears twice (codes are case-insensitive)")
        terms.append(term)
        by_code[term.code.lower()] = term
        if term.uri:
            by_uri[term.uri] = term
    return _Vocabulary(terms=tuple(terms), by_code=by_code, by_uri=by_uri)


def terms(vocabulary: str) -> list[Term]:
    return list(_load(vocabulary).terms)


def term(vocabulary: str, code: str) -> Term | None:
    """The term with this code (any case), or with this URI, as harvested DCAT carries it."""
    if code is None:
        return None
    loaded = _load(vocabulary)
    text = str(code).strip()
    return loaded.by_code.get(text.lower()) or loaded.by_uri.get(text)


def choices(vocabulary: str, lang: str = "vi") -> list[dict]:
    return [{"value": t.code, "label": t.label(lang)} for t in _load(vocabulary).terms]


# ---------------------------------------------------------------------------------------
# Licences


@functools.lru_cache(maxsize=None)
def _licences() -> tuple[dict[str, Any], ...]:
    path = _schemas_dir() / "licenses.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: CKAN's licenses_group_url format is a JSON list of licences")
    return tuple(data)


def licences() -> list[dict]:
    # Copies: the cached entries are shared by every caller in the process.
    return [dict(entry) for entry in _licences()]


def licence(licence_id: str) -> dict | None:
    """One licence of the register by id (a copy), or None."""
    found = next((entry for entry in _licences() if entry["id"] == licence_id), None)
    return dict(found) if found is not None else None


def _is_open(entry: dict[str, Any]) -> bool:
    if "open" in entry:
        return bool(entry["open"])
    # CKAN's own test for an open licence (License.isopen).
    return "approved" in (entry.get("od_conformance"), entry.get("osd_conformance"))


@functools.lru_cache(maxsize=None)
def _open_ids() -> frozenset[str]:
    return frozenset(entry["id"] for entry in _licences() if _is_open(entry))


def open_licence_ids() -> set[str]:
    return set(_open_ids())


# ---------------------------------------------------------------------------------------
# File types


@functools.lru_cache(maxsize=None)
def _file_type_index() -> tuple[tuple[tuple[str, Term], ...], dict[str, Term]]:
    extensions: list[tuple[str, Term]] = []
    media: dict[str, Term] = {}
    for t in _load("file_types").terms:
        for extension in t.extra.get("extensions") or []:
            extensions.append(("." + str(extension).lower().lstrip("."), t))
        for media_type in [t.extra.get("media_type"), *(t.extra.get("media_type_aliases") or [])]:
            if media_type:
                media.setdefault(str(media_type).lower(), t)
    # Longest first: "x.shp.zip" is a shapefile, not just a zip.
    extensions.sort(key=lambda pair: len(pair[0]), reverse=True)
    return tuple(extensions), media


def file_type_for(filename: str | None = None, media_type: str | None = None) -> Term | None:
    """The format of a file from its name (or URL) or, failing that, its media type.

    The name wins because uploads often carry a wrong media type: browsers on Windows send
    application/vnd.ms-excel for CSV files, servers send application/octet-stream."""
    extensions, media = _file_type_index()
    if filename:
        name = re.split(r"[?#]", str(filename), maxsplit=1)[0]
        name = re.split(r"[/\\]", name)[-1].strip().lower()
        for extension, found in extensions:
            if name.endswith(extension) and len(name) > len(extension):
                return found
    if media_type:
        return media.get(str(media_type).split(";", 1)[0].strip().lower())
    return None
