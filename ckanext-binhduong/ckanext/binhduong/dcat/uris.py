"""URIs the catalogue publishes for things that have no URI of their own elsewhere:
administrative units, our agency types, licences without an EU authority entry, the
catalogue's publisher; and the reverse, from a URI back to our code when we parse DCAT.

Everything is anchored on one base (``ckanext.binhduong.dcat.uri_base``, falling back to
ckanext-dcat's ``ckanext.dcat.base_uri``) so that moving the portal to its public host is a
configuration change. None of these URIs contains a title or a slug: renaming a unit,
an agency or a dataset never changes them.

Parsing accepts any base, because a harvester reads our catalogue from wherever it is
served, and a copy of it may be served from another host.
"""
from __future__ import annotations

import functools
import re

import ckan.plugins.toolkit as toolkit
from ckanext.dcat.utils import catalog_uri

from ckanext.binhduong import places, vocabularies

__all__ = [
    "IANA_MEDIA_TYPES",
    "SPDX_SHA256",
    "agency_type_code",
    "agency_type_scheme",
    "agency_type_uri",
    "base",
    "eu_licence_uri",
    "licence_id_for",
    "licence_uri",
    "media_type_from_uri",
    "media_type_uri",
    "place_code",
    "place_uri",
    "scheme_of",
]

# Config keys (declared in the extension's config_declaration.yaml).
URI_BASE = "ckanext.binhduong.dcat.uri_base"
PLACE_URI = "ckanext.binhduong.dcat.place_uri"
DEFAULT_PLACE_URI = "{base}/dia-gioi/{code}"

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SPDX_SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"

_AGENCY_TYPES_PATH = "/tu-vung/loai-co-quan"
_LICENCES_PATH = "/giay-phep"

# EU Publications Office "licence" authority table entries for the licences of
# schemas/licenses.json. A licence may also carry its own `eu_uri` there, which wins; a
# licence with neither (our Decree 47 "restricted" pseudo-licence) gets a URI of ours.
_EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
EU_LICENCE_CODES = {
    "CC-BY-4.0": "CC_BY_4_0",
    "CC0-1.0": "CC0",
    "CC-BY-SA-4.0": "CC_BYSA_4_0",
    "ODC-BY-1.0": "ODC_BY",
    "ODbL-1.0": "ODC_BL",
    "ODC-PDDL-1.0": "ODC_PDDL",
}


def base() -> str:
    configured = (toolkit.config.get(URI_BASE, None) or "").strip()
    return (configured or catalog_uri()).rstrip("/")


# ---------------------------------------------------------------------------------------
# Administrative units


def _place_template() -> str:
    return (toolkit.config.get(PLACE_URI, None) or "").strip() or DEFAULT_PLACE_URI


def place_uri(code: str) -> str:
    return _place_template().format(base=base(), code=code)


@functools.lru_cache(maxsize=8)
def _place_pattern(template: str) -> re.Pattern:
    # Any base, and the code as our field stores it ("74", "25741", "2025/25750").
    parts = re.split(r"(\{base\}|\{code\})", template)
    regex = "".join(
        r".*?" if part == "{base}" else r"(?P<code>(?:2025/)?\d+)" if part == "{code}" else re.escape(part)
        for part in parts
    )
    return re.compile(regex + r"/?$")


def place_code(uri: str) -> str | None:
    """Our unit code for a unit URI, or None when the URI is not one of our units."""
    match = _place_pattern(_place_template()).match(str(uri))
    if match is None:
        # A catalogue published under an earlier template still names units the default way.
        match = _place_pattern(DEFAULT_PLACE_URI).match(str(uri))
    if match is None:
        return None
    code = match.group("code")
    return code if places.get_unit(code) is not None else None


# ---------------------------------------------------------------------------------------
# Controlled vocabularies


def scheme_of(uri: str) -> str:
    """The concept scheme of an EU authority-table entry: the table itself."""
    return str(uri).rsplit("/", 1)[0]


def agency_type_scheme() -> str:
    return base() + _AGENCY_TYPES_PATH


def agency_type_uri(code: str) -> str | None:
    term = vocabularies.term("agency_types", code)
    if term is None:
        return None
    # The agency types are ours (no national code list exists), so their URIs are too.
    return term.uri or f"{agency_type_scheme()}/{term.code}"


def agency_type_code(uri: str) -> str | None:
    text = str(uri)
    term = vocabularies.term("agency_types", text)
    if term is None and _AGENCY_TYPES_PATH + "/" in text:
        term = vocabularies.term("agency_types", text.rsplit("/", 1)[1])
    return term.code if term is not None else None


def media_type_uri(media_type: str) -> str:
    return IANA_MEDIA_TYPES + str(media_type).strip()


def media_type_from_uri(value: str) -> str:
    text = str(value)
    match = re.match(r"^https?://www\.iana\.org/assignments/media-types/(.+)$", text)
    return match.group(1) if match else text


# ---------------------------------------------------------------------------------------
# Licences


@functools.lru_cache(maxsize=None)
def _licence_entries() -> dict[str, dict]:
    return {entry["id"]: entry for entry in vocabularies.licences()}


def eu_licence_uri(licence_id: str) -> str | None:
    entry = _licence_entries().get(licence_id) or {}
    if entry.get("eu_uri"):
        return entry["eu_uri"]
    code = EU_LICENCE_CODES.get(licence_id)
    return _EU_LICENCE + code if code else None


def licence_uri(licence_id: str) -> str | None:
    if not licence_id:
        return None
    if licence_id not in _licence_entries():
        # A licence id outside our list (harvested, legacy) is published only if it is a URI.
        return licence_id if re.match(r"^https?://", str(licence_id)) else None
    return eu_licence_uri(licence_id) or f"{base()}{_LICENCES_PATH}/{licence_id}"


def licence_id_for(uri: str) -> str | None:
    """Our licence id for an EU licence URI, a licence's own URL, or one of our licence URIs."""
    text = str(uri).strip()
    for licence_id, entry in _licence_entries().items():
        if text == eu_licence_uri(licence_id):
            return licence_id
        own = (entry.get("url") or "").rstrip("/")
        if own and text.rstrip("/") == own:
            return licence_id
    if _LICENCES_PATH + "/" in text:
        candidate = text.rsplit("/", 1)[1]
        if candidate in _licence_entries():
            return candidate
    return None
