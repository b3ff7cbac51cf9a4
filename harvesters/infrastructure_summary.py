"""The per-commune summary of the infrastructure harvester: valid stations by operator and
technology, the share on shared towers against the province's target, and the network
coverage table, for every commune of Bình Dương (legacy units, GSO codes), each district
and the province."""
from __future__ import annotations

import functools
from typing import Any

from ckanext.binhduong import places
from ckanext.binhduong.harvesters.infrastructure_values import OPERATORS
from ckanext.binhduong.harvesters.plan import OutputField
from ckanext.binhduong.text import format_number

__all__ = ["SUMMARY_FIELDS", "summary_rows", "summary_notes", "OPERATOR_FIELDS"]

OPERATOR_FIELDS = {"Viettel": "tram_viettel", "VNPT (VinaPhone)": "tram_vnpt", "MobiFone": "tram_mobifone",
                   "Vietnamobile": "tram_vietnamobile", "Gtel (Gmobile)": "tram_gtel"}
assert set(OPERATOR_FIELDS) == set(OPERATORS)

SUMMARY_FIELDS = [
    OutputField("cap", "Cấp", "xã, huyện hoặc tỉnh"),
    OutputField("ma_dvhc", "Mã đơn vị hành chính", "Mã Tổng cục Thống kê (đơn vị đến 30/6/2025)"),
    OutputField("ten_dvhc", "Tên đơn vị hành chính", "Tên chuẩn"),
    OutputField("ma_huyen", "Mã huyện", "Mã đơn vị cấp huyện chứa xã (trống ở dòng tỉnh)"),
    OutputField("ten_huyen", "Huyện, thị xã, thành phố", "Tên đơn vị cấp huyện"),
    OutputField("so_tram", "Số trạm BTS", "Số trạm hợp lệ"),
    *[OutputField(field, f"Trạm {name}", f"Số trạm hợp lệ của {name}") for name, field in OPERATOR_FIELDS.items()],
    *[OutputField(f"tram_{t.lower()}", f"Trạm có {t}", f"Số trạm hợp lệ phát sóng {t}") for t in ("2G", "3G", "4G", "5G")],
    OutputField("tram_dung_chung", "Trạm trên cột dùng chung", "Số trạm hợp lệ đặt trên cột dùng chung"),
    OutputField("ty_le_dung_chung", "Tỷ lệ dùng chung (%)", "tram_dung_chung / so_tram × 100, một chữ số thập phân"),
    OutputField("chi_tieu_dung_chung", "Chỉ tiêu dùng chung (%)",
                "Chỉ tiêu của tỉnh đến năm 2025: tối thiểu 30% cột ăng ten được dùng chung"),
    OutputField("dat_chi_tieu_dung_chung", "Đạt chỉ tiêu dùng chung", "true khi ty_le_dung_chung ≥ chi_tieu_dung_chung"),
    OutputField("so_khu_pho_ap", "Số khu phố, ấp", "Theo bảng hạ tầng mạng"),
    OutputField("so_khu_pho_ap_co_cap_quang", "Khu phố, ấp có cáp quang", "Theo bảng hạ tầng mạng"),
    OutputField("ty_le_cap_quang", "Tỷ lệ khu phố, ấp có cáp quang (%)",
                "Từ hai cột trên (tổng của các xã có số liệu), hoặc như nguồn ghi"),
    OutputField("so_xa", "Số xã", "Số xã, phường, thị trấn của đơn vị (1 ở dòng xã)"),
    OutputField("so_xa_ket_noi_tslcd", "Số xã kết nối mạng TSLCD",
                "Số xã có trụ sở kết nối mạng truyền số liệu chuyên dùng (1 hoặc 0 ở dòng xã)"),
    OutputField("ty_le_ket_noi_tslcd", "Tỷ lệ xã kết nối mạng TSLCD (%)", "so_xa_ket_noi_tslcd / so_xa × 100"),
    OutputField("bang_thong_tslcd_mbps", "Băng thông TSLCD (Mbps)",
                "Băng thông của xã; ở dòng huyện, tỉnh: băng thông thấp nhất trong các xã"),
    OutputField("chi_tieu_bang_thong_mbps", "Chỉ tiêu băng thông (Mbps)",
                "Chỉ tiêu của tỉnh đến năm 2025: trụ sở UBND xã kết nối mạng TSLCD tối thiểu 100 Mbps"),
    OutputField("dat_chi_tieu_tslcd", "Đạt chỉ tiêu TSLCD",
                "true khi mọi xã của đơn vị đã kết nối và băng thông thấp nhất ≥ chỉ tiêu"),
]


def _units() -> tuple[list[Any], dict[str, list[Any]]]:
    districts = sorted((u for u in places.all_units() if u.legacy and u.level == "district"
                        and u.parent == places.PROVINCE_CODE), key=lambda u: u.code)
    communes = {d.code: sorted((u for u in places.all_units() if u.legacy and u.level == "commune"
                                and u.parent == d.code), key=lambda u: u.code) for d in districts}
    return districts, communes


def _rate(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


def _figures(stations: list[dict[str, Any]], coverage: list[dict[str, Any] | None], n_communes: int,
             shared_target: float, bandwidth_target: float) -> dict[str, Any]:
    row: dict[str, Any] = {"so_tram": len(stations)}
    for name, field in OPERATOR_FIELDS.items():
        row[field] = sum(s["doanh_nghiep"] == name for s in stations)
    for tech in ("2g", "3g", "4g", "5g"):
        row[f"tram_{tech}"] = sum(bool(s[f"co_{tech}"]) for s in stations)
    row["tram_dung_chung"] = sum(bool(s["dung_chung"]) for s in stations)
    row["ty_le_dung_chung"] = _rate(row["tram_dung_chung"], row["so_tram"])
    row["chi_tieu_dung_chung"] = shared_target
    row["dat_chi_tieu_dung_chung"] = (row["ty_le_dung_chung"] >= shared_target
                                      if row["ty_le_dung_chung"] is not None else None)
    known = [c for c in coverage if c is not None]
    counted = [c for c in known if c.get("hamlets") is not None and c.get("fibre_hamlets") is not None]
    row["so_khu_pho_ap"] = sum(c["hamlets"] for c in counted) if counted else None
    row["so_khu_pho_ap_co_cap_quang"] = sum(c["fibre_hamlets"] for c in counted) if counted else None
    if counted:
        row["ty_le_cap_quang"] = _rate(row["so_khu_pho_ap_co_cap_quang"], row["so_khu_pho_ap"])
    elif len(coverage) == 1 and known:
        row["ty_le_cap_quang"] = known[0].get("fibre_share")
    else:
        row["ty_le_cap_quang"] = None
    row["so_xa"] = n_communes
    networks = [c.get("network") for c in known if c.get("network") is not None]
    row["so_xa_ket_noi_tslcd"] = sum(bool(v) for v in networks) if known else None
    row["ty_le_ket_noi_tslcd"] = _rate(row["so_xa_ket_noi_tslcd"], n_communes) if known else None
    bandwidths = [c["bandwidth"] for c in known if c.get("bandwidth") is not None]
    complete = len(known) == len(coverage) and len(bandwidths) == len(coverage)
    row["bang_thong_tslcd_mbps"] = min(bandwidths) if bandwidths and complete else None
    row["chi_tieu_bang_thong_mbps"] = bandwidth_target
    if not known:
        row["dat_chi_tieu_tslcd"] = None
    else:
        all_connected = len(networks) == len(coverage) and all(networks)
        row["dat_chi_tieu_tslcd"] = bool(all_connected and complete and min(bandwidths) >= bandwidth_target)
    return row


def summary_rows(stations: list[dict[str, Any]], coverage: dict[str, dict[str, Any]], shared_target: float,
                 bandwidth_target: float) -> list[dict[str, Any]]:
    """The province row, then each district followed by its communes (valid stations only;
    a station whose commune is unknown counts in its district and the province)."""
    districts, communes = _units()
    province = places.get_unit(places.PROVINCE_CODE)
    all_communes = [c for d in districts for c in communes[d.code]]
    rows = [{"cap": "tỉnh", "ma_dvhc": province.code, "ten_dvhc": province.name, "ma_huyen": None, "ten_huyen": None,
             **_figures(stations, [coverage.get(c.code) for c in all_communes], len(all_communes), shared_target,
                        bandwidth_target)}]
    for district in districts:
        in_district = [s for s in stations if s["ma_huyen"] == district.code]
        rows.append({"cap": "huyện", "ma_dvhc": district.code, "ten_dvhc": district.name, "ma_huyen": district.code,
                     "ten_huyen": district.name,
                     **_figures(in_district, [coverage.get(c.code) for c in communes[district.code]],
                                len(communes[district.code]), shared_target, bandwidth_target)})
        for commune in communes[district.code]:
            rows.append({"cap": "xã", "ma_dvhc": commune.code, "ten_dvhc": commune.name, "ma_huyen": district.code,
                         "ten_huyen": district.name,
                         **_figures([s for s in in_district if s["ma_xa"] == commune.code],
                                    [coverage.get(commune.code)], 1, shared_target, bandwidth_target)})
    return rows


def summary_notes(rows: list[dict[str, Any]], with_coverage: bool, shared_target: float,
                  bandwidth_target: float) -> str:
    n = functools.partial(format_number, lang="vi")
    province = rows[0]
    communes = [r for r in rows if r["cap"] == "xã"]
    reaching = sum(bool(r["dat_chi_tieu_dung_chung"]) for r in communes)
    lines = [
        "Hạ tầng số của tỉnh Bình Dương theo xã, phường, thị trấn, theo huyện và toàn tỉnh: số trạm BTS theo doanh "
        "nghiệp và công nghệ, tỷ lệ trạm trên cột dùng chung so với chỉ tiêu, phủ cáp quang và kết nối mạng truyền số "
        "liệu chuyên dùng (TSLCD). Tổng hợp tự động từ danh sách trạm BTS"
        + (" và bảng hạ tầng mạng theo xã." if with_coverage else "."),
        "",
        f"Toàn tỉnh: **{n(province['so_tram'])}** trạm hợp lệ, {n(province['tram_dung_chung'])} trạm trên cột dùng "
        f"chung ({n(province['ty_le_dung_chung'] or 0, 1)}%, chỉ tiêu {n(shared_target, 0)}%: "
        f"{'đạt' if province['dat_chi_tieu_dung_chung'] else 'chưa đạt'}); {n(reaching)}/{n(len(communes))} xã đạt "
        "chỉ tiêu dùng chung.",
    ]
    if with_coverage and province["so_xa_ket_noi_tslcd"] is not None:
        lines += ["", f"Mạng TSLCD: {n(province['so_xa_ket_noi_tslcd'])}/{n(province['so_xa'])} xã đã kết nối "
                      f"(chỉ tiêu: 100% trụ sở UBND xã, tối thiểu {n(bandwidth_target, 0)} Mbps)"
                      + (f"; khu phố, ấp có cáp quang: {n(province['ty_le_cap_quang'], 1)}%."
                         if province["ty_le_cap_quang"] is not None else ".")]
    lines += ["", "Tỷ lệ dùng chung tính theo trạm (danh sách trạm không có mã cột). Đơn vị hành chính là đơn vị có "
                  "hiệu lực đến 30/6/2025 (mã Tổng cục Thống kê)."]
    return "\n".join(lines)
