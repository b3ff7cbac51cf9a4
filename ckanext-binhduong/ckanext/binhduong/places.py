"""Administrative units of Bình Dương, before and after the 1 July 2025 reorganisation.

Everything comes from the data files of the ``vietnamadminunits`` package (its SQLite
database and its legacy → 2025 converter table); no unit list is typed here. Only the
province code of Bình Dương is fixed: the rest (its districts and communes, the city that
absorbed it, the 2025 wards that replaced its communes) is derived from the package data.

Field values: a legacy unit is its GSO code (``"74"``, ``"718"``, ``"25741"``); a 2025 unit
is ``"2025/<GSO code>"`` because GSO reused codes across the two lists (``25807`` is Xã
Thanh An both before and after, ``25747`` was Phường Phú Cường and is now Phường Thủ Dầu
Một).
"""
from __future__ import annotations

import functools
import importlib.util
import json
import logging
import math
import pathlib
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from ckanext.binhduong.text import fold, fold_chars, nfc

log = logging.getLogger(__name__)

PROVINCE_CODE = "74"
# Other provinces the catalogue has data about, at province level only: Bình Phước (its
# digital-transformation ranking is in the province's articles, shared/seeds/).
OTHER_PROVINCE_CODES = ("70",)
NEW_PREFIX = "2025/"

_LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}

_SUFFIX = {
    "vi": ("(đến 30/6/2025)", "(từ 1/7/2025)"),
    "en": ("(until 30/6/2025)", "(from 1/7/2025)"),
}

# Kilometres per degree on the WGS84 ellipsoid near the equator; Bình Dương lies at about
# 11°N, where a spherical approximation is off by far less than the squares it is used for.
_KM_PER_DEGREE_LAT = 110.574
_KM_PER_DEGREE_LON_AT_EQUATOR = 111.320


@dataclass(frozen=True)
class AdminUnit:
    code: str
    gso_code: str
    name: str
    short_name: str
    level: str
    legacy: bool
    parent: str | None
    latitude: float | None
    longitude: float | None
    bbox: tuple[float, float, float, float] | None


@dataclass(frozen=True)
class _Catalogue:
    units: tuple[AdminUnit, ...]
    by_code: dict[str, AdminUnit]
    successors: dict[str, tuple[str, ...]]
    # (legacy?, folded key) -> codes of the units that answer to that key
    names: dict[tuple[bool, str], tuple[str, ...]]


# ---------------------------------------------------------------------------------------
# Loading


def _data_dir() -> pathlib.Path:
    # find_spec locates the package without importing it: its __init__ loads two parser
    # tables and geocoding libraries we do not need.
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The vietnamadminunits package is not installed")
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / "data"


def _rows(connection: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict]:
    return [dict(row) for row in connection.execute(sql, tuple(params))]


def _parse_bounds(text: str | None) -> tuple[float, float, float, float] | None:
    """'lat,lon – lat,lon' (the package's format) -> (west, south, east, north)."""
    if not text:
        return None
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]
    if len(numbers) != 4:
        log.warning("Unreadable bounds in vietnamadminunits data: %r", text)
        return None
    lat1, lon1, lat2, lon2 = numbers
    return (min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))


def _square(lat: float | None, lon: float | None, area_km2: float | None):
    # 2025 wards come with a centroid and an area but no boundary. A square of that area
    # centred on the centroid is the same model the package's own converter uses to decide
    # which new ward an address falls in; it is an approximation, not the real boundary.
    if lat is None or lon is None or not area_km2 or area_km2 <= 0:
        return None
    half_km = math.sqrt(area_km2) / 2
    dlat = half_km / _KM_PER_DEGREE_LAT
    dlon = half_km / (_KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat)))
    return (round(lon - dlon, 6), round(lat - dlat, 6), round(lon + dlon, 6), round(lat + dlat, 6))


def _union(boxes: Iterable[tuple[float, float, float, float] | None]):
    boxes = [b for b in boxes if b]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _json_list(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@functools.lru_cache(maxsize=None)
def _catalogue() -> _Catalogue:
    data_dir = _data_dir()
    with open(data_dir / "converter_2025.json", encoding="utf-8") as handle:
        converter = json.load(handle)
    # Read-only: site-packages may not be writable, and SQLite must not try to journal there.
    connection = sqlite3.connect(f"{(data_dir / 'dataset.db').as_uri()}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        legacy_rows = _rows(
            connection,
            "SELECT * FROM admin_units_legacy WHERE provinceCode = ? ORDER BY districtCode, wardCode",
            [PROVINCE_CODE],
        )
        if not legacy_rows:
            raise RuntimeError(f"vietnamadminunits has no legacy units for province {PROVINCE_CODE}")
        old_province_key = legacy_rows[0]["provinceKey"]
        new_province_key = next(
            (new for new, olds in converter["DICT_PROVINCE"].items() if old_province_key in olds), None
        )
        if new_province_key is None:
            raise RuntimeError(f"The converter does not map {old_province_key} to a 2025 province")
        new_rows = _rows(
            connection,
            "SELECT * FROM admin_units WHERE provinceKey = ? ORDER BY wardCode",
            [new_province_key],
        )
        merged_bounds = _rows(
            connection,
            "SELECT DISTINCT provinceKey, provinceBounds FROM admin_units_legacy",
        )
        other_rows = []
        for code in OTHER_PROVINCE_CODES:
            old = _rows(connection, "SELECT * FROM admin_units_legacy WHERE provinceCode = ? LIMIT 1", [code])
            if not old:
                raise RuntimeError(f"vietnamadminunits has no legacy province {code}")
            new_key = next((new for new, olds in converter["DICT_PROVINCE"].items() if old[0]["provinceKey"] in olds), None)
            new = _rows(connection, "SELECT * FROM admin_units WHERE provinceKey = ? LIMIT 1", [new_key]) if new_key else []
            other_rows.append((old[0], new[0] if new else None, new_key))
    finally:
        connection.close()
    if not new_rows:
        raise RuntimeError(f"vietnamadminunits has no 2025 units for {new_province_key}")

    units: list[AdminUnit] = []
    names: dict[tuple[bool, str], list[str]] = {}

    def add_names(unit: AdminUnit, keys: Iterable[str | None]) -> None:
        folded = {_key(k) for k in keys if k}
        folded |= {_key(unit.name), _key(unit.short_name)}
        # "Cây Trường II" is also written "Cây Trường 2".
        last = unit.short_name.split()[-1] if unit.short_name.split() else ""
        if last in _ROMAN:
            folded.add(_key(unit.short_name[: -len(last)] + _ROMAN[last]))
        for key in folded - {""}:
            codes = names.setdefault((unit.legacy, key), [])
            if unit.code not in codes:
                codes.append(unit.code)

    # Legacy: the province, then each district followed by its communes.
    first = legacy_rows[0]
    province = AdminUnit(
        code=first["provinceCode"],
        gso_code=first["provinceCode"],
        name=first["province"],
        short_name=first["provinceShort"],
        level="province",
        legacy=True,
        parent=None,
        latitude=first["provinceLat"],
        longitude=first["provinceLon"],
        bbox=_parse_bounds(first["provinceBounds"]),
    )
    units.append(province)
    add_names(
        province,
        [first["provinceKey"], first["provinceShortKey"], *_json_list(first["provinceAlias"]),
         *_json_list(first["provinceKeywords"])],
    )
    legacy_key_of: dict[str, str] = {}
    current_district = None
    for row in legacy_rows:
        if row["districtCode"] != current_district:
            current_district = row["districtCode"]
            district = AdminUnit(
                code=row["districtCode"],
                gso_code=row["districtCode"],
                name=row["district"],
                short_name=row["districtShort"],
                level="district",
                legacy=True,
                parent=province.code,
                latitude=row["districtLat"],
                longitude=row["districtLon"],
                bbox=_parse_bounds(row["districtBounds"]),
            )
            units.append(district)
            add_names(
                district,
                [row["districtKey"], row["districtShortKey"], *_json_list(row["districtAlias"]),
                 *_json_list(row["districtKeywords"])],
            )
        commune = AdminUnit(
            code=row["wardCode"],
            gso_code=row["wardCode"],
            name=row["ward"],
            short_name=row["wardShort"],
            level="commune",
            legacy=True,
            parent=row["districtCode"],
            latitude=row["wardLat"],
            longitude=row["wardLon"],
            bbox=_parse_bounds(row["wardBounds"]),
        )
        units.append(commune)
        add_names(
            commune,
            [row["wardKey"], row["wardShortKey"], *_json_list(row["wardAlias"]),
             *_json_list(row["wardKeywords"])],
        )
        legacy_key_of[commune.code] = f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}"

    # Legacy commune -> new ward keys. Most communes went whole into one new ward
    # (NO_DIVIDED: new ward -> old communes); split communes list every receiving ward,
    # the package's default first (DIVIDED: old commune -> new wards).
    not_divided = converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_province_key, {})
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(new_province_key, {})
    new_key_owner: dict[str, str] = {}
    for new_key, old_keys in not_divided.items():
        for old_key in old_keys:
            new_key_owner.setdefault(old_key, new_key)
    new_keys_of: dict[str, list[str]] = {}
    for code, old_key in legacy_key_of.items():
        keys: list[str] = []
        if old_key in new_key_owner:
            keys.append(new_key_owner[old_key])
        parts = sorted(divided.get(old_key, []), key=lambda w: not w.get("isDefaultNewWard"))
        keys += [w["newWardKey"] for w in parts if w["newWardKey"] not in keys]
        new_keys_of[code] = keys

    new_by_key = {row["wardKey"]: row for row in new_rows}
    new_by_folded = {_key(row["wardKey"]): row for row in new_rows}

    def new_row(key: str) -> dict | None:
        return new_by_key.get(key) or new_by_folded.get(_key(key))

    wanted = {k for keys in new_keys_of.values() for k in keys}
    new_ward_rows = {}
    for key in sorted(wanted):
        row = new_row(key)
        if row is None:
            log.warning("The converter names a 2025 ward %r that the database lacks", key)
            continue
        new_ward_rows[row["wardCode"]] = row

    # The 2025 city has no bounds in the data; the legacy provinces merged into it do.
    merged = set(converter["DICT_PROVINCE"][new_province_key])
    city_row = new_rows[0]
    city = AdminUnit(
        code=NEW_PREFIX + city_row["provinceCode"],
        gso_code=city_row["provinceCode"],
        name=city_row["province"],
        short_name=city_row["provinceShort"],
        level="province",
        legacy=False,
        parent=None,
        latitude=city_row["provinceLat"],
        longitude=city_row["provinceLon"],
        bbox=_union(_parse_bounds(r["provinceBounds"]) for r in merged_bounds if r["provinceKey"] in merged),
    )
    units.append(city)
    add_names(
        city,
        [city_row["provinceKey"], city_row["provinceShortKey"], *_json_list(city_row["provinceAlias"]),
         *_json_list(city_row["provinceKeywords"])],
    )
    for gso in sorted(new_ward_rows):
        row = new_ward_rows[gso]
        ward = AdminUnit(
            code=NEW_PREFIX + gso,
            gso_code=gso,
            name=row["ward"],
            short_name=row["wardShort"],
            level="commune",
            legacy=False,
            parent=city.code,
            latitude=row["wardLat"],
            longitude=row["wardLon"],
            bbox=_square(row["wardLat"], row["wardLon"], row["wardAreaKm2"]),
        )
        units.append(ward)
        add_names(
            ward,
            [row["wardKey"], row["wardShortKey"], *_json_list(row["wardAlias"]),
             *_json_list(row["wardKeywords"])],
        )

    successors: dict[str, tuple[str, ...]] = {province.code: (city.code,)}
    for old, new, new_key in other_rows:
        other = AdminUnit(
            code=old["provinceCode"], gso_code=old["provinceCode"], name=old["province"],
            short_name=old["provinceShort"], level="province", legacy=True, parent=None,
            latitude=old["provinceLat"], longitude=old["provinceLon"], bbox=_parse_bounds(old["provinceBounds"]))
        units.append(other)
        add_names(other, [old["provinceKey"], old["provinceShortKey"], *_json_list(old["provinceAlias"]),
                          *_json_list(old["provinceKeywords"])])
        if new is None:
            log.warning("The converter maps province %s to no 2025 province", old["provinceCode"])
            continue
        new_code = NEW_PREFIX + new["provinceCode"]
        if new_code not in {u.code for u in units}:
            absorbed = set(converter["DICT_PROVINCE"][new_key])
            today = AdminUnit(
                code=new_code, gso_code=new["provinceCode"], name=new["province"], short_name=new["provinceShort"],
                level="province", legacy=False, parent=None, latitude=new["provinceLat"],
                longitude=new["provinceLon"],
                bbox=_union(_parse_bounds(r["provinceBounds"]) for r in merged_bounds if r["provinceKey"] in absorbed))
            units.append(today)
            add_names(today, [new["provinceKey"], new["provinceShortKey"], *_json_list(new["provinceAlias"]),
                              *_json_list(new["provinceKeywords"])])
        successors[other.code] = (new_code,)
    for code, keys in new_keys_of.items():
        rows = [new_row(k) for k in keys]
        successors[code] = tuple(NEW_PREFIX + r["wardCode"] for r in rows if r is not None)
    for unit in units:
        if unit.level == "district" and unit.legacy:
            codes = {s for u in units if u.parent == unit.code for s in successors.get(u.code, ())}
            successors[unit.code] = tuple(sorted(codes, key=_code_sort_key))

    return _Catalogue(
        units=tuple(units),
        by_code={u.code: u for u in units},
        successors=successors,
        names={k: tuple(v) for k, v in names.items()},
    )


def _code_sort_key(code: str) -> tuple[int, int]:
    gso = code[len(NEW_PREFIX):] if code.startswith(NEW_PREFIX) else code
    return (len(gso), int(gso) if gso.isdigit() else 0)


# ---------------------------------------------------------------------------------------
# Name matching

_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4", "V": "5"}

# Administrative-type prefixes as people write them, folded (no diacritics, lower case).
# Abbreviations need a dot or a space after them so that a name starting with the same
# letters is not cut. Each maps to the spelled-out prefix the package's keys use and to
# the levels such a prefix can name.
_PREFIXES: list[tuple[re.Pattern, str, frozenset[str]]] = [
    (re.compile(pattern), canonical, frozenset(levels))
    for pattern, canonical, levels in [
        (r"^thi\s*tran\s+|^tt(?:\.\s*|\s+)", "thitran", {"commune"}),
        (r"^thi\s*xa\s+|^tx(?:\.\s*|\s+)", "thixa", {"district"}),
        (r"^thanh\s*pho\s+|^tp(?:\.\s*|\s+)", "thanhpho", {"district", "province"}),
        (r"^phuong\s+|^p(?:\.\s*)", "phuong", {"commune"}),
        (r"^xa\s+|^x(?:\.\s*)", "xa", {"commune"}),
        (r"^huyen\s+|^h(?:\.\s*)", "huyen", {"district"}),
        (r"^quan\s+|^q(?:\.\s*)", "quan", {"district"}),
        (r"^tinh\s+|^t(?:\.\s*)", "tinh", {"province"}),
    ]
]


def _fold(text: str) -> str:
    """Lower case, no diacritics, single spaces, punctuation kept (the prefixes above need
    "tp."); NFD and NFC input fold alike."""
    return " ".join(fold_chars(nfc(text)).split())


def _key(text: str) -> str:
    return fold(text)


def _candidates(text: str, legacy: bool, levels: frozenset[str] | None = None) -> list[AdminUnit]:
    catalogue = _catalogue()
    folded = _fold(text)
    found: list[str] = []
    for pattern, canonical, prefix_levels in _PREFIXES:
        match = pattern.match(folded)
        if not match:
            continue
        rest = _key(folded[match.end():])
        if not rest:
            continue
        allowed = prefix_levels & levels if levels else prefix_levels
        # The spelled-out key names one unit even where the short name is shared ("Xã Tân
        # Định" vs "Phường Tân Định") and hits the package's aliases for former names
        # ("thixabencat", "xaandien"); only when it fails does the bare short name count.
        for key in (canonical + rest, rest):
            found = [
                code
                for code in catalogue.names.get((legacy, key), ())
                if catalogue.by_code[code].level in allowed
            ]
            if found:
                break
        if found:
            break
    if not found:
        found = list(catalogue.names.get((legacy, _key(folded)), ()))
    units = []
    for code in dict.fromkeys(found):
        unit = catalogue.by_code[code]
        if levels is None or unit.level in levels:
            units.append(unit)
    return units


def _pick(units: list[AdminUnit], prefer_narrow: bool) -> AdminUnit | None:
    """One unit, or None when the text stays ambiguous. A district and one of its communes
    often share a name ("Dĩ An", "Dầu Tiếng"): without a district hint the district is the
    likelier meaning; with one, the text names something inside it."""
    if not units:
        return None
    ranks = sorted({_LEVEL_RANK[u.level] for u in units}, reverse=prefer_narrow)
    best = [u for u in units if _LEVEL_RANK[u.level] == ranks[0]]
    return best[0] if len(best) == 1 else None


# ---------------------------------------------------------------------------------------
# Public API


def get_unit(code: str) -> AdminUnit | None:
    if code is None:
        return None
    return _catalogue().by_code.get(str(code).strip())


def known_codes():
    """Every unit code, for membership tests (the loaded-once index, not a new set per call)."""
    return _catalogue().by_code.keys()


def name_keys(code: str) -> frozenset[str]:
    """The folded spellings (names, short names, the package's aliases and former names)
    the unit answers to, e.g. {"phuonghiepthanh", "hiepthanh"}."""
    return _name_keys_by_code().get(code, frozenset())


@functools.lru_cache(maxsize=None)
def _name_keys_by_code() -> dict[str, frozenset[str]]:
    keys: dict[str, set[str]] = {}
    for (_, key), codes in _catalogue().names.items():
        for code in codes:
            keys.setdefault(code, set()).add(key)
    return {code: frozenset(found) for code, found in keys.items()}


def all_units() -> list[AdminUnit]:
    return list(_catalogue().units)


def ancestors(code: str) -> list[AdminUnit]:
    chain: list[AdminUnit] = []
    unit = get_unit(code)
    while unit is not None and unit.parent is not None:
        unit = get_unit(unit.parent)
        if unit is None:
            break
        chain.append(unit)
    return chain


def successors(code: str) -> list[AdminUnit]:
    unit = get_unit(code)
    if unit is None or not unit.legacy:
        return []
    catalogue = _catalogue()
    return [catalogue.by_code[c] for c in catalogue.successors.get(unit.code, ()) if c in catalogue.by_code]


def predecessors(code: str) -> list[AdminUnit]:
    """The units of the map before 1 July 2025 that ``code`` (a unit of the new map) took over,
    wholly or in part."""
    unit = get_unit(code)
    if unit is None or unit.legacy:
        return []
    catalogue = _catalogue()
    return [catalogue.by_code[c] for c in _predecessor_codes().get(unit.code, ()) if c in catalogue.by_code]


@functools.lru_cache(maxsize=None)
def _predecessor_codes() -> dict[str, tuple[str, ...]]:
    reverse: dict[str, list[str]] = {}
    for old, news in _catalogue().successors.items():
        for new in news:
            reverse.setdefault(new, []).append(old)
    return {new: tuple(sorted(olds, key=_code_sort_key)) for new, olds in reverse.items()}


def _label(unit: AdminUnit, lang: str) -> str:
    until, since = _SUFFIX.get(lang, _SUFFIX["vi"])
    parent = get_unit(unit.parent) if unit.parent else None
    name = f"{unit.name} — {parent.name}" if parent else unit.name
    return f"{name} {until if unit.legacy else since}"


@functools.lru_cache(maxsize=None)
def _choices(lang: str) -> tuple[tuple[str, str], ...]:
    return tuple((u.code, _label(u, lang)) for u in _catalogue().units)


def choices(lang: str = "vi") -> list[dict]:
    lang = "en" if (lang or "").lower().startswith("en") else "vi"
    return [{"value": value, "label": label} for value, label in _choices(lang)]


def find_by_name(text: str, legacy: bool = True, district: str | None = None) -> AdminUnit | None:
    """The unit a free-text name (or a bare GSO code) designates, or None when unknown or
    ambiguous. `legacy` chooses the list searched: units valid until 30/6/2025, or the 2025
    ones. `district` (code or name) settles communes of the same name; it applies to legacy
    units only, since the 2025 units have no district level."""
    if not text or not text.strip():
        return None
    raw = unicodedata.normalize("NFC", text).strip()
    if re.fullmatch(r"\d+", raw):
        return get_unit(raw if legacy else NEW_PREFIX + raw)
    if raw.startswith(NEW_PREFIX):
        unit = get_unit(raw)
        return unit if unit is not None and unit.legacy == legacy else None

    units = _candidates(raw, legacy)
    if not (legacy and district and str(district).strip()):
        return _pick(units, prefer_narrow=False)

    hint = get_unit(str(district).strip())
    if hint is None or hint.level != "district":
        hint = _pick(_candidates(str(district), True, frozenset({"district"})), prefer_narrow=False)
    if hint is None:
        # A hint we cannot place means the text is about somewhere else.
        return None
    inside = [u for u in units if u.code == hint.code or u.parent == hint.code]
    return _pick(inside, prefer_narrow=True)


def extent(codes: list[str]) -> dict | None:
    """GeoJSON Polygon of the bounding box around the given units (unknown codes ignored)."""
    boxes = [unit.bbox for unit in (get_unit(c) for c in codes or []) if unit is not None]
    box = _union(boxes)
    if box is None:
        return None
    west, south, east, north = box
    # Counter-clockwise exterior ring, as RFC 7946 asks.
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def centroid(codes: list[str]) -> tuple[float, float] | None:
    polygon = extent(codes)
    if polygon is None:
        return None
    ring = polygon["coordinates"][0]
    west, south = ring[0]
    east, north = ring[2]
    return ((west + east) / 2, (south + north) / 2)
