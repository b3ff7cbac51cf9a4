"""The Metadata Quality Assessment (MQA) of data.europa.eu, computed from our dataset dicts.

Five dimensions, 405 points (the methodology of data.europa.eu, as opendata.swiss uses it):

=================  ===  ==========================================================
findability        100  keywords 30, themes 30, spatial 20, temporal 20
accessibility      100  access URL reachable 50, download URL present 20,
                        download URL reachable 30
interoperability   110  format 20, media type 10, format from a vocabulary 10,
                        non-proprietary 20, machine-readable 20, DCAT-AP compliant 30
reusability         75  licence 20, licence from a vocabulary 10, access rights 10,
                        access rights from a vocabulary 5, contact point 20, publisher 10
contextuality       20  rights 5, file size 5, issued 5, modified 5
=================  ===  ==========================================================

Rating: Excellent above 350, Good 221–350, Sufficient 120–220, Bad below 120.

Dataset-level indicators give all or nothing. Distribution-level indicators give their points
in proportion to the share of distributions that meet them, as the MQA's catalogue figures do
(two distributions, one broken link: half the 50 points); a dataset without distributions
gets none of them. Reachability and DCAT-AP compliance are facts from outside the dict: the
link checker's results (``links``: URL → ``LinkStatus``) and our SHACL validation
(``dcat_ap``: True, False, or None when not validated). A URL not checked yet earns nothing
and says so.

Vocabularies: file types from ``schemas/vocabularies/file_types.yaml`` (EU file-type URIs,
machine-readable flags), licences from ``schemas/licenses.json`` (a licence is "from a
vocabulary" when it has an SPDX id, which our DCAT profile maps to the EU licence table),
access rights from ``access_rights.yaml``. The non-proprietary list follows the European Data
Portal's (open, documented formats; office formats of one vendor, PDF and shapefiles are not).

This module reads no database and no configuration: everything comes in as arguments.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ckanext.binhduong import vocabularies

__all__ = ["DIMENSIONS", "DIMENSION_LABELS", "DIMENSION_MAX", "INDICATORS", "INDICATOR_BY_KEY", "LinkStatus",
           "MAX_POINTS", "NON_PROPRIETARY", "RATINGS", "RATING_LABELS", "Indicator", "checklist", "download_url",
           "rating", "score_dataset", "summarise"]


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; templates translate it."""
    return message


DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
DIMENSION_LABELS = {
    "findability": N_("Findability"),
    "accessibility": N_("Accessibility"),
    "interoperability": N_("Interoperability"),
    "reusability": N_("Reusability"),
    "contextuality": N_("Contextuality"),
}

# Formats whose specification is open and not controlled by one vendor (codes of file_types.yaml).
NON_PROPRIETARY = frozenset({"CSV", "ODS", "JSON", "GEOJSON", "XML", "RDF", "TTL", "JSONLD", "KML", "HTML", "TXT"})
# Formats a link stands for a service or a page rather than a file: no download URL (as our
# DCAT profile maps them, schemas/DCAT-MAPPING.md).
NOT_FILES = frozenset({"API", "HTML"})


@dataclass(frozen=True)
class LinkStatus:
    """What the link checker saw at a URL: ``ok`` when it answered below 400 (or, for a file
    uploaded to the portal, when the stored file exists)."""
    ok: bool
    status: int | None = None
    error: str = ""


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    points: int
    level: str  # "dataset" or "distribution"
    label: str
    fix: str  # what to do when the indicator is not met (English msgid; Vietnamese in the catalogue)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("keywords", "findability", 30, "dataset", N_("Keywords"),
              N_("Add a few keywords (Từ khóa) that people would search for.")),
    Indicator("themes", "findability", 30, "dataset", N_("Themes"),
              N_("Choose at least one theme (Chủ đề).")),
    Indicator("spatial", "findability", 20, "dataset", N_("Geographic coverage"),
              N_("Choose the administrative units the data covers (Phạm vi địa lý).")),
    Indicator("temporal", "findability", 20, "dataset", N_("Temporal coverage"),
              N_("Fill in the period the data covers (Thời gian dữ liệu từ ngày / đến ngày).")),
    Indicator("access_url_reachable", "accessibility", 50, "distribution", N_("Access URL reachable"),
              N_("Fix or replace the resource links that do not answer, or upload the file to the portal.")),
    Indicator("download_url", "accessibility", 20, "distribution", N_("Download URL present"),
              N_("Give each resource a direct link to a file (or upload it), not only a web page or a service.")),
    Indicator("download_url_reachable", "accessibility", 30, "distribution", N_("Download URL reachable"),
              N_("Fix the download links that do not answer.")),
    Indicator("format", "interoperability", 20, "distribution", N_("Format"),
              N_("Fill in the format (Định dạng) of every resource.")),
    Indicator("media_type", "interoperability", 10, "distribution", N_("Media type"),
              N_("Fill in the media type (Kiểu MIME) of every resource; uploading the file fills it in.")),
    Indicator("format_vocabulary", "interoperability", 10, "distribution", N_("Format from the vocabulary"),
              N_("Use a format from the portal's list (CSV, XLSX, JSON, GeoJSON, PDF...).")),
    Indicator("non_proprietary", "interoperability", 20, "distribution", N_("Non-proprietary format"),
              N_("Also publish the data in an open format such as CSV, JSON or ODS.")),
    Indicator("machine_readable", "interoperability", 20, "distribution", N_("Machine-readable format"),
              N_("Publish the data in a machine-readable format (CSV, XLSX, JSON...), not only as PDF or Word.")),
    Indicator("dcat_ap", "interoperability", 30, "dataset", N_("DCAT-AP compliant"),
              N_("The dataset's DCAT-AP description does not validate; the portal team will look at the validation report.")),
    Indicator("licence", "reusability", 20, "dataset", N_("Licence"),
              N_("Choose a licence (Giấy phép).")),
    Indicator("licence_vocabulary", "reusability", 10, "dataset", N_("Licence from a vocabulary"),
              N_("Choose a standard open licence such as CC BY 4.0 or CC0.")),
    Indicator("access_rights", "reusability", 10, "dataset", N_("Access rights"),
              N_("Fill in the access rights (Quyền truy cập).")),
    Indicator("access_rights_vocabulary", "reusability", 5, "dataset", N_("Access rights from a vocabulary"),
              N_("Choose the access rights from the list (Công khai, Hạn chế, Không công khai).")),
    Indicator("contact_point", "reusability", 20, "dataset", N_("Contact point"),
              N_("Add a contact point (Đầu mối liên hệ) with a name and an e-mail address.")),
    Indicator("publisher", "reusability", 10, "dataset", N_("Publisher"),
              N_("Publish the dataset under an agency (Cơ quan công bố).")),
    Indicator("rights", "contextuality", 5, "distribution", N_("Rights"),
              N_("State the conditions of use (rights) of every resource.")),
    Indicator("byte_size", "contextuality", 5, "distribution", N_("File size"),
              N_("Give the file size of every resource; uploading the file fills it in.")),
    Indicator("issued", "contextuality", 5, "dataset", N_("Date issued"),
              N_("Fill in the date the data was first published (Ngày công bố).")),
    Indicator("modified", "contextuality", 5, "dataset", N_("Date modified"),
              N_("Fill in the date of the last update (Ngày cập nhật).")),
)
INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
MAX_POINTS = sum(indicator.points for indicator in INDICATORS)
DIMENSION_MAX = {dimension: sum(i.points for i in INDICATORS if i.dimension == dimension) for dimension in DIMENSIONS}

# From the best rating down (thresholds in ``rating``).
RATINGS = (("excellent", N_("Excellent")), ("good", N_("Good")), ("sufficient", N_("Sufficient")), ("bad", N_("Bad")))
RATING_LABELS = dict(RATINGS)


def rating(total: float) -> str:
    """The MQA rating of a total: above 350 excellent, 221–350 good, 120–220 sufficient, else bad.
    Totals with fractions (proportional distribution points): 220.5 is sufficient, 350.5 excellent."""
    if total > 350:
        return "excellent"
    if total >= 221:
        return "good"
    if total >= 120:
        return "sufficient"
    return "bad"


# ---------------------------------------------------------------------------------------


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip()) and value.strip() not in ("[]", "{}")
    if isinstance(value, (list, tuple, set, dict)):
        return any(_filled(item) for item in (value.values() if isinstance(value, dict) else value))
    return True


def _keywords(pkg: Mapping) -> bool:
    tags = pkg.get("tags") or []
    names = [tag.get("name") if isinstance(tag, Mapping) else tag for tag in tags]
    return _filled(names) or _filled(pkg.get("tag_string"))


def _contact(pkg: Mapping) -> bool:
    contacts = pkg.get("contact") or []
    if isinstance(contacts, Mapping):
        contacts = [contacts]
    for contact in contacts if isinstance(contacts, list) else []:
        if isinstance(contact, Mapping) and _filled(contact.get("name")) and _filled(contact.get("email")):
            return True
    # Stock CKAN's maintainer (or author) with an e-mail address, as ckanext-dcat maps it.
    return (_filled(pkg.get("maintainer")) and _filled(pkg.get("maintainer_email"))) or \
        (_filled(pkg.get("author")) and _filled(pkg.get("author_email")))


def _file_type(resource: Mapping) -> vocabularies.Term | None:
    fmt = (resource.get("format") or "").strip()
    if not fmt:
        return None
    return vocabularies.term("file_types", fmt)


def download_url(resource: Mapping) -> str | None:
    """The distribution's download URL as our DCAT profile publishes it: uploads, and links
    whose format is a file type (not an API or a web page)."""
    url = (resource.get("url") or "").strip()
    if not url:
        return None
    if resource.get("url_type") == "upload":
        return url
    if resource.get("download_url"):
        return str(resource["download_url"]).strip() or None
    fmt = (resource.get("format") or "").strip().upper()
    if fmt and fmt not in NOT_FILES and _file_type(resource) is not None:
        return url
    return None


def _reachable(url: str | None, links: Mapping[str, LinkStatus]) -> bool | None:
    """True or False from the link checker; None when the URL was not checked yet."""
    if not url:
        return False
    status = links.get(url)
    return None if status is None else bool(status.ok)


def _distribution_checks(resource: Mapping, links: Mapping[str, LinkStatus]) -> dict[str, Any]:
    term = _file_type(resource)
    access = (resource.get("url") or resource.get("access_url") or "").strip() or None
    download = download_url(resource)
    return {
        "access_url_reachable": _reachable(access, links),
        "download_url": download is not None,
        # Counted over the distributions that have a download URL (as data.europa.eu does).
        "download_url_reachable": _reachable(download, links) if download else None,
        "format": _filled(resource.get("format")),
        "media_type": _filled(resource.get("mimetype")),
        "format_vocabulary": bool(term is not None and term.uri),
        "non_proprietary": bool(term is not None and term.code.upper() in NON_PROPRIETARY),
        "machine_readable": bool(term is not None and term.extra.get("machine_readable")),
        "rights": _filled(resource.get("rights")),
        "byte_size": _is_size(resource.get("size")),
    }


def _is_size(value: Any) -> bool:
    try:
        return int(value) >= 0 if value not in (None, "") else False
    except (TypeError, ValueError):
        return False


def _licence_checks(pkg: Mapping) -> tuple[bool, bool]:
    licence_id = (pkg.get("license_id") or "").strip()
    if not licence_id or licence_id == "notspecified":
        return False, False
    entry = vocabularies.licence(licence_id)
    return True, bool(entry and (entry.get("spdx") or entry.get("eu_uri")))


def _active_resources(pkg: Mapping) -> list[Mapping]:
    return [r for r in (pkg.get("resources") or []) if isinstance(r, Mapping) and r.get("state", "active") == "active"]


def score_dataset(pkg: Mapping, links: Mapping[str, LinkStatus] | None = None,
                  dcat_ap: bool | None = None) -> dict[str, Any]:
    """The MQA measurement of one dataset dict (``package_show`` shape).

    Returns ``{"total", "max", "rating", "dimensions": {dimension: {"points", "max"}},
    "indicators": {key: {"points", "max", "met", "dimension", "level", "share",
    "unchecked"}}, "distributions": [per-resource checks]}``; ``met`` is True, False, or
    "partly" for a distribution indicator met by some distributions only."""
    links = links or {}
    resources = _active_resources(pkg)
    licence, licence_vocabulary = _licence_checks(pkg)
    access_rights = (pkg.get("access_rights") or "").strip()
    dataset_level = {
        "keywords": _keywords(pkg),
        "themes": _filled(pkg.get("theme")),
        "spatial": _filled(pkg.get("spatial_units")) or _filled(pkg.get("spatial")),
        "temporal": _filled(pkg.get("temporal_start")) or _filled(pkg.get("temporal_end")),
        "dcat_ap": dcat_ap is True,
        "licence": licence,
        "licence_vocabulary": licence_vocabulary,
        "access_rights": bool(access_rights),
        "access_rights_vocabulary": bool(access_rights and vocabularies.term("access_rights", access_rights)),
        "contact_point": _contact(pkg),
        "publisher": _filled(pkg.get("owner_org")) or _filled((pkg.get("organization") or {}).get("name")),
        "issued": _filled(pkg.get("issued")),
        # dct:modified falls back to CKAN's metadata_modified in our DCAT (DCAT-MAPPING.md).
        "modified": _filled(pkg.get("modified")) or _filled(pkg.get("metadata_modified")),
    }
    per_resource = [_distribution_checks(resource, links) for resource in resources]

    indicators: dict[str, dict[str, Any]] = {}
    for indicator in INDICATORS:
        unchecked = 0
        if indicator.level == "dataset":
            met = dataset_level[indicator.key]
            share = 1.0 if met else 0.0
            if indicator.key == "dcat_ap" and dcat_ap is None:
                unchecked = 1
        else:
            values = [checks[indicator.key] for checks in per_resource]
            if indicator.key == "download_url_reachable":
                # Over the distributions with a download URL; none at all earns nothing.
                values = [v for v, checks in zip(values, per_resource) if checks["download_url"]]
            unchecked = sum(1 for v in values if v is None)
            share = (sum(1 for v in values if v) / len(values)) if values else 0.0
        points = round(indicator.points * share, 1)
        indicators[indicator.key] = {
            "points": points,
            "max": indicator.points,
            "met": True if share == 1.0 else (False if share == 0.0 else "partly"),
            "share": round(share, 4),
            "dimension": indicator.dimension,
            "level": indicator.level,
            "unchecked": unchecked,
        }

    dimensions = {
        dimension: {"points": round(sum(v["points"] for v in indicators.values() if v["dimension"] == dimension), 1),
                    "max": DIMENSION_MAX[dimension]}
        for dimension in DIMENSIONS
    }
    total = round(sum(d["points"] for d in dimensions.values()), 1)
    return {
        "total": total,
        "max": MAX_POINTS,
        "rating": rating(total),
        "dimensions": dimensions,
        "indicators": indicators,
        "distributions": [
            {"id": resource.get("id"), "name": resource.get("name"), "url": resource.get("url"),
             "format": resource.get("format"), **checks}
            for resource, checks in zip(resources, per_resource)
        ],
    }


def checklist(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What to fix, most points to gain first: one entry per indicator not fully met, with
    the points it would add. Labels and fixes are msgids (translated by the page)."""
    items = []
    for key, value in result["indicators"].items():
        if value["met"] is True:
            continue
        indicator = INDICATOR_BY_KEY[key]
        items.append({
            "key": key,
            "dimension": indicator.dimension,
            "label": indicator.label,
            "fix": indicator.fix,
            "gain": round(value["max"] - value["points"], 1),
            "unchecked": value["unchecked"],
            "partly": value["met"] == "partly",
        })
    items.sort(key=lambda item: (-item["gain"], item["key"]))
    return items


def summarise(results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Average score and rating distribution of many results (an agency, the portal)."""
    totals = [r["total"] for r in results]
    distribution = {code: 0 for code, _ in RATINGS}
    for total in totals:
        distribution[rating(total)] += 1
    average = round(sum(totals) / len(totals), 1) if totals else 0.0
    return {"count": len(totals), "average": average, "rating": rating(average) if totals else None,
            "ratings": distribution}
