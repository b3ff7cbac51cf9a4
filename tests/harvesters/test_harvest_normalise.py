"""values.py: reporting months, procedure codes, list cells and agency names; normalise.py:
header detection in grids laid out for printing. (Numbers, dates and folding: tests/test_text.py.)"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ckanext.binhduong.harvesters import normalise, values
from ckanext.binhduong.harvesters.normalise import Column, TableSpec
from ckanext.binhduong.harvesters.problems import Problem, TableError


@pytest.mark.parametrize("value, year, month", [
    ("01/2024", None, "2024-01"), ("1/2024", None, "2024-01"), ("T1/2024", None, "2024-01"),
    ("T01-2024", None, "2024-01"), ("Tháng 01/2024", None, "2024-01"), ("tháng 1 năm 2024", None, "2024-01"),
    ("2024-01", None, "2024-01"), ("2024/12", None, "2024-12"), (dt.datetime(2024, 2, 1), None, "2024-02"),
    ("15/03/2024", None, "2024-03"), ("3", 2024, "2024-03"), ("Tháng 3", "2024", "2024-03"), (3, 2024, "2024-03"),
    (45352, None, "2024-03"), ("", None, None),
])
def test_reporting_months(value, year, month):
    assert values.parse_month(value, year) == month


@pytest.mark.parametrize("value, year", [("13/2024", None), ("3", None), ("Quý 1/2024", None), ("0/2024", None)])
def test_what_is_not_a_month(value, year):
    with pytest.raises(ValueError):
        values.parse_month(value, year)


def test_month_bounds():
    assert values.month_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert values.month_bounds("2024-12") == (dt.date(2024, 12, 1), dt.date(2024, 12, 31))


@pytest.mark.parametrize("value, code", [
    ("1.004227", "1.004227"), (" 1.004227\u200b", "1.004227"), (1.004227, "1.004227"),
    (2.00161, "2.001610"),  # Excel dropped the trailing zero of 2.001610
    ("2.00161", "2.001610"), ("1,00422", "1.004220"),  # and so did a CSV saved from it
    ("1.004227.000.00.00.h12", "1.004227.000.00.00.H12"), ("", None), (None, None),
])
def test_procedure_codes(value, code):
    assert values.tthc_code(value) == code


@pytest.mark.parametrize("value", ["1004227", "BD-285177", "1.0042271", "a.004227", 1004227, "1.004227.000"])
def test_malformed_procedure_codes(value):
    with pytest.raises(ValueError):
        values.tthc_code(value)


def test_list_cells_become_one_line():
    assert values.clean_multiline("- Luật Hộ tịch năm 2014;\n+ Nghị định số 123/2015/NĐ-CP\n\n") == \
        "Luật Hộ tịch năm 2014; Nghị định số 123/2015/NĐ-CP"


def test_agency_names_match_however_written():
    assert values.name_key("UBND huyện Dầu Tiếng") == values.name_key("Ủy ban nhân dân huyện Dầu Tiếng")
    assert values.name_key("Sở Tư pháp tỉnh Bình Dương") == values.name_key("Sở Tư pháp")


# ---------------------------------------------------------------------------------------
# Layout

SPEC = TableSpec(
    key="t", label="Bảng thử",
    columns=(
        Column("code", "Mã TTHC", ("Mã thủ tục", "maTTHC"), kind="tthc_code", required=True),
        Column("name", "Tên thủ tục", ("tenTTHC",), required=True),
        Column("received", "Tiếp nhận", ("Số hồ sơ tiếp nhận Tổng số",), kind="int"),
        Column("online", "Trực tuyến", ("Trong đó trực tuyến",), kind="int"),
        Column("date", "Ngày", kind="date"),
    ),
    ignore=("STT",),
)


def test_the_header_is_found_under_title_rows_and_the_numbering_row_dropped():
    grid = [
        ["UBND TỈNH BÌNH DƯƠNG", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["DANH MỤC THỦ TỤC (DỮ LIỆU MẪU)"],
        [],
        ["STT", "MÃ TTHC", "Tên thủ tục", "Tiếp nhận"],
        ["(1)", "(2)", "(3)", "(4)"],
        [1, "1.001193", "Đăng ký khai sinh", "1.234"],
        [2, "1.000894", "Đăng ký kết hôn", "15"],
    ]
    table = normalise.table_from_grid(grid, SPEC, "mẫu")
    assert table.header_row == 4
    assert table.columns == {"code": "MÃ TTHC", "name": "Tên thủ tục", "received": "Tiếp nhận"}
    frame, problems = normalise.coerce(table)
    assert problems == []
    assert frame[["code", "received", "_row"]].to_dict("records") == [
        {"code": "1.001193", "received": 1234, "_row": 6}, {"code": "1.000894", "received": 15, "_row": 7}]


def test_a_two_row_header_under_merged_cells_as_a_workbook_fills_it():
    grid = [
        ["Mã TTHC", "Tên thủ tục", "Số hồ sơ tiếp nhận", "Số hồ sơ tiếp nhận"],
        ["Mã TTHC", "Tên thủ tục", "Tổng số", "Trong đó trực tuyến"],
        ["1.001193", "Đăng ký khai sinh", 10, 7],
    ]
    table = normalise.table_from_grid(grid, SPEC, "mẫu")
    assert table.columns == {"code": "Mã TTHC", "name": "Tên thủ tục", "received": "Số hồ sơ tiếp nhận Tổng số",
                             "online": "Số hồ sơ tiếp nhận Trong đó trực tuyến"}
    assert table.header_row == 2


def test_a_two_row_header_as_a_csv_export_leaves_it():
    grid = [
        ["Mã TTHC", "Tên thủ tục", "Số hồ sơ tiếp nhận", ""],
        ["", "", "Tổng số", "Trong đó trực tuyến"],
        ["1.001193", "Đăng ký khai sinh", "10", "7"],
    ]
    table = normalise.table_from_grid(grid, SPEC, "mẫu")
    assert set(table.columns) == {"code", "name", "received", "online"}
    assert normalise.coerce(table)[0].loc[0, "online"] == 7


def test_a_signature_block_is_dropped_but_a_short_data_row_is_kept():
    grid = [
        ["Mã TTHC", "Tên thủ tục", "Tiếp nhận", "Trực tuyến"],
        ["1.001193", "Đăng ký khai sinh", 10, 7],
        ["1.000894", None, 3, 1],
        [],
        ["Người lập biểu", None, "Thủ trưởng đơn vị"],
        [None, "(đã ký)", None, "(đã ký và đóng dấu)"],
    ]
    frame = normalise.table_from_grid(grid, SPEC, "mẫu").frame
    assert frame["code"].tolist() == ["1.001193", "1.000894"]


def test_rows_after_a_blank_row_that_look_like_data_are_kept():
    grid = [
        ["Mã TTHC", "Tên thủ tục", "Tiếp nhận", "Trực tuyến"],
        ["1.001193", "Đăng ký khai sinh", 10, 7],
        [],
        ["1.000894", "Đăng ký kết hôn", 3, 1],
    ]
    assert normalise.table_from_grid(grid, SPEC, "mẫu").frame["code"].tolist() == ["1.001193", "1.000894"]


def test_a_missing_required_column_says_which_and_what_was_found():
    grid = [["STT", "Số hiệu", "Tên thủ tục"], [1, "1.001193", "Đăng ký khai sinh"]]
    with pytest.raises(TableError) as raised:
        normalise.table_from_grid(grid, SPEC, "tệp mẫu")
    assert "thiếu cột bắt buộc “Mã TTHC”" in raised.value.vi
    assert "“Số hiệu”" in raised.value.vi and "tệp mẫu" in raised.value.vi


def test_no_header_at_all():
    with pytest.raises(TableError) as raised:
        normalise.table_from_grid([["a", "b"], [1, 2]], SPEC, "tệp mẫu")
    assert "Không tìm thấy dòng tiêu đề" in raised.value.vi


def test_unknown_columns_are_reported_unless_ignored():
    grid = [["STT", "Mã TTHC", "Tên thủ tục", "Mã QR"], [1, "1.001193", "Đăng ký khai sinh", "x"]]
    table = normalise.table_from_grid(grid, SPEC, "mẫu")
    assert table.unknown_columns == ["Mã QR"]
    assert "có cột không nhận ra, đã bỏ qua: “Mã QR”" in table.problems[0].vi
    assert normalise.table_from_grid(grid, SPEC, "mẫu", ignore_columns=["mã qr"]).problems == []


def test_json_style_keys_are_matched():
    grid = [["maTTHC", "tenTTHC"], ["1.001193", "Đăng ký khai sinh"]]
    assert set(normalise.table_from_grid(grid, SPEC, "api").columns) == {"code", "name"}


def test_unreadable_values_are_reported_once_per_column_with_their_rows():
    grid = [["Mã TTHC", "Tên thủ tục", "Tiếp nhận", "Ngày"],
            ["1.001193", "A", "mười", "31/02/2024"],
            ["BD-1", "B", "12", "01/03/2024"],
            ["1.000894", "C", "?", ""]]
    frame, problems = normalise.coerce(normalise.table_from_grid(grid, SPEC, "mẫu"))
    assert frame["received"].tolist() == [None, 12, None]
    assert frame["date"].tolist() == [None, "2024-03-01", None]
    messages = {p.vi.split(":")[0]: p for p in problems}
    assert messages["Cột “Tiếp nhận”"].rows == (2, 4)
    assert "không phải là số nguyên" in messages["Cột “Tiếp nhận”"].vi
    assert messages["Cột “Ngày”"].rows == (2,)
    assert messages["Cột “Mã TTHC”"].rows == (3,)
    assert "(dòng 2, 4)" in messages["Cột “Tiếp nhận”"].message()


def test_problems_about_personal_columns_never_quote_the_values():
    spec = TableSpec(key="p", label="Hộ tịch", columns=(
        Column("id_number", "Số định danh", kind="int", required=True, sensitive=True),))
    grid = [["Số định danh"], ["0742O1234567"]]
    _, problems = normalise.coerce(normalise.table_from_grid(grid, spec, "mẫu"))
    assert problems[0].rows == (2,)
    assert "0742O1234567" not in problems[0].message()


def test_long_row_lists_are_shortened():
    problem = Problem("Lỗi", "Error", tuple(range(1, 41)))
    assert "và 25 dòng khác" in problem.message() and "and 25 more" in problem.message()


def test_row_list_gives_plain_python_values():
    frame = pd.DataFrame({"a": [1, None], "b": ["x", float("nan")]}, dtype=object)
    assert normalise.row_list(frame, ["a", "b"]) == [{"a": 1, "b": "x"}, {"a": None, "b": None}]
