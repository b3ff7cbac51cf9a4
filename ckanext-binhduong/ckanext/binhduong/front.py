"""The portal's public face: who runs it and how to reach them (header, footer, about page),
the licences it publishes under, and the facts a dataset page shows on its first screen.

Template helpers (listed in ``__all__``, registered through helpers.py)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import vocabularies
from ckanext.binhduong.text import current_lang

__all__ = ["bd_operator", "bd_licences", "bd_dataset_facts", "bd_monogram", "bd_notes_parts",
           "humanize_entity_type"]

TABLE_FORMATS = {"CSV", "XLSX", "XLS", "TSV", "ODS"}
MAP_VIEWS = {"bd_map"}


# Where CKAN names organizations in the plural (breadcrumbs, page titles, facet and tab labels):
# "Cơ quan" / "Agencies", as the main menu says, not CKAN's "Tổ chức" / "Organizations".
AGENCY_PLURAL_PURPOSES = {"breadcrumb", "main nav", "page title", "facet label", "content tab"}


@toolkit.chained_helper
def humanize_entity_type(next_helper, entity_type: str, object_type: str, purpose: str):
    if entity_type == "organization" and object_type == "organization" and purpose in AGENCY_PLURAL_PURPOSES:
        return toolkit._("Agencies")
    return next_helper(entity_type, object_type, purpose)


def _lang() -> str:
    return current_lang()


def bd_operator() -> dict[str, str]:
    """The agency that runs the portal and its contact, from the configuration."""
    lang = _lang()
    config = toolkit.config
    return {
        "name": config.get(f"ckanext.binhduong.dcat.publisher_name_{lang}"),
        "email": config.get("ckanext.binhduong.contact_email") or "",
        "phone": config.get("ckanext.binhduong.contact_phone") or "",
        "address": config.get("ckanext.binhduong.contact_address") or "",
    }


def bd_licences() -> list[dict[str, str]]:
    """The licences of the portal's register, titled in the page's language."""
    lang = _lang()
    return [{"id": entry["id"], "title": (entry.get("title_en") if lang == "en" else None) or entry.get("title"),
             "url": entry.get("url") or ""} for entry in vocabularies.licences()]


def bd_monogram(title: str | None) -> str:
    """Up to three capital letters for an agency without a logo: the initials of the words of
    its name that are not function words, e.g. "Sở Thông tin và Truyền thông" → "TTT"."""
    skip = {"và", "của", "các", "tỉnh", "bình", "dương", "thành", "phố", "huyện", "thị", "xã", "sở", "ban",
            "trung", "tâm", "ủy", "uỷ", "nhân", "dân", "cục", "công", "an"}
    words = [word for word in (title or "").replace("-", " ").replace(",", " ").split() if word]
    if not words:
        return "?"
    kept = [word for word in words if word.lower() not in skip and word[0].isalpha()] or words
    return "".join(word[0].upper() for word in kept[:3])


def bd_notes_parts(notes: str | None) -> dict[str, str]:
    """A description split for the dataset page: its first paragraph (the summary under the
    title) and the rest (the full description further down), both Markdown."""
    text = (notes or "").strip().replace("\r\n", "\n")
    if not text:
        return {"summary": "", "rest": ""}
    first, _, rest = text.partition("\n\n")
    if first.lstrip().startswith("#"):  # a heading first: no summary paragraph, keep it all
        return {"summary": "", "rest": text}
    return {"summary": first, "rest": rest.strip()}


def _frequency_label(code: str | None) -> str:
    term = vocabularies.term("frequencies", code) if code else None
    return term.label(_lang()) if term else (code or "")


def bd_dataset_facts(pkg: dict) -> dict[str, Any]:
    """What the first screen of a dataset page shows: the main file to download (a table gets
    its Excel-friendly CSV), the table and map views to open, and the facts box."""
    # Through the helper registry: helpers.py registers this module's helpers (no import cycle).
    h = toolkit.h
    resources = pkg.get("resources") or []
    main = next((res for res in resources if res.get("datastore_active")), None) or (resources[0] if resources else None)
    download = None
    table_url = map_url = None
    if main is not None:
        if main.get("datastore_active"):
            download = {"url": toolkit.url_for("datastore.dump", resource_id=main["id"], bom=True),
                        "format": "CSV", "name": main.get("name") or "",
                        "xlsx": toolkit.url_for("bd_xlsx_resource.download", resource_id=main["id"])}
        else:
            download = {"url": main.get("url") or "", "format": (main.get("format") or "").upper(),
                        "name": main.get("name") or "", "xlsx": ""}
        for res in resources:
            if not res.get("datastore_active"):
                continue
            views = _views(res["id"])
            for view in views:
                if view["view_type"] == "datatables_view" and table_url is None:
                    table_url = toolkit.url_for(f"{pkg.get('type') or 'dataset'}_resource.read", id=pkg["name"],
                                                resource_id=res["id"], view_id=view["id"])
                if view["view_type"] in MAP_VIEWS and map_url is None:
                    map_url = toolkit.url_for(f"{pkg.get('type') or 'dataset'}_resource.read", id=pkg["name"],
                                              resource_id=res["id"], view_id=view["id"])
        if map_url is None:
            for res in resources:
                if (res.get("format") or "").lower() == "geojson":
                    for view in _views(res["id"]):
                        if view["view_type"] in MAP_VIEWS:
                            map_url = toolkit.url_for(f"{pkg.get('type') or 'dataset'}_resource.read",
                                                      id=pkg["name"], resource_id=res["id"], view_id=view["id"])
                            break
    organization = pkg.get("organization") or {}
    updated = pkg.get("modified") or pkg.get("metadata_modified")
    formats = sorted({(res.get("format") or "").upper() for res in resources if res.get("format")})
    units = h.bd_units_described(pkg.get("spatial_units"))
    return {
        "download": download,
        "table_url": table_url,
        "map_url": map_url,
        "agency": organization.get("title") or "",
        "agency_url": toolkit.url_for("organization.read", id=organization["name"]) if organization.get("name") else "",
        "updated": h.bd_format_date(str(updated)[:10]) if updated else "",
        "frequency": _frequency_label(pkg.get("frequency")),
        "licence": h.bd_licence_title(pkg.get("license_id")) or pkg.get("license_title") or "",
        "licence_url": (vocabularies.licence(pkg.get("license_id")) or {}).get("url", "") if pkg.get("license_id") else "",
        "coverage": ", ".join(unit["name"] for unit in units),
        "formats": formats,
        "downloads": h.bd_dataset_downloads(pkg)["total"],
    }


def _views(resource_id: str) -> list[dict]:
    try:
        return toolkit.get_action("resource_view_list")({}, {"id": resource_id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return []
