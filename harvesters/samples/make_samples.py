"""Make the SAMPLE source files of the procedures harvester (bd_procedures).

DỮ LIỆU MẪU — SAMPLE DATA. Procedure names, sectors, agencies, time limits, fees and legal
bases are written the way the province's TTHC system exports them, but the codes are
illustrative and every figure is generated: nothing here is an official number.

The files reproduce what real exports look like: a title row above the header, CSV in UTF-8
with BOM, Windows-1258, TCVN3 and VNI, Vietnamese numbers ("1.234"), a two-row header from
merged cells, a paged JSON API, and an XLSX workbook with title rows, merged header and
agency cells, a column-numbering row, codes that Excel turned into numbers, a .VnTime (TCVN3)
title, a totals row and a signature block.

    python harvesters/samples/make_samples.py                 # rewrite the committed text samples
    python harvesters/samples/make_samples.py --out DIR --xlsx  # the same, plus the XLSX workbook, into DIR
    python harvesters/samples/make_samples.py --out DIR --xlsx --procedures 1887 --months 36 --agencies 40

The XLSX is binary and not committed: run this script with --xlsx (the tests call
workbook()) to make it.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import pathlib
import random
import sys

HERE = pathlib.Path(__file__).resolve().parent
SAMPLE_NOTE = "DỮ LIỆU MẪU (SAMPLE) — không phải số liệu chính thức"

HEADER = ["STT", "Mã TTHC", "Tên thủ tục", "Lĩnh vực", "Cơ quan thực hiện", "Cấp thực hiện",
          "Mức độ dịch vụ công", "Thời hạn giải quyết", "Phí, lệ phí", "Căn cứ pháp lý"]

# (code, name, sector, agency, level, online level, time limit, fees, legal basis)
PROCEDURES = [
    ("1.001193", "Đăng ký khai sinh", "Hộ tịch", "UBND cấp xã", "Cấp xã", "Toàn trình",
     "Ngay trong ngày tiếp nhận hồ sơ", "Miễn lệ phí", "Luật Hộ tịch năm 2014\nNghị định số 123/2015/NĐ-CP"),
    ("1.000894", "Đăng ký kết hôn", "Hộ tịch", "UBND cấp xã", "Cấp xã", "Một phần",
     "Ngay trong ngày tiếp nhận hồ sơ", "Miễn lệ phí", "Luật Hộ tịch năm 2014\nNghị định số 123/2015/NĐ-CP"),
    ("2.000635", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "UBND cấp xã", "Cấp xã", "Toàn trình",
     "Ngay trong ngày tiếp nhận hồ sơ", "8.000 đồng/bản sao", "Luật Hộ tịch năm 2014\nThông tư số 281/2016/TT-BTC"),
    ("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
     "Lý lịch tư pháp", "Sở Tư pháp", "Cấp tỉnh", "Toàn trình", "10 ngày làm việc", "200.000 đồng/lần/người",
     "Luật Lý lịch tư pháp năm 2009\nThông tư số 244/2016/TT-BTC"),
    ("2.000908", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
     "Chứng thực", "UBND cấp xã", "Cấp huyện, Cấp xã", "Một phần", "Trong ngày",
     "2.000 đồng/trang; từ trang thứ ba trở lên 1.000 đồng/trang", "Nghị định số 23/2015/NĐ-CP"),
    ("2.001610", "Đăng ký thành lập doanh nghiệp tư nhân", "Thành lập và hoạt động của doanh nghiệp",
     "Sở Kế hoạch và Đầu tư", "Cấp tỉnh", "Toàn trình", "03 ngày làm việc",
     "50.000 đồng/lần (miễn khi đăng ký qua mạng)", "Luật Doanh nghiệp năm 2020\nNghị định số 01/2021/NĐ-CP"),
    ("2.002040", "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
     "Thành lập và hoạt động của doanh nghiệp", "Sở Kế hoạch và Đầu tư", "Cấp tỉnh", "Toàn trình",
     "03 ngày làm việc", "50.000 đồng/lần (miễn khi đăng ký qua mạng)",
     "Luật Doanh nghiệp năm 2020\nNghị định số 01/2021/NĐ-CP"),
    ("2.000575", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", "UBND cấp huyện",
     "Cấp huyện", "Toàn trình", "03 ngày làm việc", "Theo nghị quyết của HĐND tỉnh", "Nghị định số 01/2021/NĐ-CP"),
    ("1.009972", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Hoạt động xây dựng", "UBND cấp huyện",
     "Cấp huyện", "Một phần", "15 ngày", "75.000 đồng/giấy phép",
     "Luật Xây dựng năm 2014\nNghị định số 15/2021/NĐ-CP"),
    ("1.009974", "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II", "Hoạt động xây dựng",
     "Sở Xây dựng", "Cấp tỉnh", "Một phần", "20 ngày", "150.000 đồng/giấy phép",
     "Luật Xây dựng năm 2014\nNghị định số 15/2021/NĐ-CP"),
    ("1.004227", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", "Đất đai",
     "Văn phòng Đăng ký đất đai", "Cấp tỉnh, Cấp huyện", "Một phần", "10 ngày làm việc",
     "Theo nghị quyết của HĐND tỉnh", "Luật Đất đai năm 2013\nNghị định số 43/2014/NĐ-CP"),
    ("1.002804", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "Đường bộ", "Sở Giao thông vận tải",
     "Cấp tỉnh", "Toàn trình", "05 ngày làm việc", "135.000 đồng/lần", "Thông tư số 12/2017/TT-BGTVT"),
    ("1.001978", "Giải quyết hưởng trợ cấp thất nghiệp", "Việc làm", "Sở Lao động - Thương binh và Xã hội",
     "Cấp tỉnh", "Một phần", "20 ngày làm việc", "Không", "Luật Việc làm năm 2013\nNghị định số 28/2015/NĐ-CP"),
    ("1.004616", "Cấp giấy phép hoạt động đối với phòng khám chuyên khoa", "Khám bệnh, chữa bệnh", "Sở Y tế",
     "Cấp tỉnh", "Một phần", "45 ngày", "4.300.000 đồng/lần", "Luật Khám bệnh, chữa bệnh năm 2009"),
    ("1.001088", "Chuyển trường đối với học sinh trung học phổ thông", "Giáo dục trung học",
     "Sở Giáo dục và Đào tạo", "Cấp tỉnh", "Toàn trình", "03 ngày làm việc", "Không",
     "Thông tư số 32/2020/TT-BGDĐT"),
    ("2.000633", "Cấp Giấy phép bán lẻ sản phẩm thuốc lá", "Lưu thông hàng hóa trong nước", "UBND cấp huyện",
     "Cấp huyện", "Một phần", "15 ngày làm việc",
     "1.100.000 đồng/điểm kinh doanh (thành phố, thị xã)\n550.000 đồng/điểm kinh doanh (khu vực khác)",
     "Nghị định số 67/2013/NĐ-CP"),
    ("1.010939", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", "Bảo trợ xã hội", "UBND cấp huyện",
     "Cấp huyện, Cấp xã", "Một phần", "05 ngày làm việc", "Không", "Nghị định số 20/2021/NĐ-CP"),
    ("2.001823", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", "An toàn thực phẩm", "Sở Công Thương",
     "Cấp tỉnh", "Một phần", "20 ngày làm việc", "2.500.000 đồng/lần/cơ sở", "Luật An toàn thực phẩm năm 2010"),
    ("1.000105", "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", "Việc làm",
     "Ban Quản lý các khu công nghiệp", "Cấp tỉnh", "Toàn trình", "05 ngày làm việc", "600.000 đồng/giấy phép",
     "Nghị định số 152/2020/NĐ-CP"),
    ("1.003005", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", "UBND cấp huyện", "Cấp huyện",
     "Không", "30 ngày", "Theo nghị quyết của HĐND tỉnh", "Luật Đất đai năm 2013\nNghị định số 43/2014/NĐ-CP"),
]

AGENCIES = [
    "Sở Tư pháp", "Sở Kế hoạch và Đầu tư", "Sở Xây dựng", "UBND thành phố Thủ Dầu Một", "UBND thành phố Dĩ An",
    "UBND thành phố Thuận An", "UBND thành phố Tân Uyên", "UBND thành phố Bến Cát", "UBND huyện Bàu Bàng",
    "UBND huyện Dầu Tiếng", "UBND huyện Phú Giáo", "UBND huyện Bắc Tân Uyên", "Sở Tài nguyên và Môi trường",
    "Sở Giao thông vận tải", "Sở Lao động - Thương binh và Xã hội", "Sở Y tế", "Sở Giáo dục và Đào tạo",
    "Sở Công Thương", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Nội vụ", "Sở Tài chính",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ",
    "Ban Quản lý các khu công nghiệp", "Văn phòng Đăng ký đất đai", "Bảo hiểm xã hội tỉnh", "Cục Thuế tỉnh",
    "Công an tỉnh", "Ban Dân tộc", "Thanh tra tỉnh", "Sở Ngoại vụ",
]


def procedures(count: int | None = None) -> list[dict[str, str]]:
    """Procedure rows keyed by the export's Vietnamese headers; beyond the hand-written
    ones, ``count`` adds variants with generated codes (for the benchmark's 1,887)."""
    rows = [dict(zip(HEADER[1:], item)) for item in PROCEDURES]
    total = count if count is not None else len(rows)
    for index in range(len(rows), total):
        template = PROCEDURES[index % len(PROCEDURES)]
        code = f"{1 + index % 2}.{900000 + index:06d}"
        rows.append(dict(zip(HEADER[1:], (code, f"{template[1]} (mẫu {index + 1})", *template[2:]))))
    return rows[:total]


def statistics(months: int = 6, agencies: int = 5, start: tuple[int, int] = (2024, 1)) -> list[dict]:
    """Monthly figures per agency, generated with a fixed seed: about 76% filed online and
    97% resolved on time, as the province reports overall."""
    rng = random.Random(74)
    names = (AGENCIES * (agencies // len(AGENCIES) + 1))[:agencies]
    names = [name if i < len(AGENCIES) else f"{name} (đơn vị mẫu {i + 1})" for i, name in enumerate(names)]
    scale = {name: rng.randint(300, 3000) for name in names}
    rows = []
    year, month = start
    for _ in range(months):
        for name in names:
            received = int(scale[name] * rng.uniform(0.8, 1.2))
            online = int(received * rng.uniform(0.6, 0.9))
            resolved = int(received * rng.uniform(0.85, 0.95))
            late = int(resolved * rng.uniform(0.0, 0.06))
            rows.append({"month": dt.date(year, month, 1), "agency": name, "received": received, "online": online,
                         "on_time": resolved - late, "late": late, "pending": received - resolved})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def _vn(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def procedures_csv(rows: list[dict[str, str]], encoding: str, delimiter: str = ",") -> bytes:
    from ckanext.binhduong.harvesters.encodings import encode_vietnamese

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([f"DANH MỤC THỦ TỤC HÀNH CHÍNH TRÊN ĐỊA BÀN TỈNH BÌNH DƯƠNG - {SAMPLE_NOTE}"])
    writer.writerow([])
    writer.writerow(HEADER)
    for number, row in enumerate(rows, 1):
        writer.writerow([number, *(row[h] for h in HEADER[1:])])
    text = buffer.getvalue()
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    return encode_vietnamese(text, encoding)


def statistics_csv(rows: list[dict]) -> bytes:
    """As a spreadsheet with a two-row merged header exports it: the merged cells' other
    positions are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f"TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH - {SAMPLE_NOTE}"])
    writer.writerow(["STT", "Tháng", "Cơ quan, đơn vị", "Số hồ sơ tiếp nhận", "", "Số hồ sơ đã giải quyết", "",
                     "Số hồ sơ đang giải quyết"])
    writer.writerow(["", "", "", "Tổng số", "Trong đó trực tuyến", "Đúng hạn", "Trễ hạn", ""])
    for number, row in enumerate(rows, 1):
        writer.writerow([number, row["month"].strftime("%m/%Y"), row["agency"], _vn(row["received"]),
                         _vn(row["online"]), _vn(row["on_time"]), _vn(row["late"]), _vn(row["pending"])])
    return buffer.getvalue().encode("utf-8")


def nasty_csv() -> bytes:
    """What goes wrong in real exports: a duplicate code, a row without a code, a malformed
    code, an agency the portal does not know, an unknown level and online level, a column
    nobody asked for."""
    rows = procedures()[:6]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f"DANH MỤC TTHC (TỆP CÓ LỖI) - {SAMPLE_NOTE}"])
    writer.writerow([*HEADER, "Mã QR"])
    for number, row in enumerate(rows, 1):
        writer.writerow([number, *(row[h] for h in HEADER[1:]), "x"])
    writer.writerow([7, rows[0]["Mã TTHC"], "Đăng ký khai sinh (bản trùng)", "Hộ tịch", "UBND cấp xã", "Cấp xã",
                     "Toàn trình", "", "", "", ""])
    writer.writerow([8, "", "Thủ tục chưa có mã", "Hộ tịch", "UBND cấp xã", "Cấp xã", "Một phần", "", "", "", ""])
    writer.writerow([9, "BD-285177", "Thủ tục mã nội bộ", "Nội vụ", "Sở Nội vụ", "Cấp tỉnh", "Một phần", "", "", "", ""])
    writer.writerow([10, "1.999001", "Thủ tục của phòng mới thành lập", "Quy hoạch",
                     "Phòng Quản lý đô thị mẫu", "Trung ương", "Mức độ 9", "07 ngày làm việc", "Không", "", ""])
    return buffer.getvalue().encode("utf-8")


def _api_procedure(row: dict[str, str]) -> dict:
    return {"maTTHC": row["Mã TTHC"], "tenTTHC": row["Tên thủ tục"], "linhVuc": row["Lĩnh vực"],
            "coQuanThucHien": row["Cơ quan thực hiện"], "capThucHien": row["Cấp thực hiện"],
            "mucDoDVC": row["Mức độ dịch vụ công"], "thoiHanGiaiQuyet": row["Thời hạn giải quyết"],
            "phiLePhi": row["Phí, lệ phí"], "canCuPhapLy": row["Căn cứ pháp lý"].split("\n")}


def procedures_pages(rows: list[dict[str, str]], page_size: int = 8, stem: str = "mau-thu-tuc-hanh-chinh-trang") \
        -> dict[str, bytes]:
    """A paged API answering {"data": [...], "meta": {...}, "links": {"next": ...}} with
    relative next links, so a static file server can serve it."""
    pages = [rows[i:i + page_size] for i in range(0, len(rows), page_size)] or [[]]
    files = {}
    for number, chunk in enumerate(pages, 1):
        document = {
            "_ghi_chu": SAMPLE_NOTE,
            "data": [_api_procedure(row) for row in chunk],
            "meta": {"page": number, "page_size": page_size, "total": len(rows), "total_pages": len(pages)},
            "links": {"next": f"{stem}-{number + 1}.json" if number < len(pages) else None},
        }
        files[f"{stem}-{number}.json"] = (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()
    return files


def statistics_pages(rows: list[dict], page_size: int = 12, stem: str = "mau-tinh-hinh-giai-quyet-trang") \
        -> dict[str, bytes]:
    """Paged by page number only (no next link): meta.page and meta.total_pages, the next
    page being the same URL with ?page=N. The pages are files ``stem-N.json``; the tests'
    server answers ``stem.json?page=N`` with them, as the real API would."""
    pages = [rows[i:i + page_size] for i in range(0, len(rows), page_size)] or [[]]
    files = {}
    for number, chunk in enumerate(pages, 1):
        document = {
            "_ghi_chu": SAMPLE_NOTE,
            "items": [{"thang": row["month"].strftime("%m/%Y"), "coQuan": row["agency"],
                       "tiepNhan": row["received"], "tiepNhanTrucTuyen": row["online"], "dungHan": row["on_time"],
                       "treHan": row["late"], "dangGiaiQuyet": row["pending"]} for row in chunk],
            "meta": {"page": number, "total_pages": len(pages), "total": len(rows)},
        }
        files[f"{stem}-{number}.json"] = (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()
    return files


def workbook(procedure_rows: list[dict[str, str]], statistic_rows: list[dict]) -> bytes:
    """The XLSX export, with everything that makes real workbooks hard to read."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from ckanext.binhduong.harvesters.encodings import encode_vietnamese

    def vntime(text: str) -> str:
        # A cell typed in the .VnTimeH font: the workbook stores the TCVN3 codes.
        return encode_vietnamese(text, "tcvn3").decode("latin-1")

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Danh mục TTHC"
    sheet["A1"] = "UBND TỈNH BÌNH DƯƠNG"
    sheet.merge_cells("A1:C1")
    sheet["F1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    sheet.merge_cells("F1:J1")
    sheet["A2"] = vntime("DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT") + " - " + SAMPLE_NOTE
    sheet["A2"].font = Font(name=".VnTimeH", bold=True)
    sheet.merge_cells("A2:J2")
    sheet.append([])
    sheet.append(HEADER)
    sheet.append([f"({i})" for i in range(1, len(HEADER) + 1)])
    ordered = sorted(procedure_rows, key=lambda row: row["Cơ quan thực hiện"])
    first_data = sheet.max_row + 1
    for number, row in enumerate(ordered, 1):
        values = [number, *(row[h] for h in HEADER[1:])]
        if row["Mã TTHC"].endswith("0") and not row["Mã TTHC"].endswith("00"):
            values[1] = float(row["Mã TTHC"])  # Excel turned "2.001610" into 2.00161
        if row["Cơ quan thực hiện"] == "Sở Kế hoạch và Đầu tư":
            values[4] = vntime(values[4])
        sheet.append(values)
    # The agency column is merged over each agency's rows, as printed reports do.
    start = first_data
    for index in range(first_data, sheet.max_row + 2):
        current = sheet.cell(index, 5).value if index <= sheet.max_row else None
        if current != sheet.cell(start, 5).value:
            if index - 1 > start:
                sheet.merge_cells(start_row=start, start_column=5, end_row=index - 1, end_column=5)
            start = index
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    sheet.append([])
    sheet.append(["", "Người lập biểu", "", "", "", "", "", "Thủ trưởng đơn vị"])

    stats = book.create_sheet("Thống kê")
    stats["A1"] = f"TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH - {SAMPLE_NOTE}"
    stats.merge_cells("A1:H1")
    stats["A2"] = "(Kèm theo Báo cáo số    /BC-VP, dữ liệu mẫu)"
    stats.merge_cells("A2:H2")
    stats.append([])
    stats.append(["STT", "Tháng", "Cơ quan, đơn vị", "Số hồ sơ tiếp nhận", None, "Số hồ sơ đã giải quyết", None,
                  "Số hồ sơ đang giải quyết"])
    stats.append([None, None, None, "Tổng số", "Trong đó trực tuyến", "Đúng hạn", "Trễ hạn", None])
    for columns in ("A4:A5", "B4:B5", "C4:C5", "D4:E4", "F4:G4", "H4:H5"):
        stats.merge_cells(columns)
    totals = [0, 0, 0, 0, 0]
    for number, row in enumerate(statistic_rows, 1):
        stats.append([number, dt.datetime.combine(row["month"], dt.time()), row["agency"], row["received"],
                      row["online"], row["on_time"], row["late"], row["pending"]])
        stats.cell(stats.max_row, 2).number_format = "mm/yyyy"
        for i, key in enumerate(("received", "online", "on_time", "late", "pending")):
            totals[i] += row[key]
    stats.append([None, None, "Tổng cộng", *totals])

    notes = book.create_sheet("Hướng dẫn")
    notes["A1"] = "Trang này chỉ có ghi chú, không phải bảng số liệu."
    notes["A2"] = SAMPLE_NOTE
    fixed = dt.datetime(2024, 7, 1, 8, 0, 0)
    book.properties.created = fixed
    book.properties.modified = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def committed_files() -> dict[str, bytes]:
    """The small text samples kept in the repository (a test checks they match this script)."""
    rows = procedures()
    stats = statistics()
    files = {
        "mau-thu-tuc-hanh-chinh.utf8-bom.csv": procedures_csv(rows, "utf-8-sig"),
        "mau-thu-tuc-hanh-chinh.windows-1258.csv": procedures_csv(rows, "windows-1258", ";"),
        "mau-thu-tuc-hanh-chinh.tcvn3.csv": procedures_csv(rows, "tcvn3"),
        "mau-thu-tuc-hanh-chinh.vni.csv": procedures_csv(rows, "vni", "\t"),
        "mau-thu-tuc-hanh-chinh.loi.csv": nasty_csv(),
        "mau-tinh-hinh-giai-quyet.csv": statistics_csv(stats),
    }
    files.update({f"api/{name}": data for name, data in procedures_pages(rows).items()})
    files.update({f"api/{name}": data for name, data in statistics_pages(stats).items()})
    return files


def write(folder: pathlib.Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=HERE, help="folder to write (default: next to this script)")
    parser.add_argument("--xlsx", action="store_true", help="also write the XLSX workbook (binary, not committed)")
    parser.add_argument("--procedures", type=int, help="number of procedures (default: the 20 hand-written ones)")
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--agencies", type=int, default=5)
    args = parser.parse_args(argv)
    if args.procedures is None and args.months == 6 and args.agencies == 5:
        files = committed_files()
    else:
        rows, stats = procedures(args.procedures), statistics(args.months, args.agencies)
        files = {"mau-thu-tuc-hanh-chinh.utf8-bom.csv": procedures_csv(rows, "utf-8-sig"),
                 "mau-tinh-hinh-giai-quyet.csv": statistics_csv(stats)}
        files.update({f"api/{n}": d for n, d in procedures_pages(rows, page_size=500).items()})
    if args.xlsx:
        files["mau-thu-tuc-hanh-chinh.xlsx"] = workbook(procedures(args.procedures),
                                                        statistics(args.months, args.agencies))
    write(args.out, files)
    print(f"{len(files)} sample files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
