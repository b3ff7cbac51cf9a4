"""The one place resolver of the project: a place as clerks and systems write it → our unit.

Every caller (the civil-registry, procedures and infrastructure harvesters, the form, DCAT)
asks here. The work is split between the maintained parser ``vietnamadminunits`` and our
own index (``places``):

- the parser reads a commune *with its district* in one cell ("Phường An Bình, Thành phố Dĩ
  An", "Xã Tân Định, Huyện Bắc Tân Uyên, tỉnh Bình Dương"), on the legacy map
  (``ParseMode.LEGACY``, hinted ", Bình Dương") or on the 2025 map (``ParseMode.FROM_2025``,
  hinted ", Hồ Chí Minh"). Without the province hint it may pick a namesake in another
  province; in LEGACY mode it finds no commune written alone ("Phường Hiệp Thành" gives
  only the province), and it does not know "Cây Trường 2" for "Cây Trường II";
- what the parser lacks is done here: the authority words ("UBND", "Ủy ban nhân dân"), the
  abbreviations ("P.", "X.", "TT.", "TX.", "TP.", "Q.", "H.", "TP.HCM"), decomposed (NFD)
  diacritics, bare GSO codes, a district given in another column, a commune named alone
  (``places.find_by_name``), and the *time*: an event dated before 1 July 2025 is placed
  on the legacy map, one dated on or after it on the 2025 map — a post-reform "Phường
  Thuận Giao" is the 2025 ward, not the legacy one of the same name.

A post-reform text that names a legacy unit only ("Phường Phú Cường" after 1/7/2025) is
converted to the 2025 ward that took it over (``places.successors``, from the package's own
converter table); a commune split between several wards goes to the ward that took most of
it (the converter's default) and the result says so (``split``).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ckanext.binhduong import places
from ckanext.binhduong.places import AdminUnit
from ckanext.binhduong.text import fold, fold_chars

__all__ = ["REFORM_DATE", "Resolution", "resolve", "resolve_detail", "is_post_reform", "to_new_map", "clean_place",
           "spans_reform", "other_map_codes"]

#: The day the district level was abolished and Bình Dương's area became wards and communes
#: of Hồ Chí Minh City (Resolution 202/2025/QH15).
REFORM_DATE = dt.date(2025, 7, 1)

_LEGACY_PROVINCE_HINT = ", Bình Dương"
_NEW_PROVINCE_HINT = ", Hồ Chí Minh"


@dataclass(frozen=True)
class Resolution:
    """What a place text designates on the map of its date.

    ``unit``: the most precise unit named (commune, district or province), None when unknown.
    ``within``: when ``unit`` is None, a legacy district the same text or the district hint
    names (the commune is unknown but its district is not); None otherwise.
    ``converted``: the text names a legacy unit and ``unit`` is its 2025 successor.
    ``split``: converted from a legacy commune that was split between several 2025 wards.
    """
    unit: AdminUnit | None
    within: AdminUnit | None = None
    converted: bool = False
    split: bool = False


# ---------------------------------------------------------------------------------------
# Cleaning: what the parser lacks


_SEPARATORS = re.compile(r"\s*[,;]\s*|\s+[-–]\s+")
_AUTHORITY = re.compile(r"^(?:ubnd|uy\s*ban\s+nhan\s+dan)\b[\s.:]*(?:cap\s+(?:xa|huyen|tinh)\b\s*)?")
_CITY = "Thành phố Hồ Chí Minh"
_HCM = re.compile(r"^(?:(?:tp|thanh\s*pho)\.?\s*)?(?:hcm|ho\s*chi\s*minh)\.?$")
# Administrative-type abbreviations, folded; each needs a dot or a space after it so that a
# name starting with the same letters is not cut ("Phú Lợi" is not "P. hú Lợi").
_ABBREVIATIONS = [
    (re.compile(pattern), spelled)
    for pattern, spelled in [
        (r"^tt(?:\.\s*|\s+)", "Thị trấn "),
        (r"^tx(?:\.\s*|\s+)", "Thị xã "),
        (r"^tp(?:\.\s*|\s+)", "Thành phố "),
        (r"^p(?:\.\s*|\s+)", "Phường "),
        (r"^x(?:\.\s*|\s+)", "Xã "),
        (r"^h(?:\.\s*|\s+)", "Huyện "),
        (r"^q(?:\.\s*|\s+)", "Quận "),
        (r"^t(?:\.\s*)", "Tỉnh "),
    ]
]


def _clean_segment(segment: str) -> str:
    segment = segment.strip(" .:-")
    folded = fold_chars(segment)
    authority = _AUTHORITY.match(folded)
    if authority:
        segment, folded = segment[authority.end():], folded[authority.end():]
    if _HCM.match(folded.strip()):
        return _CITY
    for pattern, spelled in _ABBREVIATIONS:
        match = pattern.match(folded)
        if match:
            return spelled + segment[match.end():].strip()
    return segment.strip()


@functools.lru_cache(maxsize=16384)
def _segments(text: str) -> tuple[str, ...]:
    """The cell as cleaned segments, the commune first: NFC, authority words dropped,
    abbreviations spelled out ("P.Tân Đông Hiệp, TP.Dĩ An" → ("Phường Tân Đông Hiệp",
    "Thành phố Dĩ An"))."""
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"\s+", " ", text).strip()
    # "TP.HCM" and "P.Hòa Lợi" keep their dot inside a segment; only , ; and " - " split.
    return tuple(s for s in (_clean_segment(part) for part in _SEPARATORS.split(text)) if s)


def clean_place(text: Any) -> str:
    """The cleaned spelling of a place cell (for messages and tests): "UBND phường chánh
    nghĩa, TP.Thủ Dầu Một" → "phường chánh nghĩa, Thành phố Thủ Dầu Một"."""
    return ", ".join(_segments(str(text))) if text is not None else ""


def _key(text: str) -> str:
    return fold(text)


def _province_marker(segment: str) -> str | None:
    """"legacy" for Bình Dương, "new" for Hồ Chí Minh City, None for anything else."""
    key = _key(segment)
    if key in ("tinhbinhduong", "binhduong"):
        return "legacy"
    if key in ("thanhphohochiminh", "hochiminh"):
        return "new"
    return None


@functools.lru_cache(maxsize=1024)
def _legacy_district(text: str) -> AdminUnit | None:
    """A legacy district of the province named by a hint or a segment, else None."""
    if not text:
        return None
    text = str(text).strip()
    if text.isdigit():
        unit = places.get_unit(str(int(text)))
    else:
        cleaned = ", ".join(_segments(text))
        unit = places.find_by_name(cleaned, legacy=True) if cleaned else None
    if unit is None or not unit.legacy or unit.level != "district" or unit.parent != places.PROVINCE_CODE:
        return None
    return unit


# Folded type words and the levels they can name. Between commune types the parser's
# leniency is kept ("Xã Phú An" after the reform is Phường Phú An: the xã became a phường),
# but a district is never taken for the commune of the same name ("Huyện Dầu Tiếng" is not
# Xã Dầu Tiếng).
_TYPE_LEVELS = (
    ("thitran", {"commune"}), ("thixa", {"district"}), ("thanhpho", {"district", "province"}),
    ("phuong", {"commune"}), ("xa", {"commune"}), ("huyen", {"district"}), ("quan", {"district"}),
    ("tinh", {"province"}),
)


def _names(segment: str, unit: AdminUnit | None) -> bool:
    """Whether the segment is one of the unit's names. The parser matches keywords inside
    longer text ("Thị trấn Phước Vĩnh" holds "anphu", the key of Phường An Phú), so what it
    returns is accepted only when the commune segment really is that unit's name."""
    if unit is None:
        return False
    key = _key(segment)
    unit_keys = places.name_keys(unit.code)
    if key in unit_keys:
        return True
    for type_key, levels in _TYPE_LEVELS:
        if key.startswith(type_key) and len(key) > len(type_key):
            return unit.level in levels and key[len(type_key):] in unit_keys
    return False


# ---------------------------------------------------------------------------------------
# One map at a time


def _parse(text: str, legacy: bool):
    # Imported here: the package's __init__ loads its parser tables, which the unit lists
    # (places.py) do not need.
    from vietnamadminunits import ParseMode, parse_address

    if legacy:
        return parse_address(text + _LEGACY_PROVINCE_HINT, mode=ParseMode.LEGACY)
    return parse_address(text + _NEW_PROVINCE_HINT, mode=ParseMode.FROM_2025)


def _on_legacy_map(segments: tuple[str, ...], hint: AdminUnit | None) -> Resolution:
    if not segments:
        return Resolution(None, hint)
    first = segments[0]
    if first.isdigit():
        unit = places.get_unit(str(int(first)))
        return Resolution(unit if unit is not None and unit.legacy else None, hint)
    rest = [s for s in segments[1:] if _province_marker(s) != "legacy"]
    named_districts = [d for d in (_legacy_district(s) for s in rest) if d is not None]
    district = named_districts[0] if named_districts else hint
    if rest or district is not None:
        # The parser reads a commune with its district; the hint stands in for a district
        # the cell does not name.
        words = [first, *rest] if rest else [first, district.name]
        parsed = _parse(", ".join(words), legacy=True)
        if parsed.province_code == places.PROVINCE_CODE and parsed.ward_code:
            unit = places.get_unit(parsed.ward_code)
            if _names(first, unit) and (district is None or unit.parent == district.code):
                return Resolution(unit)
        if parsed.province_code == places.PROVINCE_CODE and parsed.district_code and district is None:
            district = places.get_unit(parsed.district_code)
    if rest and district is None:
        # Something other than a district of ours follows the commune ("Quận 1", "Hà Nội").
        return Resolution(None)
    # What the parser does not read: a commune alone, a former name it lacks ("Cây Trường
    # 2"), the province alone.
    unit = places.find_by_name(first, legacy=True, district=district.code if district else None)
    if unit is None and district is not None and _key(first) == _key(district.name):
        unit = district
    if unit is not None and not unit.legacy:
        unit = None
    return Resolution(unit, None if unit is not None else district)


def _on_new_map(segments: tuple[str, ...]) -> AdminUnit | None:
    if not segments:
        return None
    first = segments[0]
    if first.isdigit():
        return places.get_unit(places.NEW_PREFIX + first)
    words = [s for s in segments if _province_marker(s) is None]
    if words:
        parsed = _parse(", ".join(words), legacy=False)
        if parsed.ward_code:
            unit = places.get_unit(places.NEW_PREFIX + parsed.ward_code)
            if _names(words[0], unit):
                return unit
            if unit is None and _key(words[0]).endswith(_key(parsed.ward or "-")):
                # A ward of the city outside the former province ("Phường Bến Nghé"): not ours.
                return None
    unit = places.find_by_name(first, legacy=False)
    return unit if unit is not None and not unit.legacy else None


def to_new_map(unit: AdminUnit | None) -> tuple[AdminUnit | None, bool]:
    """(the 2025 unit that took a legacy commune or province over, split?). A split commune
    goes to the converter's default ward (the one that received most of it); a legacy
    district has no single successor (None)."""
    if unit is None or not unit.legacy:
        return unit, False
    if unit.level == "district":
        return None, False
    following = places.successors(unit.code)
    if not following:
        return None, False
    return following[0], len(following) > 1


# ---------------------------------------------------------------------------------------
# Public API


def is_post_reform(on_date: Any) -> bool | None:
    """True from 1 July 2025, False before, None when no date is given. Accepts a date, a
    datetime or an ISO text ("2025-07", "2025-07-01")."""
    if on_date is None or on_date == "":
        return None
    if isinstance(on_date, dt.datetime):
        on_date = on_date.date()
    if isinstance(on_date, dt.date):
        return on_date >= REFORM_DATE
    text = str(on_date).strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", text[:10])
    if not match:
        raise ValueError(f"Not an ISO date or month: {on_date!r}")
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    return dt.date(year, month, day) >= REFORM_DATE


def resolve_detail(text: Any, *, on_date: Any = None, district_hint: Any = None,
                   legacy: bool | None = None) -> Resolution:
    """The unit a place text designates, with how it was found (see ``Resolution``).

    ``on_date`` chooses the map: before 1/7/2025 the legacy one, from then the 2025 one.
    ``legacy`` forces a map instead (True: legacy, False: 2025). With neither, the legacy
    map is tried first, then the 2025 one (a text naming Hồ Chí Minh City goes 2025 first).
    ``district_hint`` (a legacy district's code or name, e.g. from a "Quận/huyện" column)
    settles same-named legacy communes; the 2025 map has no district level."""
    if legacy is None:
        post = is_post_reform(on_date)
        legacy = None if post is None else not post
    hint_text = str(district_hint).strip() if district_hint is not None else ""
    if text is None:
        return Resolution(None, _legacy_district(hint_text) if legacy is not False else None)
    return _resolve(str(text), hint_text, legacy)


@functools.lru_cache(maxsize=16384)
def _resolve(text: str, hint_text: str, legacy: bool | None) -> Resolution:
    segments = _segments(text)
    hint = _legacy_district(hint_text) if hint_text else None
    if legacy is True:
        return _on_legacy_map(segments, hint)
    if legacy is False:
        # The 2025 map first, on the cell without its legacy district ("Phường Thuận Giao,
        # TP Thuận An" after the reform is the 2025 Phường Thuận Giao) …
        without_districts = tuple(s for i, s in enumerate(segments) if i == 0 or _legacy_district(s) is None)
        unit = _on_new_map(without_districts)
        if unit is not None:
            return Resolution(unit)
        # … else a legacy name written after the reform, converted.
        old = _on_legacy_map(segments, hint)
        new, split = to_new_map(old.unit)
        return Resolution(new, None, converted=new is not None, split=split)
    markers = {_province_marker(s) for s in segments[1:]}
    if "new" in markers:
        unit = _on_new_map(segments)
        if unit is not None:
            return Resolution(unit)
    old = _on_legacy_map(segments, hint)
    if old.unit is not None:
        return old
    unit = _on_new_map(segments) if "new" not in markers else None
    return Resolution(unit) if unit is not None else old


def resolve(text: Any, *, on_date: Any = None, district_hint: Any = None,
            legacy: bool | None = None) -> AdminUnit | None:
    """The unit (commune, district or province) a place text designates on the map of its
    date, or None when unknown or ambiguous. Codes: legacy GSO codes ("25741"), 2025 units
    "2025/<code>". See ``resolve_detail`` for the arguments."""
    return resolve_detail(text, on_date=on_date, district_hint=district_hint, legacy=legacy).unit


def spans_reform(start: Any, end: Any) -> bool:
    """A period that starts before 1 July 2025 and ends on or after it (or is open): its places
    are named on both maps (DCAT ``dct:spatial``), so a harvester that knows one map finds it."""
    try:
        return is_post_reform(start) is False and is_post_reform(end) is not False
    except ValueError:
        return False


def other_map_codes(code: str) -> list[str]:
    """The units of the other map that ``code`` became (a legacy unit) or took over (a new one)."""
    return [unit.code for unit in places.successors(code) + places.predecessors(code)]
