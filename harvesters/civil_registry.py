"""Harvester ``bd_civil_registry``: civil-status events (hộ tịch) as open statistics, without
personal data.

The source is a record-level export of the civil-registry system: one row per registered
event (khai sinh, khai tử, kết hôn, ...) with the registration date, the registering commune,
the event type, the sex — and names, dates of birth, personal ID numbers, parents and
addresses. What is published is one table of counts per commune × month × event type × sex,
with the district and province totals in the same tidy table (a ``cap`` column), small
counts suppressed (suppression.py), loaded into the DataStore.

Privacy, in the order the data flows:

1. Reading (civil_read.py) keeps only the date, place, event type and sex columns, as
   positions into lists of distinct values; every other column is dropped as the file is
   walked. The recognised personal columns are listed (civil_events.PERSONAL_LABELS) only
   so they are silently dropped rather than reported.
2. Aggregation and suppression happen here, in gather, before anything is stored: the base
   puts the plan's rows (counts only) into harvest_object.content.
3. Problems name row numbers, counts, column labels and place/event spellings that look like
   places/events — never another value; unexpected exceptions are reported by type only.

Source formats, columns and config: harvesters/README.md.
"""
from __future__ import annotations

import hashlib
import json
import logging
import traceback
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import places
from ckanext.binhduong.harvesters import civil_events as events
from ckanext.binhduong.harvesters import civil_read
from ckanext.binhduong.harvesters import fetch as fetching
from ckanext.binhduong.harvesters import read as reading
from ckanext.binhduong.harvesters import values
from ckanext.binhduong.harvesters import suppression
from ckanext.binhduong.harvesters.civil_counts import EVENT_LABELS, EVENT_ORDER, OTHER_EVENT, aggregate, publish_rows
from ckanext.binhduong.harvesters.base import CONTENT_VERSION, HASH_KEY, BinhDuongHarvester, HarvestRun
from ckanext.binhduong.harvesters.normalise import Table
from ckanext.binhduong.harvesters.plan import DatasetPlan, OutputField, Publication, canonical, public_url
from ckanext.binhduong.harvesters.problems import MAX_ROWS_LISTED, HarvestProblem, Problem, TableError
from ckanext.binhduong.text import fold, format_number

__all__ = ["CivilRegistryHarvester", "FIELDS", "min_count"]

log = logging.getLogger(__name__)

MIN_COUNT_OPTION = "ckanext.binhduong.civil_registry_min_count"
DATASET = "thong-ke-su-kien-ho-tich"
#: Part of the source fingerprint: change it when the published table would change for the
#: same export (new rules, new columns), so that the next run recomputes.
CODE_VERSION = "2"  # 2: places on the map of the event's date, the 2025 counterpart columns
FINGERPRINT_KEY = "source_fingerprint"
PROBLEMS_KEY = "problems"
TAGS = "hộ tịch,khai sinh,khai tử,kết hôn,dân số,thống kê"

FIELDS = [
    OutputField("thang", "Tháng", "Tháng đăng ký (yyyy-mm)"),
    OutputField("ban_do", "Danh mục đơn vị hành chính",
                "cu: đơn vị hành chính đến 30/6/2025 (tỉnh Bình Dương, có cấp huyện), dùng cho các tháng trước 7/2025; "
                "moi: đơn vị từ 1/7/2025 (phường, xã của Thành phố Hồ Chí Minh, không còn cấp huyện), dùng từ tháng "
                "7/2025"),
    OutputField("cap", "Cấp", "tinh (toàn tỉnh; từ 7/2025: toàn địa bàn tỉnh cũ), huyen (huyện, thị xã, thành phố; "
                              "chỉ trước 7/2025) hoặc xa (xã, phường, thị trấn)"),
    OutputField("ma_don_vi", "Mã đơn vị hành chính",
                "Mã của Tổng cục Thống kê: trước 7/2025 mã cũ (74, 718, 25747), từ 7/2025 “2025/” và mã mới "
                "(2025/25747; 2025/79 là toàn địa bàn tỉnh cũ); “…-KXD” là nơi đăng ký không xác định được xã "
                "(trong huyện đó, trong tỉnh, hoặc trong địa bàn tỉnh cũ)"),
    OutputField("ten_don_vi", "Tên đơn vị hành chính", "Tên đơn vị hành chính tại thời điểm đăng ký"),
    OutputField("ma_huyen", "Mã huyện", "Mã cấp huyện chứa đơn vị (trống với cấp tỉnh và với đơn vị từ 7/2025)"),
    OutputField("ma_don_vi_moi", "Mã đơn vị từ 1/7/2025",
                "Đơn vị từ 1/7/2025 tương ứng, để theo dõi một xã qua đợt sắp xếp: với dòng danh mục cũ là phường, xã "
                "mới đã nhận xã cũ (xã bị chia tách: phường, xã nhận phần lớn nhất); với dòng danh mục mới là chính nó; "
                "trống với cấp huyện (không còn cấp huyện)"),
    OutputField("ten_don_vi_moi", "Tên đơn vị từ 1/7/2025", "Tên của đơn vị ở cột ma_don_vi_moi"),
    OutputField("chuyen_doi", "Cách chuyển sang danh mục mới",
                "nguyen_ven: cả xã cũ vào một phường, xã mới (có thể cùng các xã khác); chia_tach: xã cũ bị chia cho "
                "nhiều phường, xã mới, số liệu cả xã cũ được gắn với đơn vị nhận phần lớn nhất; trống với dòng danh "
                "mục mới và cấp huyện"),
    OutputField("loai_viec", "Mã loại việc hộ tịch", ", ".join(EVENT_ORDER)),
    OutputField("ten_loai_viec", "Loại việc hộ tịch", "Tên loại việc hộ tịch"),
    OutputField("gioi_tinh", "Giới tính", "tong (tất cả), nam, nu, khong_ro (nguồn không ghi hoặc ghi không rõ)"),
    OutputField("so_luong", "Số việc đăng ký", "Số việc hộ tịch đã đăng ký; để trống khi bị ẩn"),
    OutputField("bi_an", "Bị ẩn", "true khi số liệu bị ẩn để bảo vệ dữ liệu cá nhân (số nhỏ, hoặc ẩn bổ sung để "
                                  "không suy ra được từ tổng); khi đó so_luong để trống, không phải 0"),
]

LEGAL_BASIS = [
    {"number": "60/2014/QH13", "title": "Luật Hộ tịch"},
    {"number": "13/2023/NĐ-CP", "title": "Nghị định về bảo vệ dữ liệu cá nhân"},
    {"number": "47/2020/NĐ-CP", "title": "Nghị định về quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước"},
]


def min_count(config: dict[str, Any]) -> int:
    """k: counts 1..k−1 are suppressed. The portal option is the floor; a source may ask for more."""
    floor = toolkit.asint(toolkit.config.get(MIN_COUNT_OPTION) or suppression.DEFAULT_MIN_COUNT)
    return max(floor, int(config.get("min_count") or 0), 2)


# ---------------------------------------------------------------------------------------
# Problems (row numbers and counts; values only when they look like places or events)

def _rows_of(mask: np.ndarray, row_numbers: np.ndarray) -> tuple[int, ...]:
    return tuple(int(r) for r in row_numbers[mask][:MAX_ROWS_LISTED])


def _count_vi(n: int) -> str:
    return format_number(n, lang="vi")


class CivilRegistryHarvester(BinhDuongHarvester):
    HARVESTER_NAME = "bd_civil_registry"
    TITLE = "Thống kê hộ tịch tỉnh Bình Dương (không có dữ liệu cá nhân)"
    DESCRIPTION = ("Thu thập dữ liệu đăng ký hộ tịch theo từng việc (CSV hoặc XLSX) và công bố số việc khai sinh, "
                   "khai tử, kết hôn, ... theo xã, tháng, loại việc và giới tính, có tổng cấp huyện và tỉnh; số nhỏ "
                   "được ẩn, dữ liệu cá nhân không bao giờ được lưu.")
    TITLE_EN = "Civil-registry statistics of Bình Dương province (no personal data)"
    DESCRIPTION_EN = ("Harvests record-level civil-registry exports (CSV or XLSX) and publishes counts of births, deaths, "
                      "marriages, ... per commune, month, event type and sex, with district and province totals; small "
                      "counts are suppressed and personal data is never stored.")
    TABLES = (events.EVENTS,)
    EXTRA_OPTIONS = {"min_count": int, "event_map": dict}
    DEFAULT_THEME = ("SOCI", "GOVE")
    DEFAULT_FREQUENCY = "MONTHLY"

    def check_options(self, config: dict[str, Any]) -> list[Problem]:
        problems = []
        k = config.get("min_count")
        if k is not None and not 2 <= k <= 100:
            problems.append(Problem("“min_count” phải là số nguyên từ 2 đến 100 (mặc định 5).",
                                    "'min_count' must be an integer from 2 to 100."))
        for wording, code in (config.get("event_map") or {}).items():
            if code not in EVENT_LABELS:
                problems.append(Problem(
                    f"“event_map”: “{wording}” phải ứng với một mã loại việc: {', '.join(EVENT_ORDER)}.",
                    f"'event_map' entry '{wording}' must map to one of {', '.join(EVENT_ORDER)}."))
        return problems

    # -- reading: our own fast path, only the allowed columns ----------------------------
    # The export is fetched (and refused early when it is HTML, empty or binary) in the
    # base's reading step, but read only in build_datasets, after its fingerprint (the
    # export's SHA-256 with the config, k, the organization defaults and this code's
    # version) is compared with the one stored on the harvest object last published: an
    # unchanged export is not read again, the published content is reused.

    def read_document(self, url: str, options: dict[str, Any], run: HarvestRun) -> list["_Export"]:
        shown = public_url(url)
        result = fetching.fetch(url, run.policy)
        fmt = options.get("format") or "auto"
        if fmt == "auto":
            fmt = reading.sniff_format(result.content, result.content_type, shown)
        if fmt not in ("csv", "xlsx"):
            raise reading.ReadError(
                f"Nguồn {shown} không phải tệp CSV hoặc XLSX; trình thu thập hộ tịch chỉ đọc hai định dạng này.",
                f"{shown} is not CSV or XLSX ({fmt}); the civil-registry harvester reads only those.")
        return [_Export(result.content, shown, fmt, dict(options), hashlib.sha256(result.content).hexdigest())]

    def pick_sheet(self, sheets: list["_Export"], spec, options: dict[str, Any]) -> "_Export":
        return sheets[0]

    @staticmethod
    def _read(export: "_Export") -> Table:
        options = export.options
        try:
            return civil_read.read_events(
                export.content, events.EVENTS, source=export.source, fmt=export.fmt,
                encoding=options.get("encoding", "auto"), delimiter=options.get("delimiter"),
                ignore_columns=options.get("ignore_columns") or (), sheet=options.get("sheet"))
        except (reading.ReadError, TableError) as error:
            en = error.en
            if export.fmt == "xlsx" and en.startswith("Cannot open XLSX"):
                # read.py appends the spreadsheet library's own message, which could quote a cell.
                en = f"Cannot open XLSX {export.source}: the workbook is broken."
            log.warning("Civil-registry export %s not read: %s", export.source, en)
            raise HarvestProblem(error.vi, en) from None
        except Exception as error:  # a library error may quote a cell: never pass its text on
            log.error("Reading %s failed: %s at %s", export.source, type(error).__name__, _where(error))
            raise HarvestProblem(f"Không đọc được tệp {export.source}: tệp bị hỏng hoặc sai định dạng.",
                                 f"Cannot read {export.source}: {type(error).__name__}.") from None

    def content(self, plan: DatasetPlan, run: HarvestRun) -> dict[str, Any]:
        """For an export unchanged since the last publication: the content hash published
        then and the row problems, without the rows (the fetch stage then reports the
        problems again and stops, as for any unchanged dataset; the published content stays
        on the current harvest object)."""
        reused = run.state.get("reused", {})
        if plan.guid_key in reused:
            return {"version": CONTENT_VERSION, "harvester": self.HARVESTER_NAME, "guid_key": plan.guid_key,
                    "unchanged": True, "problems": [p.as_dict() for p in plan.problems],
                    HASH_KEY: reused[plan.guid_key]}
        return super().content(plan, run)

    def object_extras(self, plan: DatasetPlan, content: dict[str, Any], run: HarvestRun) -> dict[str, str]:
        """The export's fingerprint and the row problems, so that the next job can tell an
        unchanged export without reading it (``_unchanged``)."""
        problems = json.dumps([p.as_dict() for p in plan.problems], ensure_ascii=False)
        return {**super().object_extras(plan, content, run),
                FINGERPRINT_KEY: run.state["fingerprint"], PROBLEMS_KEY: problems}

    # -- aggregation ---------------------------------------------------------------------

    def build_datasets(self, tables: dict[str, Any], run: HarvestRun) -> list[DatasetPlan]:
        export = tables["events"]
        fingerprint = hashlib.sha256(canonical({
            "source": export.sha256, "config": run.config, "defaults": run.defaults, "k": min_count(run.config),
            "month": run.today.strftime("%Y-%m"), "code": CODE_VERSION}).encode()).hexdigest()
        run.state["fingerprint"] = fingerprint
        previous = self._unchanged(run, fingerprint)
        if previous is not None:
            log.info("Civil-registry export %s unchanged (fingerprint %s); not read again",
                     export.source, fingerprint[:12])
            plan, published_hash = previous
            run.state.setdefault("reused", {})[plan.guid_key] = published_hash
            return [plan]
        table = self._read(export)
        export.content = b""  # the export's bytes are not needed any more
        try:
            return [self._statistics(table, run)]
        except HarvestProblem:
            raise
        except Exception as error:
            log.error("Civil-registry aggregation failed: %s at %s", type(error).__name__, _where(error))
            raise HarvestProblem("Lỗi không mong đợi khi tổng hợp số liệu hộ tịch; chưa cập nhật gì. Quản trị xem "
                                 "nhật ký (log).", f"Unexpected {type(error).__name__} while aggregating.") from None

    @staticmethod
    def _unchanged(run: HarvestRun, fingerprint: str) -> tuple[DatasetPlan, str] | None:
        """(a plan standing for the dataset last published, its content hash) when it was
        made from the same export and settings and is still published."""
        published = run.published("events")
        if published is None:
            return None
        extras = published.extras
        if extras.get(FINGERPRINT_KEY) != fingerprint or not extras.get(HASH_KEY) or PROBLEMS_KEY not in extras:
            return None
        try:
            problems = [Problem.from_dict(p) for p in json.loads(extras[PROBLEMS_KEY])]
        except (ValueError, KeyError, TypeError):
            return None
        plan = DatasetPlan(guid_key="events", name=published.package_name, metadata={}, publications=[],
                           problems=problems)
        return plan, extras[HASH_KEY]

    def _statistics(self, table: Table, run: HarvestRun) -> DatasetPlan:
        k = min_count(run.config)
        frame = table.frame
        categories = frame.attrs["categories"]
        rows_no = frame["_row"].to_numpy()
        problems = list(table.problems)
        n = len(frame)

        # Months: each distinct date once.
        month_names: list[str] = []
        month_index: dict[str, int] = {}
        latest = run.today.strftime("%Y-%m")
        date_codes = np.full(len(categories["date"]), -1, dtype=np.int64)
        unreadable = np.zeros(len(categories["date"]), dtype=bool)
        for position, value in enumerate(categories["date"]):
            if value is None:
                continue
            try:
                month = values.parse_month(value)
            except (ValueError, TypeError, OverflowError):
                month = None
            if month is None or month > latest or month < "1945-01":
                unreadable[position] = True
                continue
            date_codes[position] = month_index.setdefault(month, len(month_index))
            if len(month_names) < len(month_index):
                month_names.append(month)
        record_month = date_codes[frame["date"].to_numpy()]
        blank_date = frame["date"].to_numpy() == 0
        bad_date = unreadable[frame["date"].to_numpy()]
        if blank_date.any():
            problems.append(Problem(
                f"{_count_vi(int(blank_date.sum()))} bản ghi không có ngày đăng ký, không được đếm",
                f"{int(blank_date.sum())} records without a registration date, not counted",
                _rows_of(blank_date, rows_no)))
        if bad_date.any():
            problems.append(Problem(
                f"{_count_vi(int(bad_date.sum()))} bản ghi có ngày đăng ký không đọc được hoặc không hợp lý (cần "
                "dd/mm/yyyy, không sau tháng hiện tại), không được đếm",
                f"{int(bad_date.sum())} records with an unreadable or implausible registration date, not counted",
                _rows_of(bad_date, rows_no)))

        # Places: each distinct (commune, district) spelling pair once per side of the
        # 1 July 2025 reform (the map depends on the registration date).
        month_is_new = np.array([events.is_post_reform_month(m) for m in month_names] + [False], dtype=np.int64)
        record_era = month_is_new[record_month]  # index -1 (no readable month): the legacy side, not counted
        commune_codes = frame["commune"].to_numpy().astype(np.int64)
        has_district = "district" in frame.columns
        district_codes = frame["district"].to_numpy().astype(np.int64) if has_district else np.zeros(n, np.int64)
        width = len(categories["district"]) if has_district else 1
        pairs, pair_of_record = np.unique((commune_codes * width + district_codes) * 2 + record_era,
                                          return_inverse=True)
        place_names: list[str] = []
        place_index: dict[str, int] = {}
        pair_place = np.empty(len(pairs), dtype=np.int64)
        unknown_pairs: list[int] = []
        split_pairs: dict[str, list[int]] = {}
        for position, pair in enumerate(pairs):
            spelling, post_reform = divmod(int(pair), 2)
            commune = categories["commune"][spelling // width]
            district = categories["district"][spelling % width] if has_district else None
            place = events.resolve_place(commune, district, bool(post_reform))
            pair_place[position] = place_index.setdefault(place.commune, len(place_index))
            if len(place_names) < len(place_index):
                place_names.append(place.commune)
            if not place.known:
                unknown_pairs.append(position)
            elif place.split:
                shown = events.quotable_place(commune)
                if shown:
                    split_pairs.setdefault(f"{shown}\x00{place.commune}", []).append(position)
        record_place = pair_place[pair_of_record]
        pairs = pairs // 2  # the spelling pair, for the messages
        problems += self._place_problems(unknown_pairs, pairs, width, categories, pair_of_record, rows_no, has_district)
        problems += self._split_problems(split_pairs, pair_of_record, rows_no)

        # Event types and sexes.
        extra = tuple((fold(w, " "), c) for w, c in (run.config.get("event_map") or {}).items())
        event_codes = np.array([EVENT_ORDER.index(events.event_type(v, extra) or OTHER_EVENT) if v is not None
                                else EVENT_ORDER.index(OTHER_EVENT) for v in categories["event"]], dtype=np.int64)
        record_event = event_codes[frame["event"].to_numpy()]
        problems += self._event_problems(categories["event"], extra, frame["event"].to_numpy(), rows_no)
        if "sex" in frame.columns:
            sex_of = [events.sex(v) for v in categories["sex"]]
            sex_codes = np.array([events.SEXES.index(s or "khong_ro") for s in sex_of], dtype=np.int64)
            record_sex = sex_codes[frame["sex"].to_numpy()]
            odd = np.array([s is None for s in sex_of])[frame["sex"].to_numpy()]
            if odd.any():
                problems.append(Problem(
                    f"{_count_vi(int(odd.sum()))} bản ghi có giới tính không nhận ra (cần Nam/Nữ), được đếm là “không rõ”",
                    f"{int(odd.sum())} records with an unrecognised sex, counted as unknown", _rows_of(odd, rows_no)))
        else:
            record_sex = np.full(n, events.SEXES.index("khong_ro"), dtype=np.int64)

        valid = record_month >= 0
        if not valid.any():
            raise HarvestProblem(
                f"Bảng “{events.EVENTS.label}” ({table.source}) không có bản ghi hợp lệ nào; chưa cập nhật bộ dữ liệu.",
                f"No countable civil-registry records in {table.source}; nothing updated.")
        P, E, S = len(place_names), len(EVENT_ORDER), len(events.SEXES)
        keys = ((record_month[valid] * P + record_place[valid]) * E + record_event[valid]) * S + record_sex[valid]
        unique, tallies = np.unique(keys, return_counts=True)
        counts: dict[tuple[str, str], dict[tuple[str, str], int]] = defaultdict(dict)
        for key, tally in zip(unique.tolist(), tallies.tolist()):
            key, sex_i = divmod(key, S)
            key, event_i = divmod(key, E)
            month_i, place_i = divmod(key, P)
            counts[(month_names[month_i], EVENT_ORDER[event_i])][(place_names[place_i], events.SEXES[sex_i])] = tally
        aggregate(counts)
        rows, hidden = publish_rows(counts, k)
        months = sorted(month_names)
        first, _ = values.month_bounds(months[0])
        _, last = values.month_bounds(months[-1])
        options = run.table_options("events")
        units = sorted({places.PROVINCE_CODE, *(r["ma_huyen"] for r in rows if r["ma_huyen"])},
                       key=lambda c: (len(c), c))
        metadata_fields = dict(
            title=options.get("title") or "Số việc đăng ký hộ tịch theo xã, tháng, loại việc và giới tính",
            notes=self._notes(rows, months, int(valid.sum()), k, hidden),
            temporal_start=first.isoformat(), temporal_end=last.isoformat(),
            tag_string=run.defaults.get("tag_string", TAGS), legal_basis=LEGAL_BASIS,
        )
        if not run.config.get("spatial_units"):
            metadata_fields["spatial_units"] = units
        return DatasetPlan(
            guid_key="events",
            name=options.get("name") or DATASET,
            metadata=run.metadata("events", **metadata_fields),
            publications=[Publication(
                key=DATASET, title="Số việc đăng ký hộ tịch theo xã, tháng, loại việc và giới tính",
                description=_data_dictionary(k), fields=FIELDS, rows=rows, formats=("csv",))],
            problems=problems,
        )

    @staticmethod
    def _place_problems(unknown_pairs, pairs, width, categories, pair_of_record, rows_no, has_district) -> list[Problem]:
        if not unknown_pairs:
            return []
        quoted: dict[str, list[int]] = {}
        hidden_positions = []
        for position in unknown_pairs:
            pair = int(pairs[position])
            commune = categories["commune"][pair // width]
            spelling = events.quotable_place(commune)
            if commune is None:
                hidden_positions.append(position)
            elif spelling is None:
                hidden_positions.append(position)
            else:
                district = categories["district"][pair % width] if has_district else None
                shown = spelling + (f" ({events.quotable_place(district) or '…'})" if district else "")
                quoted.setdefault(shown, []).append(position)
        problems = []
        ordered = sorted(quoted.items(), key=lambda item: -int(np.isin(pair_of_record, item[1]).sum()))
        for shown, positions in ordered[:20]:
            mask = np.isin(pair_of_record, positions)
            problems.append(Problem(
                f"Nơi đăng ký “{shown}” không xác định được xã, phường, thị trấn ({_count_vi(int(mask.sum()))} bản ghi); "
                "được đếm vào dòng “Không xác định” (mã …-KXD). Hãy sửa tên trong nguồn hoặc báo quản trị",
                f"Registering place '{shown}' matches no commune ({int(mask.sum())} records), counted as unknown",
                _rows_of(mask, rows_no)))
        if len(ordered) > 20:
            rest = np.isin(pair_of_record, [p for _, ps in ordered[20:] for p in ps])
            problems.append(Problem(
                f"… và {len(ordered) - 20} cách ghi nơi đăng ký khác không nhận ra ({_count_vi(int(rest.sum()))} bản ghi), "
                "được đếm vào “Không xác định”", f"... and {len(ordered) - 20} more unknown places "
                f"({int(rest.sum())} records), counted as unknown", _rows_of(rest, rows_no)))
        if hidden_positions:
            mask = np.isin(pair_of_record, hidden_positions)
            problems.append(Problem(
                f"{_count_vi(int(mask.sum()))} bản ghi không có nơi đăng ký, hoặc có giá trị không giống tên xã/phường "
                "(không hiển thị vì có thể là dữ liệu cá nhân, vd. do lệch cột); được đếm vào “Không xác định”",
                f"{int(mask.sum())} records with a blank registering place or a value that does not look like a "
                "place (not shown), counted as unknown", _rows_of(mask, rows_no)))
        return problems

    @staticmethod
    def _split_problems(split_pairs: dict[str, list[int]], pair_of_record, rows_no) -> list[Problem]:
        """Post-reform events written with the name of a legacy commune that was split: they
        are counted under the ward that took most of it, which may not be where they were."""
        problems = []
        for key, positions in list(split_pairs.items())[:20]:
            shown, ward = key.split("\x00")
            name = places.get_unit(ward).name
            mask = np.isin(pair_of_record, positions)
            problems.append(Problem(
                f"Nơi đăng ký “{shown}” sau 1/7/2025 là tên xã cũ đã bị chia cho nhiều phường, xã mới "
                f"({_count_vi(int(mask.sum()))} bản ghi); được đếm vào “{name}” (đơn vị nhận phần lớn nhất). Hãy ghi "
                "tên phường, xã mới trong nguồn",
                f"Registering place '{shown}' after 1/7/2025 is a legacy commune that was split "
                f"({int(mask.sum())} records), counted under '{name}'", _rows_of(mask, rows_no)))
        return problems

    @staticmethod
    def _event_problems(values, extra, event_column, rows_no) -> list[Problem]:
        problems = []
        shown: dict[str, list[int]] = {}
        hidden = []
        for position, value in enumerate(values):
            if value is None or events.event_type(value, extra):
                continue
            spelling = events.quotable_event(value)
            if spelling:
                shown.setdefault(spelling, []).append(position)
            else:
                hidden.append(position)
        blank = event_column == 0
        if blank.any():
            problems.append(Problem(
                f"{_count_vi(int(blank.sum()))} bản ghi không ghi loại việc hộ tịch, được đếm vào “khác”",
                f"{int(blank.sum())} records without an event type, counted as other", _rows_of(blank, rows_no)))
        for spelling, positions in list(shown.items())[:20]:
            mask = np.isin(event_column, positions)
            problems.append(Problem(
                f"Loại việc “{spelling}” không nhận ra ({_count_vi(int(mask.sum()))} bản ghi), được đếm vào “khác”; "
                "thêm vào “event_map” trong cấu hình nguồn nếu đó là một loại việc đã có",
                f"Unrecognised event type '{spelling}' ({int(mask.sum())} records), counted as other",
                _rows_of(mask, rows_no)))
        if hidden:
            mask = np.isin(event_column, hidden)
            problems.append(Problem(
                f"{_count_vi(int(mask.sum()))} bản ghi có loại việc không giống tên việc hộ tịch (không hiển thị vì có "
                "thể là dữ liệu cá nhân), được đếm vào “khác”",
                f"{int(mask.sum())} records with an event type that does not look like one (not shown), counted as other",
                _rows_of(mask, rows_no)))
        return problems

    @staticmethod
    def _notes(rows: list[dict], months: list[str], records: int, k: int, hidden: int) -> str:
        fmt = _count_vi
        province = [r for r in rows if r["cap"] == "tinh" and r["gioi_tinh"] == "tong" and not r["bi_an"]]
        by_event: dict[str, int] = defaultdict(int)
        for row in province:
            by_event[row["loai_viec"]] += row["so_luong"]
        summary = "; ".join(f"{EVENT_LABELS[e].lower()}: {fmt(by_event[e])}" for e in EVENT_ORDER if by_event.get(e))

        def month_vi(month: str) -> str:
            year, number = month.split("-")
            return f"{number}/{year}"

        return "\n".join([
            "Số việc hộ tịch (khai sinh, khai tử, kết hôn, nhận cha mẹ con, thay đổi, cải chính hộ tịch, ...) đã đăng ký "
            f"trên địa bàn tỉnh Bình Dương từ tháng {month_vi(months[0])} đến tháng {month_vi(months[-1])}, theo xã "
            "(phường, thị trấn) nơi đăng ký, tháng, loại việc và giới tính, kèm tổng cấp huyện và toàn tỉnh; tổng hợp "
            "tự động từ hệ thống đăng ký và quản lý hộ tịch.",
            "",
            "**Sắp xếp đơn vị hành chính 1/7/2025.** Việc đăng ký trước tháng 7/2025 được tính theo xã, huyện của tỉnh "
            "Bình Dương khi đó (cột `ban_do` = cu); từ tháng 7/2025 theo phường, xã mới của Thành phố Hồ Chí Minh "
            "(`ban_do` = moi, mã dạng 2025/…, không còn cấp huyện; dòng cấp tỉnh là toàn địa bàn tỉnh cũ). Cột "
            "`ma_don_vi_moi` ghi phường, xã mới tương ứng của mỗi dòng cũ để nối chuỗi số liệu qua đợt sắp xếp.",
            "",
            f"Tổng hợp từ {fmt(records)} việc đăng ký" + (f" ({summary})." if summary else "."),
            "",
            f"**Bảo vệ dữ liệu cá nhân.** Chỉ công bố số liệu tổng hợp, không có họ tên, ngày sinh, số định danh cá "
            f"nhân hay địa chỉ. Số từ 1 đến {k - 1} được ẩn, và thêm một số ô khác được ẩn bổ sung để không thể suy ra "
            f"ô bị ẩn bằng phép trừ từ các tổng (cấp huyện, tỉnh, và tổng nam + nữ); {fmt(hidden)} ô bị ẩn có "
            "`bi_an` = true và `so_luong` để trống (không phải 0). Ô không có dòng nào nghĩa là 0.",
        ])


def _data_dictionary(k: int) -> str:
    lines = [
        "Bảng dạng dài (tidy): mỗi dòng là số việc đăng ký của một đơn vị hành chính (xã, huyện hoặc toàn tỉnh) "
        "trong một tháng, theo một loại việc hộ tịch và một giới tính (hoặc tổng). Tổng cấp huyện và tỉnh nằm cùng "
        f"bảng, phân biệt bằng cột `cap`. Số từ 1 đến {k - 1} và các ô ẩn bổ sung để trống với `bi_an` = true; "
        "tổ hợp không có dòng là 0.", "", "Các cột:"]
    lines += [f"- `{f.name}` — {f.label}: {f.description}" for f in FIELDS]
    return "\n".join(lines)


def _where(error: BaseException) -> str:
    """File and line of an exception (no message: it could quote a value)."""
    frames = traceback.extract_tb(error.__traceback__)
    return ", ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" for frame in frames[-3:]) or "?"


@dataclass
class _Export:
    """A fetched export, not read yet."""
    content: bytes
    source: str
    fmt: str
    options: dict[str, Any]
    sha256: str

    def __repr__(self) -> str:  # never the bytes
        return f"<export {self.source} {self.fmt} {self.sha256[:12]}>"
