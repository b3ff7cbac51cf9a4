"""A harvest source's JSON config: the options every harvester of ours takes, their types
and values, and messages an operator can act on (Vietnamese, with the English beside it)."""
from __future__ import annotations

import difflib
import json
import re
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from ckanext.binhduong.harvesters import encodings
from ckanext.binhduong.harvesters.problems import Problem

__all__ = ["ConfigError", "TABLE_OPTIONS", "COMMON_OPTIONS", "JSON_OPTIONS", "FORMATS", "parse_source_config"]


class ConfigError(ValueError):
    """The source config is not usable; every problem found is listed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            "Cấu hình nguồn thu thập chưa đúng: " + " ".join(p.vi for p in problems)
            + " [EN] Invalid source configuration: " + " ".join(p.en for p in problems))


# Options of one table, allowed at the top level (for every table) or in the table's block.
TABLE_OPTIONS = {
    "url": str, "format": str, "encoding": str, "delimiter": str, "sheet": (str, int), "json": dict,
    "ignore_columns": list, "frequency": str, "name": str, "title": str, "enabled": bool,
}
COMMON_OPTIONS = {
    "owner_org": str, "author": str, "contact": (dict, list), "license_id": str, "theme": list,
    "spatial_units": list, "tags": list, "agency_map": dict,
    **{k: v for k, v in TABLE_OPTIONS.items() if k not in ("url", "name", "title", "enabled")},
}
JSON_OPTIONS = {"records": str, "next": str, "total_pages": str, "total": str, "page_param": str, "max_pages": int}
FORMATS = ("auto", "csv", "xlsx", "json")
_TYPE_VI = {str: "chuỗi", int: "số nguyên", float: "số", bool: "true/false", list: "danh sách [...]",
            dict: "đối tượng {...}"}
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


def _types_vi(expected: Any) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " hoặc ".join(_TYPE_VI.get(t, t.__name__) for t in types)


def _check_type(where: str, value: Any, expected: Any, problems: list[Problem]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok:
        problems.append(Problem(f"“{where}” phải là {_types_vi(expected)}.",
                                f"'{where}' must be {' or '.join(t.__name__ for t in types)}."))
    return ok


def _unknown_key(where: str, key: str, allowed: Iterable[str], problems: list[Problem]) -> None:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint_vi = f" Có phải ý bạn là “{close[0]}”?" if close else ""
    hint_en = f" Did you mean '{close[0]}'?" if close else ""
    problems.append(Problem(
        f"Không có tùy chọn “{where}{key}”.{hint_vi} Các tùy chọn: {', '.join(sorted(allowed))}.",
        f"Unknown option '{where}{key}'.{hint_en}"))


def _check_table_block(prefix: str, block: dict[str, Any], problems: list[Problem]) -> None:
    for key, value in block.items():
        if key not in TABLE_OPTIONS:
            _unknown_key(prefix, key, TABLE_OPTIONS, problems)
        elif _check_type(prefix + key, value, TABLE_OPTIONS[key], problems):
            _check_value(prefix + key, key, value, problems)


def _check_value(where: str, key: str, value: Any, problems: list[Problem]) -> None:
    from ckanext.binhduong import places, vocabularies

    if key == "url":
        if urlsplit(value).scheme not in ("http", "https"):
            problems.append(Problem(f"“{where}” phải là địa chỉ http:// hoặc https://.",
                                    f"'{where}' must be an http(s) URL."))
    elif key == "format" and value not in FORMATS:
        problems.append(Problem(f"“{where}” phải là một trong: {', '.join(FORMATS)}.",
                                f"'{where}' must be one of {', '.join(FORMATS)}."))
    elif key == "encoding":
        try:
            encodings.canonical_encoding(value)
        except ValueError:
            problems.append(Problem(
                f"Bảng mã “{value}” không được hỗ trợ; dùng auto, utf-8, windows-1258, tcvn3 hoặc vni.",
                f"Unsupported encoding '{value}'."))
    elif key == "delimiter" and len(value) != 1:
        problems.append(Problem(f"“{where}” phải là đúng một ký tự (vd. “;”).", f"'{where}' must be one character."))
    elif key == "frequency" and vocabularies.term("frequencies", value) is None:
        problems.append(Problem(f"Tần suất “{value}” không có trong danh mục (vd. MONTHLY, WEEKLY, DAILY).",
                                f"Unknown frequency '{value}'."))
    elif key == "theme":
        for code in value:
            if vocabularies.term("themes", str(code)) is None:
                problems.append(Problem(f"Chủ đề “{code}” không có trong danh mục chủ đề EU (vd. GOVE).",
                                        f"Unknown theme '{code}'."))
    elif key == "spatial_units":
        for code in value:
            if places.get_unit(str(code)) is None:
                problems.append(Problem(f"Mã đơn vị hành chính “{code}” không tồn tại (vd. 74 là tỉnh Bình Dương).",
                                        f"Unknown administrative unit '{code}'."))
    elif key == "license_id" and value not in vocabularies.open_licence_ids():
        problems.append(Problem(f"Giấy phép “{value}” không phải giấy phép mở của cổng (vd. CC-BY-4.0).",
                                f"'{value}' is not one of the portal's open licences."))
    elif key == "contact":
        contacts = value if isinstance(value, list) else [value]
        for contact in contacts:
            if not isinstance(contact, dict) or not contact.get("name") or not _EMAIL.match(str(contact.get("email", ""))):
                problems.append(Problem(
                    "“contact” cần tên và thư điện tử hợp lệ, vd. {\"name\": \"Phòng Kiểm soát TTHC\", "
                    "\"email\": \"kstthc@binhduong.gov.vn\"}.",
                    "'contact' needs a name and a valid email."))
    elif key == "json":
        for option, option_value in value.items():
            if option not in JSON_OPTIONS:
                _unknown_key(f"{where}.", option, JSON_OPTIONS, problems)
            else:
                _check_type(f"{where}.{option}", option_value, JSON_OPTIONS[option], problems)
    elif key == "name" and not _NAME.match(value):
        problems.append(Problem(f"“{where}” chỉ gồm chữ thường không dấu, số, “-” và “_” (2–100 ký tự).",
                                f"'{where}' must be a CKAN name (a-z, 0-9, - and _)."))
    elif key == "agency_map":
        for agency, org in value.items():
            if not isinstance(org, str):
                problems.append(Problem(
                    f"“agency_map”: cơ quan “{agency}” phải ứng với tên tổ chức trên cổng (hoặc \"\" nếu không có).",
                    f"'agency_map' entry '{agency}' must name an organization (or be \"\")."))



def parse_source_config(text: str | None, tables: Iterable[str], extra_options: dict[str, Any],
                        check_extra: Callable[[dict[str, Any]], list[Problem]]) -> dict[str, Any]:
    """The config as a dict; ConfigError listing every problem (in both languages).
    ``tables`` are the keys of the harvester's table blocks, ``extra_options`` its own
    options and their types, ``check_extra`` its own value checks (run when the rest is fine)."""
    if not text or not text.strip():
        return {}
    try:
        config = json.loads(text)
    except ValueError as error:
        raise ConfigError([Problem(
            f"Cấu hình không phải JSON hợp lệ (dòng {getattr(error, 'lineno', '?')}, cột "
            f"{getattr(error, 'colno', '?')}). Ví dụ đúng: {{\"encoding\": \"tcvn3\"}}.",
            f"Config is not valid JSON: {error}.")]) from error
    if not isinstance(config, dict):
        raise ConfigError([Problem("Cấu hình phải là một đối tượng JSON {...}.", "Config must be a JSON object.")])
    problems: list[Problem] = []
    table_keys = set(tables)
    allowed = {**COMMON_OPTIONS, **extra_options, **{key: dict for key in table_keys}}
    for key, value in config.items():
        if key not in allowed:
            _unknown_key("", key, allowed, problems)
        elif not _check_type(key, value, allowed[key], problems):
            continue
        elif key in table_keys:
            _check_table_block(f"{key}.", value, problems)
        elif key in COMMON_OPTIONS:
            _check_value(key, key, value, problems)
    problems.extend(check_extra(config) if not problems else [])
    if problems:
        raise ConfigError(problems)
    return config
