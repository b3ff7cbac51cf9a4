"""Administrative units: Bình Dương before 1/7/2025 and the Hồ Chí Minh City wards after."""
from __future__ import annotations

import math
import unicodedata

import pytest

from ckanext.binhduong import places

# DESIGN.md §5: the province's nine districts by GSO code.
DISTRICTS = {
    "718": "Thủ Dầu Một",
    "719": "Bàu Bàng",
    "720": "Dầu Tiếng",
    "721": "Bến Cát",
    "722": "Phú Giáo",
    "723": "Tân Uyên",
    "724": "Dĩ An",
    "725": "Thuận An",
    "726": "Bắc Tân Uyên",
}


def _legacy(level: str) -> list[places.AdminUnit]:
    return [u for u in places.all_units() if u.legacy and u.level == level]


def _new(level: str) -> list[places.AdminUnit]:
    return [u for u in places.all_units() if not u.legacy and u.level == level]


# --- the unit lists -------------------------------------------------------------------


def test_binh_duong_has_one_province_nine_districts_and_91_communes():
    provinces = _legacy("province")
    assert [(u.code, u.name, u.short_name) for u in provinces] == [
        ("74", "Tỉnh Bình Dương", "Bình Dương"), ("70", "Tỉnh Bình Phước", "Bình Phước")]
    districts = _legacy("district")
    assert {u.code: u.short_name for u in districts} == DISTRICTS
    assert all(u.parent == "74" for u in districts)
    assert places.get_unit("718").name == "Thành phố Thủ Dầu Một"
    assert places.get_unit("720").name == "Huyện Dầu Tiếng"
    assert len(_legacy("commune")) == 91


def test_every_legacy_commune_has_a_district_parent_and_a_2025_successor():
    for commune in _legacy("commune"):
        parent = places.get_unit(commune.parent)
        assert parent is not None and parent.level == "district" and parent.legacy, commune
        today = places.successors(commune.code)
        assert today, f"{commune.name} has no 2025 successor"
        assert all(not u.legacy and u.level == "commune" and u.parent == "2025/79" for u in today)
        assert commune.bbox is not None and commune.latitude is not None


def test_only_the_wards_that_replaced_binh_duong_are_listed():
    city = places.get_unit("2025/79")
    assert city is not None
    assert (city.name, city.gso_code, city.level, city.legacy, city.parent) == (
        "Thành phố Hồ Chí Minh", "79", "province", False, None)
    wards = _new("commune")
    reached = {s.code for c in _legacy("commune") for s in places.successors(c.code)}
    assert {w.code for w in wards} == reached
    # vietnamadminunits 1.0.4: 36 of Hồ Chí Minh City's 168 wards cover former Bình Dương.
    assert len(wards) == 36
    assert all(w.code == "2025/" + w.gso_code and w.parent == "2025/79" for w in wards)


def test_codes_follow_the_field_value_convention():
    assert places.get_unit("25741").name == "Phường Hiệp Thành"
    assert places.get_unit("2025/25750").name == "Phường Phú Lợi"
    # GSO reused codes: 25807 is Xã Thanh An in both lists, told apart by the prefix.
    assert places.get_unit("25807").legacy is True
    assert places.get_unit("2025/25807").legacy is False
    # Only the 2025 city is in scope, never the pre-2025 one under its bare code.
    assert places.get_unit("79") is None
    assert places.get_unit("nope") is None
    assert places.get_unit(" 718 ").code == "718"


def test_all_units_order():
    units = places.all_units()
    codes = [u.code for u in units]
    assert codes[0] == "74"
    legacy_part = codes[1:codes.index("2025/79")]
    # each district followed by its own communes, sorted by code
    expected = []
    for district in sorted(DISTRICTS, key=int):
        expected.append(district)
        expected += sorted((u.code for u in units if u.parent == district), key=int)
    assert legacy_part == expected
    new_part = codes[codes.index("2025/79") + 1:codes.index("2025/79") + 1 + 36]
    assert new_part == sorted(new_part, key=lambda c: int(c.split("/")[1]))
    # then Bình Phước and the 2025 province that absorbed it, at province level only
    assert codes[codes.index("2025/79") + 1 + 36:] == ["70", "2025/75"]
    assert len(codes) == 1 + 9 + 91 + 1 + 36 + 2
    assert len(set(codes)) == len(codes)


def test_binh_phuoc_is_a_province_of_its_own_now_part_of_dong_nai():
    binh_phuoc = places.get_unit("70")
    assert (binh_phuoc.name, binh_phuoc.level, binh_phuoc.legacy, binh_phuoc.parent) == \
        ("Tỉnh Bình Phước", "province", True, None)
    assert places.find_by_name("tinh Binh Phuoc") == binh_phuoc
    assert [u.code for u in places.successors("70")] == ["2025/75"]
    assert places.get_unit("2025/75").name == "Tỉnh Đồng Nai"
    # Bình Phước lies north of Bình Dương; their boxes touch at most.
    west, south, east, north = binh_phuoc.bbox
    assert south > places.get_unit("74").bbox[1] and north > places.get_unit("74").bbox[3]
    assert not [u for u in places.all_units() if u.parent == "70"]


def test_units_are_loaded_once():
    assert places.all_units()[5] is places.all_units()[5]
    assert places.get_unit("25741") is places.get_unit("25741")


# --- relations ------------------------------------------------------------------------


def test_ancestors():
    assert [u.code for u in places.ancestors("25741")] == ["718", "74"]
    assert [u.code for u in places.ancestors("718")] == ["74"]
    assert places.ancestors("74") == []
    assert [u.code for u in places.ancestors("2025/25750")] == ["2025/79"]
    assert places.ancestors("2025/79") == []
    assert places.ancestors("99999") == []


def test_successors():
    # Phường Hiệp Thành was split: most of it went to Phú Lợi (the converter's default).
    assert [u.code for u in places.successors("25741")] == ["2025/25750", "2025/25747"]
    # Phường Phú Cường went whole into Phường Thủ Dầu Một.
    assert [u.name for u in places.successors("25747")] == ["Phường Thủ Dầu Một"]
    district = {u.code for u in places.successors("718")}
    communes = {s.code for c in _legacy("commune") if c.parent == "718" for s in places.successors(c.code)}
    assert district == communes and "2025/25750" in district
    assert [u.code for u in places.successors("74")] == ["2025/79"]
    assert places.successors("2025/25750") == []
    assert places.successors("2025/79") == []
    assert places.successors("nope") == []


# --- geometry -------------------------------------------------------------------------


def test_extent_of_a_legacy_commune_is_its_bounding_box():
    polygon = places.extent(["25741"])
    assert polygon["type"] == "Polygon"
    ring = polygon["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    west, south, east, north = places.get_unit("25741").bbox
    assert ring[0] == [west, south] and ring[2] == [east, north]
    # Phường Hiệp Thành lies in the centre of Thủ Dầu Một, about 10.99°N 106.66°E.
    assert 106.6 < west < east < 106.7 and 10.9 < south < north < 11.05
    lon, lat = places.centroid(["25741"])
    assert lon == pytest.approx((west + east) / 2) and lat == pytest.approx((south + north) / 2)


def test_extent_of_a_2025_ward_is_a_square_of_its_area():
    ward = places.get_unit("2025/25750")
    west, south, east, north = ward.bbox
    width_km = (east - west) * 111.320 * math.cos(math.radians(ward.latitude))
    height_km = (north - south) * 110.574
    assert width_km == pytest.approx(height_km, rel=1e-3)
    assert width_km * height_km == pytest.approx(17.956, rel=1e-2)  # wardAreaKm2 of Phú Lợi
    assert places.centroid(["2025/25750"]) == pytest.approx((ward.longitude, ward.latitude), abs=1e-5)


def test_extent_of_several_units_is_the_union_and_unknown_codes_are_ignored():
    one = places.get_unit("25741").bbox
    other = places.get_unit("25990").bbox  # Phường Vĩnh Phú, Thuận An
    ring = places.extent(["25741", "25990", "nope"])["coordinates"][0]
    assert ring[0] == [min(one[0], other[0]), min(one[1], other[1])]
    assert ring[2] == [max(one[2], other[2]), max(one[3], other[3])]
    province = places.get_unit("74").bbox
    for commune in _legacy("commune"):
        west, south, east, north = commune.bbox
        assert province[0] - 0.01 <= west and east <= province[2] + 0.01, commune.name
    assert places.extent([]) is None
    assert places.extent(["nope"]) is None
    assert places.centroid(["nope"]) is None


# --- names ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "P. Hiệp Thành",
    "P.Hiệp Thành",
    "Phường Hiệp Thành",
    "phuong hiep thanh",
    "PHƯỜNG   HIỆP THÀNH ",
    unicodedata.normalize("NFD", "Phường Hiệp Thành"),
    "Hiệp Thành",
    "25741",
])
def test_find_by_name_spellings(text):
    unit = places.find_by_name(text)
    assert unit is not None and unit.code == "25741"


@pytest.mark.parametrize("text, code", [
    ("TX Bến Cát", "721"),          # a thị xã until 2023
    ("Thị xã Thuận An", "725"),
    ("thi xa di an", "724"),
    ("TP. Thủ Dầu Một", "718"),
    ("Thành phố Tân Uyên", "723"),
    ("H. Bàu Bàng", "719"),
    ("Huyện Bắc Tân Uyên", "726"),
    ("TT Dầu Tiếng", "25777"),
    ("Thị trấn Phước Vĩnh", "25858"),
    ("X. An Điền", "25840"),         # a xã before it became a phường
    ("Xã Cây Trường 2", "25819"),
    ("Tỉnh Bình Dương", "74"),
    ("Bình Dương", "74"),
    # A district and one of its communes share the name: the district, unless told otherwise.
    ("Dĩ An", "724"),
    ("Dầu Tiếng", "720"),
    ("Phường Dĩ An", "25942"),
])
def test_find_by_name_levels_and_former_names(text, code):
    unit = places.find_by_name(text)
    assert unit is not None and unit.code == code, (text, unit)


def test_find_by_name_ambiguous_communes_need_a_district():
    # Tân Định: a phường of Bến Cát and a xã of Bắc Tân Uyên.
    assert places.find_by_name("Tân Định") is None
    assert places.find_by_name("Tân Định", district="721").code == "25852"
    assert places.find_by_name("Tân Định", district="Bắc Tân Uyên").code == "25894"
    assert places.find_by_name("tan dinh", district="H. Bắc Tân Uyên").code == "25894"
    # The type prefix alone also settles it.
    assert places.find_by_name("Xã Tân Định").code == "25894"
    assert places.find_by_name("Tân Bình", district="Dĩ An").code == "25945"
    assert places.find_by_name("An Bình") is None
    assert places.find_by_name("Tân Hiệp", district="Thị xã Tân Uyên").code == "25920"
    # A district hint that contradicts the name, or names nothing we know.
    assert places.find_by_name("Tân Định", district="Dĩ An") is None
    assert places.find_by_name("Tân Định", district="Quận 1") is None
    # With the district as hint, the shared name means the commune inside it.
    assert places.find_by_name("Dĩ An", district="724").code == "25942"


@pytest.mark.parametrize("text", ["Phường Bến Nghé", "Quận 1", "Hà Nội", "", "   ", "Huyện Hiệp Thành", "123456"])
def test_find_by_name_unknown(text):
    assert places.find_by_name(text) is None


def test_find_by_name_2025_units():
    assert places.find_by_name("Phường Phú Lợi", legacy=False).code == "2025/25750"
    assert places.find_by_name("TP HCM", legacy=False).code == "2025/79"
    assert places.find_by_name("Thành phố Hồ Chí Minh", legacy=False).code == "2025/79"
    assert places.find_by_name("xa thanh an", legacy=False).code == "2025/25807"
    assert places.find_by_name("25750", legacy=False).code == "2025/25750"
    # Phường Bình Dương is a 2025 ward; the legacy province is not in the 2025 list.
    assert places.find_by_name("Bình Dương", legacy=False).code == "2025/25760"
    # Legacy-only names are not found among 2025 units, and the other way round.
    assert places.find_by_name("Phường Hiệp Thành", legacy=False) is None
    assert places.find_by_name("Phường Bình Dương") is None


# --- form choices ---------------------------------------------------------------------


def test_choices_labels():
    choices = places.choices()
    assert [c["value"] for c in choices] == [u.code for u in places.all_units()]
    labels = {c["value"]: c["label"] for c in choices}
    assert labels["25741"] == "Phường Hiệp Thành — Thành phố Thủ Dầu Một (đến 30/6/2025)"
    assert labels["2025/25750"] == "Phường Phú Lợi — Thành phố Hồ Chí Minh (từ 1/7/2025)"
    assert labels["718"] == "Thành phố Thủ Dầu Một — Tỉnh Bình Dương (đến 30/6/2025)"
    assert labels["74"] == "Tỉnh Bình Dương (đến 30/6/2025)"
    assert labels["2025/79"] == "Thành phố Hồ Chí Minh (từ 1/7/2025)"
    english = {c["value"]: c["label"] for c in places.choices("en")}
    assert english["25741"] == "Phường Hiệp Thành — Thành phố Thủ Dầu Một (until 30/6/2025)"
    assert english["2025/25750"] == "Phường Phú Lợi — Thành phố Hồ Chí Minh (from 1/7/2025)"


def test_choices_are_fresh_lists():
    first = places.choices()
    first[0]["label"] = "changed"
    assert places.choices()[0]["label"] == "Tỉnh Bình Dương (đến 30/6/2025)"
