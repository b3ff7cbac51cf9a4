"""Validators of the catalogue schema, named bd_* in the scheming YAML.

Every refusal names the field (by its label in the reader's language) and says how to fix
it. Message ids are English; the Vietnamese text comes from our translation catalogue
(i18n/vi), so the form reads Vietnamese by default and English under /en/.
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any, Collection

import ckan.plugins.toolkit as toolkit
from ckan.lib.navl.dictization_functions import missing
from ckanext.scheming.validation import scheming_validator

from ckanext.binhduong import places, vocabularies
# Dates as text.py reads them (dd/mm/yyyy, d-m-yyyy, ISO, "ngày 1 tháng 7 năm 2025"); None when not a date.
from ckanext.binhduong.text import current_lang, to_date as parse_date

__all__ = [
    "bd_required", "bd_at_least_one", "bd_email", "bd_phone", "bd_url", "bd_url_list",
    "bd_date", "bd_not_before", "bd_choices", "bd_units", "bd_identifier",
    "bd_open_licence_when_public", "bd_restricted_is_private", "bd_spatial_extent",
    "bd_resource_format", "bd_agency_code", "bd_default_dataset_licence", "bd_drop_blank_rows",
    "bd_length_limit", "bd_resource_url", "bd_resource_size", "bd_review_visibility",
]

_ = toolkit._
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
# Vietnamese numbers: mobile 10 digits from 0, landline 11 (02xx + 7 digits); or +84 instead of 0.
PHONE = re.compile(r"^(0\d{9,10}|\+84\d{9,10})$")
AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def _label(field: dict | None, fallback: str) -> str:
    if not field:
        return fallback
    label = field.get("label", fallback)
    if isinstance(label, dict):
        lang = current_lang()
        return label.get(lang) or label.get("vi") or fallback
    return label


def _blank(value: Any) -> bool:
    return value is missing or value is None or (isinstance(value, str) and not value.strip()) or value == []


def _sibling(key: tuple, data: dict, name: str) -> Any:
    """The value of another field at the same nesting level as ``key``."""
    return data.get(key[:-1] + (name,), missing)


@scheming_validator
def bd_required(field, schema):
    def validator(key, data, errors, context):
        if not _blank(data.get(key, missing)):
            return
        if len(key) > 1 and _row_is_blank(key, data):
            # An untouched row of a repeating group (e.g. legal basis) is left out, not refused.
            raise toolkit.StopOnError
        errors[key].append(_("{field}: this field is required. Fill it in.").format(field=_label(field, key[-1])))
        raise toolkit.StopOnError
    return validator


def _row_is_blank(key: tuple, data: dict) -> bool:
    row = key[:-1]
    return all(_blank(value) for other, value in data.items() if other[:-1] == row and len(other) == len(key))


def bd_at_least_one(field_name: str):
    """A dataset-level check that a repeating group (e.g. the contact point) has an entry.

    Runs after the fields (scheming's ``after_validators``): an empty repeating group has
    no keys at all, so a validator on the field itself would never be called."""
    @scheming_validator
    def factory(_field, schema):
        field = next((f for f in schema.get("dataset_fields", []) if f["field_name"] == field_name), None)

        def validator(key, data, errors, context):
            filled = any(
                k[:1] == (field_name,) and len(k) > 1 and not _blank(v) for k, v in data.items()
            )
            if not filled:
                errors.setdefault((field_name,), []).append(
                    _("{field}: add at least one entry.").format(field=_label(field, field_name)))
        return validator
    return factory


@scheming_validator
def bd_email(field, schema):
    def validator(value, context):
        if _blank(value):
            return value
        value = value.strip()
        if not EMAIL.match(value):
            raise toolkit.Invalid(_("{field}: “{value}” is not an email address. Write it like ten@binhduong.gov.vn.").format(
                field=_label(field, "email"), value=value))
        return value
    return validator


@scheming_validator
def bd_phone(field, schema):
    def validator(value, context):
        if _blank(value):
            return value
        compact = re.sub(r"[\s.()-]", "", str(value))
        if not PHONE.match(compact):
            raise toolkit.Invalid(_("{field}: “{value}” is not a Vietnamese phone number. Write 10 or 11 digits starting with 0 (or +84 instead of 0), e.g. 0274 3822 123.").format(
                field=_label(field, "phone"), value=value))
        return compact
    return validator


def _check_url(field, value):
    value = value.strip()
    if not re.match(r"^https?://[^\s/$.?#].[^\s]*$", value, re.IGNORECASE):
        raise toolkit.Invalid(_("{field}: “{value}” is not a web address. Start it with http:// or https://.").format(
            field=_label(field, "url"), value=value))
    return value


@scheming_validator
def bd_url(field, schema):
    def validator(value, context):
        return value if _blank(value) else _check_url(field, value)
    return validator


@scheming_validator
def bd_url_list(field, schema):
    def validator(value, context):
        if _blank(value):
            return value
        items = value if isinstance(value, list) else _json_or_lines(value)
        return json.dumps([_check_url(field, item) for item in items if item.strip()])
    return validator


def _json_or_lines(value: str) -> list[str]:
    try:
        loaded = json.loads(value)
        if isinstance(loaded, list):
            return [str(item) for item in loaded]
    except (ValueError, RecursionError):
        pass
    return [line for line in re.split(r"[\r\n]+", value)]


@scheming_validator
def bd_date(field, schema):
    def validator(value, context):
        if _blank(value):
            return value
        parsed = parse_date(value)
        if parsed is None:
            raise toolkit.Invalid(_("{field}: “{value}” is not a date. Write it as dd/mm/yyyy, e.g. 30/06/2025.").format(
                field=_label(field, "date"), value=value))
        return parsed.isoformat()
    return validator


def bd_not_before(other_field_name: str):
    """The date must not come before another date field of the same record."""
    @scheming_validator
    def factory(field, schema):
        other_label = next(
            (_label(f, other_field_name) for f in schema.get("dataset_fields", []) if f["field_name"] == other_field_name),
            other_field_name,
        )

        def validator(key, data, errors, context):
            this = parse_date(data.get(key)) if not _blank(data.get(key, missing)) else None
            other_value = _sibling(key, data, other_field_name)
            other = parse_date(other_value) if not _blank(other_value) else None
            if this and other and this < other:
                errors[key].append(_("{field}: {value} is before {other} ({other_value}). Enter a date on or after it.").format(
                    field=_label(field, key[-1]), value=this.strftime("%d/%m/%Y"),
                    other=other_label, other_value=other.strftime("%d/%m/%Y")))
        return validator
    return factory


def _field_choices(field: dict) -> list[str]:
    if "vocabulary" in field:
        return [term.code for term in vocabularies.terms(field["vocabulary"])]
    if "choices" in field:
        return [choice["value"] for choice in field["choices"]]
    return [choice["value"] for choice in toolkit.h.scheming_field_choices(field)]


def _is_multiple(field: dict) -> bool:
    return field.get("preset", "").startswith("multiple_")


def _as_list(value: Any) -> list[str]:
    if _blank(value):
        return []
    if isinstance(value, list):
        return [str(item) for item in value if str(item).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(item) for item in json.loads(text)]
        except (ValueError, RecursionError, TypeError):
            pass
    return [part.strip() for part in text.split(",") if part.strip()] if _is_multiple_text(text) else [text]


def _is_multiple_text(text: str) -> bool:
    return "," in text


def _choose(field, key, data, errors, known: Collection[str], message: str):
    value = data.get(key, missing)
    selected = _as_list(value)
    if not _is_multiple(field) and len(selected) > 1:
        selected = [str(value).strip()]
    unknown = [item for item in selected if item not in known]
    for item in unknown:
        errors[key].append(message.format(field=_label(field, key[-1]), value=item))
    if unknown:
        return
    if field.get("required") and not selected:
        errors[key].append(_("{field}: choose at least one value from the list.").format(field=_label(field, key[-1])))
        return
    if _is_multiple(field):
        data[key] = json.dumps(selected)
    elif selected:
        data[key] = selected[0]
    else:
        # Nothing chosen in an optional select: store nothing (as ignore_missing does).
        data.pop(key, None)
        raise toolkit.StopOnError


@scheming_validator
def bd_choices(field, schema):
    """A value (or values) from the field's vocabulary, stored as scheming stores them."""
    def validator(key, data, errors, context):
        if errors.get(key):
            return
        _choose(field, key, data, errors, set(_field_choices(field)),
                _("{field}: “{value}” is not in the list. Choose a value from the list."))
    return validator


@scheming_validator
def bd_units(field, schema):
    """Administrative units by GSO code (legacy) or ``2025/<code>``, as places knows them."""
    def validator(key, data, errors, context):
        if errors.get(key):
            return
        _choose(field, key, data, errors, places.known_codes(),
                _("{field}: “{value}” is not a known administrative unit code. Choose a unit from the list (GSO codes, e.g. 74 for Bình Dương, 718 for Thủ Dầu Một)."))
    return validator


@scheming_validator
def bd_identifier(field, schema):
    """Generated once on creation; a stored identifier never changes."""
    def validator(key, data, errors, context):
        stored = _stored_extra(data, context, "identifier")
        value = data.get(key, missing)
        if stored:
            if not _blank(value) and value != stored:
                errors[key].append(_("{field}: the identifier of a dataset never changes (it is {stored}).").format(
                    field=_label(field, "identifier"), stored=stored))
                return
            data[key] = stored
        elif _blank(value):
            data[key] = str(uuid.uuid4())
    return validator


def _stored_extra(data: dict, context: dict, name: str) -> str | None:
    package = context.get("package")
    if package is None:
        package_id = data.get(("id",))
        if _blank(package_id):
            return None
        package = context["model"].Package.get(package_id)
    if package is None:
        return None
    return package.extras.get(name) or None


def _is_private(data: dict) -> bool:
    # A value that is not a boolean word is refused by the input guard (logic/input_guard.py)
    # before validation; here it must not raise.
    value = data.get(("private",), missing)
    return not _blank(value) and str(value).strip().lower() in ("true", "1", "yes", "on", "t", "y")


@scheming_validator
def bd_open_licence_when_public(field, schema):
    def validator(key, data, errors, context):
        licence = data.get(key, missing)
        if _blank(licence) or errors.get(key):
            return
        access = data.get(("access_rights",), missing)
        public = (access in (missing, None, "", "PUBLIC")) and not _is_private(data)
        if public and licence not in vocabularies.open_licence_ids():
            errors[key].append(_("{field}: “{value}” is not an open licence, and a public dataset needs one (CC BY 4.0, CC0, ODC-BY, ODbL…). Choose an open licence, or mark the data as restricted and private.").format(
                field=_label(field, "license_id"), value=licence))
    return validator


@scheming_validator
def bd_restricted_is_private(field, schema):
    def validator(key, data, errors, context):
        access = data.get(key, missing)
        if errors.get(key) or access in (missing, None, "", "PUBLIC"):
            return
        if not _is_private(data):
            errors[key].append(_("{field}: data restricted under Decree 47/2020/NĐ-CP is never public. Set the visibility to private, or the access rights to public.").format(
                field=_label(field, "access_rights")))
    return validator


@scheming_validator
def bd_spatial_extent(field, schema):
    """GeoJSON geometry; when left empty it is derived from the chosen administrative units."""
    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if _blank(value):
            units = _as_list(data.get(("spatial_units",), missing))
            extent = places.extent(units) if units else None
            if extent:
                data[key] = json.dumps(extent)
            else:
                data.pop(key, None)
                raise toolkit.StopOnError
            return
        problem = geojson_problem(value)
        if problem:
            errors[key].append(_("{field}: not valid GeoJSON ({problem}). Paste a GeoJSON geometry, or leave the field empty to derive it from the administrative units.").format(
                field=_label(field, "spatial"), problem=problem))
            return
        # An extent derived from the units follows them when they change (an update sends
        # the stored extent back); one drawn by hand stays as drawn.
        previous = context.get("package")
        if previous is not None and json.loads(value) == places.extent(_stored_units(previous)):
            units = _as_list(data.get(("spatial_units",), missing))
            extent = places.extent(units) if units else None
            if extent:
                data[key] = json.dumps(extent)
    return validator


def _stored_units(package: Any) -> list[str]:
    from ckanext.binhduong.indexing import stored_codes

    extras = getattr(package, "extras", None) or {}
    return stored_codes(extras.get("spatial_units"))


def geojson_problem(value: Any) -> str | None:
    """Why a GeoJSON geometry is unusable, or None when it is fine."""
    from shapely.geometry import shape

    try:
        geometry = json.loads(value) if isinstance(value, str) else value
    except (ValueError, RecursionError) as error:  # deep nesting ("[[[[...") is a RecursionError
        return f"JSON: {str(error)[:100]}"
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        return "type must be one of " + ", ".join(sorted(GEOMETRY_TYPES))
    try:
        shaped = shape(geometry)
    except Exception as error:  # shapely raises several types for malformed coordinates
        return f"coordinates: {error}"
    west, south, east, north = shaped.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return "coordinates must be longitude, latitude in WGS84"
    if not shaped.is_valid:
        return "the geometry intersects itself"
    return None


@scheming_validator
def bd_resource_format(field, schema):
    def validator(value, context):
        if _blank(value):
            return value
        found = vocabularies.term("file_types", str(value).strip())
        if found is None:
            known = ", ".join(term.code for term in vocabularies.terms("file_types"))
            raise toolkit.Invalid(_("{field}: “{value}” is not a known file format. Use one of: {known}.").format(
                field=_label(field, "format"), value=value, known=known))
        return found.code
    return validator


@scheming_validator
def bd_agency_code(field, schema):
    def validator(value, context):
        if _blank(value):
            return value
        value = value.strip().upper()
        if not AGENCY_CODE.match(value):
            raise toolkit.Invalid(_("{field}: “{value}” is not an agency code. Write it like 000.00.16.H57.").format(
                field=_label(field, "agency_code"), value=value))
        return value
    return validator


def bd_default_dataset_licence(key, data, errors, context):
    """A resource without its own licence carries the dataset's."""
    if _blank(data.get(key, missing)):
        dataset_licence = data.get(("license_id",), missing)
        if not _blank(dataset_licence):
            data[key] = dataset_licence


def bd_drop_blank_rows(*field_names: str):
    """Dataset-level: rows of repeating groups left entirely empty in the form are dropped,
    so an untouched "legal basis" row is not stored as an empty document."""
    def validator(key, data, errors, context):
        for field_name in field_names:
            rows: dict[Any, list] = {}
            for flat_key in list(data):
                if len(flat_key) == 3 and flat_key[0] == field_name:
                    rows.setdefault(flat_key[1], []).append(flat_key)
            for row_keys in rows.values():
                if all(_blank(data[k]) for k in row_keys) and not any(errors.get(k) for k in row_keys):
                    for k in row_keys:
                        data.pop(k, None)
                        errors.pop(k, None)
    return validator


# ---------------------------------------------------------------------------------------
# Declared limits (config_declaration.yaml: ckanext.binhduong.max_*, resource_url_schemes)


def bd_length_limit(option_name: str):
    """At most ``ckanext.binhduong.<option_name>`` characters."""
    @scheming_validator
    def factory(field, schema):
        def validator(key, data, errors, context):
            value = data.get(key, missing)
            limit = toolkit.config.get(f"ckanext.binhduong.{option_name}")
            if isinstance(value, str) and limit and len(value) > int(limit):
                errors[key].append(_("{field}: at most {limit} characters ({count} given). Shorten it.").format(
                    field=_label(field, key[-1]), limit=toolkit.h.bd_format_number(int(limit)),
                    count=toolkit.h.bd_format_number(len(value))))
        return validator
    return factory


@scheming_validator
def bd_resource_url(field, schema):
    """A link a browser and the national portal may follow: one of the declared schemes
    (http, https, ftp by default), never ``javascript:`` or ``data:``. Uploads keep the file
    name CKAN gives them."""
    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if _blank(value) or not _blank(_sibling(key, data, "url_type")):
            return
        text = str(value).strip()
        schemes = toolkit.config.get("ckanext.binhduong.resource_url_schemes") or ["http", "https", "ftp"]
        scheme = text.split(":", 1)[0].lower() if ":" in text else ""
        if scheme not in schemes or not re.match(r"^[a-z][a-z0-9+.-]*://[^\s/?#]+", text, re.IGNORECASE):
            errors[key].append(_("{field}: “{value}” is not a link to a file. Use an address starting with {schemes}, or upload the file.").format(
                field=_label(field, "url"), value=text[:200], schemes=", ".join(f"{name}://" for name in schemes)))
    return validator


@scheming_validator
def bd_resource_size(field, schema):
    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if _blank(value):
            if value is not missing:
                data[key] = None  # "" is no size (the database column is a number)
            return
        limit = int(toolkit.config.get("ckanext.binhduong.max_resource_size_bytes") or 0)
        try:
            size = int(str(value).strip())
        except ValueError:
            errors[key].append(_("{field}: “{value}” is not a whole number of bytes.").format(
                field=_label(field, "size"), value=str(value)[:50]))
            return
        if size < 0 or (limit and size > limit):
            errors[key].append(_("{field}: must be between 0 and {limit} bytes.").format(
                field=_label(field, "size"), limit=toolkit.h.bd_format_number(limit)))
            return
        data[key] = size
    return validator


def bd_review_visibility(key, data, errors, context):
    """Dataset-level (``after_validators``): an agency editor's dataset stays private until an
    admin of the agency approves it (the rule is in workflow.py)."""
    from ckanext.binhduong import workflow

    organization_id = data.get(("owner_org",), missing)
    if _blank(organization_id) or errors.get(("owner_org",)):
        return
    forced = workflow.forced_private(context.get("user"), organization_id, context.get("package"))
    if forced is not None:
        data[("private",)] = forced
