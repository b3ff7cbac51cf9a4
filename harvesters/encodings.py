"""Vietnamese text encodings still found in government files, converted to Unicode NFC.

TCVN3 "ABC" (the .VnTime fonts) and VNI-Windows are 8-bit encodings without a codec in
Python: conversion tables here. Legacy text reaches us as bytes (a CSV saved by an old
program) and as Unicode strings whose characters are really TCVN3/VNI codes (a cell typed in
a .VnTime font in Excel). When the encoding is not given, ``vietnamese_score`` measures which
reading yields Vietnamese syllables. Pure functions; read.py uses them.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = [
    "ENCODINGS", "LEGACY", "canonical_encoding", "decode_as", "legacy_to_unicode", "encode_vietnamese",
    "repair_legacy", "vietnamese_score",
]

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
LEGACY = {"tcvn3", "vni"}


def canonical_encoding(name: str | None) -> str:
    """Our name for an encoding given in a source's config; ValueError when unknown."""
    key = (name or "auto").strip().lower()
    if key in ENCODINGS:
        return ENCODINGS[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise ValueError(f"unknown encoding: {name}") from None


def decode_as(data: bytes, encoding: str) -> str:
    if encoding in LEGACY:
        return legacy_to_unicode(data.decode("latin-1").translate(_CP1252_PUNCTUATION), encoding)
    if encoding == "utf-8":
        return data.decode("utf-8-sig")
    if encoding == "windows-1258":
        return data.decode("cp1258")
    return data.decode(encoding)

