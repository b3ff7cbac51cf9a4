"""The published table of the civil-registry harvester: the place hierarchy of the province
and its relations, the totals (district, province, all sexes) added to commune counts, and
the rows with small counts suppressed (suppression.py). Pure: no CKAN, no harvest models."""
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


# ---------------------------------------------------------------------------------------
# The place hierarchy and its relations (the same for every month and event type)

class Hierarchy:
    """Legacy districts and communes of the province, the unknown buckets, and the
    relations between cells ``(unit, sex)`` that the published table states."""

    def __init__(self) -> None:
        units = [u for u in places.all_units() if u.legacy]
        self.province = places.PROVINCE_CODE
        self.districts = [u.code for u in units if u.level == "district"]
        self.communes = {d: [u.code for u in units if u.level == "commune" and u.parent == d] for d in self.districts}
        self.unit = {u.code: u for u in units}
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
        self.relations = relations

    def describe(self, code: str) -> tuple[str, str, str]:
        """(level, name, district code) of a cell's unit."""
        if code.endswith(events.UNKNOWN_SUFFIX):
            parent = code[: -len(events.UNKNOWN_SUFFIX)]
            if parent == self.province:
                return "xa", "Không xác định được xã, phường, thị trấn", ""
            return "xa", f"Không xác định được xã, phường, thị trấn ({self.unit[parent].name})", parent
        unit = self.unit[code]
        level = LEVELS[unit.level]
        district = unit.parent if unit.level == "commune" else (unit.code if unit.level == "district" else "")
        return level, unit.name, district or ""


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
            district = None if unit == events.unknown_code(tree.province) else (
                unit[: -len(events.UNKNOWN_SUFFIX)] if unit.endswith(events.UNKNOWN_SUFFIX) else tree.unit[unit].parent)
            for target in filter(None, (unit, district, tree.province)):
                for s in (sex, "tong"):
                    if target == unit and s == sex:
                        continue
                    cells[(target, s)] = cells.get((target, s), 0) + value


def publish_rows(counts: dict[tuple[str, str], dict[tuple[str, str], int]], k: int) -> tuple[list[dict], int]:
    """Rows of the published table (non-zero or suppressed cells) and how many are suppressed."""
    tree = hierarchy()
    rows, hidden = [], 0
    code_order = {code: i for i, code in enumerate(
        [tree.province, *tree.districts, *[c for d in tree.districts for c in tree.communes[d]]])}
    for (month, event), cells in counts.items():
        suppressed = suppression.protect(cells, tree.relations, k)
        hidden += len(suppressed)
        for unit, sex in set(cells) | suppressed:
            value = cells.get((unit, sex), 0)
            if value == 0 and (unit, sex) not in suppressed:
                continue
            level, name, district = tree.describe(unit)
            rows.append({
                "thang": month, "cap": level, "ma_don_vi": unit, "ten_don_vi": name, "ma_huyen": district,
                "loai_viec": event, "ten_loai_viec": EVENT_LABELS[event], "gioi_tinh": sex,
                "so_luong": None if (unit, sex) in suppressed else value, "bi_an": (unit, sex) in suppressed,
            })
    rows.sort(key=lambda r: (r["thang"], EVENT_ORDER.index(r["loai_viec"]), LEVEL_ORDER[r["cap"]],
                             code_order.get(r["ma_don_vi"], 10_000), r["ma_don_vi"], SEX_ORDER.index(r["gioi_tinh"])))
    return rows, hidden
