"""Shared constants and helpers of our DCAT profile (serialising and parsing)."""
from __future__ import annotations

import json
import logging
import re
from typing import Any

import ckan.plugins.toolkit as toolkit
from rdflib import Namespace, URIRef
from rdflib.namespace import PROV

from ckanext.dcat.profiles.base import ADMS, DCAT, DCT, SPDX


log = logging.getLogger(__name__)

ELI = Namespace("http://data.europa.eu/eli/ontology#")
ADMS_PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
# ISO 19115 "custodian": the party that maintains the data, which is what CKAN's
# maintainer field means.
CUSTODIAN_ROLE = URIRef("http://inspire.ec.europa.eu/metadata-codelist/ResponsiblePartyRole/custodian")

# EU/ADMS concepts an agency type is close to, for consumers that only know ADMS
# publisher types. Types with no clear counterpart have none.
ADMS_TYPE_OF_AGENCY = {
    "department": "RegionalAuthority",
    "provincial_committee": "RegionalAuthority",
    "district_committee": "LocalAuthority",
    "commune_committee": "LocalAuthority",
    "central_agency": "NationalAuthority",
    "state_enterprise": "Company",
}

# What each of our vocabularies is in DCAT-AP 3, besides a skos:Concept: the class
# DCAT-AP's shapes expect for the property that carries it.
VOCABULARY_CLASSES = {
    "themes": (),
    "frequencies": (DCT.Frequency,),
    "access_rights": (DCT.RightsStatement,),
    "languages": (DCT.LinguisticSystem,),
    "file_types": (DCT.MediaTypeOrExtent,),
    "distribution_statuses": (),
}

# Properties the stock profile writes from our codes (or, for contacts, periods and places,
# in a shape DCAT-AP 3 or our schema does not want); this profile rewrites them whole.
REWRITTEN_DATASET_PREDICATES = (
    DCAT.theme, DCT.language, DCT.accrualPeriodicity, DCT.accessRights, DCT.license,
    DCAT.contactPoint, DCT.creator, PROV.qualifiedAttribution, DCT.temporal, DCT.spatial,
    ADMS.identifier,
)
REWRITTEN_DISTRIBUTION_PREDICATES = (
    DCT["format"], DCAT.mediaType, DCT.language, ADMS.status, DCAT.accessURL, DCAT.downloadURL,
    DCT.license, SPDX.checksum, DCAT.accessService,
)

# Formats that name a way of access rather than a file to download.
NOT_DOWNLOADS = {"API", "HTML"}

SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
PHONE_CONTEXT = "+84"

# Config keys of the catalogue record (declared in the extension's config_declaration.yaml).
CATALOG_TITLE = "ckanext.binhduong.dcat.catalog_title_{lang}"
CATALOG_DESCRIPTION = "ckanext.binhduong.dcat.catalog_description_{lang}"
PUBLISHER_NAME = "ckanext.binhduong.dcat.publisher_name_{lang}"
PUBLISHER_URI = "ckanext.binhduong.dcat.publisher_uri"
PUBLISHER_EMAIL = "ckanext.binhduong.dcat.publisher_email"
PUBLISHER_HOMEPAGE = "ckanext.binhduong.dcat.publisher_homepage"
PUBLISHER_AGENCY_TYPE = "ckanext.binhduong.dcat.publisher_agency_type"
HOMEPAGE = "ckanext.binhduong.dcat.homepage"
CATALOG_DEFAULTS = {
    "description_vi": "Danh mục dữ liệu mở của các cơ quan nhà nước tỉnh Bình Dương, "
                      "công bố theo Nghị định 47/2020/NĐ-CP.",
    "description_en": "Open data published by the state agencies of Bình Dương province "
                      "under Decree 47/2020/ND-CP.",
    "publisher_vi": "Trung tâm Chuyển đổi số tỉnh Bình Dương",
    "publisher_en": "Bình Dương Digital Transformation Centre",
    # The centre is a public service unit (đơn vị sự nghiệp công lập).
    "publisher_agency_type": "public_service_unit",
}
CATALOG_LANGUAGES = ("vi", "en")

def _config(key: str, default: str | None = None) -> str | None:
    # An explicit default: these keys are optional, and CKAN warns on every read of an
    # undeclared key read without one.
    value = toolkit.config.get(key, None)
    return value.strip() if isinstance(value, str) and value.strip() else default


def _as_list(value: Any) -> list:
    if value in (None, "", [], {}):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        try:
            loaded = json.loads(value)
        except ValueError:
            return [value]
        return loaded if isinstance(loaded, list) else [loaded]
    return [value]


def _wkt_box(box: tuple[float, float, float, float]) -> str:
    west, south, east, north = box
    return f"POLYGON (({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))"


def _wkt_point(lon: float, lat: float) -> str:
    # Six decimals are about 0.1 m; more would only print floating-point noise.
    return f"POINT ({round(lon, 6)} {round(lat, 6)})"


def _envelope(geometry: dict) -> tuple[float, float, float, float] | None:
    points: list[tuple[float, float]] = []

    def walk(coordinates):
        if isinstance(coordinates, (list, tuple)) and coordinates and isinstance(coordinates[0], (int, float)):
            points.append((float(coordinates[0]), float(coordinates[1])))
        elif isinstance(coordinates, (list, tuple)):
            for item in coordinates:
                walk(item)

    if geometry.get("type") == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            walk(part.get("coordinates"))
    else:
        walk(geometry.get("coordinates"))
    if not points:
        return None
    return (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points), max(p[1] for p in points))


def _phone_uri(phone: str) -> str:
    # RFC 3966: a national number is a local number with the country as its context. Keeping
    # the digits as stored (0… or +84…) lets the parser give back exactly what was saved.
    compact = re.sub(r"[\s.()-]", "", str(phone))
    if compact.startswith("+"):
        return f"tel:{compact}"
    return f"tel:{compact};phone-context={PHONE_CONTEXT}"


def _phone_from_uri(value: str) -> str:
    text = str(value)
    text = text[4:] if text.startswith("tel:") else text
    return text.split(";", 1)[0]
