"""Vocabularies and the licence list: content, URIs, lookups, loading once."""
from __future__ import annotations

import pathlib

import pytest

from ckanext.binhduong import vocabularies

ROOT = pathlib.Path(__file__).resolve().parent.parent
EU = "http://publications.europa.eu/resource/authority/"
VOCABULARIES = ["themes", "frequencies", "access_rights", "file_types", "languages", "agency_types"]


def _codes(vocabulary: str) -> list[str]:
    return [t.code for t in vocabularies.terms(vocabulary)]


# --- content --------------------------------------------------------------------------


def test_themes_are_the_13_eu_data_themes():
    assert _codes("themes") == ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR",
                                "JUST", "REGI", "SOCI", "TECH", "TRAN"]
    for theme in vocabularies.terms("themes"):
        assert theme.uri == f"{EU}data-theme/{theme.code}"
    assert vocabularies.term("themes", "HEAL").label("vi") == "Y tế"
    assert vocabularies.term("themes", "HEAL").label("en") == "Health"


def test_frequencies_use_real_eu_codes():
    codes = _codes("frequencies")
    for code in ["CONT", "UPDATE_CONT", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL_2",
                 "ANNUAL", "BIENNIAL", "IRREG", "NEVER", "UNKNOWN", "OTHER"]:
        assert code in codes
    # Not in the EU table: twice a year is ANNUAL_2.
    assert "BIANNUAL" not in codes
    for frequency in vocabularies.terms("frequencies"):
        assert frequency.uri == f"{EU}frequency/{frequency.code}"
    assert vocabularies.term("frequencies", "ANNUAL").extra["period"] == "P1Y"


def test_access_rights():
    assert _codes("access_rights") == ["PUBLIC", "RESTRICTED", "NON_PUBLIC"]
    for right in vocabularies.terms("access_rights"):
        assert right.uri == f"{EU}access-right/{right.code}"
    restricted = vocabularies.term("access_rights", "RESTRICTED")
    assert "47/2020/NĐ-CP" in restricted.extra["legal_basis"]
    assert "có điều kiện" in restricted.extra["note_vi"]


def test_file_types_carry_eu_uri_media_type_and_extensions():
    codes = _codes("file_types")
    for code in ["CSV", "XLSX", "XLS", "JSON", "GEOJSON", "XML", "PDF", "ZIP", "SHP", "KML", "DOCX",
                 "ODS", "RDF", "TTL", "JSONLD", "HTML", "TXT", "API"]:
        assert code in codes
    uris = {t.code: t.uri for t in vocabularies.terms("file_types")}
    assert uris["RDF"] == f"{EU}file-type/RDF_XML"
    assert uris["TTL"] == f"{EU}file-type/RDF_TURTLE"
    assert uris["JSONLD"] == f"{EU}file-type/JSON_LD"
    assert uris["GEOJSON"] == f"{EU}file-type/GEOJSON"
    assert uris["API"] is None
    media = {t.code: t.extra["media_type"] for t in vocabularies.terms("file_types")}
    assert media["CSV"] == "text/csv"
    assert media["XLSX"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert media["GEOJSON"] == "application/geo+json"
    assert media["TTL"] == "text/turtle"
    assert media["JSONLD"] == "application/ld+json"
    for t in vocabularies.terms("file_types"):
        if t.code != "API":
            assert t.uri.startswith(f"{EU}file-type/") and t.extra["extensions"], t.code


def test_languages():
    assert {t.code: t.uri for t in vocabularies.terms("languages")} == {
        "vi": f"{EU}language/VIE",
        "en": f"{EU}language/ENG",
    }
    assert vocabularies.term("languages", "vi").label() == "Tiếng Việt"


def test_agency_types_have_snake_case_codes_and_no_uri():
    codes = _codes("agency_types")
    assert codes == ["department", "provincial_committee", "district_committee", "commune_committee",
                     "public_service_unit", "state_enterprise", "central_agency", "socio_political_org",
                     "other"]
    assert all(t.uri is None for t in vocabularies.terms("agency_types"))
    assert vocabularies.term("agency_types", "commune_committee").label() == "Ủy ban nhân dân cấp xã"


@pytest.mark.parametrize("vocabulary", VOCABULARIES)
def test_every_term_has_both_labels(vocabulary):
    for t in vocabularies.terms(vocabulary):
        assert t.label_vi.strip() and t.label_en.strip(), t
        assert t.label("vi") == t.label_vi and t.label("en") == t.label_en


# --- lookups --------------------------------------------------------------------------


def test_term_lookup():
    assert vocabularies.term("themes", "econ").code == "ECON"
    assert vocabularies.term("file_types", " geojson ").code == "GEOJSON"
    assert vocabularies.term("languages", "VI").code == "vi"
    assert vocabularies.term("themes", f"{EU}data-theme/TRAN").code == "TRAN"
    assert vocabularies.term("themes", "SPORT") is None
    assert vocabularies.term("themes", None) is None


def test_choices():
    assert vocabularies.choices("access_rights") == [
        {"value": "PUBLIC", "label": "Công khai"},
        {"value": "RESTRICTED", "label": "Hạn chế"},
        {"value": "NON_PUBLIC", "label": "Không công khai"},
    ]
    assert vocabularies.choices("access_rights", "en")[0] == {"value": "PUBLIC", "label": "Public"}


@pytest.mark.parametrize("call", [
    lambda: vocabularies.terms("sports"),
    lambda: vocabularies.term("sports", "X"),
    lambda: vocabularies.choices("sports"),
    lambda: vocabularies.terms("../licenses"),
])
def test_unknown_vocabulary_raises(call):
    with pytest.raises(KeyError):
        call()


def test_vocabularies_are_loaded_once():
    vocabularies.terms("themes")
    before = vocabularies._load.cache_info()
    first = vocabularies.terms("themes")
    second = vocabularies.terms("themes")
    assert first[0] is second[0]
    assert vocabularies.term("themes", "AGRI") is first[0]
    after = vocabularies._load.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


# --- file types -----------------------------------------------------------------------


@pytest.mark.parametrize("filename, media_type, code", [
    ("dan-so-2024.csv", None, "CSV"),
    ("BAO_CAO.XLSX", None, "XLSX"),
    ("ranh-gioi.geojson", None, "GEOJSON"),
    ("ranh-gioi.shp.zip", None, "SHP"),
    ("archive.zip", None, "ZIP"),
    ("https://example.org/files/catalog.ttl?download=1", None, "TTL"),
    ("trang.htm", None, "HTML"),
    (None, "application/pdf", "PDF"),
    (None, "text/csv; charset=utf-8", "CSV"),
    (None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    (None, "application/x-zip-compressed", "ZIP"),
    # Windows browsers label CSV uploads as Excel: the name wins.
    ("so-lieu.csv", "application/vnd.ms-excel", "CSV"),
    ("download", "application/json", "JSON"),
])
def test_file_type_for(filename, media_type, code):
    found = vocabularies.file_type_for(filename=filename, media_type=media_type)
    assert found is not None and found.code == code


@pytest.mark.parametrize("filename, media_type", [
    (None, None),
    ("no-extension", None),
    ("image.bmp", "application/octet-stream"),
    (".csv", None),
])
def test_file_type_for_unknown(filename, media_type):
    assert vocabularies.file_type_for(filename=filename, media_type=media_type) is None


# --- licences -------------------------------------------------------------------------


def test_licence_list():
    licences = vocabularies.licences()
    ids = [entry["id"] for entry in licences]
    assert ids == ["CC-BY-4.0", "CC0-1.0", "CC-BY-SA-4.0", "ODC-BY-1.0", "ODbL-1.0", "ODC-PDDL-1.0",
                   "restricted-decree-47"]
    by_id = {entry["id"]: entry for entry in licences}
    assert by_id["CC-BY-4.0"]["title"] == "Creative Commons Ghi công 4.0 (CC BY 4.0)"
    assert by_id["CC-BY-4.0"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert by_id["restricted-decree-47"]["title"] == "Dữ liệu hạn chế theo Nghị định 47/2020/NĐ-CP"
    for entry in licences:
        assert entry["status"] == "active"
        assert "::" not in entry["title"]  # CKAN cuts licence titles at "::"
    licences[0]["title"] = "changed"
    assert vocabularies.licences()[0]["title"] != "changed"


def test_open_licences():
    assert vocabularies.open_licence_ids() == {
        "CC-BY-4.0", "CC0-1.0", "CC-BY-SA-4.0", "ODC-BY-1.0", "ODbL-1.0", "ODC-PDDL-1.0",
    }
    assert "restricted-decree-47" not in vocabularies.open_licence_ids()


def test_ckan_reads_the_licence_file_with_the_same_open_verdict():
    from ckan.model.license import LicenseRegister

    register = LicenseRegister.__new__(LicenseRegister)  # skip the config-driven __init__
    register.load_licenses((ROOT / "schemas" / "licenses.json").as_uri())
    assert {lic.id for lic in register.values() if lic.isopen()} == vocabularies.open_licence_ids()
    assert register["CC-BY-4.0"].url == "https://creativecommons.org/licenses/by/4.0/"
    assert register["restricted-decree-47"].isopen() is False
