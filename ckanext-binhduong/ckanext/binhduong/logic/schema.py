"""Strict input schemas of our actions: unknown keys are refused, types are converted."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit


def seed_catalogue_schema() -> dict:
    ignore_missing = toolkit.get_validator("ignore_missing")
    boolean_validator = toolkit.get_validator("boolean_validator")
    unicode_safe = toolkit.get_validator("unicode_safe")
    return {
        "dry_run": [ignore_missing, boolean_validator],
        "source": [ignore_missing, unicode_safe],
        "__extras": [_refuse_extras],
    }


def harvest_source_purge_schema() -> dict:
    return {
        "id": [toolkit.get_validator("not_empty"), toolkit.get_validator("unicode_safe")],
        "dry_run": [toolkit.get_validator("ignore_missing"), toolkit.get_validator("boolean_validator")],
        "__extras": [_refuse_extras],
    }


def harvest_source_purge_orphans_schema() -> dict:
    return {
        "dry_run": [toolkit.get_validator("ignore_missing"), toolkit.get_validator("boolean_validator")],
        "__extras": [_refuse_extras],
    }


def _refuse_extras(key, data, errors, context):
    extras = data.get(key) or {}
    if extras:
        raise toolkit.Invalid(f"Unknown parameters: {', '.join(sorted(extras))}")
