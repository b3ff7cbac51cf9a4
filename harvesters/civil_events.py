"""What a civil-registry (hộ tịch) export says, read the safe way: the columns we keep, the
columns we drop, and how an event type, a sex and a registering commune written many ways
become codes. Used by ``civil_registry.py``; pure, no CKAN.

Privacy rule of this module: only four kinds of values are ever read from a record — the
registration date, the registering place (commune, and district when given), the event type
and the sex. Everything else (names, dates of birth, ID numbers, parents, addresses) is
dropped when the file is read (``civil_read.py`` reads only the columns ``EVENTS`` maps).
A value is quoted in a message only when it is a place or event spelling that *looks like
one* (``quotable_place``/``quotable_event``): a name shifted into the commune column by a
broken row must not reach the harvest errors.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from ckanext.binhduong import place_resolver, places
from ckanext.binhduong.harvesters.normalise import Column, TableSpec, clean_text, fold

__all__ = [
    "EVENTS", "EVENT_TYPES", "EVENT_LABELS", "SEXES", "SEX_LABELS", "PERSONAL_LABELS",
    "event_type", "sex", "Place", "resolve_place", "quotable_place", "quotable_event",
    "UNKNOWN_SUFFIX", "unknown_code", "new_area", "is_post_reform_month",
]

# Labels of the personal columns real exports carry. They are listed so that they are
# recognised and dropped without a word (not reported as unknown columns), never read.
PERSONAL_LABELS = (
    "Họ và tên", "Họ tên", "Họ, chữ đệm, tên", "Họ tên người được đăng ký", "Họ và tên người được khai sinh",
    "Họ tên người chết", "Họ và tên người chết", "Họ tên chồng", "Họ tên vợ", "Họ tên cha", "Họ tên mẹ",
    "Họ và tên cha", "Họ và tên mẹ", "Họ tên người yêu cầu", "Người yêu cầu", "Người đi đăng ký", "Tên", "ho_ten",
    "hoTen", "ten_cha", "ten_me", "ho_ten_cha", "ho_ten_me", "full_name", "name",
    "Ngày sinh", "Ngày, tháng, năm sinh", "Năm sinh", "ngay_sinh", "ngaySinh", "date_of_birth", "birth_date",
    "Ngày chết", "Ngày mất", "Ngày tử vong",
    "Số định danh cá nhân", "Số ĐDCN", "Số CCCD", "Căn cước công dân", "Số CMND", "Số CMND/CCCD",
    "Số định danh", "so_dinh_danh", "soDinhDanh", "so_cccd", "cccd", "cmnd", "personal_id", "id_number",
    "Số định danh của cha", "Số định danh của mẹ", "Số định danh chồng", "Số định danh vợ",
    "Nơi cư trú", "Địa chỉ", "Địa chỉ thường trú", "Nơi thường trú", "Quê quán", "Nơi sinh", "dia_chi", "noi_cu_tru",
    "address", "Dân tộc", "Quốc tịch", "dan_toc", "quoc_tich", "Số điện thoại", "Điện thoại", "Email",
    "Số, quyển số", "Số đăng ký", "Quyển số", "So dang ky", "so_dang_ky", "Số hồ sơ", "Mã hồ sơ", "ma_ho_so",
    "Người ký", "Cán bộ tư pháp hộ tịch", "Người thực hiện", "Ghi chú", "STT", "TT", "Số TT", "id",
)

EVENTS = TableSpec(
    key="events",
    label="Sự kiện hộ tịch",
    columns=(
        Column("date", "Ngày đăng ký", (
            "Ngày ĐK", "Ngày đăng ký hộ tịch", "Ngày cấp", "Ngày cấp trích lục", "Ngày giải quyết", "Ngày thực hiện",
            "Thời gian đăng ký", "Tháng đăng ký", "ngay_dang_ky", "ngayDangKy", "registration_date", "date"),
            kind="raw", required=True),
        Column("commune", "Nơi đăng ký", (
            "Xã/phường/thị trấn", "Xã, phường, thị trấn", "Xã phường", "Phường/xã", "Xã", "Đơn vị đăng ký",
            "Cơ quan đăng ký", "UBND cấp xã", "Nơi đăng ký hộ tịch", "Tên đơn vị hành chính", "Mã xã", "Mã ĐVHC",
            "Mã đơn vị hành chính", "Mã đơn vị", "noi_dang_ky", "noiDangKy", "ma_xa", "maXa", "xa_phuong",
            "commune", "commune_code", "don_vi_dang_ky", "co_quan_dang_ky"), kind="raw", required=True),
        Column("district", "Quận/huyện", (
            "Huyện", "Quận huyện", "Huyện/thị xã/thành phố", "Huyện, thị xã, thành phố", "Mã huyện", "huyen",
            "quan_huyen", "ma_huyen", "district"), kind="raw"),
        Column("event", "Loại việc hộ tịch", (
            "Loại sự kiện", "Loại việc", "Việc hộ tịch", "Loại đăng ký", "Loại hộ tịch", "Sự kiện hộ tịch",
            "Tên việc hộ tịch", "Loại giấy tờ", "Loại", "loai_viec", "loaiViec", "loai_su_kien", "event_type",
            "event"), kind="raw", required=True),
        Column("sex", "Giới tính", ("Giới tính người được đăng ký", "Phái", "gioi_tinh", "gioiTinh", "sex", "gender"),
               kind="raw"),
    ),
    ignore=PERSONAL_LABELS,
)

# (code, Vietnamese label, English label)
EVENT_TYPES = (
    ("khai_sinh", "Đăng ký khai sinh", "Birth registration"),
    ("khai_tu", "Đăng ký khai tử", "Death registration"),
    ("ket_hon", "Đăng ký kết hôn", "Marriage registration"),
    ("nhan_cha_me_con", "Đăng ký nhận cha, mẹ, con", "Recognition of parents or children"),
    ("thay_doi_cai_chinh", "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
     "Change, correction or completion of civil-status information"),
    ("giam_ho", "Đăng ký giám hộ, chấm dứt giám hộ", "Guardianship registration or ending"),
    ("xac_nhan_hon_nhan", "Cấp giấy xác nhận tình trạng hôn nhân", "Certificate of marital status"),
    ("dang_ky_lai", "Đăng ký lại khai sinh, kết hôn, khai tử", "Re-registration of birth, marriage or death"),
    ("ghi_vao_so", "Ghi vào Sổ hộ tịch việc hộ tịch đã giải quyết ở nước ngoài",
     "Recording of civil-status acts done abroad"),
)
EVENT_LABELS = {code: vi for code, vi, _ in EVENT_TYPES}

# Checked in order on the folded value: the specific phrasings before the words they contain.
_EVENT_RULES = (
    ("ghi_vao_so", re.compile(r"\bghi (vao so|chu)\b")),
    ("dang_ky_lai", re.compile(r"\b(dang ky lai|dk lai)\b")),
    ("xac_nhan_hon_nhan", re.compile(r"\b(xac nhan )?tinh trang hon nhan\b|\bxntthn\b")),
    ("thay_doi_cai_chinh", re.compile(r"\b(cai chinh|thay doi|bo sung|xac dinh lai dan toc|tdcc|tdccbs)\b")),
    ("nhan_cha_me_con", re.compile(r"\bnhan (cha|me|con)\b|\bcha me con\b|\bncmc\b")),
    ("giam_ho", re.compile(r"\bgiam ho\b")),
    ("khai_tu", re.compile(r"\bkhai tu\b|^kt$")),
    ("khai_sinh", re.compile(r"\bkhai sinh\b|^ks$")),
    ("ket_hon", re.compile(r"\bket hon\b|^kh$")),
)
_EVENT_WORDS = re.compile(r"\b(dang ky|khai|hon|nhan|cai chinh|thay doi|giam ho|ghi|trich luc|ho tich|xac nhan|"
                          r"ly hon|con nuoi|quoc tich|dan toc)\b")

SEXES = ("nam", "nu", "khong_ro")
SEX_LABELS = {"nam": "Nam", "nu": "Nữ", "khong_ro": "Không rõ", "tong": "Tổng"}
_SEX = {"nam": "nam", "m": "nam", "male": "nam", "1": "nam", "trai": "nam", "be trai": "nam",
        "nu": "nu", "f": "nu", "female": "nu", "2": "nu", "0": "nu", "gai": "nu", "be gai": "nu"}

UNKNOWN_SUFFIX = "-KXD"


def unknown_code(parent: str) -> str:
    """The code of "registering commune not known" under ``parent`` (a district or the
    province): ``74-KXD``, ``718-KXD``. Never a GSO code."""
    return f"{parent}{UNKNOWN_SUFFIX}"


@functools.lru_cache(maxsize=4096)
def event_type(value: Any, extra: tuple[tuple[str, str], ...] = ()) -> str | None:
    """The event code of a source's wording ("Đăng ký khai sinh có yếu tố nước ngoài" →
    khai_sinh), through ``extra`` (the source config's event_map, folded) first; None when
    not recognised."""
    key = fold(value, " ")
    if not key:
        return None
    for spelling, code in extra:
        if key == spelling:
            return code
    for code, pattern in _EVENT_RULES:
        if pattern.search(key):
            return code
    return None


@functools.lru_cache(maxsize=256)
def sex(value: Any) -> str | None:
    """nam / nu / khong_ro (blank); None when the value is not a sex we know."""
    key = fold(value, " ")
    if not key or key in ("khong ro", "khong xac dinh", "chua xac dinh", "x", "u", "unknown"):
        return "khong_ro"
    return _SEX.get(key)


def new_area() -> str:
    """The code under which the former province's area is counted from 1/7/2025: the 2025
    city that absorbed it (``2025/79``)."""
    return places.successors(places.PROVINCE_CODE)[0].code


def is_post_reform_month(month: str) -> bool:
    """Whether events of a month ("2025-07") are placed on the 2025 map. The reform took
    effect on the first day of a month, so a month is wholly on one side of it."""
    return bool(place_resolver.is_post_reform(month))


@dataclass(frozen=True)
class Place:
    """Where an event was registered: a commune (GSO code; ``2025/<code>`` for a 2025 ward)
    and the total it adds into (its district, or the area for a 2025 ward), or an unknown
    commune under a known district, the province or the area. ``converted``: a post-reform
    event whose place was written with a legacy name, counted under the ward that took it
    over; ``split``: that legacy commune was split, and the ward is the one that took most."""
    commune: str
    district: str | None
    known: bool
    converted: bool = False
    split: bool = False


_DIGITS = re.compile(r"\d{1,6}")


@functools.lru_cache(maxsize=8192)
def resolve_place(commune: Any, district: Any = None, post_reform: bool = False) -> Place:
    """A registering commune written any way ("P. Phú Cường", "phuong phu cuong", "Xã An
    Điền" (since renamed), "UBND phường Chánh Nghĩa", "Phường An Bình, TP.Dĩ An", "25747")
    → its unit, through the project's place resolver, on the map of the event's date:
    before 1/7/2025 the legacy commune (a district column settles same-named communes),
    from then the 2025 ward (a legacy name written after the reform goes to the ward that
    took that commune over). A name that designates a legacy district ("Dĩ An" in a
    commune column) means the commune of that name inside it when there is one."""
    text = clean_text(commune) or ""
    hint_text = clean_text(district) or None
    if post_reform:
        area = new_area()
        found = place_resolver.resolve_detail(text, legacy=False) if text else None
        if found is not None and found.unit is not None and found.unit.level == "commune":
            return Place(found.unit.code, area, True, found.converted, found.split)
        return Place(unknown_code(area), area, False)
    hint = place_resolver.resolve(hint_text, legacy=True) if hint_text else None
    hint_code = hint.code if hint is not None and hint.level == "district" else None
    if not text:
        return Place(unknown_code(hint_code or places.PROVINCE_CODE), hint_code, False)
    if _DIGITS.fullmatch(text):
        text = str(int(text))
    found = place_resolver.resolve_detail(text, district_hint=hint_code, legacy=True)
    unit = found.unit
    if unit is None and hint_code:
        # A district column that contradicts the cell: the cell decides.
        found = place_resolver.resolve_detail(text, legacy=True)
        unit = found.unit
    if unit is not None and unit.level == "district":
        inside = place_resolver.resolve(text, district_hint=unit.code, legacy=True)
        if inside is not None and inside.level == "commune":
            unit = inside
    if unit is not None and unit.legacy and unit.level == "commune":
        return Place(unit.code, unit.parent, True)
    if unit is not None and unit.legacy and unit.level == "district":
        return Place(unknown_code(unit.code), unit.code, False)
    within = found.within.code if found.within is not None else hint_code
    return Place(unknown_code(within or places.PROVINCE_CODE), within, False)


_PLACE_WORDS = re.compile(r"^(ubnd |uy ban nhan dan )?(xa|phuong|thi tran|p|tt|x|thi xa|huyen|quan|thanh pho|tp|tx|h|q)"
                          r"( |$)")


def quotable_place(value: Any) -> str | None:
    """The spelling to quote in an "unknown commune" message, or None when the value does
    not look like a place (it may be personal data shifted in by a broken row): a code of
    at most six digits, or a name starting with an administrative word (xã, phường, thị
    trấn, P., TT., huyện...), at most 60 characters, without other digits."""
    text = clean_text(value)
    if not text:
        return None
    if _DIGITS.fullmatch(text):
        return text
    if len(text) > 60 or re.search(r"\d{3,}|@", text):
        return None
    return text if _PLACE_WORDS.match(fold(text, " ")) else None


def quotable_event(value: Any) -> str | None:
    """An unrecognised event wording to quote, or None unless it reads like one (it has a
    civil-registry word such as "đăng ký", "khai", "hôn", "hộ tịch")."""
    text = clean_text(value)
    if not text or len(text) > 80 or re.search(r"\d{3,}|@", text):
        return None
    return text if _EVENT_WORDS.search(fold(text, " ")) else None
