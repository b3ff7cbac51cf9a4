"""read.py: encodings (UTF-8, Windows-1258, TCVN3, VNI), CSV, XLSX and paged JSON."""
from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import unicodedata
import zipfile

import openpyxl
import pytest

from ckanext.binhduong.harvesters import encodings, fetch, read
from ckanext.binhduong.harvesters.read import JsonPaging, ReadError

from ckanext.binhduong.harvesters.samples import make_samples

# Anchors written by hand from the published code tables, so that the decoder is not only
# checked against our own encoder.
MOTTO = "Cộng hòa xã hội chủ nghĩa Việt Nam"
TCVN3_MOTTO = "Céng hßa x· héi chñ nghÜa ViÖt Nam".encode("latin-1")
TCVN3_MOTTO_OLD_STYLE = "Céng hoµ x· héi chñ nghÜa ViÖt Nam".encode("latin-1")  # "hoà": tone on the a
VNI_MOTTO = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam".encode("latin-1")
CP1258_START = b"C\xf4\xf2ng ho\xcca xa\xde h\xf4\xf2i"  # tones as combining marks after the letter

SENTENCE = ("Đăng ký khai sinh, kết hôn; cấp bản sao trích lục hộ tịch. Thời hạn giải quyết: 03 ngày làm việc. "
            "Người nộp hồ sơ trực tuyến qua Cổng dịch vụ công tỉnh Bình Dương; phường Phú Cường, thành phố "
            "Thủ Dầu Một; huyện Bắc Tân Uyên; giường, quyết, khuếch, huỳnh, thuở, giữa, ngoằn ngoèo.")


def alphabet(upper: bool) -> str:
    letters = []
    for vowel in "aăâeêioôơuưy":
        for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"):
            letters.append(unicodedata.normalize("NFC", vowel + tone))
    letters.append("đ")
    text = "".join(letters)
    return text.upper() if upper else text


# ---------------------------------------------------------------------------------------
# Legacy encodings

def test_tcvn3_and_vni_anchors_decode():
    assert encodings.legacy_to_unicode(TCVN3_MOTTO.decode("latin-1"), "tcvn3") == MOTTO
    assert encodings.legacy_to_unicode(TCVN3_MOTTO_OLD_STYLE.decode("latin-1"), "tcvn3") == MOTTO.replace("hòa", "hoà")
    assert encodings.legacy_to_unicode(VNI_MOTTO.decode("latin-1"), "vni") == MOTTO
    assert encodings.legacy_to_unicode("§éc lËp - Tù do - H¹nh phóc", "tcvn3") == "Độc lập - Tự do - Hạnh phúc"
    assert encodings.legacy_to_unicode("Ñoäc laäp - Töï do - Haïnh phuùc", "vni") == "Độc lập - Tự do - Hạnh phúc"
    assert encodings.legacy_to_unicode("Së T\xad ph¸p", "tcvn3") == "Sở Tư pháp"  # 0xAD (soft hyphen) is ư


def test_the_encoders_write_the_anchors():
    assert encodings.encode_vietnamese(MOTTO, "tcvn3") == TCVN3_MOTTO
    assert encodings.encode_vietnamese(MOTTO, "vni") == VNI_MOTTO
    assert encodings.encode_vietnamese("Cộng hòa xã hội", "windows-1258") == CP1258_START


@pytest.mark.parametrize("encoding, upper", [("tcvn3", False), ("vni", False), ("vni", True),
                                             ("windows-1258", False), ("windows-1258", True)])
def test_every_vietnamese_letter_round_trips(encoding, upper):
    letters = alphabet(upper)
    text, used = read.decode_text(encodings.encode_vietnamese(letters, encoding), encoding)
    assert (text, used) == (letters, encoding)


def test_tcvn3_capitals_of_toned_letters_come_back_in_words_written_in_capitals():
    # TCVN3 has no codes for capital toned letters (the .VnTimeH font reused the small ones).
    encoded = encodings.encode_vietnamese("DANH MỤC THỦ TỤC HÀNH CHÍNH của Sở", "tcvn3")
    assert read.decode_text(encoded, "tcvn3")[0] == "DANH MỤC THỦ TỤC HÀNH CHÍNH của Sở"


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "windows-1258"])
def test_the_encoding_of_vietnamese_text_is_detected(encoding):
    text, used = read.decode_text(encodings.encode_vietnamese(SENTENCE, encoding))
    assert (text, used) == (SENTENCE, encoding)


@pytest.mark.parametrize("data, expected", [(TCVN3_MOTTO, "tcvn3"), (VNI_MOTTO, "vni"),
                                            (CP1258_START, "windows-1258")])
def test_even_a_short_line_is_detected(data, expected):
    assert read.decode_text(data)[1] == expected


def test_utf8_with_and_without_bom_and_utf16_are_read():
    assert read.decode_text(codecs.BOM_UTF8 + SENTENCE.encode()) == (SENTENCE, "utf-8")
    assert read.decode_text(SENTENCE.encode()) == (SENTENCE, "utf-8")
    assert read.decode_text(SENTENCE.encode("utf-16")) == (SENTENCE, "utf-16")


def test_decomposed_unicode_is_made_precomposed():
    decomposed = unicodedata.normalize("NFD", SENTENCE)
    assert decomposed != SENTENCE
    assert read.decode_text(decomposed.encode())[0] == SENTENCE


def test_a_wrong_configured_encoding_is_a_clear_error():
    with pytest.raises(ReadError) as raised:
        read.decode_text(encodings.encode_vietnamese(SENTENCE, "windows-1258"), "utf-8")
    assert "không đọc được theo bảng mã “utf-8”" in raised.value.vi


def test_an_unknown_encoding_name_is_refused():
    with pytest.raises(ValueError):
        encodings.canonical_encoding("tcvn-99")
    assert encodings.canonical_encoding("VNI-Windows") == "vni"
    assert encodings.canonical_encoding("ABC") == "tcvn3"
    assert encodings.canonical_encoding("cp1258") == "windows-1258"


def test_font_encoded_cells_are_repaired_and_unicode_cells_left_alone():
    assert encodings.repair_legacy("Thñ tôc hµnh chÝnh") == "Thủ tục hành chính"
    assert encodings.repair_legacy("Thuû tuïc haønh chính") == "Thủ tục hành chính"
    for genuine in ("Tên thủ tục", "Phí, lệ phí", "Bình Dương", "Cơ quan thực hiện", "Mức độ", "Café Müller",
                    "Thời hạn giải quyết", "Căn cứ pháp lý", "Lĩnh vực", "UBND cấp xã", "Tổng số"):
        assert encodings.repair_legacy(genuine) == genuine


def test_the_vietnamese_score_prefers_the_right_reading():
    assert encodings.vietnamese_score(SENTENCE) > 20
    assert encodings.vietnamese_score(encodings.encode_vietnamese(SENTENCE, "vni").decode("latin-1")) < 0
    assert encodings.vietnamese_score(encodings.encode_vietnamese(SENTENCE, "tcvn3").decode("latin-1")) < 0
    assert encodings.vietnamese_score("ASCII only, 123") == 0


# ---------------------------------------------------------------------------------------
# Formats

@pytest.mark.parametrize("data, expected", [
    (b"PK\x03\x04rest", "xlsx"), (b'  {"data": []}', "json"), (b"\xef\xbb\xbf[1]", "json"),
    ("Mã TTHC;Tên\n1.001193;Đăng ký khai sinh\n".encode(), "csv"),
])
def test_the_format_is_sniffed_from_the_content(data, expected):
    assert read.sniff_format(data, "application/octet-stream", "nguồn") == expected


@pytest.mark.parametrize("data, content_type, message", [
    (b"", None, "nội dung rỗng"),
    (b"   \n", None, "nội dung rỗng"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None, "Excel 97-2003 (.xls)"),
    (b"%PDF-1.7", None, "là PDF"),
    (b"\n<!-- cms -->\n<!DOCTYPE html><html>", "text/html", "(HTML) thay vì dữ liệu"),
    (b"<html><body>Login</body></html>", None, "(HTML) thay vì dữ liệu"),
    (b"Error 500", "text/html; charset=utf-8", "(HTML) thay vì dữ liệu"),
    (b'<?xml version="1.0"?><a/>', None, "XML"),
    (bytes(range(256)), None, "tệp nhị phân"),
])
def test_what_cannot_be_read_is_said_in_vietnamese(data, content_type, message):
    with pytest.raises(ReadError) as raised:
        read.sniff_format(data, content_type, "nguồn")
    assert message in raised.value.vi


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters_are_detected_under_title_rows(delimiter):
    lines = ["DANH MỤC THỦ TỤC (DỮ LIỆU MẪU)", "", delimiter.join(["STT", "Mã TTHC", "Tên thủ tục"]),
             delimiter.join(["1", "1.001193", '"Đăng ký khai sinh\nvà cấp bản sao"']),
             delimiter.join(["2", "1.000894", "Đăng ký kết hôn"])]
    sheet = read.read_csv("\r\n".join(lines).encode("utf-8"), name="x.csv")
    assert sheet.rows[2] == ["STT", "Mã TTHC", "Tên thủ tục"]
    assert sheet.rows[3][2] == "Đăng ký khai sinh\nvà cấp bản sao"
    assert sheet.rows[4] == ["2", "1.000894", "Đăng ký kết hôn"]


def test_a_configured_delimiter_wins():
    sheet = read.read_csv("a;b,c\n1;2,3\n".encode(), delimiter=",")
    assert sheet.rows == [["a;b", "c"], ["1;2", "3"]]


def test_a_csv_with_an_html_body_is_refused():
    with pytest.raises(ReadError) as raised:
        read.read_csv(b"<!DOCTYPE html><html><body>Maintenance</body></html>", name="x.csv")
    assert "HTML" in raised.value.vi


def test_utf8_csv_cells_typed_in_a_legacy_font_are_repaired():
    data = "Mã TTHC,Tên thủ tục\n1.001193,Thñ tôc hµnh chÝnh\n".encode("utf-8")
    assert read.read_csv(data).rows[1][1] == "Thủ tục hành chính"
    assert read.read_csv(data, encoding="utf-8").rows[1][1] == "Thñ tôc hµnh chÝnh"  # as configured


@pytest.fixture(scope="module")
def workbook_bytes():
    return make_samples.workbook(make_samples.procedures(), make_samples.statistics())


def test_xlsx_sheets_title_rows_and_merged_cells(workbook_bytes):
    sheets = read.read_xlsx(workbook_bytes, name="mau.xlsx")
    assert [s.title for s in sheets] == ["Danh mục TTHC", "Thống kê", "Hướng dẫn"]
    catalogue, figures = sheets[0], sheets[1]
    # The title, typed in .VnTimeH, comes back in Unicode; the merged title fills its range.
    assert catalogue.rows[1][0].startswith("DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT")
    assert catalogue.rows[1][9] == catalogue.rows[1][0]
    assert catalogue.rows[3][:3] == ["STT", "Mã TTHC", "Tên thủ tục"]
    agencies = [row[4] for row in catalogue.rows[5:25]]
    assert agencies.count("UBND cấp huyện") == 5  # merged down over its five rows
    assert "Sở Kế hoạch và Đầu tư" in agencies  # a .VnTime cell
    assert 2.00161 in [row[1] for row in catalogue.rows[5:25]]  # what Excel does to "2.001610"
    # Two-row header: the merged "Số hồ sơ tiếp nhận" names both sub-columns.
    assert figures.rows[3][3] == figures.rows[3][4] == "Số hồ sơ tiếp nhận"
    assert figures.rows[4][3:5] == ["Tổng số", "Trong đó trực tuyến"]
    assert figures.rows[3][1] == figures.rows[4][1] == "Tháng"
    assert figures.rows[5][1] == dt.datetime(2024, 1, 1)


def test_hidden_sheets_are_skipped():
    book = openpyxl.Workbook()
    book.active.title = "Dữ liệu"
    book.create_sheet("Ẩn").sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    assert [s.title for s in read.read_xlsx(buffer.getvalue())] == ["Dữ liệu"]


def test_broken_workbooks_are_refused_clearly(workbook_bytes):
    with pytest.raises(ReadError) as raised:
        read.read_xlsx(workbook_bytes[: len(workbook_bytes) // 2], name="mau.xlsx")
    assert "bị hỏng hoặc không tải về trọn vẹn" in raised.value.vi
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ReadError) as raised:
        read.read_xlsx(docx.getvalue(), name="bao-cao.docx")
    assert "không phải XLSX" in raised.value.vi
    with pytest.raises(ReadError) as raised:
        read.read_xlsx(workbook_bytes, name="mau.xlsx", max_uncompressed=10_000)
    assert "quá lớn khi giải nén" in raised.value.vi


def test_an_xlsx_in_a_configured_legacy_encoding_is_converted():
    book = openpyxl.Workbook()
    book.active.append(["Tªn thñ tôc"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read.read_xlsx(buffer.getvalue(), encoding="tcvn3")[0].rows == [["Tên thủ tục"]]


# ---------------------------------------------------------------------------------------
# JSON

def _get(policy):
    return lambda url: fetch.fetch(url, policy).content


LOCAL = fetch.FetchPolicy(allow_private=True, timeout=2)


def test_pages_linked_by_next_urls_are_collected(sample_server):
    first = sample_server.url("api/mau-thu-tuc-hanh-chinh-trang-1.json")
    records = read.collect_json_pages(first, fetch.fetch(first, LOCAL).content, _get(LOCAL))
    assert [r["maTTHC"] for r in records] == [p["Mã TTHC"] for p in make_samples.procedures()]
    sheet = read.records_to_sheet(records, "api")
    assert sheet.rows[0][:2] == ["maTTHC", "tenTTHC"]
    # A list becomes one item per line, as a multi-line cell would be.
    basis = sheet.rows[0].index("canCuPhapLy")
    assert sheet.rows[11][basis] == "Luật Đất đai năm 2013\nNghị định số 43/2014/NĐ-CP"


def test_pages_numbered_in_the_query_are_collected(sample_server):
    first = sample_server.url("api/mau-tinh-hinh-giai-quyet-trang.json?page=1")
    records = read.collect_json_pages(first, fetch.fetch(first, LOCAL).content, _get(LOCAL))
    assert len(records) == 30
    assert sample_server.requests[-1] == "/api/mau-tinh-hinh-giai-quyet-trang.json?page=3"


def _page(records, **extra):
    return json.dumps({"data": records, **extra}).encode()


def test_a_page_loop_is_an_error(sample_server):
    url = sample_server.put("api/vong.json", _page([{"a": 1}], links={"next": "vong.json"}), "application/json")
    with pytest.raises(ReadError) as raised:
        read.collect_json_pages(url, fetch.fetch(url, LOCAL).content, _get(LOCAL))
    assert "vòng lặp trang" in raised.value.vi


def test_too_many_pages_is_an_error(sample_server):
    for number in range(1, 6):
        sample_server.put(f"api/p{number}.json", _page([{"a": number}], links={"next": f"p{number + 1}.json"}),
                          "application/json")
    url = sample_server.url("api/p1.json")
    with pytest.raises(ReadError) as raised:
        read.collect_json_pages(url, fetch.fetch(url, LOCAL).content, _get(LOCAL), JsonPaging(max_pages=3))
    assert "hơn 3 trang" in raised.value.vi


def test_a_declared_total_that_does_not_match_is_an_error(sample_server):
    url = sample_server.put("api/thieu.json", _page([{"a": 1}], meta={"total": 2}), "application/json")
    with pytest.raises(ReadError) as raised:
        read.collect_json_pages(url, fetch.fetch(url, LOCAL).content, _get(LOCAL))
    assert "báo 2 bản ghi nhưng trả về 1" in raised.value.vi


def test_configured_paths_and_bad_pages():
    document = json.dumps({"ketQua": {"danhSach": [{"ma": "1.001193"}]}, "tiep": None}).encode()
    records = read.collect_json_pages("http://x/api", document, lambda url: b"",
                                      JsonPaging(records="ketQua.danhSach", next="tiep"))
    assert records == [{"ma": "1.001193"}]
    with pytest.raises(ReadError) as raised:
        read.collect_json_pages("http://x/api", json.dumps({"message": "ok"}).encode(), lambda url: b"")
    assert "không có danh sách bản ghi" in raised.value.vi
    with pytest.raises(ReadError) as raised:
        read.collect_json_pages("http://x/api", b'{"data": [', lambda url: b"")
    assert "bị lỗi ở dòng 1" in raised.value.vi
    with pytest.raises(ReadError) as raised:
        read.collect_json_pages("http://x/api", b'{"data": [], "links": {"next": "p2"}}',
                                lambda url: "<!DOCTYPE html><html><body>Đăng nhập</body></html>".encode())
    assert "HTML" in raised.value.vi


def test_nested_records_are_flattened():
    sheet = read.records_to_sheet([{"ma": "1", "coQuan": {"ten": "Sở Tư pháp", "ma": "000.00.16.H57"},
                                    "tags": ["a", "b"], "so": 3}], "api")
    assert sheet.rows == [["ma", "coQuan.ten", "coQuan.ma", "tags", "so"],
                          ["1", "Sở Tư pháp", "000.00.16.H57", "a\nb", 3]]
