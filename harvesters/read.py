"""Reading what the province's systems export into raw grids of cells.

Formats: CSV (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1258, and the two legacy
8-bit Vietnamese encodings still found in government files — TCVN3 "ABC" (.VnTime fonts) and
VNI-Windows), XLSX (several sheets, merged cells, title rows: the grid keeps them, header
detection is normalise.py's job) and JSON, including APIs that split records over pages.

Legacy text reaches us two ways: as bytes (a CSV saved by an old program) and as Unicode
strings whose characters are really TCVN3/VNI codes (a cell typed in a .VnTime font in Excel;
the workbook stores "Thñ tôc" and the font draws "Thủ tục"). Both are repaired here, by
conversion tables and, when the encoding is not given, by measuring which reading yields
Vietnamese syllables. All text leaves this module in NFC.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = [
    "ReadError", "Sheet", "JsonPaging", "ENCODINGS", "canonical_encoding",
    "decode_text", "legacy_to_unicode", "encode_vietnamese", "repair_legacy", "vietnamese_score",
    "sniff_format", "read_csv", "read_xlsx", "read_json", "records_to_sheet", "collect_json_pages",
    "read_document",
]


class ReadError(Exception):
    """The content cannot be read as the data we expect. ``vi`` is for the harvest UI."""

    def __init__(self, vi: str, en: str):
        super().__init__(en)
        self.vi = vi
        self.en = en


@dataclass
class Sheet:
    """A grid of raw cell values (merged ranges filled with their value) from one source."""
    name: str
    rows: list[list[Any]]
    encoding: str | None = None
    #: The sheet's own name in a workbook (what a source config's "sheet" names).
    title: str = ""


# ---------------------------------------------------------------------------------------
# Legacy Vietnamese encodings

# TCVN 5712:1993 VN3 ("ABC", the .VnTime fonts): one byte per letter, lower case only for
# toned vowels (capitals came from the separate .VnTimeH font, which reuses these codes).
# Keys are the byte values, i.e. the Latin-1 characters a Unicode program shows instead.
_TCVN3 = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    # Each vowel in the order grave, hook, tilde, acute, dot below.
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
_TCVN3_ENCODE = {letter: chr(code) for code, letter in _TCVN3.items()}
_TCVN3_CASED = set("ĂÂÊÔƠƯĐăâêôơưđ")

_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"
_TONES = (_GRAVE, _ACUTE, _TILDE, _HOOK, _DOT)

# VNI-Windows: a base letter followed by a mark character; a few letters are single codes.
# Mark characters (lower case; the capital form, 0x20 lower, follows a capital letter).
_VNI_MARKS = {
    "ù": ("", _ACUTE), "ø": ("", _GRAVE), "û": ("", _HOOK), "õ": ("", _TILDE), "ï": ("", _DOT),
    "â": (_CIRCUMFLEX, ""), "á": (_CIRCUMFLEX, _ACUTE), "à": (_CIRCUMFLEX, _GRAVE),
    "å": (_CIRCUMFLEX, _HOOK), "ã": (_CIRCUMFLEX, _TILDE), "ä": (_CIRCUMFLEX, _DOT),
    "ê": (_BREVE, ""), "é": (_BREVE, _ACUTE), "è": (_BREVE, _GRAVE),
    "ú": (_BREVE, _HOOK), "ü": (_BREVE, _TILDE), "ë": (_BREVE, _DOT),
}
_VNI_MARKS.update({mark.upper(): value for mark, value in list(_VNI_MARKS.items())})
_VNI_SINGLE = {
    "ñ": "đ", "ô": "ơ", "ö": "ư", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
}
_VNI_SINGLE.update({code.upper(): letter.upper() for code, letter in list(_VNI_SINGLE.items())})
# Which letters each kind of mark may follow: anything else is left as it is.
_VNI_BASES = {_CIRCUMFLEX: set("aeoAEO"), _BREVE: set("aA"), "": set("aeouyAEOUYơưƠƯ")}
_VNI_ENCODE_MARK = {value: mark for mark, value in _VNI_MARKS.items() if mark.islower()}
_VNI_ENCODE_SINGLE = {letter: code for code, letter in _VNI_SINGLE.items()}
_VNI_I_TONES = {"": "i", _ACUTE: "í", _GRAVE: "ì", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}

_UPPER_WORD = re.compile(r"[^\W\d_]+")

# Legacy fonts kept Windows' punctuation in 0x80-0x9F (en dash, curly quotes): those bytes read
# as cp1252, the rest as Latin-1 so that every byte reaches the conversion tables.
_CP1252_PUNCTUATION = {}
for _byte in range(0x80, 0xA0):
    try:
        _CP1252_PUNCTUATION[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:
        pass
_CP1252_ENCODE = {char: chr(byte) for byte, char in _CP1252_PUNCTUATION.items()}


def _tcvn3_to_unicode(text: str) -> str:
    converted = "".join(_TCVN3.get(ord(ch), ch) for ch in text)

    def recapitalise(match: re.Match) -> str:
        # A word typed in .VnTimeH shows capitals but is stored with the lower-case codes of
        # toned vowels. Plain letters and the seven shaped capitals (Ă Â Ê Ô Ơ Ư Đ) do have
        # a case: a word with two such capitals and no such small letter was all capitals.
        # ("Mã" stays as it is: one capital does not tell "Mã" from "MÃ".)
        word = match.group(0)
        cased = [c for c in word if c.isascii() or c in _TCVN3_CASED]
        return word.upper() if len(cased) >= 2 and all(c.isupper() for c in cased) else word

    return _UPPER_WORD.sub(recapitalise, converted)


def _vni_to_unicode(text: str) -> str:
    out: list[str] = []
    for ch in text:
        marks = _VNI_MARKS.get(ch)
        if marks and out:
            shape, tone = marks
            base = out[-1]
            if base in _VNI_BASES[shape]:
                out[-1] = unicodedata.normalize("NFC", base + shape + tone)
                continue
        out.append(_VNI_SINGLE.get(ch, ch))
    return "".join(out)


def legacy_to_unicode(text: str, encoding: str) -> str:
    """Convert text whose characters are TCVN3 or VNI codes (as Latin-1 characters) to Unicode."""
    encoding = canonical_encoding(encoding)
    if encoding == "tcvn3":
        return unicodedata.normalize("NFC", _tcvn3_to_unicode(text))
    if encoding == "vni":
        return unicodedata.normalize("NFC", _vni_to_unicode(text))
    raise ValueError(f"not a legacy Vietnamese encoding: {encoding}")


def _split_letter(ch: str) -> tuple[str, str, str]:
    """(base letter, shape mark, tone mark) of a Vietnamese letter."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    tone = next((m for m in marks if m in _TONES), "")
    shape = next((m for m in marks if m in (_CIRCUMFLEX, _BREVE, _HORN)), "")
    return base, shape, tone


def _encode_tcvn3(ch: str) -> str:
    if ch.isascii():
        return ch
    return _TCVN3_ENCODE.get(ch) or _TCVN3_ENCODE.get(ch.lower()) or _CP1252_ENCODE.get(ch, "?")


def _encode_vni(ch: str) -> str:
    if ch.isascii() or ch in _CP1252_ENCODE:
        return _CP1252_ENCODE.get(ch, ch)
    if ch in _VNI_ENCODE_SINGLE:
        return _VNI_ENCODE_SINGLE[ch]
    base, shape, tone = _split_letter(ch)
    upper = base.isupper()
    if shape == _HORN:
        letter = {"o": "ơ", "u": "ư"}.get(base.lower())
        if letter is None:
            return "?"
        code = _VNI_ENCODE_SINGLE[letter.upper() if upper else letter]
        mark = _VNI_ENCODE_MARK.get(("", tone), "") if tone else ""
        return code + (mark.upper() if upper else mark)
    if base.lower() == "i" and not shape:
        code = _VNI_I_TONES[tone]
        return code.upper() if upper else code
    if base.lower() == "y" and tone == _DOT and not shape:
        return "Î" if upper else "î"
    mark = _VNI_ENCODE_MARK.get((shape, tone))
    if mark is None:
        return "?"
    return base + (mark.upper() if upper else mark)


def _encode_cp1258(ch: str) -> bytes:
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        # Windows-1258 has the shaped vowels (â, ơ, ...) but puts most tones as combining marks.
        base, shape, tone = _split_letter(ch)
        shaped = unicodedata.normalize("NFC", base + shape)
        return (shaped + tone).encode("cp1258", errors="replace")


def encode_vietnamese(text: str, encoding: str) -> bytes:
    """Unicode text as a legacy file would hold it (to make sample files and test the readers):
    ``tcvn3``, ``vni`` or ``windows-1258``; other encodings through Python's codecs."""
    encoding = canonical_encoding(encoding)
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        return "".join(_encode_tcvn3(ch) for ch in text).encode("latin-1")
    if encoding == "vni":
        return "".join(_encode_vni(ch) for ch in text).encode("latin-1")
    if encoding == "windows-1258":
        return b"".join(_encode_cp1258(ch) for ch in text)
    return text.encode(encoding)


# ---------------------------------------------------------------------------------------
# Which reading is Vietnamese?

_INITIALS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
             "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t", "")
# Vowel groups of Vietnamese spelling, by whether a final consonant may, must or must not
# follow. A reading that produces "uu", "aư" or "ơnh" is a wrong reading.
_OPEN_ONLY = {"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu",
              "ưa", "ua", "uơ", "iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu"}
_CLOSED_ONLY = {"ă", "â", "iê", "yê", "uô", "ươ", "uâ", "oă", "uyê", "oo"}
_EITHER = {"a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy"}
# "-ch" and "-nh" follow only these groups (anh, ênh, inh, oanh, uynh...).
_PALATAL_ONLY = {"a", "ê", "i", "y", "oa", "uê", "uy"}


def _valid_rhyme(group: str, final: str) -> bool:
    if final in ("ch", "nh") and group not in _PALATAL_ONLY:
        return False
    if group in _EITHER:
        return True
    return group in (_CLOSED_ONLY if final else _OPEN_ONLY)


def _spelled_syllable(plain: str) -> bool:
    for initial in _INITIALS:
        if not plain.startswith(initial):
            continue
        rest = plain[len(initial):]
        for final in _FINALS:
            if rest.endswith(final) and len(rest) > len(final):
                if _valid_rhyme(rest[:len(rest) - len(final)], final):
                    return True
    return False


_WORD = re.compile(r"[^\W\d_]+")


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) > 1:
        return False
    plain = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return _spelled_syllable(plain)


def vietnamese_score(text: str) -> int:
    """Words with non-ASCII letters that are Vietnamese syllables, minus those that are not.

    Mis-decoded text is full of letters Vietnamese does not have ("Thñ", "haønh"), so the
    right reading scores highest; ASCII words say nothing and are not counted."""
    score = 0
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        if not word.isascii():
            score += 1 if _is_syllable(word) else -1
    return score


_LATIN1_VIETNAMESE = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")


def repair_legacy(text: str) -> str:
    """A string that may hold TCVN3 or VNI codes (a .VnTime cell in a workbook): converted
    when that reads as Vietnamese clearly better than the string as it is."""
    # Only text holding a Latin-1 character that is not itself a Vietnamese letter can be
    # legacy text (every TCVN3/VNI word with a tone has one); the rest is left untouched
    # cheaply, which matters for workbooks of thousands of Unicode cells.
    if text.isascii() or not any("\u00a0" <= ch <= "\u00ff" and ch not in _LATIN1_VIETNAMESE for ch in text):
        return text
    best, best_score = text, vietnamese_score(text)
    for encoding in ("tcvn3", "vni"):
        candidate = legacy_to_unicode(text, encoding)
        if candidate != text:
            score = vietnamese_score(candidate)
            if score > best_score:
                best, best_score = candidate, score
    return best


# ---------------------------------------------------------------------------------------
# Decoding bytes

ENCODINGS = {
    "auto": "auto",
    "utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8",
    "utf-16": "utf-16", "utf16": "utf-16",
    "windows-1258": "windows-1258", "cp1258": "windows-1258", "win1258": "windows-1258",
    "tcvn3": "tcvn3", "tcvn": "tcvn3", "abc": "tcvn3", "vn3": "tcvn3", "tcvn-5712": "tcvn3",
    "vni": "vni", "vni-windows": "vni", "vni_windows": "vni",
}
_LEGACY = {"tcvn3", "vni"}


def canonical_encoding(name: str | None) -> str:
    """Our name for an encoding given in a source's config; ValueError when unknown."""
    key = (name or "auto").strip().lower()
    if key in ENCODINGS:
        return ENCODINGS[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise ValueError(f"unknown encoding: {name}") from None


def _decode_as(data: bytes, encoding: str) -> str:
    if encoding in _LEGACY:
        return legacy_to_unicode(data.decode("latin-1").translate(_CP1252_PUNCTUATION), encoding)
    if encoding == "utf-8":
        return data.decode("utf-8-sig")
    if encoding == "windows-1258":
        return data.decode("cp1258")
    return data.decode(encoding)


def decode_text(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Text (NFC) and the encoding that was used.

    Given an encoding, use it. Otherwise: a byte-order mark decides; valid UTF-8 is UTF-8;
    else whichever of Windows-1258, TCVN3 and VNI reads as the most Vietnamese; else what
    charset-normalizer guesses. Raises ReadError when the bytes are not text at all."""
    encoding = canonical_encoding(encoding)
    if encoding != "auto":
        try:
            return unicodedata.normalize("NFC", _decode_as(data, encoding)), encoding
        except UnicodeDecodeError as error:
            raise ReadError(
                f"Nội dung không đọc được theo bảng mã “{encoding}” đã cấu hình (byte lỗi ở vị trí {error.start}). "
                "Hãy kiểm tra lại bảng mã của tệp hoặc đặt “encoding”: “auto”.",
                f"Content is not valid {encoding} (bad byte at {error.start}).") from error
    if data.startswith(codecs.BOM_UTF8):
        return unicodedata.normalize("NFC", data[3:].decode("utf-8", errors="replace")), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return unicodedata.normalize("NFC", data.decode("utf-16", errors="replace")), "utf-16"
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data:
        # The first 64 kB tell the encoding as well as the whole file would.
        sample = data[:65536]
        scored = []
        for order, candidate in enumerate(("windows-1258", "tcvn3", "vni")):
            try:
                text = _decode_as(sample, candidate)
            except UnicodeDecodeError:  # a byte Windows-1258 does not define
                continue
            scored.append((vietnamese_score(text), -order, candidate))
        if scored:
            score, _, candidate = max(scored)
            if score > 0:
                try:
                    return unicodedata.normalize("NFC", _decode_as(data, candidate)), candidate
                except UnicodeDecodeError:
                    pass
    import charset_normalizer  # only for what is not Vietnamese: a rare path

    guess = charset_normalizer.from_bytes(data).best()
    if guess is not None and guess.encoding:
        return unicodedata.normalize("NFC", str(guess)), guess.encoding
    raise ReadError(
        "Không nhận ra bảng mã của tệp (không phải văn bản UTF-8, Windows-1258, TCVN3 hay VNI). "
        "Hãy đặt “encoding” trong cấu hình nguồn.",
        "Cannot tell the text encoding (not UTF-8, Windows-1258, TCVN3 or VNI); set 'encoding' in the source config.")


# ---------------------------------------------------------------------------------------
# Formats

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


def _html_error(source: str) -> ReadError:
    return ReadError(
        f"Nguồn {source} trả về một trang web (HTML) thay vì dữ liệu: có thể hệ thống nguồn đang lỗi, "
        "yêu cầu đăng nhập hoặc đường dẫn đã đổi.",
        f"{source} returned an HTML page instead of data (source error, login page or moved URL).")


def sniff_format(data: bytes, content_type: str | None = None, source: str = "") -> str:
    """``csv``, ``xlsx`` or ``json`` from the content itself (servers often send the wrong
    Content-Type); ReadError for what we cannot read, with the reason."""
    if not data.strip():
        raise ReadError(f"Nguồn {source} trả về nội dung rỗng.", f"{source} returned an empty body.")
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            f"Tệp {source} là Excel 97-2003 (.xls), chưa được hỗ trợ. Hãy lưu lại thành .xlsx hoặc .csv.",
            f"{source} is a legacy .xls workbook; save it as .xlsx or .csv.")
    if data.startswith(b"%PDF"):
        raise ReadError(f"Tệp {source} là PDF, không phải bảng dữ liệu.", f"{source} is a PDF, not a table.")
    head = data[:4096]
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            head = head[len(bom):].decode("utf-16" if bom != codecs.BOM_UTF8 else "utf-8", errors="ignore").encode()
            break
    text = head.decode("latin-1").lstrip()
    if text.startswith(("{", "[")):
        return "json"
    if _HTML_START.match(text) or (content_type or "").lower().startswith("text/html"):
        raise _html_error(source)
    if text.startswith("<"):
        raise ReadError(f"Nguồn {source} trả về XML, chưa được hỗ trợ.", f"{source} returned XML, not supported.")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ReadError(f"Tệp {source} là tệp nhị phân không đọc được (không phải CSV, XLSX hay JSON).",
                        f"{source} is an unreadable binary file (not CSV, XLSX or JSON).")
    return "csv"


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    def blank(value: Any) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())

    trimmed = []
    for row in rows:
        end = len(row)
        while end and blank(row[end - 1]):
            end -= 1
        trimmed.append(list(row[:end]))
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _nfc_cell(value: Any, repair: bool) -> Any:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
        return repair_legacy(value) if repair else value
    return value


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:60]
    best, best_key = ",", (0, 0)
    for delimiter in (",", ";", "\t", "|"):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        wide = [n for n in counts if n > 1]
        if not wide:
            continue
        modal = max(set(wide), key=wide.count)
        key = (wide.count(modal), modal)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def read_csv(data: bytes, *, encoding: str = "auto", delimiter: str | None = None, name: str = "") -> Sheet:
    text, used = decode_text(data, encoding)
    if _HTML_START.match(text[:4096]):
        raise _html_error(name)
    delimiter = delimiter or _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise ReadError(f"Tệp CSV {name} bị lỗi định dạng: {error}.", f"Malformed CSV {name}: {error}.") from error
    # Cells of a UTF-8 file can still hold .VnTime text pasted from old documents.
    repair = canonical_encoding(encoding) == "auto" and used in ("utf-8", "utf-16")
    rows = [[_nfc_cell(cell, repair) for cell in row] for row in rows]
    return Sheet(name=name, rows=_trim(rows), encoding=used)


#: Uncompressed size of a workbook we agree to open: a small ZIP can expand to gigabytes.
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024


def read_xlsx(data: bytes, *, encoding: str = "auto", name: str = "",
              max_uncompressed: int = MAX_XLSX_UNCOMPRESSED) -> list[Sheet]:
    """Every visible sheet as a grid; a merged range gives its value to each of its cells
    (a merged header over two sub-columns names both; an agency merged over ten rows is the
    agency of each). Text in .VnTime (TCVN3) or VNI fonts is converted."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ReadError(f"Tệp XLSX {name} bị hỏng hoặc không tải về trọn vẹn.",
                        f"XLSX {name} is corrupt or truncated: {error}.") from error
    if "xl/workbook.xml" not in names:
        raise ReadError(f"Tệp {name} là tệp nén nhưng không phải XLSX (có thể là ODS hoặc DOCX).",
                        f"{name} is a ZIP archive but not an XLSX workbook.")
    if expanded > max_uncompressed:
        raise ReadError(f"Tệp XLSX {name} quá lớn khi giải nén ({expanded // 1048576} MB).",
                        f"XLSX {name} expands to {expanded} bytes, over the limit.")
    import openpyxl  # imported here: only XLSX sources pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as error:  # openpyxl raises many types for broken parts
        raise ReadError(f"Không mở được tệp XLSX {name}: tệp bị hỏng.",
                        f"Cannot open XLSX {name}: {type(error).__name__}: {error}.") from error
    encoding = canonical_encoding(encoding)
    sheets = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        for merged in list(sheet.merged_cells.ranges):
            min_col, min_row, max_col, max_row = merged.bounds
            value = grid[min_row - 1][min_col - 1] if min_row - 1 < len(grid) else None
            for r in range(min_row - 1, min(max_row, len(grid))):
                for c in range(min_col - 1, max_col):
                    if c < len(grid[r]):
                        grid[r][c] = value
        if encoding in _LEGACY:
            grid = [[legacy_to_unicode(v, encoding) if isinstance(v, str) else v for v in row] for row in grid]
        else:
            grid = [[_nfc_cell(v, encoding == "auto") for v in row] for row in grid]
        sheets.append(Sheet(name=f"{name} — trang tính “{sheet.title}”", rows=_trim(grid),
                            encoding=encoding if encoding != "auto" else None, title=sheet.title))
    workbook.close()
    return sheets


# ---------------------------------------------------------------------------------------
# JSON and paged APIs

_RECORD_PATHS = ("data", "items", "results", "records", "rows", "value", "data.items", "data.records", "data.rows")
_NEXT_PATHS = ("links.next", "next", "meta.next", "paging.next", "pagination.next", "@odata.nextLink",
               "next_page_url", "meta.links.next")
_TOTAL_PAGES_PATHS = ("meta.total_pages", "meta.totalPages", "meta.last_page", "total_pages", "totalPages",
                      "last_page", "pagination.total_pages", "pagination.totalPages")
_PAGE_PATHS = ("meta.page", "meta.current_page", "page", "current_page", "pagination.page", "pageNumber")
_TOTAL_PATHS = ("meta.total", "total", "count", "totalRecords", "meta.count", "pagination.total", "totalCount")


@dataclass(frozen=True)
class JsonPaging:
    """How to walk a paged JSON API. Paths are dotted keys into each page; None means the
    usual places are tried (see harvesters/README.md)."""
    records: str | None = None
    next: str | None = None
    total_pages: str | None = None
    total: str | None = None
    page_param: str = "page"
    max_pages: int = 1000

    @classmethod
    def from_config(cls, options: dict[str, Any] | None) -> "JsonPaging":
        options = options or {}
        return cls(records=options.get("records"), next=options.get("next"),
                   total_pages=options.get("total_pages"), total=options.get("total"),
                   page_param=options.get("page_param", "page"), max_pages=int(options.get("max_pages", 1000)))


def _lookup(document: Any, path: str) -> Any:
    value = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _first(document: Any, configured: str | None, defaults: tuple[str, ...]) -> Any:
    for path in ((configured,) if configured else defaults):
        value = _lookup(document, path)
        if value is not None:
            return value
    return None


def read_json(data: bytes, source: str = "") -> Any:
    text, _ = decode_text(data, "auto")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        if _HTML_START.match(text[:4096]):
            raise _html_error(source) from error
        raise ReadError(f"Nội dung JSON từ {source} bị lỗi ở dòng {error.lineno}, cột {error.colno}.",
                        f"Malformed JSON from {source} at line {error.lineno}, column {error.colno}: {error.msg}.") from error


def _page_records(document: Any, paging: JsonPaging, source: str) -> list[dict]:
    records = document if isinstance(document, list) else _first(document, paging.records, _RECORD_PATHS)
    if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
        where = f"“{paging.records}”" if paging.records else "data/items/results/records"
        raise ReadError(
            f"Trang JSON {source} không có danh sách bản ghi ở {where}.",
            f"JSON page {source} holds no list of records at {paging.records or 'data/items/results/records'}.")
    return records


def _with_page(url: str, param: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param]
    query.append((param, str(page)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def collect_json_pages(first_url: str, first_page: bytes, get: Callable[[str], bytes],
                       paging: JsonPaging = JsonPaging()) -> list[dict]:
    """All records of a paged API, starting from a page already fetched.

    The next page is the URL at ``next`` (absolute or relative), or, when the page states
    its number and the number of pages, the same URL with ``page_param`` incremented. A page
    seen twice, more than ``max_pages`` pages, or a declared total that differs from the
    records received (the data changed while we paged) is an error: publishing half a list
    would mark the other half as gone."""
    records: list[dict] = []
    seen: set[str] = set()
    url, data = first_url, first_page
    declared_total = None
    pages = 0
    while True:
        if url in seen:
            raise ReadError(f"API {first_url} trả về vòng lặp trang (trang {url} lặp lại).",
                            f"API {first_url} pages loop back to {url}.")
        seen.add(url)
        pages += 1
        if pages > paging.max_pages:
            raise ReadError(f"API {first_url} có hơn {paging.max_pages} trang; dừng lại để tránh tải vô hạn.",
                            f"API {first_url} has more than {paging.max_pages} pages.")
        document = read_json(data, url)
        records.extend(_page_records(document, paging, url))
        if isinstance(document, list):
            break
        total = _first(document, paging.total, _TOTAL_PATHS)
        if isinstance(total, int) and not isinstance(total, bool):
            declared_total = total
        next_url = _first(document, paging.next, _NEXT_PATHS)
        if isinstance(next_url, str) and next_url.strip():
            url = urljoin(url, next_url.strip())
        else:
            total_pages = _first(document, paging.total_pages, _TOTAL_PAGES_PATHS)
            current = _first(document, None, _PAGE_PATHS)
            current = current if isinstance(current, int) else pages
            if isinstance(total_pages, int) and current < total_pages:
                url = _with_page(url, paging.page_param, current + 1)
            else:
                break
        data = get(url)
    if declared_total is not None and declared_total != len(records):
        raise ReadError(
            f"API {first_url} báo {declared_total} bản ghi nhưng trả về {len(records)}: dữ liệu thay đổi trong "
            "lúc thu thập hoặc phân trang sai. Lần chạy này không cập nhật gì; hãy chạy lại.",
            f"API {first_url} declared {declared_total} records but returned {len(records)}.")
    return records


def _flatten(record: dict, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "\n".join(
                json.dumps(item, ensure_ascii=False) if isinstance(item, (dict, list)) else str(item)
                for item in value if item is not None)
        else:
            flat[name] = value
    return flat


def records_to_sheet(records: list[dict], name: str) -> Sheet:
    """JSON records as a grid whose first row is the field names (nested objects flattened
    with dots, lists one item per line)."""
    flat = [_flatten(record) for record in records]
    header: list[str] = []
    for record in flat:
        header.extend(key for key in record if key not in header)
    rows = [[_nfc_cell(record.get(key), False) for key in header] for record in flat]
    return Sheet(name=name, rows=[list(header), *rows], encoding="utf-8")


def read_document(data: bytes, *, source: str, content_type: str | None = None, format: str = "auto",
                  encoding: str = "auto", delimiter: str | None = None) -> list[Sheet]:
    """The sheets of one fetched document (JSON here is a single page; use collect_json_pages
    for APIs)."""
    fmt = format if format and format != "auto" else sniff_format(data, content_type, source)
    if fmt == "csv":
        return [read_csv(data, encoding=encoding, delimiter=delimiter, name=source)]
    if fmt == "xlsx":
        return read_xlsx(data, encoding=encoding, name=source)
    if fmt == "json":
        document = read_json(data, source)
        return [records_to_sheet(_page_records(document, JsonPaging(), source), source)]
    raise ValueError(f"unknown format {fmt}")
