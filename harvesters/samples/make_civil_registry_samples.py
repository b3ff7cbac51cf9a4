"""Make SAMPLE civil-registry exports for the bd_civil_registry harvester.

DỮ LIỆU MẪU — SAMPLE DATA, SYNTHETIC. Every person here is invented: names are drawn from
common Vietnamese family, middle and given names, the 12-digit personal ID numbers follow
the real layout (birth-province code, century/sex digit, year of birth, six digits) but are
random, and addresses are made up. Places are Bình Dương's real communes (before 1 July
2025), written the many ways exports write them ("P. Phú Cường", "phuong phu cuong", codes,
old names). Counts follow no official figure.

The layout is what a civil-registry system's record export looks like: a title row, then
one row per registered event with STT, the person's name, sex, date of birth, ID number,
parents' names, residence, the event type, the registration date and the registering
commune (and its district).

    python harvesters/samples/make_civil_registry_samples.py --out DIR           # CSV + XLSX + a CSV with errors
    python harvesters/samples/make_civil_registry_samples.py --out DIR --records 600000 --years 10
    python harvesters/samples/make_civil_registry_samples.py --clerk   # rewrites the committed CLERK_FILE

One file is committed (``CLERK_FILE``, checked by tests/harvesters/test_civil_registry_places.py):
2,400 events on both sides of the 1 July 2025 reorganisation, their registering place
written as clerks write it ("Phường An Bình, Thành phố Dĩ An", "P.Tân Đông Hiệp, TP.Dĩ An",
"UBND phường chánh nghĩa, thành phố thủ dầu một", decomposed diacritics, and after the
reform the 2025 wards: "P.Hòa Lợi, TP.HCM", "Xã Dầu Tiếng, Thành phố Hồ Chí Minh"). The
other exports are made on the fly by the tests and the benchmark.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import pathlib
import random
import sys

SAMPLE_NOTE = "DỮ LIỆU MẪU (SAMPLE) — dữ liệu tổng hợp giả lập, không phải người thật, không phải số liệu chính thức"

HEADER = ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Số định danh cá nhân", "Họ tên cha", "Họ tên mẹ",
          "Nơi cư trú", "Loại việc hộ tịch", "Ngày đăng ký", "Nơi đăng ký", "Quận/huyện"]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ",
          "Dương", "Lý", "Châu", "Lâm", "Tạ", "Đinh"]
MIDDLE_M = ["Văn", "Minh", "Hoàng", "Gia", "Quốc", "Thanh", "Đức", "Hữu", "Công", "Bảo"]
MIDDLE_F = ["Thị", "Ngọc", "Thanh", "Thu", "Bảo", "Mỹ", "Kim", "Phương", "Hồng", "Diệu"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tài", "Thành",
           "Tuấn", "Việt", "Khang", "Huy", "Phát", "Lộc"]
GIVEN_F = ["Anh", "Châu", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhi", "Oanh", "Phượng", "Thảo",
           "Trang", "Trâm", "Uyên", "Vy", "Yến", "Hân", "My"]
STREETS = ["Đại lộ Bình Dương", "Cách Mạng Tháng Tám", "Yersin", "Nguyễn Văn Tiết", "Lê Hồng Phong", "Phú Lợi",
           "Huỳnh Văn Lũy", "ĐT 743", "Mỹ Phước - Tân Vạn", "Nguyễn An Ninh"]

# (weight, wording as exported, sex of whom: "child"/"person"/None)
EVENTS = [
    (30, "Đăng ký khai sinh", True), (6, "Khai sinh", True), (1, "Đăng ký khai sinh có yếu tố nước ngoài", True),
    (9, "Đăng ký khai tử", True), (12, "Đăng ký kết hôn", False), (2, "Đăng ký nhận cha, mẹ, con", True),
    (3, "Thay đổi, cải chính, bổ sung thông tin hộ tịch", True), (20, "Cấp Giấy xác nhận tình trạng hôn nhân", True),
    (1, "Đăng ký lại khai sinh", True), (1, "Đăng ký giám hộ", True),
]


def _communes() -> list[tuple[str, str, str, str]]:
    """(GSO code, full name, short name, district name) of the legacy communes, from the
    places module when the package is installed (tests, bench), else a short fixed list."""
    try:
        from ckanext.binhduong import places
    except ImportError:  # run outside the venv: a handful is enough for a look at the format
        return [("25747", "Phường Phú Cường", "Phú Cường", "Thành phố Thủ Dầu Một"),
                ("25777", "Thị trấn Dầu Tiếng", "Dầu Tiếng", "Huyện Dầu Tiếng"),
                ("25942", "Phường Dĩ An", "Dĩ An", "Thành phố Dĩ An")]
    units = [u for u in places.all_units() if u.legacy]
    names = {u.code: u.name for u in units}
    return [(u.code, u.name, u.short_name, names[u.parent]) for u in units if u.level == "commune"]


def _spelling(rng: random.Random, code: str, name: str, short: str) -> str:
    """How a clerk or a system wrote the commune: mostly the full name, sometimes not."""
    roll = rng.random()
    if roll < 0.70:
        return name
    if roll < 0.78:
        return (name.replace("Phường ", "P. ").replace("Thị trấn ", "TT. ").replace("Xã ", "X. "))
    if roll < 0.84:
        from ckanext.binhduong.text import fold_chars  # as clerks type without diacritics

        return fold_chars(name)
    if roll < 0.90:
        return code
    if roll < 0.95:
        return f"UBND {name[0].lower()}{name[1:]}"
    return name.upper()


def _person(rng: random.Random, male: bool, born: dt.date) -> tuple[str, str]:
    family = rng.choice(FAMILY)
    name = f"{family} {rng.choice(MIDDLE_M if male else MIDDLE_F)} {rng.choice(GIVEN_M if male else GIVEN_F)}"
    century = 0 if born.year < 2000 else 2
    person_id = f"074{century + (0 if male else 1)}{born.year % 100:02d}{rng.randrange(10 ** 6):06d}"
    return name, person_id


def records(count: int = 400, *, start: tuple[int, int] = (2024, 1), months: int = 6, seed: int = 74,
            communes: int | None = 12) -> list[dict[str, str]]:
    """``count`` synthetic events spread over ``months`` months from ``start`` and over the
    first ``communes`` communes (all 91 when None); the same arguments give the same rows."""
    rng = random.Random(seed)
    places_list = _communes()
    chosen = places_list if communes is None else places_list[:communes]
    weights = [w for w, _, _ in EVENTS]
    first = dt.date(*start, 1)
    rows = []
    for number in range(1, count + 1):
        code, name, short, district = chosen[int(rng.triangular(0, len(chosen), 0)) % len(chosen)]
        month_offset = rng.randrange(months)
        year, month = first.year + (first.month - 1 + month_offset) // 12, (first.month - 1 + month_offset) % 12 + 1
        registered = dt.date(year, month, rng.randint(1, 28))
        _, event, has_sex = rng.choices(EVENTS, weights)[0]
        male = rng.random() < 0.51
        if "khai sinh" in event.lower():
            born = registered - dt.timedelta(days=rng.randint(3, 60))
        elif "khai tử" in event.lower():
            born = dt.date(rng.randint(1930, 2000), rng.randint(1, 12), rng.randint(1, 28))
        else:
            born = dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
        full_name, person_id = _person(rng, male, born)
        father, _ = _person(rng, True, dt.date(born.year - 28, 1, 1))
        mother, _ = _person(rng, False, dt.date(born.year - 26, 1, 1))
        rows.append({
            "STT": str(number), "Họ và tên": full_name, "Giới tính": ("Nam" if male else "Nữ") if has_sex else "",
            "Ngày sinh": born.strftime("%d/%m/%Y"), "Số định danh cá nhân": person_id, "Họ tên cha": father,
            "Họ tên mẹ": mother,
            "Nơi cư trú": f"Số {rng.randint(1, 300)}, đường {rng.choice(STREETS)}, {name}, {district}, tỉnh Bình Dương",
            "Loại việc hộ tịch": event, "Ngày đăng ký": registered.strftime("%d/%m/%Y"),
            "Nơi đăng ký": _spelling(rng, code, name, short), "Quận/huyện": district,
            "_ma_xa": code,  # the truth, for tests; not a column of the export
        })
    return rows


CLERK_FILE = pathlib.Path(__file__).parent / "ho-tich" / "mau-ho-tich-noi-dang-ky.csv"
CLERK_HEADER = ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Loại việc hộ tịch", "Ngày đăng ký", "Nơi đăng ký",
                "Quận/huyện"]
_TYPE_ABBREVIATIONS = {"Phường": "P.", "Xã": "X.", "Thị trấn": "TT.", "Thành phố": "TP.", "Huyện": "H.",
                       "Thị xã": "TX."}
# The two places no resolver can know: a commune that does not exist and a blank cell.
CLERK_UNKNOWN = ("Xã Tân Mộng Mơ", "")


def _abbreviated(name: str, short: str, space: str = "") -> str:
    kind = name[: -len(short)].strip()
    return f"{_TYPE_ABBREVIATIONS[kind]}{space}{short}"


def _nfd(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFD", text)


def _clerk_legacy(rng: random.Random, unit, district) -> tuple[str, str]:
    """(Nơi đăng ký, Quận/huyện) of an event before 1/7/2025, as a clerk wrote it."""
    forms = [
        lambda: (f"{unit.name}, {district.name}", ""),
        lambda: (f"{unit.name}, {district.name}, tỉnh Bình Dương", ""),
        lambda: (f"{_abbreviated(unit.name, unit.short_name)}, {_abbreviated(district.name, district.short_name)}", ""),
        lambda: (f"{_abbreviated(unit.name, unit.short_name, ' ')} - {_abbreviated(district.name, district.short_name, ' ')}",
                 ""),
        lambda: (f"UBND {unit.name.lower()}, {district.name.lower()}", ""),
        lambda: (f"Ủy ban nhân dân {unit.name}", district.name),
        lambda: (_nfd(f"{unit.name}, {district.name}"), ""),
        lambda: (unit.name, district.name),
        lambda: (_abbreviated(unit.name, unit.short_name), district.short_name),
        lambda: (unit.code, ""),
    ]
    return rng.choice(forms)()


def _clerk_new(rng: random.Random, unit) -> tuple[str, str]:
    """(Nơi đăng ký, Quận/huyện) of an event from 1/7/2025: a 2025 ward, no district."""
    forms = [
        lambda: f"{unit.name}, Thành phố Hồ Chí Minh",
        lambda: f"{_abbreviated(unit.name, unit.short_name)}, TP.HCM",
        lambda: f"{_abbreviated(unit.name, unit.short_name, ' ')}, TP. Hồ Chí Minh",
        lambda: f"UBND {unit.name.lower()}, thành phố hồ chí minh",
        lambda: unit.name,
        lambda: _nfd(f"{unit.name}, Thành phố Hồ Chí Minh"),
        lambda: f"Ủy ban nhân dân {unit.name}".upper(),
    ]
    return rng.choice(forms)(), ""


def clerk_records(count: int = 2400, seed: int = 2025) -> list[dict[str, str]]:
    """Events from 1/2025 to 12/2025 over every legacy commune (before 1/7/2025) and every
    2025 ward of the area (from then), places as clerks write them; ``_ma_don_vi`` is the
    truth (a legacy or ``2025/`` code, "" for the rare place nobody can know)."""
    from ckanext.binhduong import places

    rng = random.Random(seed)
    legacy = [u for u in places.all_units() if u.legacy and u.level == "commune"]
    wards = [u for u in places.all_units() if not u.legacy and u.level == "commune"]
    weights = [w for w, _, _ in EVENTS]
    rows = []
    for number in range(1, count + 1):
        registered = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
        if rng.random() < 0.004:
            place, district, truth = rng.choice(CLERK_UNKNOWN), "", ""
        elif registered < dt.date(2025, 7, 1):
            unit = legacy[(number * 7) % len(legacy)] if number <= 2 * len(legacy) else rng.choice(legacy)
            (place, district), truth = _clerk_legacy(rng, unit, places.get_unit(unit.parent)), unit.code
        else:
            unit = wards[(number * 5) % len(wards)] if number <= 4 * len(wards) else rng.choice(wards)
            (place, district), truth = _clerk_new(rng, unit), unit.code
        _, event, has_sex = rng.choices(EVENTS, weights)[0]
        male = rng.random() < 0.51
        born = registered - dt.timedelta(days=rng.randint(3, 60)) if "khai sinh" in event.lower() else \
            dt.date(rng.randint(1935, 2004), rng.randint(1, 12), rng.randint(1, 28))
        full_name, _ = _person(rng, male, born)
        rows.append({
            "STT": str(number), "Họ và tên": full_name, "Giới tính": ("Nam" if male else "Nữ") if has_sex else "",
            "Ngày sinh": born.strftime("%d/%m/%Y"), "Loại việc hộ tịch": event,
            "Ngày đăng ký": registered.strftime("%d/%m/%Y"), "Nơi đăng ký": place, "Quận/huyện": district,
            "_ma_don_vi": truth,
        })
    return rows


def clerk_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f"{SAMPLE_NOTE} — SỔ ĐĂNG KÝ HỘ TỊCH, NƠI ĐĂNG KÝ NHƯ CÁN BỘ GHI"] + [""] * (len(CLERK_HEADER) - 1))
    writer.writerow(CLERK_HEADER)
    for row in rows:
        writer.writerow([row[column] for column in CLERK_HEADER])
    return buffer.getvalue().encode("utf-8-sig")


def problem_rows() -> list[dict[str, str]]:
    """Rows a real export also contains: an unknown commune, a malformed date, an event type
    nobody mapped, a blank sex, a commune column holding something that is not a place."""
    base = records(5, seed=7)
    base[0]["Nơi đăng ký"] = "Xã Tân Mộng Mơ"
    base[1]["Ngày đăng ký"] = "31/02/2024"
    base[2]["Loại việc hộ tịch"] = "Đăng ký việc nuôi con nuôi"
    base[3]["Giới tính"] = "Khác"
    base[4]["Nơi đăng ký"] = base[4]["Họ và tên"]  # a name shifted into the place column
    for number, row in enumerate(base, start=1):
        row["STT"] = f"L{number}"
    return base


def events_csv(rows: list[dict[str, str]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([f"{SAMPLE_NOTE} — SỔ ĐĂNG KÝ HỘ TỊCH, TRÍCH XUẤT THEO TỪNG VIỆC"] + [""] * (len(HEADER) - 1))
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row[column] for column in HEADER])
    return buffer.getvalue().encode(encoding)


def write_events_csv(path: pathlib.Path, count: int, years: int, seed: int = 74) -> None:
    """A large export for the benchmark, written in batches (all 91 communes)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([f"{SAMPLE_NOTE} — SỔ ĐĂNG KÝ HỘ TỊCH"] + [""] * (len(HEADER) - 1))
        writer.writerow(HEADER)
        batch = 50_000
        for offset in range(0, count, batch):
            rows = records(min(batch, count - offset), start=(2016, 1), months=12 * years, seed=seed + offset,
                           communes=None)
            for number, row in enumerate(rows, start=offset + 1):
                row["STT"] = str(number)
                writer.writerow([row[column] for column in HEADER])


def events_xlsx(rows: list[dict[str, str]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "So ho tich"
    sheet.append([f"{SAMPLE_NOTE} — SỔ ĐĂNG KÝ HỘ TỊCH"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        values = [row[column] for column in HEADER]
        try:  # a typed date cell, as Excel keeps it (a malformed one stays text)
            values[HEADER.index("Ngày đăng ký")] = dt.datetime.strptime(row["Ngày đăng ký"], "%d/%m/%Y")
        except ValueError:
            pass
        if row["Nơi đăng ký"].isdigit():
            values[HEADER.index("Nơi đăng ký")] = int(row["Nơi đăng ký"])
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, help="folder to write into")
    parser.add_argument("--clerk", action="store_true", help=f"rewrite the committed {CLERK_FILE.name}")
    parser.add_argument("--records", type=int, help="a large CSV of this many records (benchmark)")
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args(argv)
    if args.clerk:
        CLERK_FILE.parent.mkdir(parents=True, exist_ok=True)
        CLERK_FILE.write_bytes(clerk_csv(clerk_records()))
        print(CLERK_FILE)
        return 0
    if args.out is None:
        parser.error("--out is required unless --clerk")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.records:
        path = args.out / f"mau-ho-tich-{args.records}.csv"
        write_events_csv(path, args.records, args.years)
        print(path)
        return 0
    rows = records()
    (args.out / "mau-ho-tich.csv").write_bytes(events_csv(rows))
    (args.out / "mau-ho-tich.xlsx").write_bytes(events_xlsx(rows))
    (args.out / "mau-ho-tich.loi.csv").write_bytes(events_csv(rows[:50] + problem_rows()))
    print(f"wrote {args.out}/mau-ho-tich.csv, .xlsx, .loi.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
