"""The procedures and infrastructure harvesters place agencies and stations through the one
place resolver (ckanext.binhduong.place_resolver). Pure: the harvesters' place steps are
called directly, no database."""
from __future__ import annotations

import pytest

from ckanext.binhduong import place_resolver
from ckanext.binhduong.harvesters import procedures
from ckanext.binhduong.harvesters.infrastructure import InfrastructureHarvester


@pytest.fixture
def resolver_calls(monkeypatch):
    calls = []
    real = place_resolver.resolve

    def spy(text, **options):
        calls.append((text, options))
        return real(text, **options)

    monkeypatch.setattr(place_resolver, "resolve", spy)
    return calls


# --- procedures: agencies that are local authorities ----------------------------------------


@pytest.mark.parametrize("agency, month, code", [
    ("UBND xã Định Hiệp", None, "25798"),
    ("Ủy ban nhân dân phường Phú Cường", "2024-03", "25747"),
    ("UBND cấp xã Minh Tân, huyện Dầu Tiếng", "2024-03", "25786"),
    ("UBND TX. Bến Cát", "2023-01", "721"),
    ("UBND tỉnh Bình Dương", None, "74"),
    # From 7/2025 the 2025 units; a legacy name goes to the ward that took it over.
    ("UBND phường Bình Dương", "2025-08", "2025/25760"),
    ("UBND P.Hòa Lợi, TP.HCM", "2025-08", "2025/25849"),
    ("UBND phường Phú Cường", "2025-08", "2025/25747"),
])
def test_a_local_authority_is_placed_through_the_resolver(agency, month, code, resolver_calls):
    assert procedures.agency_place(agency, month) == code
    assert resolver_calls and resolver_calls[0][0] == agency
    assert resolver_calls[0][1].get("on_date") == month


@pytest.mark.parametrize("agency", ["Sở Tư pháp", "Công an tỉnh Bình Dương", "Văn phòng UBND tỉnh", "", None,
                                    "UBND xã Tân Mộng Mơ"])
def test_other_agencies_are_not_places(agency):
    assert procedures.agency_place(agency) is None


def test_both_procedure_tables_publish_the_agency_place():
    for fields in (procedures.PROCEDURE_FIELDS, procedures.STATISTIC_FIELDS):
        assert "ma_don_vi_hanh_chinh" in [f.name for f in fields]


# --- infrastructure: commune and district columns -------------------------------------------


def _place(record: dict) -> tuple[dict, list]:
    row, flags = {}, []
    InfrastructureHarvester._place(row, record, lambda *args, **kw: flags.append(args), 7)
    return row, flags


@pytest.mark.parametrize("commune, district, code, district_code", [
    ("P.Tân Đông Hiệp", "TP.Dĩ An", "25948", "724"),
    ("Phường An Bình, Thành phố Dĩ An", "", "25960", "724"),
    ("UBND xã Minh Tân", "H.Dầu Tiếng", "25786", "720"),
    ("Tân Định", "TX. Bến Cát", "25852", "721"),
    ("Tân Định", "Huyện Bắc Tân Uyên", "25894", "726"),
    ("phuong chanh nghia", "thanh pho thu dau mot", "25756", "718"),
])
def test_station_places_go_through_the_resolver(commune, district, code, district_code, resolver_calls):
    row, flags = _place({"commune": commune, "district": district})
    assert (row.get("ma_xa"), row.get("ma_huyen"), flags) == (code, district_code, [])
    assert any(text == commune and options.get("legacy") is True for text, options in resolver_calls)


def test_an_unknown_station_commune_is_flagged_and_keeps_its_district():
    row, flags = _place({"commune": "Xã Tân Mộng Mơ", "district": "H. Phú Giáo"})
    assert row.get("ma_xa") is None and row["ma_huyen"] == "722" and len(flags) == 1
