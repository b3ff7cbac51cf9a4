"""The published table of the civil-registry harvester: the place hierarchies (the legacy
map until 30/6/2025, the 2025 map from 1/7/2025) and their relations, the totals (district,
province or area, all sexes) added to commune counts, the rows with small counts suppressed
(suppression.py), and each legacy row's 2025 counterpart so that a commune's series can be
followed across the reform. Pure: no CKAN, no harvest models."""
from __future__ import annotations

from ckanext.binhduong import places
from ckanext.binhduong.harvesters import civil_events as events
from ckanext.binhduong.harvesters import suppression

__all__ = ["OTHER_EVENT", "EVENT_ORDER", "EVENT_LABELS", "SEX_ORDER", "Hierarchy", "hierarchy", "aggregate",
           "publish_rows"]

OTHER_EVENT = "khac"
EVENT_ORDER = [code for code, _, _ in events.EVENT_TYPES] + [OTHER_EVENT]
EVENT_LABELS = {**events.EVENT_LABELS, OTHER_EVENT: "Việc hộ tịch khác hoặc không ghi rõ"}
SEX_ORDER = ("tong", "nam", "nu", "khong_ro")
LEVELS = {"province": "tinh", "district": "huyen", "commune": "xa"}
LEVEL_ORDER = {"tinh": 0, "huyen": 1, "xa": 2}
#: Values of the ``ban_do`` column: which map a row's unit belongs to.
LEGACY_MAP, NEW_MAP = "cu", "moi"
AREA_NAME = "Địa bàn tỉnh Bình Dương cũ (thuộc Thành phố Hồ Chí Minh từ 1/7/2025)"
#: Values of ``chuyen_doi``: how a legacy unit went into the 2025 map.
WHOLE, SPLIT = "nguyen_ven", "chia_tach"


# ---------------------------------------------------------------------------------------
# The place hierarchy and its relations (the same for every month and event type)

class Hierarchy:
    """The units of both maps, the unknown buckets, and the relations between cells
    ``(unit, sex)`` that the published table states.

    Legacy map (months before 7/2025): province 74 = its districts + 74-KXD, a district =
    its communes + <district>-KXD. 2025 map (from 7/2025): the area of the former province,
    under the code of the city that absorbed it (2025/79), = the 2025 wards that took the
    province over + 2025/79-KXD; there is no district level any more."""

    def __init__(self) -> None:
        units = [u for u in places.all_units() if u.legacy]
        self.province = places.PROVINCE_CODE
        self.districts = [u.code for u in units if u.level == "district"]
        self.communes = {d: [u.code for u in units if u.level == "commune" and u.parent == d] for d in self.districts}
        self.unit = {u.code: u for u in units}
        self.area = events.new_area()
        self.wards = sorted({s.code for c in self.unit.values() if c.level == "commune"
                             for s in places.successors(c.code)}, key=lambda c: int(c.split("/")[1]))
        self.unit.update({code: places.get_unit(code) for code in [self.area, *self.wards]})
        self.relations = self._legacy_relations()
        self.relations_new = self._new_relations()

    def _legacy_relations(self) -> list[suppression.Relation]:
        relations: list[suppression.Relation] = []
        all_units = [self.province, *self.districts, events.unknown_code(self.province)]
        for district in self.districts:
            all_units += [*self.communes[district], events.unknown_code(district)]
        for unit in all_units:
            relations.append(suppression.Relation((unit, "tong"), tuple((unit, s) for s in events.SEXES)))
        for sex in SEX_ORDER:
            for district in self.districts:
                parts = [*self.communes[district], events.unknown_code(district)]
                relations.append(suppression.Relation((district, sex), tuple((c, sex) for c in parts)))
            parts = [*self.districts, events.unknown_code(self.province)]
            relations.append(suppression.Relation((self.province, sex), tuple((d, sex) for d in parts)))
        return relations

    def _new_relations(self) -> list[suppression.Relation]:
        parts = [*self.wards, events.unknown_code(self.area)]
        relations = [suppression.Relation((unit, "tong"), tuple((unit, s) for s in events.SEXES))
                     for unit in [self.area, *parts]]
        relations += [suppression.Relation((self.area, sex), tuple((w, sex) for w in parts)) for sex in SEX_ORDER]
        return relations

    def relations_for(self, month: str) -> list[suppression.Relation]:
        return self.relations_new if events.is_post_reform_month(month) else self.relations

    def totals_above(self, code: str) -> list[str]:
        """The total rows a cell of ``code`` adds into: a commune into its district and the
        province, a 2025 ward into the area."""
        if code.endswith(events.UNKNOWN_SUFFIX):
            parent = code[: -len(events.UNKNOWN_SUFFIX)]
            return [parent] if parent in (self.province, self.area) else [parent, self.province]
        unit = self.unit[code]
        if not unit.legacy:
            return [self.area] if code != self.area else []
        if unit.level == "commune":
            return [unit.parent, self.province]
        return [self.province] if unit.level == "district" else []

    def describe(self, code: str) -> tuple[str, str, str]:
        """(level, name, district code) of a cell's unit."""
        if code.endswith(events.UNKNOWN_SUFFIX):
            parent = code[: -len(events.UNKNOWN_SUFFIX)]
            if parent == self.province:
                return "xa", "Không xác định được xã, phường, thị trấn", ""
            if parent == self.area:
                return "xa", "Không xác định được xã, phường (từ 1/7/2025)", ""
            return "xa", f"Không xác định được xã, phường, thị trấn ({self.unit[parent].name})", parent
        if code == self.area:
            return "tinh", AREA_NAME, ""
        unit = self.unit[code]
        level = LEVELS[unit.level]
        district = unit.parent if unit.level == "commune" and unit.legacy else (
            unit.code if unit.level == "district" else "")
        return level, unit.name, district or ""

    def on_new_map(self, code: str) -> tuple[str, str, str, str]:
        """(map, 2025 code, 2025 name, how converted) of a row's unit: a legacy commune's
        2025 ward (the one that took most of it when it was split), the area for the
        province, the area's unknown bucket for an unknown commune; a legacy district has no
        single counterpart (empty)."""
        if code.endswith(events.UNKNOWN_SUFFIX):
            parent = code[: -len(events.UNKNOWN_SUFFIX)]
            unknown = events.unknown_code(self.area)
            if parent == self.area:
                return NEW_MAP, unknown, self.describe(unknown)[1], ""
            return LEGACY_MAP, unknown, self.describe(unknown)[1], WHOLE
        unit = self.unit[code]
        if not unit.legacy:
            return NEW_MAP, code, self.describe(code)[1], ""
        if unit.level == "province":
            return LEGACY_MAP, self.area, AREA_NAME, WHOLE
        if unit.level == "district":
            return LEGACY_MAP, "", "", ""
        following = places.successors(code)
        return LEGACY_MAP, following[0].code, following[0].name, SPLIT if len(following) > 1 else WHOLE


_HIERARCHY: Hierarchy | None = None


def hierarchy() -> Hierarchy:
    global _HIERARCHY
    if _HIERARCHY is None:
        _HIERARCHY = Hierarchy()
    return _HIERARCHY


def aggregate(counts: dict[tuple[str, str], dict[tuple[str, str], int]]) -> None:
    """Add the sex totals and the district and province totals to commune-level counts,
    in place: ``counts[(month, event)][(unit, sex)]``."""
    tree = hierarchy()
    for cells in counts.values():
        base = list(cells.items())
        for (unit, sex), value in base:
            for target in (unit, *tree.totals_above(unit)):
                for s in (sex, "tong"):
                    if target == unit and s == sex:
                        continue
                    cells[(target, s)] = cells.get((target, s), 0) + value


def publish_rows(counts: dict[tuple[str, str], dict[tuple[str, str], int]], k: int) -> tuple[list[dict], int]:
    """Rows of the published table (non-zero or suppressed cells) and how many are suppressed."""
    tree = hierarchy()
    rows, hidden = [], 0
    code_order = {code: i for i, code in enumerate(
        [tree.province, *tree.districts, *[c for d in tree.districts for c in tree.communes[d]],
         tree.area, *tree.wards])}
    for (month, event), cells in counts.items():
        suppressed = suppression.protect(cells, tree.relations_for(month), k)
        hidden += len(suppressed)
        for unit, sex in set(cells) | suppressed:
            value = cells.get((unit, sex), 0)
            if value == 0 and (unit, sex) not in suppressed:
                continue
            level, name, district = tree.describe(unit)
            map_name, new_code, new_name, conversion = tree.on_new_map(unit)
            rows.append({
                "thang": month, "ban_do": map_name, "cap": level, "ma_don_vi": unit, "ten_don_vi": name,
                "ma_huyen": district, "ma_don_vi_moi": new_code, "ten_don_vi_moi": new_name, "chuyen_doi": conversion,
                "loai_viec": event, "ten_loai_viec": EVENT_LABELS[event], "gioi_tinh": sex,
                "so_luong": None if (unit, sex) in suppressed else value, "bi_an": (unit, sex) in suppressed,
            })
    rows.sort(key=lambda r: (r["thang"], EVENT_ORDER.index(r["loai_viec"]), LEVEL_ORDER[r["cap"]],
                             code_order.get(r["ma_don_vi"], 10_000), r["ma_don_vi"], SEX_ORDER.index(r["gioi_tinh"])))
    return rows, hidden
