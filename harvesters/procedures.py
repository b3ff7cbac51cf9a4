"""Harvester ``bd_procedures``: the province's administrative procedures (thủ tục hành chính,
TTHC) and how applications for them are handled, as two open datasets.

- "Danh mục thủ tục hành chính": one row per procedure. A procedure that disappears from
  the source is kept, marked abolished with the date the portal noticed (people look up
  old procedures, and silently dropping rows would rewrite history).
- "Tình hình giải quyết hồ sơ TTHC": monthly figures per agency with the derived online and
  on-time rates. Months the source no longer exports (it often covers only the current
  year) are kept, so the series grows instead of restarting every January.

Source formats, columns and config: harvesters/README.md.
"""
from __future__ import annotations

import functools
import re
from collections import OrderedDict
from typing import Any

from ckanext.binhduong import place_resolver
from ckanext.binhduong.harvesters import normalise, values
from ckanext.binhduong.harvesters.base import BinhDuongHarvester, HarvestRun
from ckanext.binhduong.harvesters.normalise import Column, Table, TableSpec
from ckanext.binhduong.harvesters.plan import DatasetPlan, OutputField, Publication
from ckanext.binhduong.harvesters.problems import HarvestProblem, Problem
from ckanext.binhduong.text import clean_text, fold, format_number, parse_number

__all__ = ["ProceduresHarvester", "PROCEDURES", "STATISTICS"]

ACTIVE = "đang áp dụng"
ABOLISHED = "đã bãi bỏ"
LEVELS = ("tỉnh", "huyện", "xã")
ONLINE_FULL, ONLINE_PARTIAL, ONLINE_NONE = "toàn trình", "một phần", "không"

PROCEDURES = TableSpec(
    key="procedures",
    label="Danh mục thủ tục hành chính",
    columns=(
        Column("code", "Mã TTHC", ("Mã thủ tục", "Mã thủ tục hành chính", "Mã số TTHC", "Mã số", "Mã",
                                   "Mã TTHC trên CSDL quốc gia", "ma_tthc", "maTTHC", "ma_thu_tuc", "code",
                                   "procedure_code"), kind="raw", required=True),
        Column("name", "Tên thủ tục", ("Tên TTHC", "Tên thủ tục hành chính", "ten_tthc", "tenTTHC", "ten_thu_tuc",
                                       "name", "procedure_name"), required=True),
        Column("sector", "Lĩnh vực", ("Lĩnh vực thực hiện", "Tên lĩnh vực", "linh_vuc", "linhVuc", "tenLinhVuc",
                                      "sector")),
        Column("agency", "Cơ quan thực hiện", ("Cơ quan giải quyết", "Đơn vị thực hiện", "Cơ quan có thẩm quyền",
                                               "Cơ quan thực hiện TTHC", "co_quan_thuc_hien", "coQuanThucHien",
                                               "don_vi_thuc_hien", "co_quan", "agency", "coQuan.ten")),
        Column("level", "Cấp thực hiện", ("Cấp", "Cấp giải quyết", "cap_thuc_hien", "capThucHien", "level")),
        Column("online", "Mức độ dịch vụ công trực tuyến", (
            "Mức độ dịch vụ công", "Mức độ DVC", "Mức độ DVCTT", "Dịch vụ công trực tuyến", "DVC trực tuyến",
            "Mức độ", "muc_do", "mucDo", "muc_do_dvc", "mucDoDVC", "online_level", "dvc_truc_tuyen")),
        Column("time_limit", "Thời hạn giải quyết", ("Thời gian giải quyết", "Thời hạn", "thoi_han_giai_quyet",
                                                     "thoiHanGiaiQuyet", "thoi_han", "time_limit")),
        Column("fees", "Phí, lệ phí", ("Phí/lệ phí", "Phí lệ phí", "Lệ phí", "Phí", "phi_le_phi", "phiLePhi",
                                       "fees", "fee"), kind="multiline"),
        Column("legal_basis", "Căn cứ pháp lý", ("Căn cứ pháp lý của TTHC", "Căn cứ pháp lý của thủ tục",
                                                 "can_cu_phap_ly", "canCuPhapLy", "legal_basis"), kind="multiline"),
    ),
    ignore=("STT", "TT", "Số TT", "Số thứ tự", "id", "Ghi chú"),
)

STATISTICS = TableSpec(
    key="statistics",
    label="Tình hình giải quyết hồ sơ TTHC",
    required=False,
    columns=(
        Column("month", "Tháng", ("Kỳ báo cáo", "Tháng báo cáo", "Thời gian", "thang", "month", "ky_bao_cao",
                                  "kyBaoCao"), kind="raw", required=True),
        Column("year", "Năm", ("nam", "year"), kind="raw"),
        Column("agency", "Cơ quan", ("Cơ quan, đơn vị", "Đơn vị", "Tên đơn vị", "Tên cơ quan", "Cơ quan giải quyết",
                                     "Cơ quan thực hiện", "don_vi", "co_quan", "agency", "tenDonVi", "coQuan"),
               required=True),
        Column("received", "Số hồ sơ tiếp nhận", (
            "Tiếp nhận", "Tổng số hồ sơ tiếp nhận", "Số hồ sơ tiếp nhận Tổng số", "Tiếp nhận Tổng số",
            "Hồ sơ tiếp nhận", "Tổng tiếp nhận", "tiep_nhan", "received", "tongTiepNhan", "so_ho_so_tiep_nhan"),
            kind="int", required=True),
        Column("received_online", "Tiếp nhận trực tuyến", (
            "Trực tuyến", "Trong đó trực tuyến", "Số hồ sơ tiếp nhận trực tuyến",
            "Số hồ sơ tiếp nhận Trong đó trực tuyến", "Số hồ sơ tiếp nhận Trực tuyến", "Tiếp nhận Trực tuyến",
            "Hồ sơ trực tuyến", "tiep_nhan_truc_tuyen", "received_online", "tiepNhanTrucTuyen", "truc_tuyen"),
            kind="int"),
        Column("early", "Giải quyết trước hạn", ("Trước hạn", "truoc_han", "early", "truocHan"), kind="int"),
        Column("on_time", "Giải quyết đúng hạn", ("Đúng hạn", "Đã giải quyết đúng hạn", "Số hồ sơ đã giải quyết Đúng hạn",
                                                  "dung_han", "on_time", "dungHan"), kind="int"),
        Column("late", "Giải quyết trễ hạn", ("Trễ hạn", "Quá hạn", "Đã giải quyết trễ hạn",
                                              "Số hồ sơ đã giải quyết Trễ hạn", "tre_han", "qua_han", "late", "treHan"),
               kind="int"),
        Column("pending", "Đang giải quyết", ("Số hồ sơ đang giải quyết", "Đang xử lý", "Chưa giải quyết",
                                              "dang_giai_quyet", "pending", "dangGiaiQuyet"), kind="int"),
    ),
    # "Đã giải quyết" totals are derived from on time + late; publishing the source's own
    # total too would let the two disagree.
    ignore=("STT", "TT", "Ghi chú", "Số hồ sơ đã giải quyết", "Đã giải quyết", "Tổng số đã giải quyết",
            "Số hồ sơ đã giải quyết Tổng số", "da_giai_quyet"),
)

PROCEDURE_FIELDS = [
    OutputField("ma_tthc", "Mã TTHC", "Mã thủ tục trên Cơ sở dữ liệu quốc gia về thủ tục hành chính (dạng 1.004227)"),
    OutputField("ten_thu_tuc", "Tên thủ tục", "Tên thủ tục hành chính"),
    OutputField("linh_vuc", "Lĩnh vực", "Lĩnh vực quản lý của thủ tục"),
    OutputField("co_quan_thuc_hien", "Cơ quan thực hiện", "Cơ quan giải quyết thủ tục, như hệ thống nguồn ghi"),
    OutputField("ma_don_vi_hanh_chinh", "Mã đơn vị hành chính",
                "Mã đơn vị hành chính khi cơ quan là Ủy ban nhân dân một cấp (UBND tỉnh, huyện, xã): mã của Tổng cục "
                "Thống kê, dạng 2025/… với đơn vị từ 1/7/2025; trống với cơ quan khác"),
    OutputField("to_chuc", "Tổ chức trên cổng", "Tên định danh của cơ quan trên cổng dữ liệu mở (nếu có)"),
    OutputField("to_chuc_url", "Trang của cơ quan", "Đường dẫn tới trang của cơ quan trên cổng (nếu có)"),
    OutputField("cap_thuc_hien", "Cấp thực hiện", "tỉnh, huyện hoặc xã (nhiều cấp cách nhau bằng “; ”)"),
    OutputField("muc_do_dvc", "Mức độ dịch vụ công trực tuyến", "toàn trình, một phần hoặc không"),
    OutputField("thoi_han_giai_quyet", "Thời hạn giải quyết", "Như văn bản quy định (vd. 15 ngày làm việc)"),
    OutputField("so_ngay_giai_quyet", "Số ngày giải quyết", "Số ngày trong thời hạn giải quyết, khi nêu bằng số ngày"),
    OutputField("phi_le_phi", "Phí, lệ phí", "Mức phí, lệ phí (nhiều mục cách nhau bằng “; ”)"),
    OutputField("can_cu_phap_ly", "Căn cứ pháp lý", "Văn bản quy định thủ tục (cách nhau bằng “; ”)"),
    OutputField("trang_thai", "Trạng thái", f"“{ACTIVE}”, hoặc “{ABOLISHED}” khi thủ tục không còn trong nguồn"),
    OutputField("ngay_bai_bo", "Ngày bãi bỏ", "Ngày cổng ghi nhận thủ tục không còn trong nguồn (yyyy-mm-dd)"),
]

STATISTIC_FIELDS = [
    OutputField("thang", "Tháng", "Tháng báo cáo (yyyy-mm)"),
    OutputField("co_quan", "Cơ quan", "Cơ quan, đơn vị giải quyết, như hệ thống nguồn ghi"),
    OutputField("ma_don_vi_hanh_chinh", "Mã đơn vị hành chính",
                "Mã đơn vị hành chính khi cơ quan là Ủy ban nhân dân một cấp (UBND tỉnh, huyện, xã): mã của Tổng cục "
                "Thống kê, dạng 2025/… với đơn vị từ 1/7/2025; trống với cơ quan khác"),
    OutputField("to_chuc", "Tổ chức trên cổng", "Tên định danh của cơ quan trên cổng dữ liệu mở (nếu có)"),
    OutputField("to_chuc_url", "Trang của cơ quan", "Đường dẫn tới trang của cơ quan trên cổng (nếu có)"),
    OutputField("tiep_nhan", "Số hồ sơ tiếp nhận", "Tổng số hồ sơ tiếp nhận trong tháng"),
    OutputField("tiep_nhan_truc_tuyen", "Tiếp nhận trực tuyến", "Số hồ sơ tiếp nhận qua dịch vụ công trực tuyến"),
    OutputField("giai_quyet_dung_han", "Giải quyết đúng hạn", "Số hồ sơ giải quyết đúng hạn (kể cả trước hạn)"),
    OutputField("giai_quyet_tre_han", "Giải quyết trễ hạn", "Số hồ sơ giải quyết quá hạn"),
    OutputField("dang_giai_quyet", "Đang giải quyết", "Số hồ sơ đang giải quyết cuối tháng"),
    OutputField("ty_le_truc_tuyen", "Tỷ lệ trực tuyến (%)", "tiep_nhan_truc_tuyen / tiep_nhan × 100, một chữ số thập phân"),
    OutputField("ty_le_dung_han", "Tỷ lệ đúng hạn (%)",
                "giai_quyet_dung_han / (giai_quyet_dung_han + giai_quyet_tre_han) × 100, một chữ số thập phân"),
]

LEGAL_BASIS_PROCEDURES = [
    {"number": "63/2010/NĐ-CP", "title": "Nghị định về kiểm soát thủ tục hành chính"},
    {"number": "61/2018/NĐ-CP", "title": "Nghị định về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết "
                                         "thủ tục hành chính"},
]
LEGAL_BASIS_STATISTICS = [
    LEGAL_BASIS_PROCEDURES[1],
    {"number": "01/2018/TT-VPCP", "title": "Thông tư hướng dẫn thi hành một số quy định của Nghị định số "
                                           "61/2018/NĐ-CP"},
]
TAGS = "thủ tục hành chính,dịch vụ công,cải cách hành chính,một cửa"


def _level(value: Any) -> tuple[str | None, bool]:
    """("tỉnh; huyện", recognised) from "Cấp tỉnh, Cấp huyện", "UBND cấp xã", "Tỉnh/Huyện"..."""
    text = clean_text(value)
    if not text:
        return None, True
    found: list[str] = []
    for part in re.split(r"[,;/+\n]|\bvà\b", text):
        words = fold(part, " ").split()
        if not words:
            continue
        joined = " ".join(words)
        if "tinh" in words or joined in ("so", "cap so"):
            level = "tỉnh"
        elif {"huyen", "quan"} & set(words) or "thi xa" in joined or "thanh pho" in joined:
            level = "huyện"
        elif "xa" in words or "phuong" in words or "thi tran" in joined:
            level = "xã"
        else:
            return text, False
        if level not in found:
            found.append(level)
    ordered = [level for level in LEVELS if level in found]
    return ("; ".join(ordered) if ordered else None), True


def _online(value: Any) -> tuple[str | None, bool]:
    """One of toàn trình / một phần / không, from the many ways systems say it (including
    the old "mức độ 4/3/2" scale that the 2020 decree replaced)."""
    key = fold(value, " ")
    if not key:
        return None, True
    if "toan trinh" in key or re.search(r"\bmuc (do )?4\b", key):
        return ONLINE_FULL, True
    if "mot phan" in key or re.search(r"\bmuc (do )?3\b", key):
        return ONLINE_PARTIAL, True
    if key in ("khong", "khong co", "0", "no") or "cung cap thong tin" in key or "truc tiep" in key \
            or re.search(r"\bmuc (do )?[12]\b", key):
        return ONLINE_NONE, True
    return clean_text(value), False


_SECTION = re.compile(r"^(?:[IVXLC]+|[A-Z])[.)]?\s+(?:(?:lĩnh vực|LĨNH VỰC|Lĩnh vực)\s*:?\s*)?(.+)$")


def _section_heading(record: dict[str, Any]) -> str | None:
    """The sector named by a group heading row (no code, only a title like "II. Lĩnh vực Hộ
    tịch" or "LĨNH VỰC ĐẤT ĐAI"), else None."""
    if clean_text(record.get("code")):
        return None
    others = [clean_text(record.get(k)) for k in ("sector", "agency", "level", "online", "time_limit", "fees",
                                                   "legal_basis")]
    title = clean_text(record.get("name"))
    if not title or any(others):
        return None
    match = _SECTION.match(title)
    if match:
        title = match.group(1)
    elif not title.upper().startswith("LĨNH VỰC"):
        return None
    else:
        title = re.sub(r"^LĨNH VỰC\s*:?\s*", "", title, flags=re.IGNORECASE)
    title = title.strip(" :.")
    return title[:1].upper() + title[1:].lower() if title.isupper() else title


_DAYS = re.compile(r"(\d+(?:[.,]\d+)?)\s*ngày", re.IGNORECASE)


def _days(time_limit: str | None) -> int | float | None:
    """15 from "15 ngày làm việc" (the first number of days stated), for sorting and sums."""
    match = _DAYS.search(time_limit) if time_limit else None
    if not match:
        return None
    try:
        return parse_number(match.group(1))
    except ValueError:
        return None


def _rate(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


_LOCAL_AUTHORITY = re.compile(r"^(?:ubnd|uy ban nhan dan)\b")


def agency_place(agency: str | None, month: str | None = None) -> str | None:
    """The administrative unit a local authority stands for ("UBND xã Định Hiệp" → 25798;
    from 7/2025 "UBND phường Bình Dương" → 2025/25760), through the project's place
    resolver on the map of the month (no month: the legacy map first). Other agencies
    ("Sở Tư pháp", "Công an tỉnh") are not places: None."""
    if not agency or not _LOCAL_AUTHORITY.match(fold(agency, " ")):
        return None
    unit = place_resolver.resolve(agency, on_date=month)
    return unit.code if unit is not None else None


def _agency_problems(unmatched: dict[str, list[int]], table_label: str) -> list[Problem]:
    problems = []
    for agency, rows in sorted(unmatched.items(), key=lambda item: -len(item[1]))[:20]:
        problems.append(Problem(
            f"Cơ quan “{agency}” ({table_label}) chưa ứng với tổ chức nào trên cổng nên chưa có liên kết; "
            "thêm vào “agency_map” trong cấu hình nguồn (\"\" nếu không có tổ chức riêng)",
            f"Agency '{agency}' ({table_label}) matches no organization", tuple(rows)))
    if len(unmatched) > 20:
        problems.append(Problem(f"… và {len(unmatched) - 20} cơ quan khác chưa ứng với tổ chức nào.",
                                f"... and {len(unmatched) - 20} more unmatched agencies."))
    return problems


class ProceduresHarvester(BinhDuongHarvester):
    HARVESTER_NAME = "bd_procedures"
    TITLE = "Thủ tục hành chính (TTHC) tỉnh Bình Dương"
    DESCRIPTION = ("Thu thập danh mục thủ tục hành chính và tình hình giải quyết hồ sơ từ hệ thống thông tin giải "
                   "quyết TTHC của tỉnh (API JSON phân trang, tệp XLSX hoặc CSV), công bố thành hai bộ dữ liệu mở "
                   "có bảng DataStore.")
    TITLE_EN = "Administrative procedures of Bình Dương province"
    DESCRIPTION_EN = ("Harvests the province's administrative-procedure catalogue and monthly processing figures from "
                      "its procedure system (paged JSON API, XLSX or CSV) into two open datasets with DataStore tables.")
    TABLES = (PROCEDURES, STATISTICS)
    EXTRA_OPTIONS = {"max_abolished_share": (int, float), "keep_statistics_history": bool}
    DEFAULT_THEME = ("GOVE",)
    DEFAULT_FREQUENCY = "MONTHLY"

    def check_options(self, config: dict[str, Any]) -> list[Problem]:
        share = config.get("max_abolished_share")
        if share is not None and not 0 < share <= 1:
            return [Problem("“max_abolished_share” phải trong khoảng (0, 1], vd. 0.5.",
                            "'max_abolished_share' must be in (0, 1].")]
        return []

    def build_datasets(self, tables: dict[str, Table], run: HarvestRun) -> list[DatasetPlan]:
        plans = []
        for key, build in (("procedures", self._procedures), ("statistics", self._statistics)):
            if key in tables:
                try:
                    plans.append(build(tables[key], run))
                except HarvestProblem as error:
                    # One dataset's trouble must not hold back the other.
                    run.report(error.problem())
        return plans

    # -- the catalogue ---------------------------------------------------------------------

    def _procedures(self, table: Table, run: HarvestRun) -> DatasetPlan:
        frame, problems = normalise.coerce(table)
        problems = [*table.problems, *problems]
        rows: "OrderedDict[str, dict[str, Any]]" = OrderedDict()
        missing_code, bad_code, duplicates, missing_name = [], [], {}, []
        bad_level, bad_online, unmatched = [], [], {}
        section_sector = None
        for record in frame.to_dict("records"):
            line = int(record["_row"])
            raw_code = record.get("code")
            heading = _section_heading(record)
            if heading is not None:
                # "II. LĨNH VỰC HỘ TỊCH" rows group the list; they name the sector of the rows below.
                section_sector = heading
                continue
            try:
                code = values.tthc_code(raw_code)
            except ValueError:
                bad_code.append((line, clean_text(raw_code)))
                continue
            if code is None:
                missing_code.append(line)
                continue
            if code in rows:
                duplicates.setdefault(code, [rows[code]["_row"]]).append(line)
                continue
            name = clean_text(record.get("name"))
            if not name:
                missing_name.append(line)
                continue
            level, level_ok = _level(record.get("level"))
            online, online_ok = _online(record.get("online"))
            if not level_ok:
                bad_level.append((line, level))
            if not online_ok:
                bad_online.append((line, online))
            agency = clean_text(record.get("agency"))
            org, known = run.organizations.lookup(agency)
            if not known:
                unmatched.setdefault(agency, []).append(line)
            time_limit = clean_text(record.get("time_limit"))
            rows[code] = {
                "_row": line,
                "ma_tthc": code, "ten_thu_tuc": name, "linh_vuc": clean_text(record.get("sector")) or section_sector,
                "co_quan_thuc_hien": agency, "ma_don_vi_hanh_chinh": agency_place(agency),
                "to_chuc": org["name"] if org else None,
                "to_chuc_url": run.organizations.url(org) if org else None,
                "cap_thuc_hien": level, "muc_do_dvc": online, "thoi_han_giai_quyet": time_limit,
                "so_ngay_giai_quyet": _days(time_limit), "phi_le_phi": record.get("fees"),
                "can_cu_phap_ly": record.get("legal_basis"), "trang_thai": ACTIVE, "ngay_bai_bo": None,
            }

        if missing_code:
            problems.append(Problem("Dòng không có mã TTHC, đã bỏ qua", "Rows without a procedure code, skipped",
                                    tuple(missing_code)))
        if bad_code:
            samples = ", ".join(f"“{value}”" for _, value in bad_code[:3])
            problems.append(Problem(
                f"Mã TTHC không đúng dạng (vd. 1.004227): {samples}; đã bỏ qua các dòng này",
                f"Malformed procedure codes ({', '.join(str(v) for _, v in bad_code[:3])}), rows skipped",
                tuple(line for line, _ in bad_code)))
        for code, lines in duplicates.items():
            problems.append(Problem(
                f"Mã TTHC {code} xuất hiện {len(lines)} lần; giữ dòng đầu tiên, bỏ các dòng sau",
                f"Procedure code {code} appears {len(lines)} times; the first row is kept", tuple(lines)))
        if missing_name:
            problems.append(Problem("Dòng có mã nhưng không có tên thủ tục, đã bỏ qua",
                                    "Rows with a code but no procedure name, skipped", tuple(missing_name)))
        if bad_level:
            problems.append(Problem(
                f"Cấp thực hiện không nhận ra (cần tỉnh/huyện/xã): “{bad_level[0][1]}”; giữ nguyên như nguồn",
                f"Unrecognised level '{bad_level[0][1]}', kept as given", tuple(line for line, _ in bad_level)))
        if bad_online:
            problems.append(Problem(
                f"Mức độ dịch vụ công không nhận ra (cần toàn trình/một phần/không): “{bad_online[0][1]}”; "
                "giữ nguyên như nguồn",
                f"Unrecognised online service level '{bad_online[0][1]}', kept as given",
                tuple(line for line, _ in bad_online)))
        problems.extend(_agency_problems(unmatched, "danh mục TTHC"))

        if not rows:
            raise HarvestProblem(
                f"Bảng “{PROCEDURES.label}” ({table.source}) không có dòng hợp lệ nào; chưa cập nhật bộ dữ liệu.",
                f"No valid procedure rows in {table.source}; nothing updated.")
        published = [{k: v for k, v in row.items() if k != "_row"} for row in rows.values()]
        published += self._abolished(set(rows), run)
        published.sort(key=lambda row: row["ma_tthc"])
        options = run.table_options("procedures")
        return DatasetPlan(
            guid_key="procedures",
            name=options.get("name") or "danh-muc-thu-tuc-hanh-chinh",
            metadata=run.metadata(
                "procedures",
                title=options.get("title") or "Danh mục thủ tục hành chính",
                notes=self._procedures_notes(published),
                tag_string=run.defaults.get("tag_string", TAGS),
                legal_basis=LEGAL_BASIS_PROCEDURES,
            ),
            publications=[Publication(
                # The file name stays put when the dataset is renamed: resources are matched by it.
                key="danh-muc-thu-tuc-hanh-chinh",
                title="Danh mục thủ tục hành chính",
                description=_data_dictionary("Mỗi dòng là một thủ tục hành chính.", PROCEDURE_FIELDS),
                fields=PROCEDURE_FIELDS, rows=published)],
            problems=problems,
        )

    def _abolished(self, current_codes: set[str], run: HarvestRun) -> list[dict[str, Any]]:
        previous = run.previous_content("procedures")
        if not previous:
            return []
        old_rows = previous["publications"][0]["rows"]
        gone = [row for row in old_rows if row.get("ma_tthc") not in current_codes]
        was_active = [row for row in old_rows if row.get("trang_thai") == ACTIVE]
        newly_gone = [row for row in gone if row.get("trang_thai") == ACTIVE]
        limit = float(run.config.get("max_abolished_share", 0.5))
        if len(was_active) >= 20 and len(newly_gone) > limit * len(was_active):
            # A truncated export looks exactly like a mass abolition; ask a human.
            raise HarvestProblem(
                f"Nguồn chỉ còn {len(was_active) - len(newly_gone)} trong số {len(was_active)} thủ tục đang áp dụng "
                f"(mất {len(newly_gone)}, quá ngưỡng {limit:.0%}). Có thể tệp xuất bị thiếu; danh mục chưa được "
                "cập nhật. Nếu đúng là bãi bỏ hàng loạt, tăng “max_abolished_share” trong cấu hình rồi chạy lại.",
                f"Source lost {len(newly_gone)} of {len(was_active)} active procedures (over {limit:.0%}); "
                "catalogue not updated.")
        kept = []
        for row in gone:
            row = dict(row)
            if row.get("trang_thai") != ABOLISHED:
                row["trang_thai"] = ABOLISHED
                row["ngay_bai_bo"] = run.today.isoformat()
            kept.append(row)
        return kept

    @staticmethod
    def _procedures_notes(rows: list[dict[str, Any]]) -> str:
        active = [r for r in rows if r["trang_thai"] == ACTIVE]
        n = functools.partial(format_number, lang="vi")
        full = sum(r["muc_do_dvc"] == ONLINE_FULL for r in active)
        partial = sum(r["muc_do_dvc"] == ONLINE_PARTIAL for r in active)
        by_level = {level: sum(level in (r["cap_thuc_hien"] or "") for r in active) for level in LEVELS}
        abolished = len(rows) - len(active)
        lines = [
            "Danh mục các thủ tục hành chính (TTHC) đang áp dụng trên địa bàn tỉnh Bình Dương, thu thập tự động "
            "từ hệ thống thông tin giải quyết thủ tục hành chính của tỉnh.",
            "",
            f"Hiện có **{n(len(active))}** thủ tục đang áp dụng, trong đó {n(full + partial)} thủ tục cung cấp "
            f"dịch vụ công trực tuyến ({n(full)} toàn trình, {n(partial)} một phần). Theo cấp thực hiện: cấp tỉnh "
            f"{n(by_level['tỉnh'])}, cấp huyện {n(by_level['huyện'])}, cấp xã {n(by_level['xã'])}."
            + (f" {n(abolished)} thủ tục đã bãi bỏ vẫn được giữ trong danh mục, có ghi ngày bãi bỏ." if abolished else ""),
            "",
            "Mỗi dòng là một thủ tục: mã TTHC (theo Cơ sở dữ liệu quốc gia về thủ tục hành chính), tên, lĩnh vực, "
            "cơ quan thực hiện (kèm liên kết tới trang của cơ quan trên cổng nếu có), cấp thực hiện, mức độ dịch vụ "
            "công trực tuyến, thời hạn giải quyết, phí/lệ phí và căn cứ pháp lý. Dữ liệu có ở dạng CSV và JSON và "
            "truy vấn được qua DataStore API.",
        ]
        return "\n".join(lines)

    # -- the monthly figures -------------------------------------------------------------

    def _statistics(self, table: Table, run: HarvestRun) -> DatasetPlan:
        frame, problems = normalise.coerce(table)
        problems = [*table.problems, *problems]
        rows: "OrderedDict[tuple[str, str], dict[str, Any]]" = OrderedDict()
        bad_month, duplicates, inconsistent, unmatched = [], {}, [], {}
        for record in frame.to_dict("records"):
            line = int(record["_row"])
            agency = clean_text(record.get("agency"))
            if agency and fold(agency, " ") in ("tong cong", "tong", "cong", "tong so", "toan tinh"):
                continue  # a totals row: derivable, and not an agency
            try:
                month = values.parse_month(record.get("month"), record.get("year"))
            except ValueError:
                month = None
            if month is None or not agency:
                bad_month.append(line)
                continue
            key = (month, values.name_key(agency))
            if key in rows:
                duplicates.setdefault(key, [rows[key]["_row"]]).append(line)
                continue
            early, on_time = record.get("early"), record.get("on_time")
            if early is not None:
                on_time = (on_time or 0) + early
            received, online, late = record.get("received"), record.get("received_online"), record.get("late")
            counts = [v for v in (received, online, on_time, late, record.get("pending")) if v is not None]
            if any(v < 0 for v in counts) or (online is not None and received is not None and online > received):
                inconsistent.append(line)
            org, known = run.organizations.lookup(agency)
            if not known:
                unmatched.setdefault(agency, []).append(line)
            rows[key] = {
                "_row": line, "thang": month, "co_quan": agency, "ma_don_vi_hanh_chinh": agency_place(agency, month),
                "to_chuc": org["name"] if org else None, "to_chuc_url": run.organizations.url(org) if org else None,
                "tiep_nhan": received, "tiep_nhan_truc_tuyen": online, "giai_quyet_dung_han": on_time,
                "giai_quyet_tre_han": late, "dang_giai_quyet": record.get("pending"),
                "ty_le_truc_tuyen": _rate(online, received),
                "ty_le_dung_han": _rate(on_time, (on_time or 0) + (late or 0) if on_time is not None else None),
            }
        if bad_month:
            problems.append(Problem("Dòng thiếu tháng hoặc cơ quan (hoặc tháng không đọc được, cần mm/yyyy), đã bỏ qua",
                                    "Rows without a readable month or an agency, skipped", tuple(bad_month)))
        for (month, _), lines in duplicates.items():
            problems.append(Problem(f"Số liệu tháng {month} của một cơ quan xuất hiện {len(lines)} lần; giữ dòng đầu",
                                    f"Figures for {month} of one agency appear {len(lines)} times; first kept",
                                    tuple(lines)))
        if inconsistent:
            problems.append(Problem(
                "Số liệu không hợp lý (số âm, hoặc hồ sơ trực tuyến nhiều hơn tổng tiếp nhận); vẫn công bố như nguồn, "
                "đề nghị đơn vị kiểm tra", "Implausible figures (negative, or online above received); published as given",
                tuple(inconsistent)))
        problems.extend(_agency_problems(unmatched, "tình hình giải quyết hồ sơ"))
        if not rows:
            raise HarvestProblem(
                f"Bảng “{STATISTICS.label}” ({table.source}) không có dòng hợp lệ nào; chưa cập nhật bộ dữ liệu.",
                f"No valid statistics rows in {table.source}; nothing updated.")
        published = [{k: v for k, v in row.items() if k != "_row"} for row in rows.values()]
        if run.config.get("keep_statistics_history", True):
            published += self._earlier_months({row["thang"] for row in published}, run)
        published.sort(key=lambda row: (row["thang"], values.name_key(row["co_quan"])))
        months = sorted({row["thang"] for row in published})
        first, _ = values.month_bounds(months[0])
        _, last = values.month_bounds(months[-1])
        options = run.table_options("statistics")
        return DatasetPlan(
            guid_key="statistics",
            name=options.get("name") or "tinh-hinh-giai-quyet-ho-so-tthc",
            metadata=run.metadata(
                "statistics",
                title=options.get("title") or "Tình hình giải quyết hồ sơ TTHC",
                notes=self._statistics_notes(published, months),
                temporal_start=first.isoformat(), temporal_end=last.isoformat(),
                frequency="MONTHLY",
                tag_string=run.defaults.get("tag_string", TAGS),
                legal_basis=LEGAL_BASIS_STATISTICS,
            ),
            publications=[Publication(
                key="tinh-hinh-giai-quyet-ho-so-tthc",
                title="Tình hình giải quyết hồ sơ TTHC theo tháng và cơ quan",
                description=_data_dictionary("Mỗi dòng là số liệu một tháng của một cơ quan, đơn vị.", STATISTIC_FIELDS),
                fields=STATISTIC_FIELDS, rows=published)],
            problems=problems,
        )

    @staticmethod
    def _earlier_months(months: set[str], run: HarvestRun) -> list[dict[str, Any]]:
        previous = run.previous_content("statistics")
        if not previous:
            return []
        # A month the source still exports is replaced as a whole (corrections included);
        # months it no longer exports stay as last published.
        return [row for row in previous["publications"][0]["rows"] if row.get("thang") not in months]

    @staticmethod
    def _statistics_notes(rows: list[dict[str, Any]], months: list[str]) -> str:
        n = functools.partial(format_number, lang="vi")
        received = sum(r["tiep_nhan"] or 0 for r in rows)
        online = sum(r["tiep_nhan_truc_tuyen"] or 0 for r in rows)
        on_time = sum(r["giai_quyet_dung_han"] or 0 for r in rows)
        late = sum(r["giai_quyet_tre_han"] or 0 for r in rows)
        agencies = len({values.name_key(r["co_quan"]) for r in rows})

        def month_vi(month: str) -> str:
            year, number = month.split("-")
            return f"{number}/{year}"

        summary = f"Trong kỳ: tiếp nhận {n(received)} hồ sơ"
        if received:
            summary += f", trong đó {n(online)} hồ sơ trực tuyến ({n(100 * online / received, 1)}%)"
        if on_time + late:
            summary += f"; giải quyết {n(on_time + late)} hồ sơ, đúng hạn {n(100 * on_time / (on_time + late), 1)}%"
        return "\n".join([
            "Tình hình tiếp nhận và giải quyết hồ sơ thủ tục hành chính theo tháng và theo cơ quan, đơn vị trên địa "
            f"bàn tỉnh Bình Dương, từ tháng {month_vi(months[0])} đến tháng {month_vi(months[-1])} "
            f"({n(agencies)} cơ quan, đơn vị), thu thập tự động từ hệ thống thông tin giải quyết TTHC của tỉnh.",
            "",
            summary + ".",
            "",
            "Tỷ lệ trực tuyến = hồ sơ tiếp nhận trực tuyến / tổng hồ sơ tiếp nhận × 100. Tỷ lệ đúng hạn = hồ sơ giải "
            "quyết đúng hạn (kể cả trước hạn) / hồ sơ đã giải quyết (đúng hạn + trễ hạn) × 100.",
        ])


def _data_dictionary(intro: str, fields: list[OutputField]) -> str:
    lines = [intro, "", "Các cột:"]
    lines += [f"- `{f.name}` — {f.label}: {f.description}" for f in fields]
    return "\n".join(lines)
