"""Template helpers of the publisher's dataset and resource forms.

The form never loses what a clerk typed and never fails on an error shape it did not expect:
the validators' messages name their field (useful in the API, where only the key is given),
and the form shows each one beside its field, so the field's own label is taken off the front
of the message there (the error summary puts the label back once). Repeating blocks may carry
a message about the whole block ("add at least one") instead of one dict per row.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.text import current_lang, to_date

__all__ = [
    "bd_error_without_label", "bd_field_errors", "bd_block_errors", "bd_row_errors",
    "bd_date_input_value", "bd_form_sections", "bd_field_is_required", "bd_section_has_errors",
    "bd_unit_options", "bd_selected_values", "bd_prefill_from_organization", "bd_editor_needs_review",
    "bd_form_draft", "bd_review_status",
]

_ = toolkit._

# The steps of the dataset form, in order (a field names its step with `form_section`).
SECTIONS = ("basic", "coverage", "licence", "advanced")


def _labels(field: dict | None) -> list[str]:
    label = (field or {}).get("label")
    if isinstance(label, dict):
        return [text for text in label.values() if text]
    return [label] if label else []


def bd_error_without_label(message: Any, field: dict | None) -> str:
    """``"Mô tả: trường này bắt buộc"`` beside the field "Mô tả" reads "Trường này bắt buộc"."""
    text = str(message)
    for label in sorted(_labels(field), key=len, reverse=True):
        prefix = f"{label}: "
        if text.startswith(prefix):
            rest = text[len(prefix):]
            return rest[:1].upper() + rest[1:]
    return text


def _messages(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return []
    return [item for item in value if isinstance(item, str)]


def bd_field_errors(errors: Any, field: dict) -> list[str]:
    """The messages of one (non-repeating) field, without its label."""
    if not isinstance(errors, dict):
        return []
    return [bd_error_without_label(message, field) for message in _messages(errors.get(field["field_name"]))]


def bd_block_errors(errors: Any, field: dict) -> list[str]:
    """Messages about a repeating block as a whole (strings among its rows' dicts)."""
    return bd_field_errors(errors, field)


def bd_row_errors(errors: Any, field: dict) -> list[dict]:
    """The per-row error dicts of a repeating block, each message without its sub-field label;
    a string about the whole block is left out (see bd_block_errors)."""
    if not isinstance(errors, dict):
        return []
    rows = errors.get(field["field_name"]) or []
    if not isinstance(rows, list):
        return []
    subfields = {sub["field_name"]: sub for sub in field.get("repeating_subfields", [])}
    cleaned = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        cleaned.append({name: [bd_error_without_label(message, subfields.get(name)) for message in _messages(value)]
                        for name, value in row.items()})
    return cleaned


def bd_date_input_value(value: Any, typed: bool = False) -> str:
    """A stored ISO date shown as dd/mm/yyyy; what was typed (a form sent back with errors)
    shown exactly as typed."""
    if value is None or value == "":
        return ""
    text = str(value)
    if not typed and len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-":
        parsed = to_date(text)
        if parsed is not None:
            return parsed.strftime("%d/%m/%Y")
    return text


def bd_field_is_required(field: dict) -> bool:
    """Starred in the form: `required: true` in the schema (a sub-field of an optional block
    is required only once the block is used, and says so in its help instead of a star)."""
    return bool(field.get("required"))


def bd_form_sections(fields: list[dict]) -> list[dict]:
    """The form's steps with their fields, in schema order within each step."""
    titles = {
        "basic": _("Basic description"),
        "coverage": _("Coverage and time"),
        "licence": _("Licence and contact"),
        "advanced": _("Advanced"),
    }
    grouped: dict[str, list[dict]] = {name: [] for name in SECTIONS}
    for field in fields:
        section = field.get("form_section") or "basic"
        grouped.setdefault(section if section in grouped else "basic", []).append(field)
    return [{"name": name, "title": titles[name], "fields": grouped[name]} for name in SECTIONS if grouped[name]]


def bd_section_has_errors(fields: list[dict], errors: Any) -> bool:
    """Whether one of the fields has a message (a folded section opens to show it)."""
    if not isinstance(errors, dict):
        return False
    return any(errors.get(field["field_name"]) for field in fields)


def bd_selected_values(value: Any) -> list[str]:
    """What a choice field holds, whatever shape the form or the database gave it in (a list,
    JSON text, or one value); typed values that are not in the list are kept to show them."""
    import json

    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    text = str(value).strip()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
            if isinstance(loaded, list):
                return [str(item) for item in loaded]
        except (ValueError, RecursionError):
            pass
    return [text]


def bd_unit_options(value: Any) -> list[dict]:
    """The administrative units as options of the unit picker: value, label, level (province,
    district, commune) and whether chosen. Unknown codes typed in come first, so a refused
    value stays visible beside its message."""
    from ckanext.binhduong import places

    chosen = bd_selected_values(value)
    options = []
    for choice in places.choices(current_lang()):
        unit = places.get_unit(choice["value"])
        options.append({"value": choice["value"], "label": choice["label"],
                        "level": unit.level if unit else "", "selected": choice["value"] in chosen})
    known = {option["value"] for option in options}
    unknown = [{"value": code, "label": code, "level": "", "selected": True} for code in chosen if code not in known]
    return unknown + options


def _organization_for_form(data: dict) -> dict | None:
    available = toolkit.h.organizations_available("create_dataset")
    if not available:
        return None
    wanted = data.get("owner_org")
    chosen = next((org for org in available if wanted in (org.get("id"), org.get("name"))), available[0])
    try:
        return toolkit.get_action("organization_show")({}, {"id": chosen["id"], "include_datasets": False,
                                                           "include_users": False})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return None


def bd_prefill_from_organization(data: dict) -> str:
    """A new dataset's form starts from the agency: creator and contact point from the
    organization's name, e-mail and phone, coverage from its administrative unit (the licence
    starts at the schema's default, CC BY 4.0). Only empty fields are filled."""
    if not isinstance(data, dict) or data.get("id"):
        return ""
    organization = _organization_for_form(data)
    if organization is None:
        return ""
    title = organization.get("title") or organization.get("name")
    if not data.get("author"):
        data["author"] = title
    if not data.get("contact"):
        data["contact"] = [{"name": title, "email": organization.get("email") or "",
                            "phone": organization.get("phone") or ""}]
    if not data.get("spatial_units") and organization.get("admin_unit"):
        data["spatial_units"] = [organization["admin_unit"]]
    return ""


def bd_editor_needs_review() -> bool:
    """Whether the signed-in user's datasets wait for an admin in one of their agencies."""
    from ckanext.binhduong import workflow

    if not toolkit.current_user.is_authenticated:
        return False
    return any(workflow.held_for_review(toolkit.current_user.name, org["id"], None)
               for org in toolkit.h.organizations_available("create_dataset"))


def bd_form_draft(package: Any = None, resource_id: str | None = None, kind: str = "dataset") -> dict:
    """What assets/form/form.js needs to keep a clerk's unsaved draft in the browser: the key
    (per signed-in user, dataset and form) and the dataset's version the form was opened on
    (its ``metadata_modified``: a draft sent with the form is obsolete once that changes,
    i.e. the save went through). ``package``: the dataset's id or name (None: a new dataset)."""
    import ckan.model as model

    user = toolkit.current_user.name if toolkit.current_user.is_authenticated else ""
    package_obj = model.Package.get(package) if isinstance(package, str) and package else None
    dataset = package_obj.id if package_obj is not None else "new"
    key = f"bd-draft:{user}:{dataset}"
    if kind == "resource":
        key += f":resource:{resource_id or 'new'}"
    base = package_obj.metadata_modified.isoformat() if package_obj is not None and package_obj.metadata_modified else ""
    return {"key": key, "base": base, "new_dataset_key": f"bd-draft:{user}:new",
            "dataset_is_draft": bool(package_obj is not None and package_obj.state.startswith("draft"))}


def bd_review_status(package: dict) -> dict | None:
    """Where a dataset stands in the approval workflow, for those who may see it there: the
    agency's editors and admins, and sysadmins (None for everyone else and for a dataset
    that never entered the workflow). Who acted and when; whether this user may decide."""
    import ckan.model as model

    from ckanext.binhduong import workflow

    if not isinstance(package, dict) or not package.get("id") or not toolkit.current_user.is_authenticated:
        return None
    user = toolkit.current_user.name
    if workflow.role(user, package.get("owner_org")) not in ("sysadmin", "admin", "editor"):
        return None
    row = workflow.get(package["id"])
    if row is None:
        return None
    pending = row["status"] == workflow.PENDING
    actor_id = row["submitted_by"] if pending else row["reviewed_by"]
    actor = model.User.get(actor_id) if actor_id else None
    return {"status": row["status"], "reason": row["reason"],
            "who": (actor.fullname or actor.name) if actor is not None else "",
            "when": row["submitted_at"] if pending else row["reviewed_at"],
            "can_review": pending and workflow.may_review(user, package.get("owner_org"))}
