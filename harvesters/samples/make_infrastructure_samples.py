"""Make the SAMPLE sources of the infrastructure harvester (bd_infrastructure).

DỮ LIỆU MẪU — SAMPLE DATA. Every station, code, address, figure and coordinate here is
generated (seeded, so the same files come out each time): nothing is an official register.
Commune and district names are the province's real units (from ``vietnamadminunits``,
through ckanext.binhduong.places), and points are drawn inside each commune's bounding box.

The files are written the way real registers arrive:

- ``mau-tram-bts.wgs84.csv``: UTF-8 with BOM under a title row, WGS84 degrees (a decimal
  comma in some rows, degrees-minutes-seconds in one), operators and communes spelled many
  ways ("VIETTEL Bình Dương", "VNPT-VinaPhone", "P. Phú Cường", "TP. Thủ Dầu Một");
- ``mau-tram-bts.vn2000.xlsx``: title rows, VN-2000 grid metres in the Vietnamese survey
  order (Tọa độ X = northing, Tọa độ Y = easting; EPSG:9210, TM-3 105°45'), a per-row
  "Hệ tọa độ" column (one row in WGS84 degrees, its axes exchanged), and a second sheet with the network coverage;
- ``mau-tram-bts.geojson``: a FeatureCollection of Points with snake_case properties;
- ``arcgis/bts-query-offset-N.json``: the pages an ArcGIS FeatureServer ``query`` returns
  (``exceededTransferLimit``, VN-2000 ``spatialReference`` wkid 9210) for a page size of 25;
- ``mau-ha-tang-mang-theo-xa.csv``: per-commune fibre reach and the specialised government
  data network (mạng truyền số liệu chuyên dùng) with its bandwidth.

Every format carries the same stations and the same problems: a point outside the province,
latitude and longitude swapped, a duplicate station code, an unknown operator, a station
without coordinates, an unknown commune, an unknown technology and a row without a code.

    python harvesters/samples/make_infrastructure_samples.py --out /tmp/mau-ha-tang
    python harvesters/samples/make_infrastructure_samples.py --out /tmp/bench --stations 3666

The files are not committed (tests/harvesters/test_harvest_samples.py allows only the
procedures samples in harvesters/samples/): the tests make them with this module.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import pathlib
import random
import sys

HERE = pathlib.Path(__file__).resolve().parent
SAMPLE_NOTE = "DỮ LIỆU MẪU (SAMPLE) — không phải số liệu chính thức"
PAGE_SIZE = 25

# (canonical, ways registers write it, station-code prefix, share of stations)
OPERATORS = [
    ("Viettel", ("Viettel", "VIETTEL Bình Dương", "Tập đoàn Công nghiệp - Viễn thông Quân đội"), "BDG", 0.38),
    ("VNPT (VinaPhone)", ("VNPT", "VNPT-VinaPhone", "VinaPhone", "Viễn thông Bình Dương"), "BDVNP", 0.27),
    ("MobiFone", ("MobiFone", "Tổng Công ty Viễn thông MobiFone", "Mobifone"), "BDMBF", 0.25),
    ("Vietnamobile", ("Vietnamobile",), "BDVNM", 0.07),
    ("Gtel (Gmobile)", ("Gmobile", "Gtel"), "BDGTL", 0.03),
]
TOWER_TYPES = ("Cột tự đứng", "Cột dây co", "Cột trên nóc nhà", "Cột ngụy trang", "CỘT TỰ ĐỨNG")
STREETS = ("Đại lộ Bình Dương", "ĐT743", "ĐT741", "ĐT746", "Nguyễn Văn Tiết", "Hùng Vương", "Lê Hồng Phong",
           "Mỹ Phước - Tân Vạn", "ĐT744", "Nguyễn An Ninh", "Trần Văn Ơn", "Cách Mạng Tháng Tám")
CSV_HEADER = ["STT", "Mã trạm", "Tên trạm", "Doanh nghiệp", "Địa chỉ", "Xã/Phường/Thị trấn", "Huyện/Thị xã/Thành phố",
              "Công nghệ", "Dùng chung", "Loại cột", "Kinh độ", "Vĩ độ"]
XLSX_HEADER = ["STT", "Mã trạm", "Doanh nghiệp", "Địa chỉ", "Xã, phường, thị trấn", "Huyện, thị xã, thành phố",
               "Công nghệ", "Dùng chung", "Loại cột", "Tọa độ X (VN-2000)", "Tọa độ Y (VN-2000)", "Hệ tọa độ"]


def _units():
    from ckanext.binhduong import places

    districts = sorted((u for u in places.all_units() if u.legacy and u.level == "district" and u.parent == "74"),
                       key=lambda u: u.code)
    communes = sorted((u for u in places.all_units() if u.legacy and u.level == "commune"
                       and u.parent in {d.code for d in districts}), key=lambda u: u.code)
    return {d.code: d for d in districts}, communes


def _spelled(name: str, rng: random.Random) -> str:
    """"Phường Phú Cường" as registers write it: "P. Phú Cường", "Phú Cường", "PHƯỜNG PHÚ CƯỜNG"."""
    short = {"Phường ": "P. ", "Xã ": "X. ", "Thị trấn ": "TT. ", "Thành phố ": "TP. ", "Huyện ": "H. "}
    choice = rng.random()
    for long, abbreviation in short.items():
        if name.startswith(long):
            if choice < 0.3:
                return abbreviation + name[len(long):]
            if choice < 0.45:
                return name.upper()
    return name


def stations(count: int = 60, seed: int = 74) -> list[dict]:
    """The sample stations, the nasty ones included (``problem`` says which; None = valid).
    ``lon``/``lat`` are the true WGS84 position; the writers below spoil them as registers do."""
    rng = random.Random(seed)
    districts, communes = _units()
    weights = [share for *_, share in OPERATORS]
    result, numbers = [], {}
    for index in range(count):
        # Denser in the southern cities, as the real network is.
        commune = communes[index % len(communes)] if index < len(communes) else rng.choice(
            [c for c in communes if c.parent in ("718", "724", "725")] * 3 + communes)
        operator, spellings, prefix, _ = rng.choices(OPERATORS, weights)[0]
        numbers[prefix] = numbers.get(prefix, 0) + 1
        west, south, east, north = commune.bbox
        cx, cy = (west + east) / 2, (south + north) / 2
        lon = round(cx + (rng.random() - 0.5) * (east - west) * 0.6, 6)
        lat = round(cy + (rng.random() - 0.5) * (north - south) * 0.6, 6)
        urban = commune.parent in ("718", "724", "725")
        technology = rng.choice(["2G/3G/4G", "4G", "3G, 4G", "4G/5G" if urban else "2G/3G/4G", "2G/4G"])
        district = districts[commune.parent]
        result.append({
            "code": f"{prefix}{numbers[prefix]:04d}", "name": f"{commune.short_name} {numbers[prefix]:02d}",
            "operator": operator, "operator_written": rng.choice(spellings),
            "address": f"Số {rng.randint(1, 250)} {rng.choice(STREETS)}, khu phố {rng.randint(1, 9)}",
            "commune_code": commune.code, "commune": _spelled(commune.name, rng),
            "district_code": district.code, "district": _spelled(district.name, rng),
            "technology": technology, "shared": rng.random() < 0.27, "tower_type": rng.choice(TOWER_TYPES),
            "lon": lon, "lat": lat, "problem": None,
        })
    # The nasty cases, on different stations spread through the list.
    picks = iter(range(5, count, max(1, count // 12)))
    result[next(picks)].update(lon=106.150000, lat=11.350000, problem="outside")  # in Tây Ninh
    result[next(picks)]["problem"] = "swapped"
    duplicate = dict(result[next(picks)])
    result[next(picks)].update(operator_written="Công ty Viễn thông ABC", operator=None, problem="operator")
    result[next(picks)].update(lon=None, lat=None, problem="no_coordinates")
    result[next(picks)].update(commune="Xã Không Có Thật", commune_code=None, problem="commune")
    result[next(picks)].update(technology="6G", problem="technology")
    duplicate.update(problem="duplicate", operator_written="Viettel", operator="Viettel", name="Trạm trùng mã")
    result.insert(count // 2 + 3, duplicate)
    result.append({**result[1], "code": "", "problem": "no_code", "name": "Trạm chưa có mã"})
    return result


def is_valid(station: dict, arcgis: bool = False) -> bool:
    """Published as valid (hop_le) by the harvester: a commune or technology problem is only
    a note; the others flag the station (exchanged grid axes are no error in ArcGIS metres)."""
    return station["problem"] in (None, "commune", "technology") or (arcgis and station["problem"] == "swapped")


def _dms(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{degrees}°{minutes:02d}'{seconds:05.2f}\"{hemisphere}"


def _written_position(station: dict) -> tuple:
    """(lon, lat) as the register gives them (swapped when the sample says so)."""
    if station["lon"] is None:
        return None, None
    if station["problem"] == "swapped":
        return station["lat"], station["lon"]
    return station["lon"], station["lat"]


def stations_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f"DANH SÁCH TRẠM BTS TRÊN ĐỊA BÀN TỈNH BÌNH DƯƠNG - {SAMPLE_NOTE}"])
    writer.writerow(CSV_HEADER)
    for number, row in enumerate(rows, 1):
        lon, lat = _written_position(row)
        if lon is not None and number % 7 == 3:
            lon_text, lat_text = f"{lon:.6f}".replace(".", ","), f"{lat:.6f}".replace(".", ",")
        elif lon is not None and number == 4:
            lon_text, lat_text = _dms(lon, "E", "W"), _dms(lat, "N", "S")
        else:
            lon_text, lat_text = ("" if lon is None else f"{lon:.6f}"), ("" if lat is None else f"{lat:.6f}")
        writer.writerow([number, row["code"], row["name"], row["operator_written"], row["address"], row["commune"],
                         row["district"], row["technology"], "Có" if row["shared"] else "Không", row["tower_type"],
                         lon_text, lat_text])
    return buffer.getvalue().encode("utf-8-sig")


_FORWARD = []


def _to_vn2000(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 → VN-2000 / TM-3 105-45 with the Decision 05/2007 parameters (EPSG:6960, the
    first of PROJ's list; ``Transformer.from_crs`` would pick per point among candidates)."""
    if not _FORWARD:
        from pyproj.transformer import TransformerGroup

        _FORWARD.append(TransformerGroup("EPSG:4326", "EPSG:9210", always_xy=True).transformers[0])
    easting, northing = _FORWARD[0].transform(lon, lat)
    return round(easting, 2), round(northing, 2)


def stations_workbook(rows: list[dict], coverage_rows: list[dict]) -> bytes:
    """VN-2000 metres (X = northing, Y = easting), title rows, and the coverage sheet."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Trạm BTS"
    sheet["A1"] = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG TỈNH BÌNH DƯƠNG"
    sheet.merge_cells("A1:E1")
    sheet["A2"] = f"DANH SÁCH TRẠM BTS (HỆ TỌA ĐỘ VN-2000, KINH TUYẾN TRỤC 105°45', MÚI CHIẾU 3°) - {SAMPLE_NOTE}"
    sheet.merge_cells("A2:L2")
    sheet.append([])
    sheet.append(XLSX_HEADER)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, 1):
        lon, lat = _written_position(row)
        if lon is None:
            x = y = None
            system = "VN-2000"
        elif row["problem"] == "swapped":
            # Typed in degrees by someone who mixed the columns up: the longitude under
            # "Tọa độ X" (the north one), the latitude under "Tọa độ Y".
            x, y, system = lat, lon, "WGS84"
        else:
            easting, northing = _to_vn2000(lon, lat)
            x, y, system = northing, easting, "VN-2000"
        sheet.append([number, row["code"] or None, row["operator_written"], row["address"], row["commune"],
                      row["district"], row["technology"], "x" if row["shared"] else None, row["tower_type"], x, y,
                      system])
    coverage = book.create_sheet("Hạ tầng mạng theo xã")
    coverage["A1"] = f"HẠ TẦNG MẠNG CÁP QUANG VÀ MẠNG TRUYỀN SỐ LIỆU CHUYÊN DÙNG THEO XÃ - {SAMPLE_NOTE}"
    coverage.merge_cells("A1:H1")
    coverage.append([])
    _coverage_table(coverage_rows, coverage.append)
    fixed = dt.datetime(2024, 7, 1, 8, 0, 0)
    book.properties.created = fixed
    book.properties.modified = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stations_geojson(rows: list[dict]) -> bytes:
    features = []
    for row in rows:
        lon, lat = _written_position(row)
        features.append({
            "type": "Feature",
            "geometry": None if lon is None else {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"ma_tram": row["code"] or None, "ten_tram": row["name"], "doanh_nghiep": row["operator_written"],
                           "dia_chi": row["address"], "xa_phuong": row["commune"], "huyen": row["district"],
                           "cong_nghe": row["technology"], "dung_chung": row["shared"], "loai_cot": row["tower_type"]},
        })
    document = {"type": "FeatureCollection", "_ghi_chu": SAMPLE_NOTE, "name": "tram_bts_binh_duong",
                "features": features}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def arcgis_features(rows: list[dict]) -> list[dict]:
    """Features as an ArcGIS FeatureServer returns them, in VN-2000 (wkid 9210)."""
    features = []
    for number, row in enumerate(rows, 1):
        lon, lat = _written_position(row)
        if lon is None:
            geometry = {"x": "NaN", "y": "NaN"}
        else:
            easting, northing = _to_vn2000(row["lon"], row["lat"])
            # The "swapped" station has its axes exchanged here too; in grid metres the
            # harvester tells them apart by size (easting < 1,000 km < northing), so it is valid.
            geometry = {"x": northing, "y": easting} if row["problem"] == "swapped" else {"x": easting, "y": northing}
        attributes = {"OBJECTID": number, "MA_TRAM": row["code"] or None, "DOANH_NGHIEP": row["operator_written"],
                      "DIA_CHI": row["address"], "XA_PHUONG": row["commune"], "HUYEN": row["district"],
                      "CONG_NGHE": row["technology"], "DUNG_CHUNG": 1 if row["shared"] else 0,
                      "LOAI_COT": row["tower_type"]}
        features.append({"attributes": attributes, "geometry": geometry})
    return features


ARCGIS_FIELDS = [{"name": name, "type": kind, "alias": alias} for name, kind, alias in (
    ("OBJECTID", "esriFieldTypeOID", "OBJECTID"), ("MA_TRAM", "esriFieldTypeString", "Mã trạm"),
    ("DOANH_NGHIEP", "esriFieldTypeString", "Doanh nghiệp"), ("DIA_CHI", "esriFieldTypeString", "Địa chỉ"),
    ("XA_PHUONG", "esriFieldTypeString", "Xã, phường"), ("HUYEN", "esriFieldTypeString", "Huyện"),
    ("CONG_NGHE", "esriFieldTypeString", "Công nghệ"), ("DUNG_CHUNG", "esriFieldTypeSmallInteger", "Dùng chung"),
    ("LOAI_COT", "esriFieldTypeString", "Loại cột"))]


def arcgis_page(features: list[dict], offset: int, count: int) -> dict:
    """One answer of ``query?...&resultOffset=offset&resultRecordCount=count&f=json``."""
    page = features[offset:offset + count]
    document = {"objectIdFieldName": "OBJECTID", "geometryType": "esriGeometryPoint",
                "spatialReference": {"wkid": 9210, "latestWkid": 9210}, "fields": ARCGIS_FIELDS, "features": page}
    if offset + count < len(features):
        document["exceededTransferLimit"] = True
    return document


def arcgis_pages(rows: list[dict], page_size: int = PAGE_SIZE) -> dict[str, bytes]:
    features = arcgis_features(rows)
    return {f"arcgis/bts-query-offset-{offset}.json":
            (json.dumps(arcgis_page(features, offset, page_size), ensure_ascii=False) + "\n").encode("utf-8")
            for offset in range(0, len(features), page_size)}


def coverage(seed: int = 74) -> list[dict]:
    """Per-commune network figures for every commune (plus a totals row and an unknown commune)."""
    rng = random.Random(seed + 1)
    districts, communes = _units()
    rows = []
    for commune in communes:
        hamlets = rng.randint(4, 14)
        urban = commune.parent in ("718", "724", "725")
        fibre = hamlets if urban or rng.random() < 0.7 else hamlets - rng.randint(1, 2)
        connected = rng.random() < 0.97
        bandwidth = rng.choice(["100 Mbps", "100 Mbps", "200 Mbps", "1 Gbps"] if urban else ["100 Mbps", "50 Mbps",
                                                                                             "100 Mbps"])
        rows.append({"code": commune.code, "commune": _spelled(commune.name, rng),
                     "district": _spelled(districts[commune.parent].name, rng), "hamlets": hamlets,
                     "fibre_hamlets": fibre, "network": "Đã kết nối" if connected else "Chưa kết nối",
                     "bandwidth": bandwidth if connected else ""})
    return rows


def _coverage_table(rows: list[dict], append) -> None:
    append(["STT", "Mã xã", "Xã, phường, thị trấn", "Huyện, thị xã, thành phố", "Số khu phố, ấp",
            "Số khu phố, ấp có cáp quang", "Mạng truyền số liệu chuyên dùng", "Băng thông (Mbps)"])
    for number, row in enumerate(rows, 1):
        append([number, row["code"], row["commune"], row["district"], row["hamlets"], row["fibre_hamlets"],
                row["network"], row["bandwidth"]])
    append([None, None, "Xã Không Có Thật", "Huyện Dầu Tiếng", 5, 5, "Đã kết nối", "100 Mbps"])
    append([None, None, "Tổng cộng", None, sum(r["hamlets"] for r in rows), sum(r["fibre_hamlets"] for r in rows),
            None, None])


def coverage_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f"HẠ TẦNG MẠNG THEO XÃ, PHƯỜNG, THỊ TRẤN - {SAMPLE_NOTE}"])
    _coverage_table(rows, writer.writerow)
    return buffer.getvalue().encode("utf-8-sig")


def files(count: int = 60) -> dict[str, bytes]:
    rows = stations(count)
    cover = coverage()
    made = {
        "mau-tram-bts.wgs84.csv": stations_csv(rows),
        "mau-tram-bts.vn2000.xlsx": stations_workbook(rows, cover),
        "mau-tram-bts.geojson": stations_geojson(rows),
        "mau-ha-tang-mang-theo-xa.csv": coverage_csv(cover),
    }
    made.update(arcgis_pages(rows))
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, required=True, help="folder to write")
    parser.add_argument("--stations", type=int, default=60, help="number of stations (3,666 in the province)")
    args = parser.parse_args(argv)
    made = files(args.stations)
    for name, data in made.items():
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"{len(made)} sample files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
