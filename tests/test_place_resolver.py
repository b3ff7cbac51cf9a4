"""The place resolver against every unit of the province, before and after 1 July 2025, in
every form clerks write them.

The unit lists and the expected codes come from the data of ``vietnamadminunits`` itself
(its SQLite database, its converter table and ``convert_address``), not from our places
module, so a mistake in places.py cannot hide one here."""
from __future__ import annotations

import functools
import importlib.util
import json
import pathlib
import sqlite3
import unicodedata

import pytest

from ckanext.binhduong import place_resolver, places

BEFORE = "2024-05-17"
AFTER = "2025-08-04"
PROVINCE = "74"

ABBREVIATION = {"Phường": "P.", "Xã": "X.", "Thị trấn": "TT.", "Thành phố": "TP.", "Huyện": "H.", "Thị xã": "TX.",
                "Quận": "Q."}


def _data() -> pathlib.Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / "data"


@functools.lru_cache(maxsize=None)
def _legacy_rows() -> list[dict]:
    connection = sqlite3.connect(f"{(_data() / 'dataset.db').as_uri()}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in connection.execute(
            "SELECT * FROM admin_units_legacy WHERE provinceCode = ? ORDER BY wardCode", [PROVINCE])]
    finally:
        connection.close()


@functools.lru_cache(maxsize=None)
def _new_rows() -> list[dict]:
    """The 2025 wards that took over the province's communes, per the package's converter."""
    converter = json.loads((_data() / "converter_2025.json").read_text(encoding="utf-8"))
    old_province = _legacy_rows()[0]["provinceKey"]
    new_province = next(new for new, olds in converter["DICT_PROVINCE"].items() if old_province in olds)
    old_keys = {f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}" for r in _legacy_rows()}
    wanted = {new for new, olds in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][new_province].items()
              if old_keys & set(olds)}
    wanted |= {part["newWardKey"] for old, parts in converter["DICT_PROVINCE_WARD_DIVIDED"][new_province].items()
               if old in old_keys for part in parts}
    connection = sqlite3.connect(f"{(_data() / 'dataset.db').as_uri()}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in connection.execute("SELECT * FROM admin_units WHERE provinceKey = ?", [new_province])]
    finally:
        connection.close()
    return sorted((r for r in rows if r["wardKey"] in wanted), key=lambda r: r["wardCode"])


def _type_of(full: str, short: str) -> str:
    return full[: -len(short)].strip()


def _abbreviated(full: str, short: str, space: str = "") -> str:
    return f"{ABBREVIATION[_type_of(full, short)]}{space}{short}"


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _legacy_forms(row: dict) -> list[tuple[str, str | None]]:
    """(cell, district column) as exports write a legacy commune."""
    commune, district = row["ward"], row["district"]
    short, district_short = row["wardShort"], row["districtShort"]
    return [
        (commune, district),
        (f"{commune}, {district}", None),
        (f"{commune}, {district}, tỉnh Bình Dương", None),
        (f"{commune} - {district} - Bình Dương", None),
        (f"{_abbreviated(commune, short)}, {_abbreviated(district, district_short)}", None),
        (f"{_abbreviated(commune, short, ' ')}, {_abbreviated(district, district_short, ' ')}, T. Bình Dương", None),
        (_abbreviated(commune, short), district),
        (f"UBND {commune.lower()}, {district.lower()}", None),
        (f"Ủy ban nhân dân {commune}, {district}", None),
        (f"UBND {commune}", district_short),
        (_nfd(f"{commune}, {district}"), None),
        (_nfd(commune), _nfd(district)),
        (f"{commune}, {district}".upper(), None),
        (row["wardCode"], None),
    ]


def _new_forms(row: dict) -> list[str]:
    ward, short = row["ward"], row["wardShort"]
    return [
        ward,
        f"{ward}, Thành phố Hồ Chí Minh",
        f"{_abbreviated(ward, short)}, TP.HCM",
        f"{_abbreviated(ward, short, ' ')}, TP. Hồ Chí Minh",
        f"UBND {ward.lower()}, thành phố hồ chí minh",
        f"Ủy ban nhân dân {ward}",
        _nfd(f"{ward}, Thành phố Hồ Chí Minh"),
        ward.upper(),
        row["wardCode"],
    ]


LEGACY_ROWS = _legacy_rows()
NEW_ROWS = _new_rows()


def test_the_unit_lists_come_from_the_package_and_match_our_catalogue():
    assert len(LEGACY_ROWS) == len([u for u in places.all_units() if u.legacy and u.level == "commune"])
    assert {"2025/" + r["wardCode"] for r in NEW_ROWS} == {
        u.code for u in places.all_units() if not u.legacy and u.level == "commune"}


# --- the legacy map (before 1 July 2025) ---------------------------------------------------


@pytest.mark.parametrize("row", LEGACY_ROWS, ids=lambda r: r["wardCode"])
def test_every_legacy_commune_in_every_form_before_the_reform(row):
    failed = []
    for cell, district in _legacy_forms(row):
        unit = place_resolver.resolve(cell, on_date=BEFORE, district_hint=district)
        if unit is None or unit.code != row["wardCode"]:
            failed.append((cell, district, unit and unit.code))
    assert not failed


@pytest.mark.parametrize("code", sorted({r["districtCode"] for r in LEGACY_ROWS}))
def test_every_legacy_district_in_every_form(code):
    row = next(r for r in LEGACY_ROWS if r["districtCode"] == code)
    name, short = row["district"], row["districtShort"]
    forms = [name, f"{name}, tỉnh Bình Dương", _abbreviated(name, short), _abbreviated(name, short, " "),
             f"UBND {name.lower()}", f"Ủy ban nhân dân {name}", _nfd(name), name.upper(), code]
    for form in forms:
        unit = place_resolver.resolve(form, on_date=BEFORE)
        assert unit is not None and unit.code == code, form


def test_an_unknown_commune_keeps_its_district():
    detail = place_resolver.resolve_detail("Xã Tân Mộng Mơ, TP.Thủ Dầu Một", on_date=BEFORE)
    assert detail.unit is None and detail.within.code == "718"
    detail = place_resolver.resolve_detail("Xã Tân Mộng Mơ", on_date=BEFORE, district_hint="H. Dầu Tiếng")
    assert detail.unit is None and detail.within.code == "720"


# --- the 2025 map (from 1 July 2025) -------------------------------------------------------


@pytest.mark.parametrize("row", NEW_ROWS, ids=lambda r: r["wardCode"])
def test_every_2025_unit_in_every_form_after_the_reform(row):
    failed = []
    for cell in _new_forms(row):
        unit = place_resolver.resolve(cell, on_date=AFTER)
        if unit is None or unit.code != "2025/" + row["wardCode"]:
            failed.append((cell, unit and unit.code))
    assert not failed


@pytest.mark.parametrize("row", NEW_ROWS, ids=lambda r: r["wardCode"])
def test_a_2025_name_that_was_a_legacy_name_means_the_2025_unit_after_the_reform(row):
    """"Phường Thuận Giao" was a legacy ward (25972) and is a 2025 ward (25969)."""
    unit = place_resolver.resolve(row["ward"], on_date=AFTER)
    assert unit.code == "2025/" + row["wardCode"] and not unit.legacy
    legacy = [r for r in LEGACY_ROWS if r["wardShort"] == row["wardShort"]]
    for old in legacy:
        before = place_resolver.resolve(old["ward"], on_date=BEFORE, district_hint=old["district"])
        assert before.code == old["wardCode"] and before.legacy


@pytest.mark.parametrize("row", LEGACY_ROWS, ids=lambda r: r["wardCode"])
def test_a_legacy_name_written_after_the_reform_goes_to_the_ward_that_took_it_over(row):
    from vietnamadminunits import convert_address

    expected = convert_address(f"{row['ward']}, {row['district']}, {row['province']}")
    detail = place_resolver.resolve_detail(f"{row['ward']}, {row['district']}", on_date=AFTER)
    assert detail.unit is not None and not detail.unit.legacy
    # A 2025 ward may bear the name of a different legacy commune ("Phường Long Nguyên" took
    # Xã Long Nguyên's name, not its whole area): then the 2025 name wins after the reform.
    same_name = [r for r in NEW_ROWS if r["wardShort"] == row["wardShort"]]
    if not same_name:
        assert detail.unit.code == "2025/" + expected.ward_code and detail.converted


@pytest.mark.parametrize("text, date, code", [
    ("Phường Thuận Giao", "2025-06-30", "25972"),
    ("Phường Thuận Giao", "2025-07-01", "2025/25969"),
    ("Xã Phú An", "2025-06-30", "25855"),
    ("Xã Phú An", "2025-07-01", "2025/25768"),
    ("Phường Bến Cát, Thành phố Hồ Chí Minh", "2025-07-15", "2025/25813"),
    ("P.Hòa Lợi, TP.HCM", "2025-07-15", "2025/25849"),
    ("Xã Dầu Tiếng, Thành phố Hồ Chí Minh", "2025-12-01", "2025/25777"),
    ("TT. Dầu Tiếng", "2025-06-01", "25777"),
    ("Phường Phú Cường", "2025-09-01", "2025/25747"),  # merged whole into Phường Thủ Dầu Một
    ("TP.HCM", "2025-09-01", "2025/79"),
    ("Tỉnh Bình Dương", "2024-01-01", "74"),
])
def test_the_date_chooses_the_map(text, date, code):
    assert place_resolver.resolve(text, on_date=date).code == code


def test_a_split_commune_written_after_the_reform_is_flagged():
    detail = place_resolver.resolve_detail("Phường Hiệp Thành, TP. Thủ Dầu Một", on_date=AFTER)
    assert detail.converted and detail.split
    assert detail.unit.code == "2025/25750"  # the converter's default: most of it went to Phú Lợi


@pytest.mark.parametrize("text, date", [
    ("Phường Bến Nghé, Quận 1", BEFORE), ("Phường Bến Nghé", AFTER), ("Xã Tân Mộng Mơ", BEFORE),
    ("Sở Tư pháp", None), ("Nguyễn Văn An", BEFORE), ("", BEFORE), (None, AFTER), ("Huyện Dầu Tiếng", AFTER),
    ("Phường Bến Cát, TP.HCM", BEFORE),
])
def test_unknown_places(text, date):
    assert place_resolver.resolve(text, on_date=date) is None


def test_without_a_date_the_legacy_map_is_tried_first():
    assert place_resolver.resolve("UBND xã Định Hiệp").code == "25798"
    assert place_resolver.resolve("UBND tỉnh Bình Dương").code == "74"
    assert place_resolver.resolve("Phường Bến Cát, TP.HCM").code == "2025/25813"
    assert place_resolver.resolve("Phường Chánh Hiệp").code == "2025/25771"  # a 2025 name only
    assert place_resolver.resolve("Phường Thuận Giao", legacy=False).code == "2025/25969"


def test_dates_are_read_as_dates_or_iso_text():
    import datetime as dt

    assert place_resolver.is_post_reform(dt.date(2025, 6, 30)) is False
    assert place_resolver.is_post_reform(dt.datetime(2025, 7, 1, 0, 5)) is True
    assert place_resolver.is_post_reform("2025-07") is True
    assert place_resolver.is_post_reform(None) is None
    with pytest.raises(ValueError):
        place_resolver.is_post_reform("01/07/2025")


def test_clean_place_spells_out_what_the_parser_lacks():
    assert place_resolver.clean_place("UBND phường chánh nghĩa, TP.Thủ Dầu Một") == \
        "phường chánh nghĩa, Thành phố Thủ Dầu Một"
    assert place_resolver.clean_place("P.Hòa Lợi, TP.HCM") == "Phường Hòa Lợi, Thành phố Hồ Chí Minh"
