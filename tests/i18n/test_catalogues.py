"""Every interface string of CKAN core, the extensions we run and our own code has a
Vietnamese translation: none missing, none fuzzy, placeholders intact."""
from __future__ import annotations

import pathlib
import re

import polib
import pytest
from babel.messages.extract import extract_from_dir

import ckan
import ckanext.dcat
import ckanext.harvest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = ROOT / "ckanext-binhduong" / "ckanext" / "binhduong" / "i18n" / "src"
CKAN_VI = pathlib.Path(ckan.__file__).parent / "i18n" / "vi" / "LC_MESSAGES" / "ckan.po"
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfr]|%[sdfr]|\{[^{}]*\}")


def _translated(po: polib.POFile) -> dict[str, polib.POEntry]:
    return {entry.msgid: entry for entry in po if entry.translated() and "fuzzy" not in entry.flags}


def _ours(domain: str) -> polib.POFile:
    """The domain's PO source, with the parts kept beside it (`<domain>-<part>.po`), which
    scripts/configure.sh merges into the same catalogue."""
    po = polib.pofile(str(SOURCES / "vi" / f"{domain}.po"))
    for part in sorted((SOURCES / "vi").glob(f"{domain}-*.po")):
        po.extend(polib.pofile(str(part)))
    return po


CORE_TRANSLATED = set(_translated(polib.pofile(str(CKAN_VI))))


def _our_domain_msgids() -> set[str]:
    package = ROOT / "ckanext-binhduong" / "ckanext" / "binhduong"
    method_map = [("**/tests/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "ckan")]
    return {message[2] if isinstance(message[2], str) else message[2][0]
            for message in extract_from_dir(str(package), method_map)}


TEMPLATES = {
    "ckan": lambda: {entry.msgid for entry in polib.pofile(str(pathlib.Path(ckan.__file__).parent / "i18n" / "ckan.pot"))},
    "ckanext-harvest": lambda: {entry.msgid for entry in polib.pofile(
        str(pathlib.Path(ckanext.harvest.__file__).parent / "i18n" / "ckanext-harvest.pot"))},
    "ckanext-dcat": lambda: {entry.msgid for entry in polib.pofile(
        str(pathlib.Path(ckanext.dcat.__file__).parent / "i18n" / "ckanext-dcat.pot"))},
    "ckanext-xloader": lambda: {entry.msgid for entry in polib.pofile(str(SOURCES / "ckanext-xloader.pot"))},
    "ckanext-scheming": lambda: {entry.msgid for entry in polib.pofile(str(SOURCES / "ckanext-scheming.pot"))},
    "ckanext-binhduong": _our_domain_msgids,
}


def _all_ours() -> set[str]:
    return {msgid for path in (SOURCES / "vi").glob("*.po") for msgid in _translated(polib.pofile(str(path)))}


@pytest.mark.parametrize("domain", sorted(TEMPLATES))
def test_every_msgid_has_a_vietnamese_translation(domain):
    wanted = {msgid for msgid in TEMPLATES[domain]() if msgid}
    ours = set(_translated(_ours(domain)))
    if domain == "ckanext-binhduong":
        # Our overrides of the extensions' templates keep the extensions' msgids (e.g. ckanext-harvest's
        # search result texts); CKAN merges every catalogue into one, so their domain's file serves them.
        ours |= _all_ours()
    missing = sorted(wanted - ours - CORE_TRANSLATED)
    share = 1 - len(missing) / len(wanted)
    assert not missing, f"{domain}: {share:.1%} translated; missing: {missing[:10]}"


@pytest.mark.parametrize("domain", sorted(TEMPLATES))
def test_no_fuzzy_entries_and_placeholders_match(domain):
    for entry in _ours(domain):
        assert "fuzzy" not in entry.flags, entry.msgid
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        source = entry.msgid_plural or entry.msgid
        for translation in translations:
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(source)) or \
                sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid


def test_the_compiled_catalogue_holds_every_source_entry():
    compiled = polib.mofile(str(ROOT / "ckanext-binhduong" / "ckanext" / "binhduong" / "i18n" / "vi" / "LC_MESSAGES"
                                / "ckanext-binhduong.mo"))
    compiled_ids = {entry.msgid for entry in compiled}
    for source in (SOURCES / "vi").glob("*.po"):
        assert set(_translated(polib.pofile(str(source)))) <= compiled_ids, source.name
