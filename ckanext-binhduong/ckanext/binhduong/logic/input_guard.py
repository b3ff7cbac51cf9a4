"""Input the database or a validator would choke on, refused with a 4xx before it gets there.

- A NUL character anywhere in a request's text (query string, form fields, a JSON body):
  PostgreSQL refuses it inside text and CKAN answered 500. The whole request is refused with
  400 (the Action API's JSON error for API calls), before any action runs, so nothing is
  created half-way. Uploaded files are not inspected: binary files hold NUL bytes.
- ``private`` that is not a boolean word on ``package_create`` / ``package_update``: CKAN
  reads "maybe" as false, which would publish a dataset its publisher tried to keep private.
- A harvest source's URL (logic/harvest_source_urls.py).
- Values of the wrong shape for the catalogue schema (a number for the agency, an object for
  the licence, a number for the keywords or a resource URL): CKAN's and the extensions'
  validators assume text and failed with a 500. A number for a text field is taken as its
  text; a list or an object where text is expected, or anything but rows where a repeating
  block (contact, legal basis) is expected, is a validation error naming the field.
- ``package_search`` parameters CKAN parses without checking (``include_private=abc``,
  ``start=``): refused or dropped before the search (``check_search_params``).
"""
from __future__ import annotations

import json

import ckan.plugins.toolkit as toolkit
from flask import request

from ckanext.binhduong.logic.harvest_source_urls import check_harvest_source

__all__ = ["check_search_params", "package_create", "package_update", "refuse_control_characters",
           "resource_create", "resource_update"]

_ = toolkit._
TRUE_WORDS = ("true", "1", "yes", "on", "t", "y")
FALSE_WORDS = ("false", "0", "no", "off", "f", "n", "")


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values if isinstance(value, str))


def refuse_control_characters():
    """``before_app_request``: a 400 for a NUL character in a request's text."""
    found = _has_nul(request.args.values())
    if not found and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        found = _has_nul(request.form.values())  # file parts are in request.files, not here
    if not found and request.mimetype == "application/json":
        body = request.get_data(cache=True)
        found = b"\x00" in body or b"\\u0000" in body.lower()
    if not found:
        return None
    message = _("The request contains a NUL character (\\0), which no field may hold. Remove it and send the request again.")
    if request.path.startswith("/api/"):
        body = {"success": False, "error": {"__type": "Validation Error", "message": message}}
        return json.dumps(body), 400, {"Content-Type": "application/json;charset=utf-8"}
    return toolkit.abort(400, message)


def _check_private(data_dict: dict) -> None:
    if "private" not in data_dict:
        return
    value = data_dict["private"]
    if isinstance(value, bool) or value is None:
        return
    if str(value).strip().lower() not in TRUE_WORDS + FALSE_WORDS:
        raise toolkit.ValidationError({"private": [
            _("Visibility: “{value}” is neither true nor false. Choose private (true) or public (false).").format(
                value=str(value)[:50])]})


# ---------------------------------------------------------------------------------------
# Shapes of the catalogue schema's fields

SCALAR = (str, int, float, bool)
# Keys CKAN itself gives structure to (lists of objects), whatever the schema says.
ROWS_OF_OBJECTS = ("resources", "extras", "tags", "groups")


def _field_kinds(fields: list[dict]) -> dict[str, str]:
    kinds = {}
    for field in fields:
        if field.get("repeating_subfields"):
            kinds[field["field_name"]] = "rows"
        elif "multiple" in str(field.get("preset", "")) or "multiple_choice" in str(field.get("output_validators", "")):
            kinds[field["field_name"]] = "list"
        elif field.get("preset") == "tag_string_autocomplete":
            kinds[field["field_name"]] = "list"
        else:
            kinds[field["field_name"]] = "text"
    return kinds


def _schema_kinds(dataset_type: str) -> tuple[dict[str, str], dict[str, str]]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(dataset_type or "dataset") or {}
    return _field_kinds(schema.get("dataset_fields", [])), _field_kinds(schema.get("resource_fields", []))


def _shape_errors(values: dict, kinds: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, kind in kinds.items():
        if name not in values or values[name] is None:
            continue
        value = values[name]
        if kind == "text":
            if isinstance(value, (int, float)):  # bool too: CKAN's validators expect text
                values[name] = str(value)
            elif not isinstance(value, SCALAR):
                errors[name] = [_("{field}: expected text, not a list or an object.").format(field=name)]
        elif kind == "list":
            if isinstance(value, (int, float)):
                values[name] = str(value)
            elif isinstance(value, dict) or (isinstance(value, list) and not all(isinstance(v, SCALAR) for v in value)):
                errors[name] = [_("{field}: expected a list of values.").format(field=name)]
        elif kind == "rows":
            if value == "":
                continue
            if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
                errors[name] = [_("{field}: expected a list of entries, each with its own fields.").format(field=name)]
    return errors


def _check_dataset_shape(data_dict: dict) -> None:
    dataset_kinds, resource_kinds = _schema_kinds(data_dict.get("type") or "dataset")
    errors = _shape_errors(data_dict, dataset_kinds)
    for key in ROWS_OF_OBJECTS:
        value = data_dict.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(row, dict) for row in value)):
            errors[key] = [_("{field}: expected a list of entries, each with its own fields.").format(field=key)]
    if "resources" not in errors:
        resource_errors = [_shape_errors(resource, resource_kinds) for resource in data_dict.get("resources") or []]
        if any(resource_errors):
            errors["resources"] = resource_errors
    if errors:
        raise toolkit.ValidationError(errors)


def _check_resource_shape(data_dict: dict) -> None:
    _, resource_kinds = _schema_kinds("dataset")
    errors = _shape_errors(data_dict, resource_kinds)
    if errors:
        raise toolkit.ValidationError(errors)


def _guard_dataset(action: str, context: dict, data_dict) -> None:
    if isinstance(data_dict, dict):
        _check_private(data_dict)
        check_harvest_source(action, context, data_dict)
        if data_dict.get("type", "dataset") == "dataset":
            _check_dataset_shape(data_dict)


@toolkit.chained_action
def package_create(up_func, context, data_dict):
    """CKAN's ``package_create`` after the input guard (``private``, shapes, harvest source URL)."""
    _guard_dataset("package_create", context, data_dict)
    return up_func(context, data_dict)


@toolkit.chained_action
def package_update(up_func, context, data_dict):
    """CKAN's ``package_update`` after the input guard (``private``, shapes, harvest source URL)."""
    _guard_dataset("package_update", context, data_dict)
    return up_func(context, data_dict)


@toolkit.chained_action
def resource_create(up_func, context, data_dict):
    """CKAN's ``resource_create`` after the shapes of the resource's fields are checked."""
    if isinstance(data_dict, dict):
        _check_resource_shape(data_dict)
    return up_func(context, data_dict)


@toolkit.chained_action
def resource_update(up_func, context, data_dict):
    """CKAN's ``resource_update`` after the shapes of the resource's fields are checked."""
    if isinstance(data_dict, dict):
        _check_resource_shape(data_dict)
    return up_func(context, data_dict)


# ---------------------------------------------------------------------------------------
# package_search

BOOLEAN_SEARCH_PARAMS = ("include_private", "include_drafts", "include_deleted", "use_default_schema")
NUMBER_SEARCH_PARAMS = ("rows", "start", "facet.limit", "facet.mincount")


def check_search_params(data_dict: dict) -> dict:
    """``package_search``'s parameters that CKAN parses unchecked: booleans must be boolean
    words, numbers whole (an empty one is dropped)."""
    errors = {}
    data_dict = dict(data_dict)
    for name in BOOLEAN_SEARCH_PARAMS:
        value = data_dict.get(name)
        if value is None or isinstance(value, bool):
            continue
        if str(value).strip() == "":
            del data_dict[name]
            continue
        if str(value).strip().lower() not in TRUE_WORDS + FALSE_WORDS:
            errors[name] = [_("Must be true or false.")]
    for name in NUMBER_SEARCH_PARAMS:
        value = data_dict.get(name)
        if value is None or isinstance(value, int):
            continue
        if str(value).strip() == "":
            del data_dict[name]
            continue
        try:
            int(str(value).strip())
        except ValueError:
            errors[name] = [_("Must be a whole number.")]
    if errors:
        raise toolkit.ValidationError(errors)
    return data_dict
