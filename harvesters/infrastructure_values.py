"""Values of the infrastructure registers, read the many ways operators write them: operator
names, technologies, yes/no cells, tower types, bandwidths and percentages."""
from __future__ import annotations

import re
from typing import Any

from ckanext.binhduong.text import clean_text, fold, parse_number

__all__ = ["OPERATORS", "operator_of", "parse_technologies", "parse_shared", "tower_type", "parse_bandwidth",
           "parse_percent"]

# Canonical name → folded patterns (words, separated by spaces) that designate it. The mobile
# network operators licensed in Vietnam, under their group, brand and former names.
OPERATORS: dict[str, tuple[str, ...]] = {
    "Viettel": (r"viettel", r"vtl", r"tap doan (cong nghiep )?vien thong quan doi", r"vietel"),
    "VNPT (VinaPhone)": (r"vnpt", r"vinaphone", r"vina phone", r"vinafone", r"vnp", r"vien thong binh duong",
                         r"tap doan buu chinh vien thong"),
    "MobiFone": (r"mobifone", r"mobi fone", r"mobiphone", r"mobi", r"vms", r"mbf"),
    "Vietnamobile": (r"vietnamobile", r"vietnam mobile", r"vnmobile", r"vnm", r"ht mobile", r"hutchison"),
    "Gtel (Gmobile)": (r"gtel", r"gmobile", r"g mobile", r"gtel mobile", r"beeline"),
}
_OPERATOR_PATTERNS = [(name, re.compile(rf"(^| )({'|'.join(patterns)})( |$)")) for name, patterns in OPERATORS.items()]


def operator_of(value: Any) -> str | None:
    """The canonical operator of "VNPT Bình Dương", "Tổng Công ty Viễn thông MobiFone",
    "VIETTEL", "Gmobile"..., or None when it names none (or several)."""
    key = fold(value, " ")
    if not key:
        return None
    found = {name for name, pattern in _OPERATOR_PATTERNS if pattern.search(key)}
    return found.pop() if len(found) == 1 else None


_TECH = {"2g": "2G", "gsm": "2G", "3g": "3G", "umts": "3G", "wcdma": "3G", "hspa": "3G", "4g": "4G", "lte": "4G",
         "5g": "5G", "nr": "5G"}


def parse_technologies(value: Any) -> tuple[list[str], list[str]]:
    """(["2G", "3G", "4G"], unknown parts) from "2G/3G/4G", "4G, 5G", "GSM + LTE", "4G-LTE"..."""
    text = clean_text(value)
    if not text:
        return [], []
    found, unknown = set(), []
    for part in re.split(r"[/,;+&\n]|\bvà\b|\s+-\s+|\s+", text):
        key = fold(part)
        if not key:
            continue
        if key in _TECH:
            found.add(_TECH[key])
        elif re.fullmatch(r"(\dg)+", key) and all(m in _TECH for m in re.findall(r"\dg", key)):  # "2g3g4g"
            found.update(_TECH[m] for m in re.findall(r"\dg", key))
        elif key in ("4glte", "lte4g"):
            found.add("4G")
        elif key in ("5gnr", "nr5g"):
            found.add("5G")
        else:
            unknown.append(part.strip())
    return sorted(found), unknown


_YES = {"co", "x", "1", "true", "yes", "y", "dung chung", "da dung chung", "co dung chung", "ket noi", "da ket noi",
        "co ket noi"}
_NO = {"khong", "0", "false", "no", "n", "rieng", "khong dung chung", "chua", "chua ket noi", "khong ket noi",
       "doc lap", "-"}


def parse_shared(value: Any) -> tuple[bool | None, bool]:
    """(True/False/None, recognised) from "Có", "x", "Không", 1, "Dùng chung"..."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return value, True
    if isinstance(value, (int, float)):
        return (bool(value), True) if value in (0, 1) else (None, False)
    key = fold(value, " ")
    if not key:
        return None, True
    if key in _YES:
        return True, True
    if key in _NO:
        return False, True
    return None, False


def tower_type(value: Any) -> str | None:
    """The tower type as written, whitespace cleaned and sentence case ("CỘT TỰ ĐỨNG" →
    "Cột tự đứng"): registers use their own words, and no national list is imposed here."""
    text = clean_text(value)
    if not text:
        return None
    if text.isupper():
        text = text.lower()
    return text[:1].upper() + text[1:]


def parse_bandwidth(value: Any) -> float | None:
    """Mbps from 100, "100 Mbps", "1 Gbps", "1Gb/s", "200Mb"; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = clean_text(value)
    if not text:
        return None
    match = re.fullmatch(r"([\d.,]+)([gmk]?)(?:bps|b/s|bit/s|bits|b)?", text.lower().replace(" ", ""))
    if not match:
        raise ValueError(value)
    number = parse_number(match.group(1))
    if number is None:
        raise ValueError(value)
    return float(number) * {"g": 1000, "m": 1, "k": 0.001, "": 1}[match.group(2)]


def parse_percent(value: Any) -> float | None:
    """A percentage from 95, "95%", "95,5 %", or a share 0.955 typed as a percent cell."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = clean_text(value)
        if not text:
            return None
        parsed = parse_number(text.replace("%", "").strip())
        if parsed is None:
            raise ValueError(value)
        number = float(parsed)
    if isinstance(value, float) and 0 < number <= 1:
        number *= 100  # a spreadsheet percent cell holds the share
    if not 0 <= number <= 100:
        raise ValueError(value)
    return round(number, 1)
