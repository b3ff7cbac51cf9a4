"""Harvester ``bd_infrastructure``: the province's digital-infrastructure registers as two
open datasets.

- "Trạm thu phát sóng di động (BTS)": one row per station of the register (code, operator,
  address, commune with its GSO code, technologies, shared tower, tower type, WGS84
  longitude/latitude), as CSV (every station, with ``hop_le`` and ``loi`` saying what is
  wrong with it) and GeoJSON (the valid stations only: what a map may show), with the
  stations' bounding box as the dataset's spatial extent and a map view.
- "Hạ tầng số theo xã, phường, thị trấn": per commune, district and the province, the valid
  stations by operator and technology, the share on shared towers against the province's
  30% target, fibre reach and the specialised government data network with its bandwidth
  against the 100 Mbps target.

Sources: CSV/XLSX registers, GeoJSON, or a paged ArcGIS REST query; coordinates in WGS84 or
VN-2000 (reprojected, see geo.py). Formats, columns, checks and config: harvesters/README.md.
"""
from __future__ import annotations

import functools
import json
import logging
import re
from collections import OrderedDict
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import place_resolver, places
from ckanext.binhduong.harvesters import fetch as fetching
from ckanext.binhduong.harvesters import geo, geo_sources, normalise
from ckanext.binhduong.harvesters import read as reading
from ckanext.binhduong.harvesters.base import BinhDuongHarvester, HarvestRun
from ckanext.binhduong.harvesters.infrastructure_summary import SUMMARY_FIELDS, summary_notes, summary_rows
from ckanext.binhduong.harvesters.infrastructure_values import (
    OPERATORS, parse_shared, parse_technologies, operator_of, tower_type,
)
from ckanext.binhduong.harvesters.normalise import Column, Table, TableSpec
from ckanext.binhduong.harvesters.plan import DatasetPlan, OutputField, Publication, public_url
from ckanext.binhduong.harvesters.problems import HarvestProblem, Problem
from ckanext.binhduong.text import clean_text, fold, format_number

__all__ = ["InfrastructureHarvester", "STATIONS", "COVERAGE", "STATION_FIELDS"]

log = logging.getLogger(__name__)

SHARED_TARGET = 30.0  # % of masts shared by at least two operators, province plan to 2025
BANDWIDTH_TARGET = 100.0  # Mbps to every commune People's Committee, same plan
MAX_LISTED = 40  # per-station messages of one kind before "and N more"

STATIONS = TableSpec(
    key="stations",
    label="Danh sách trạm BTS",
    columns=(
        Column("code", "Mã trạm", ("Mã trạm BTS", "Mã BTS", "Mã số trạm", "Site ID", "SiteID", "site_id", "ma_tram",
                                   "maTram", "station_code", "MA_TRAM"), required=True),
        Column("name", "Tên trạm", ("Tên trạm BTS", "ten_tram", "tenTram", "site_name", "station_name")),
        Column("operator", "Doanh nghiệp", ("Nhà mạng", "Doanh nghiệp viễn thông", "Tên doanh nghiệp", "Nhà cung cấp",
                                            "Đơn vị quản lý", "Chủ đầu tư", "operator", "nha_mang", "nhaMang",
                                            "doanh_nghiep", "doanhNghiep", "DOANH_NGHIEP"), required=True),
        Column("address", "Địa chỉ", ("Địa chỉ trạm", "Địa điểm", "Vị trí", "Địa chỉ lắp đặt", "dia_chi", "diaChi",
                                      "address", "DIA_CHI")),
        Column("commune", "Xã, phường, thị trấn", ("Xã/Phường/Thị trấn", "Xã/phường", "Phường/Xã", "Xã, phường", "Xã",
                                                   "Phường", "Tên xã", "xa_phuong", "xaPhuong", "commune", "ward",
                                                   "XA_PHUONG")),
        Column("commune_code", "Mã xã", ("Mã ĐVHC", "Mã đơn vị hành chính", "Mã xã phường", "ma_xa", "maXa",
                                         "commune_code", "ward_code", "MA_XA")),
        Column("district", "Huyện, thị xã, thành phố", ("Huyện/Thị xã/Thành phố", "Huyện/TX/TP", "Huyện/TP",
                                                        "Quận/Huyện", "Huyện", "Đơn vị cấp huyện", "huyen",
                                                        "quanHuyen", "quan_huyen", "district", "HUYEN")),
        Column("technology", "Công nghệ", ("Công nghệ phát sóng", "Loại công nghệ", "Công nghệ (2G/3G/4G/5G)",
                                           "Công nghệ 2G/3G/4G/5G", "cong_nghe", "congNghe", "technology",
                                           "CONG_NGHE")),
        Column("shared", "Dùng chung", ("Dùng chung hạ tầng", "Cột dùng chung", "Trạm dùng chung", "Dùng chung cột",
                                        "Dùng chung cột ăng ten", "dung_chung", "dungChung", "shared", "shared_tower",
                                        "DUNG_CHUNG"), kind="raw"),
        Column("tower_type", "Loại cột", ("Loại cột ăng ten", "Loại cột anten", "Loại cột ăng-ten", "Kiểu cột",
                                          "Loại trạm", "loai_cot", "loaiCot", "tower_type", "LOAI_COT")),
        # Coordinates: the east one and the north one. The Vietnamese survey convention
        # calls the northing X and the easting Y; GIS formats put x east (geometry.x).
        Column("east", "Kinh độ", ("Kinh độ (WGS84)", "Kinh do", "Longitude", "Long", "Lon", "Lng", "kinh_do", "kinhDo",
                                   "geometry.x", "Tọa độ Y", "Tọa độ Y (VN-2000)", "Y (VN-2000)", "Y (m)", "Y",
                                   "Easting", "KINH_DO"), kind="raw"),
        Column("north", "Vĩ độ", ("Vĩ độ (WGS84)", "Vi do", "Latitude", "Lat", "vi_do", "viDo", "geometry.y",
                                  "Tọa độ X", "Tọa độ X (VN-2000)", "X (VN-2000)", "X (m)", "X", "Northing", "VI_DO"),
               kind="raw"),
        Column("crs", "Hệ tọa độ", ("Hệ quy chiếu", "Hệ tọa độ (WGS84/VN-2000)", "he_toa_do", "heToaDo", "crs",
                                    "geometry.crs")),
        Column("geometry_type", "Kiểu hình học", ("geometry.type",)),
    ),
    ignore=("STT", "TT", "Số TT", "Ghi chú", "OBJECTID", "FID", "GlobalID", "Shape", "id", "Ngày cập nhật"),
)

COVERAGE = TableSpec(
    key="coverage",
    label="Hạ tầng mạng theo xã",
    required=False,
    columns=(
        Column("commune", "Xã, phường, thị trấn", ("Xã/Phường/Thị trấn", "Xã/phường", "Phường/Xã", "Tên xã",
                                                   "Đơn vị hành chính cấp xã", "xa_phuong", "commune", "ward"),
               required=True),
        Column("commune_code", "Mã xã", ("Mã ĐVHC", "Mã đơn vị hành chính", "ma_xa", "commune_code")),
        Column("district", "Huyện, thị xã, thành phố", ("Huyện/Thị xã/Thành phố", "Huyện/TX/TP", "Huyện", "huyen",
                                                        "district")),
        Column("hamlets", "Số khu phố, ấp", ("Tổng số khu phố, ấp", "Số ấp, khu phố", "Số khu phố/ấp",
                                             "so_khu_pho_ap", "hamlets"), kind="int"),
        Column("fibre_hamlets", "Số khu phố, ấp có cáp quang", (
            "Khu phố, ấp có cáp quang", "Số ấp, khu phố có cáp quang", "Số khu phố/ấp có cáp quang",
            "so_khu_pho_ap_co_cap_quang", "fibre_hamlets"), kind="int"),
        Column("fibre_share", "Tỷ lệ khu phố, ấp có cáp quang (%)", (
            "Tỷ lệ khu phố, ấp có cáp quang", "Cáp quang (%)", "Tỷ lệ phủ cáp quang", "Phủ cáp quang (%)",
            "ty_le_cap_quang", "fibre_share"), kind="raw"),
        Column("network", "Mạng truyền số liệu chuyên dùng", (
            "Kết nối mạng truyền số liệu chuyên dùng", "Kết nối mạng TSLCD", "Mạng TSLCD", "TSLCD",
            "Mạng TSLCD (có/không)", "ket_noi_tslcd", "tslcd", "gov_network"), kind="raw"),
        Column("bandwidth", "Băng thông (Mbps)", ("Băng thông", "Băng thông TSLCD", "Băng thông TSLCD (Mbps)",
                                                  "Tốc độ kết nối", "Tốc độ (Mbps)", "bang_thong", "bandwidth_mbps",
                                                  "bandwidth"), kind="raw"),
    ),
    ignore=("STT", "TT", "Ghi chú"),
)

STATION_FIELDS = [
    OutputField("ma_tram", "Mã trạm", "Mã trạm theo doanh nghiệp viễn thông"),
    OutputField("ten_tram", "Tên trạm", "Tên trạm (nếu nguồn có)"),
    OutputField("doanh_nghiep", "Doanh nghiệp", "Viettel, VNPT (VinaPhone), MobiFone, Vietnamobile hoặc Gtel (Gmobile); "
                                                 "tên như nguồn ghi nếu không nhận ra"),
    OutputField("dia_chi", "Địa chỉ", "Địa chỉ đặt trạm"),
    OutputField("ma_xa", "Mã xã", "Mã đơn vị hành chính cấp xã (Tổng cục Thống kê, đơn vị đến 30/6/2025)"),
    OutputField("xa_phuong", "Xã, phường, thị trấn", "Tên chuẩn của xã, phường, thị trấn (như nguồn ghi nếu không xác định)"),
    OutputField("ma_huyen", "Mã huyện", "Mã đơn vị hành chính cấp huyện (Tổng cục Thống kê)"),
    OutputField("huyen", "Huyện, thị xã, thành phố", "Tên chuẩn của đơn vị cấp huyện"),
    OutputField("cong_nghe", "Công nghệ", "Các công nghệ phát sóng, cách nhau bằng “; ” (2G; 3G; 4G; 5G)"),
    OutputField("co_2g", "Có 2G", "true/false"),
    OutputField("co_3g", "Có 3G", "true/false"),
    OutputField("co_4g", "Có 4G", "true/false"),
    OutputField("co_5g", "Có 5G", "true/false"),
    OutputField("dung_chung", "Cột dùng chung", "true khi cột ăng ten được dùng chung với doanh nghiệp khác"),
    OutputField("loai_cot", "Loại cột", "Loại cột ăng ten như nguồn ghi (chuẩn hóa chữ hoa đầu câu)"),
    OutputField("kinh_do", "Kinh độ", "Kinh độ WGS84 (độ thập phân, 6 chữ số)"),
    OutputField("vi_do", "Vĩ độ", "Vĩ độ WGS84 (độ thập phân, 6 chữ số)"),
    OutputField("he_toa_do_nguon", "Hệ tọa độ nguồn", "Hệ tọa độ của nguồn trước khi chuyển sang WGS84 (vd. EPSG:9210 "
                                                      "= VN-2000 múi 3° kinh tuyến trục 105°45')"),
    OutputField("hop_le", "Hợp lệ", "false khi trạm bị đánh dấu lỗi (xem cột loi); trạm không hợp lệ không có trên "
                                    "bản đồ GeoJSON và không được tính trong bảng tổng hợp"),
    OutputField("loi", "Lỗi", "Lý do trạm không hợp lệ, hoặc điều cần đơn vị quản lý nguồn kiểm tra"),
]

COVERAGE_FIGURES = {"hamlets", "fibre_hamlets", "fibre_share", "network", "bandwidth"}
LEGAL_BASIS = [{"number": "24/2023/QH15", "title": "Luật Viễn thông"}]
TAGS = "hạ tầng số,viễn thông,trạm BTS,bản đồ"


class InfrastructureHarvester(BinhDuongHarvester):
    HARVESTER_NAME = "bd_infrastructure"
    TITLE = "Hạ tầng số tỉnh Bình Dương (trạm BTS, mạng cáp quang và truyền số liệu chuyên dùng)"
    DESCRIPTION = ("Thu thập danh sách trạm thu phát sóng di động (BTS) từ tệp CSV/XLSX, GeoJSON hoặc dịch vụ ArcGIS "
                   "REST (tọa độ WGS84 hoặc VN-2000) và bảng hạ tầng mạng theo xã, công bố bộ dữ liệu trạm có bản đồ "
                   "và bảng tổng hợp theo xã.")
    TITLE_EN = "Digital infrastructure of Bình Dương province (BTS stations, fibre and the government data network)"
    DESCRIPTION_EN = ("Harvests mobile base-station (BTS) registers from CSV/XLSX, GeoJSON or an ArcGIS REST service "
                      "(WGS84 or VN-2000 coordinates) and per-commune network tables, and publishes the stations on a "
                      "map with a per-commune summary.")
    TABLES = (STATIONS, COVERAGE)
    EXTRA_OPTIONS = {"crs": str, "max_removed_share": (int, float), "shared_target_percent": (int, float),
                     "bandwidth_target_mbps": (int, float), "summary": dict}
    DEFAULT_THEME = ("TECH",)
    DEFAULT_FREQUENCY = "QUARTERLY"

    def check_options(self, config: dict[str, Any]) -> list[Problem]:
        problems = []
        if config.get("crs") is not None:
            try:
                geo.resolve_crs(config["crs"])
            except geo.CrsError as error:
                problems.append(Problem(error.vi, error.en))
        share = config.get("max_removed_share")
        if share is not None and not 0 < share <= 1:
            problems.append(Problem("“max_removed_share” phải trong khoảng (0, 1], vd. 0.5.",
                                    "'max_removed_share' must be in (0, 1]."))
        for key in config.get("summary") or {}:
            if key not in ("name", "title", "frequency"):
                problems.append(Problem(f"Không có tùy chọn “summary.{key}”. Các tùy chọn: name, title, frequency.",
                                        f"Unknown option 'summary.{key}'."))
        return problems

    # -- reading: GeoJSON and ArcGIS besides what the base reads ----------------------------

    def read_json(self, result: fetching.FetchResult, shown: str, options: dict[str, Any],
                  run: HarvestRun) -> list[reading.Sheet]:
        document = reading.read_json(result.content, shown)
        if geo_sources.is_geojson(document):
            return [reading.records_to_sheet(geo_sources.geojson_records(document, shown), shown)]
        if geo_sources.is_arcgis(document):
            def get(next_url: str) -> Any:
                return reading.read_json(fetching.fetch(next_url, run.policy).content, public_url(next_url))
            records = geo_sources.collect_arcgis_pages(result.final_url, document, get, shown)
            return [reading.records_to_sheet(records, shown)]
        return super().read_json(result, shown, options, run)

    # -- building the datasets -------------------------------------------------------------

    def build_datasets(self, tables: dict[str, Table], run: HarvestRun) -> list[DatasetPlan]:
        if "stations" not in tables:
            return []
        try:
            crs = geo.resolve_crs(run.config.get("crs"))
        except geo.CrsError as error:
            raise HarvestProblem(error.vi, error.en) from error
        stations, problems, crs_used = self._stations(tables["stations"], crs, run)
        plans = [self._stations_plan(stations, problems, crs_used, run)]
        coverage, coverage_problems = ({}, [])
        if "coverage" in tables and not set(tables["coverage"].columns) & COVERAGE_FIGURES:
            # The register itself has commune columns: it is not a coverage table.
            del tables["coverage"]
        if "coverage" in tables:
            coverage, coverage_problems = self._coverage(tables["coverage"])
        elif self._coverage_expected(run):
            run.report(Problem(
                "Không đọc được bảng hạ tầng mạng theo xã nên bảng tổng hợp theo xã chưa được cập nhật (bản đang công "
                "bố giữ nguyên); bộ dữ liệu trạm BTS vẫn được cập nhật.",
                "The per-commune coverage table was not read: the summary is not updated; stations are."))
            return plans
        plans.append(self._summary_plan(stations, coverage, coverage_problems, run))
        return plans

    def _coverage_expected(self, run: HarvestRun) -> bool:
        if (run.config.get("coverage") or {}).get("enabled") is False:
            return False
        if "url" in (run.config.get("coverage") or {}):
            return True
        previous = run.previous_content("summary")
        # A summary published with coverage figures must not lose them to a missing table.
        return bool(previous and any(row.get("so_xa_ket_noi_tslcd") is not None
                                     for row in previous["publications"][0]["rows"]))

    # -- stations ----------------------------------------------------------------------------

    def _stations(self, table: Table, default_crs: str, run: HarvestRun
                  ) -> tuple[list[dict[str, Any]], list[Problem], list[str]]:
        frame, problems = normalise.coerce(table)
        problems = [*table.problems, *problems]
        bbox = geo.province_bbox()
        flagged: dict[str, list[Problem]] = OrderedDict()
        notes: dict[str, list[Problem]] = OrderedDict()
        rows: dict[str, dict[str, Any]] = OrderedDict()
        seen: dict[str, int] = {}
        missing_code, crs_used = [], set()

        def flag(kind: str, row: dict[str, Any], vi: str, en: str, line: int, invalid: bool = True) -> None:
            (flagged if invalid else notes).setdefault(kind, []).append(
                Problem(f"Trạm {row['ma_tram']}: {vi}", f"Station {row['ma_tram']}: {en}", (line,)))
            if invalid:
                row["hop_le"] = False
            row["loi"] = "; ".join(filter(None, [row["loi"], vi]))

        for index, record in enumerate(frame.to_dict("records")):
            line = int(record["_row"])
            code = clean_text(record.get("code"))
            if not code:
                missing_code.append(line)
                continue
            code = re.sub(r"\s+", "", code).upper()
            key = code if code not in rows else f"{code}#{index}"
            row = {"ma_tram": code, "ten_tram": clean_text(record.get("name")), "doanh_nghiep": None,
                   "dia_chi": clean_text(record.get("address")), "ma_xa": None, "xa_phuong": None, "ma_huyen": None,
                   "huyen": None, "cong_nghe": None, "co_2g": False, "co_3g": False, "co_4g": False, "co_5g": False,
                   "dung_chung": None, "loai_cot": tower_type(record.get("tower_type")), "kinh_do": None,
                   "vi_do": None, "he_toa_do_nguon": None, "hop_le": True, "loi": None}
            rows[key] = row
            if code in seen:
                flag("duplicate", row, f"mã trạm trùng với dòng {seen[code]}; dòng này không được công bố là hợp lệ",
                     f"duplicate code (first at row {seen[code]}); flagged invalid", line)
            else:
                seen[code] = line

            given_operator = clean_text(record.get("operator"))
            operator = operator_of(given_operator)
            row["doanh_nghiep"] = operator or given_operator
            if operator is None:
                flag("operator", row, f"doanh nghiệp “{given_operator or ''}” không nhận ra (cần Viettel, VNPT/VinaPhone, "
                     "MobiFone, Vietnamobile hoặc Gtel/Gmobile)",
                     f"unknown operator {given_operator!r}", line)

            self._place(row, record, flag, line)

            technologies, unknown = parse_technologies(record.get("technology"))
            row["cong_nghe"] = "; ".join(technologies) or None
            for tech in ("2G", "3G", "4G", "5G"):
                row[f"co_{tech.lower()}"] = tech in technologies
            if unknown or not technologies:
                flag("technology", row, f"công nghệ “{clean_text(record.get('technology')) or ''}” không nhận ra "
                     "(cần 2G/3G/4G/5G); vẫn công bố", f"unrecognised technology "
                     f"{clean_text(record.get('technology'))!r}; published", line, invalid=False)
            shared, shared_ok = parse_shared(record.get("shared"))
            row["dung_chung"] = shared
            if not shared_ok:
                flag("shared", row, f"cột “Dùng chung” ghi “{clean_text(record.get('shared'))}” (cần có/không); để trống",
                     f"unreadable shared-tower value {clean_text(record.get('shared'))!r}; left empty", line,
                     invalid=False)

            self._coordinates(row, record, default_crs, bbox, flag, line, crs_used)

        if missing_code:
            problems.append(Problem("Dòng không có mã trạm, đã bỏ qua", "Rows without a station code, skipped",
                                    tuple(missing_code)))
        for groups in (flagged, notes):
            for kind, items in groups.items():
                problems.extend(items[:MAX_LISTED])
                if len(items) > MAX_LISTED:
                    problems.append(Problem(f"… và {len(items) - MAX_LISTED} trạm khác có cùng lỗi ({kind})",
                                            f"... and {len(items) - MAX_LISTED} more stations with the same problem "
                                            f"({kind})", tuple(p.rows[0] for p in items[MAX_LISTED:])))
        published = sorted(rows.values(), key=lambda r: (r["ma_tram"], not r["hop_le"], r["doanh_nghiep"] or ""))
        valid = [r for r in published if r["hop_le"]]
        if not valid:
            raise HarvestProblem(
                f"Bảng “{STATIONS.label}” ({table.source}) không có trạm hợp lệ nào; chưa cập nhật bộ dữ liệu.",
                f"No valid station in {table.source}; nothing updated.")
        self._check_truncation(len(valid), run)
        return published, problems, sorted(crs_used)

    @staticmethod
    def _place(row: dict[str, Any], record: dict[str, Any], flag, line: int) -> None:
        # The station tables are published per legacy commune and district (the summary's
        # hierarchy), so the place resolver is asked for the legacy map; it reads the forms
        # people write ("P.Tân Đông Hiệp, TP.Dĩ An", "UBND xã Minh Tân", "TX. Bến Cát").
        district_text = clean_text(record.get("district"))
        district = place_resolver.resolve(district_text, legacy=True) if district_text else None
        if district is not None and (district.level != "district" or district.parent != places.PROVINCE_CODE):
            district = None
        unit = None
        code_text = clean_text(record.get("commune_code"))
        if code_text:
            unit = places.get_unit(re.sub(r"\D", "", code_text).lstrip("0").zfill(5))
        commune_text = clean_text(record.get("commune"))
        if unit is None and commune_text:
            unit = place_resolver.resolve(commune_text, legacy=True, district_hint=district.code if district else None)
        if unit is not None and (unit.level != "commune" or places.PROVINCE_CODE not in
                                 {a.code for a in places.ancestors(unit.code)}):
            unit = None
        if unit is not None:
            district = places.get_unit(unit.parent)
            row["ma_xa"], row["xa_phuong"] = unit.code, unit.name
        else:
            row["xa_phuong"] = commune_text
            if commune_text or code_text:
                flag("commune", row, f"xã “{commune_text or code_text}” không xác định được trong tỉnh; chỉ tính vào "
                     "tổng của huyện/tỉnh", f"commune {commune_text or code_text!r} not found in the province",
                     line, invalid=False)
        if district is not None:
            row["ma_huyen"], row["huyen"] = district.code, district.name
        else:
            row["huyen"] = district_text

    @staticmethod
    def _coordinates(row, record, default_crs, bbox, flag, line, crs_used) -> None:
        try:
            east = geo.parse_coordinate(record.get("east"))
            north = geo.parse_coordinate(record.get("north"))
        except ValueError:
            flag("coordinates", row, f"tọa độ không đọc được (“{clean_text(record.get('east'))}”, "
                 f"“{clean_text(record.get('north'))}”)", "unreadable coordinates", line)
            return
        if east is None or north is None:
            shape = clean_text(record.get("geometry_type"))
            flag("coordinates", row, f"không có tọa độ điểm{f' (hình học {shape})' if shape else ''}",
                 "no point coordinates", line)
            return
        try:
            crs = geo.resolve_crs(clean_text(record.get("crs")) or default_crs)
        except geo.CrsError as error:
            flag("coordinates", row, error.vi, error.en, line)
            return
        row["he_toa_do_nguon"] = crs
        crs_used.add(crs)
        try:
            lon, lat, status = geo.locate(east, north, crs, bbox)
        except ValueError:
            flag("coordinates", row, "tọa độ không chuyển được sang WGS84", "coordinates cannot be transformed", line)
            return
        row["kinh_do"], row["vi_do"] = round(lon, 6), round(lat, 6)
        if status == "swapped":
            flag("swapped", row, f"vĩ độ và kinh độ bị đảo chỗ (nguồn ghi kinh độ {east}, vĩ độ {north}); đã đổi lại "
                 "nhưng đề nghị sửa nguồn", f"latitude and longitude swapped (given lon {east}, lat {north}); "
                 "corrected here, fix the source", line)
        elif status == "outside":
            flag("outside", row, f"tọa độ ({round(lon, 6)}, {round(lat, 6)}) nằm ngoài khung bao tỉnh Bình Dương",
                 f"point ({round(lon, 6)}, {round(lat, 6)}) is outside Bình Dương's bounding box", line)

    def _check_truncation(self, valid_count: int, run: HarvestRun) -> None:
        previous = run.previous_content("stations")
        if not previous:
            return
        before = sum(1 for r in previous["publications"][0]["rows"] if r.get("hop_le"))
        limit = float(run.config.get("max_removed_share", 0.5))
        if before >= 20 and valid_count < (1 - limit) * before:
            raise HarvestProblem(
                f"Nguồn chỉ còn {valid_count} trạm hợp lệ so với {before} trạm đang công bố (mất quá {limit:.0%}). Có "
                "thể tệp xuất bị thiếu; bộ dữ liệu trạm chưa được cập nhật. Nếu đúng là vậy, tăng “max_removed_share” "
                "trong cấu hình rồi chạy lại.",
                f"Source has {valid_count} valid stations against {before} published (over {limit:.0%} lost); "
                "not updated.")

    def _stations_plan(self, rows: list[dict[str, Any]], problems: list[Problem], crs_used: list[str],
                       run: HarvestRun) -> DatasetPlan:
        options = run.table_options("stations")
        valid = [r for r in rows if r["hop_le"] and r["kinh_do"] is not None]
        extent = geo.bbox_polygon((r["kinh_do"], r["vi_do"]) for r in valid)
        target = float(run.config.get("shared_target_percent", SHARED_TARGET))
        return DatasetPlan(
            guid_key="stations",
            name=options.get("name") or "tram-bts-binh-duong",
            metadata=run.metadata(
                "stations",
                title=options.get("title") or "Trạm thu phát sóng di động (BTS) tỉnh Bình Dương",
                notes=_stations_notes(rows, crs_used, target),
                tag_string=run.defaults.get("tag_string", TAGS),
                legal_basis=LEGAL_BASIS,
                spatial=json.dumps(extent) if extent else None,
            ),
            publications=[Publication(
                key="tram-bts",
                title="Danh sách trạm BTS",
                description=_data_dictionary(
                    "Mỗi dòng là một trạm BTS. Tệp GeoJSON chỉ gồm các trạm hợp lệ (hop_le = true), dùng cho bản đồ.",
                    STATION_FIELDS),
                fields=STATION_FIELDS, rows=rows, formats=("csv", "geojson"))],
            problems=problems,
        )

    # -- coverage and the summary -----------------------------------------------------------

    def _coverage(self, table: Table) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
        from ckanext.binhduong.harvesters.infrastructure_values import parse_bandwidth, parse_percent

        frame, problems = normalise.coerce(table)
        problems = [*table.problems, *problems]
        found: dict[str, dict[str, Any]] = {}
        unknown, duplicate, bad = [], [], []
        for record in frame.to_dict("records"):
            line = int(record["_row"])
            commune = clean_text(record.get("commune"))
            if commune and fold(commune, " ") in ("tong", "tong cong", "cong", "toan tinh"):
                continue
            row: dict[str, Any] = {}
            self._place(row, record, lambda *args, **kwargs: None, line)
            code = row.get("ma_xa")
            if code is None:
                unknown.append((line, commune))
                continue
            if code in found:
                duplicate.append(line)
                continue
            network, network_ok = parse_shared(record.get("network"))
            try:
                bandwidth = parse_bandwidth(record.get("bandwidth"))
                share = parse_percent(record.get("fibre_share"))
            except ValueError:
                bad.append(line)
                bandwidth = share = None
            if not network_ok:
                bad.append(line)
            found[code] = {"hamlets": record.get("hamlets"), "fibre_hamlets": record.get("fibre_hamlets"),
                           "fibre_share": share, "network": network, "bandwidth": bandwidth}
        if unknown:
            problems.append(Problem(
                f"Bảng hạ tầng mạng: xã “{unknown[0][1]}” (và {len(unknown) - 1} dòng khác) không xác định được trong "
                "tỉnh; đã bỏ qua" if len(unknown) > 1 else
                f"Bảng hạ tầng mạng: xã “{unknown[0][1]}” không xác định được trong tỉnh; đã bỏ qua",
                f"Coverage table: {len(unknown)} commune(s) not found in the province, skipped",
                tuple(line for line, _ in unknown)))
        if duplicate:
            problems.append(Problem("Bảng hạ tầng mạng: xã xuất hiện nhiều lần; giữ dòng đầu",
                                    "Coverage table: commune repeated; first row kept", tuple(duplicate)))
        if bad:
            problems.append(Problem(
                "Bảng hạ tầng mạng: giá trị không đọc được (mạng TSLCD cần có/không, băng thông vd. 100 Mbps, tỷ lệ vd. "
                "95%); ô được để trống", "Coverage table: unreadable values; left empty", tuple(sorted(set(bad)))))
        return found, problems

    def _summary_plan(self, stations: list[dict[str, Any]], coverage: dict[str, dict[str, Any]],
                      problems: list[Problem], run: HarvestRun) -> DatasetPlan:
        options = run.config.get("summary") or {}
        shared_target = float(run.config.get("shared_target_percent", SHARED_TARGET))
        bandwidth_target = float(run.config.get("bandwidth_target_mbps", BANDWIDTH_TARGET))
        rows = summary_rows([r for r in stations if r["hop_le"]], coverage, shared_target, bandwidth_target)
        metadata = run.metadata(
            "summary",
            title=options.get("title") or "Hạ tầng số theo xã, phường, thị trấn tỉnh Bình Dương",
            notes=summary_notes(rows, bool(coverage), shared_target, bandwidth_target),
            tag_string=run.defaults.get("tag_string", TAGS),
            legal_basis=LEGAL_BASIS,
        )
        if options.get("frequency"):
            metadata["frequency"] = options["frequency"].upper()
        return DatasetPlan(
            guid_key="summary",
            name=options.get("name") or "ha-tang-so-theo-xa-phuong",
            metadata=metadata,
            publications=[Publication(
                key="ha-tang-so-theo-xa-phuong",
                title="Hạ tầng số theo đơn vị hành chính",
                description=_data_dictionary(
                    "Mỗi dòng là một xã, phường, thị trấn (cap = xã), một huyện, thị xã, thành phố (cap = huyện) hoặc "
                    "toàn tỉnh (cap = tỉnh); chỉ tính các trạm hợp lệ.", SUMMARY_FIELDS),
                fields=SUMMARY_FIELDS, rows=rows)],
            problems=problems,
        )

    # -- after publishing: the map view ----------------------------------------------------

    def after_publish(self, package: dict[str, Any], content: dict[str, Any]) -> list[Problem]:
        if content.get("guid_key") != "stations":
            return []
        if not plugins.plugin_loaded("bd_map_view"):
            log.warning("Plugin bd_map_view is not loaded: no map view added to %s", package.get("name"))
            return []
        try:
            from ckanext.binhduong.map_view import VIEW_TYPE
        except ImportError:  # pragma: no cover - the plugin is loaded, so its module imports
            VIEW_TYPE = "bd_map"
        context = {"ignore_auth": True, "user": self._get_user_name()}
        for resource in package.get("resources", []):
            if (resource.get("format") or "").upper() != "GEOJSON":
                continue
            views = toolkit.get_action("resource_view_list")(dict(context), {"id": resource["id"]})
            if any(view["view_type"] == VIEW_TYPE for view in views):
                continue
            toolkit.get_action("resource_view_create")(dict(context), {
                "resource_id": resource["id"], "view_type": VIEW_TYPE, "title": "Bản đồ trạm BTS",
                "description": "Các trạm BTS hợp lệ trên bản đồ."})
            log.info("Map view added to resource %s of %s", resource["id"], package.get("name"))
        return []


def _stations_notes(rows: list[dict[str, Any]], crs_used: list[str], target: float) -> str:
    n = functools.partial(format_number, lang="vi")
    valid = [r for r in rows if r["hop_le"]]
    by_operator = {name: sum(r["doanh_nghiep"] == name for r in valid) for name in OPERATORS}
    operators = ", ".join(f"{name} {n(count)}" for name, count in by_operator.items() if count)
    shared = sum(bool(r["dung_chung"]) for r in valid)
    share = 100 * shared / len(valid) if valid else 0
    techs = ", ".join(f"{t} {n(sum(bool(r['co_' + t.lower()]) for r in valid))}" for t in ("2G", "3G", "4G", "5G"))
    flagged = len(rows) - len(valid)
    reprojected = [c for c in crs_used if c != geo.DEFAULT_CRS]
    lines = [
        "Danh sách trạm thu phát sóng di động (BTS) trên địa bàn tỉnh Bình Dương, thu thập tự động từ danh sách trạm "
        "của các doanh nghiệp viễn thông.",
        "",
        f"Có **{n(len(valid))}** trạm hợp lệ ({operators}). Theo công nghệ (một trạm có thể có nhiều công nghệ): "
        f"{techs}. Trạm trên cột dùng chung: {n(shared)} ({n(share, 1)}%; chỉ tiêu của tỉnh đến năm 2025: tối thiểu "
        f"{n(target, 0)}% cột ăng ten được dùng chung; tỷ lệ ở đây tính theo trạm vì danh sách không có mã cột).",
    ]
    if flagged:
        lines += ["", f"{n(flagged)} trạm bị đánh dấu không hợp lệ (cột `hop_le` = false, lý do ở cột `loi`): tọa độ "
                      "ngoài tỉnh hoặc bị đảo, mã trạm trùng, doanh nghiệp không nhận ra, thiếu tọa độ. Các trạm này có "
                      "trong tệp CSV nhưng không có trên bản đồ và không được tính ở trên."]
    lines += ["", "Tọa độ theo WGS84 (kinh độ, vĩ độ)."
              + (f" Tọa độ nguồn theo {', '.join(reprojected)} được chuyển sang WGS84 bằng pyproj"
                 + (" (VN-2000 theo 7 tham số của Quyết định 05/2007/QĐ-BTNMT)" if any(
                     "VN-2000" in geo.transformation_of(c) for c in reprojected) else "") + "." if reprojected else "")
              + " Vị trí được kiểm tra theo khung bao (hình chữ nhật) của tỉnh, không phải đường địa giới.",
              "", "Phạm vi không gian của bộ dữ liệu là khung bao các trạm hợp lệ."]
    return "\n".join(lines)


def _data_dictionary(intro: str, fields: list[OutputField]) -> str:
    lines = [intro, "", "Các cột:"]
    lines += [f"- `{f.name}` — {f.label}: {f.description}" for f in fields]
    return "\n".join(lines)
