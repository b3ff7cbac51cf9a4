"""Reading the starter catalogue (organizations and datasets kept as YAML data files)."""
from __future__ import annotations

import hashlib
import importlib
import os
from dataclasses import dataclass, field
from typing import Any

import yaml


CONTACT_PLACEHOLDER = "PORTAL_CONTACT_EMAIL"


class SeedSourceError(Exception):
    """The seed folder or one of its files cannot be read."""


@dataclass
class SeedCatalogue:
    organizations: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    folder: str = ""


def resolve_folder(source: str) -> str:
    """Turn ``module:relative/path`` or a plain path into a folder path."""
    if ":" in source and not os.path.isabs(source):
        module_name, relative = source.split(":", 1)
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise SeedSourceError(f"Cannot import seed module {module_name!r}: {error}") from error
        base = os.path.dirname(os.path.abspath(module.__file__))
        return os.path.join(base, relative)
    return source


def _read_yaml(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise SeedSourceError(f"Cannot read seed file {path}: {error}") from error


def _contact_email() -> str:
    """The portal team's mailbox (``ckanext.binhduong.contact_email``), the contact the seed
    files name as ``PORTAL_CONTACT_EMAIL``."""
    try:
        import ckan.plugins.toolkit as toolkit
        return toolkit.config.get("ckanext.binhduong.contact_email") or ""
    except (ImportError, RuntimeError, KeyError):
        return ""


def _fill_placeholders(value: Any, email: str) -> Any:
    if isinstance(value, str):
        return value.replace(CONTACT_PLACEHOLDER, email) if email else value
    if isinstance(value, list):
        return [_fill_placeholders(item, email) for item in value]
    if isinstance(value, dict):
        return {key: _fill_placeholders(item, email) for key, item in value.items()}
    return value


def load_catalogue(source: str, contact_email: str | None = None) -> SeedCatalogue:
    """The catalogue in ``source``, with ``PORTAL_CONTACT_EMAIL`` replaced by ``contact_email``
    (default: the configured ``ckanext.binhduong.contact_email``)."""
    email = _contact_email() if contact_email is None else contact_email
    folder = resolve_folder(source)
    if not os.path.isdir(folder):
        raise SeedSourceError(f"Seed folder not found: {folder}")
    catalogue = SeedCatalogue(folder=folder)

    organizations_file = os.path.join(folder, "organizations.yaml")
    if os.path.exists(organizations_file):
        organizations = _read_yaml(organizations_file) or []
        if not isinstance(organizations, list):
            raise SeedSourceError(f"{organizations_file} must hold a list of organizations")
        catalogue.organizations = _fill_placeholders(organizations, email)

    datasets_folder = os.path.join(folder, "datasets")
    if os.path.isdir(datasets_folder):
        for name in sorted(os.listdir(datasets_folder)):
            if name.endswith((".yaml", ".yml")):
                dataset = _read_yaml(os.path.join(datasets_folder, name))
                if not isinstance(dataset, dict) or "name" not in dataset:
                    raise SeedSourceError(f"{name} must hold one dataset with a 'name'")
                catalogue.datasets.append(_fill_placeholders(dataset, email))
    return catalogue


def _stored_value(stored: dict[str, Any], key: str, wanted_value: Any) -> Any:
    # The API answers with ids and full tag objects where seed files name things.
    if key == "owner_org" and (stored.get("organization") or {}).get("name") == wanted_value:
        return wanted_value
    if key == "tags":
        return sorted(tag["name"] for tag in stored.get("tags", []))
    return stored.get(key)


def _wanted_value(key: str, value: Any) -> Any:
    if key == "tags":
        return sorted(tag["name"] if isinstance(tag, dict) else tag for tag in value)
    return value


def differs(wanted: dict[str, Any], stored: dict[str, Any], ignore: tuple[str, ...] = ()) -> bool:
    """True when a declared seed field has another value in the stored object."""
    return any(
        _stored_value(stored, key, value) != _wanted_value(key, value)
        for key, value in wanted.items()
        if key not in ignore
    )


def file_checksum(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
