#!/usr/bin/env python3
"""Compile our Vietnamese translations into the plugin's one catalogue.

The sources live in ckanext-binhduong/ckanext/binhduong/i18n/src/vi/, one PO file per gettext
domain (ours, and the strings CKAN core and the extensions lack, kept per domain so they can
be offered upstream) and parts of our domain (`ckanext-binhduong-<part>.po`). They are merged
into i18n/vi/LC_MESSAGES/ckanext-binhduong.mo (and .po, which `ckan translation js` reads for
the strings of CKAN's JavaScript), which CKAN merges over its own catalogue: our msgstrs fill
the gaps and correct poor ones. For a msgid found in several files the first wins: ours, then the
others in name order. Fuzzy and untranslated entries are left out, as msgfmt does.

Used by scripts/configure.sh (make up, make test) and by docker/Dockerfile; nothing compiled
is committed. Uses polib, a requirement of CKAN itself.

    python3 scripts/compile_translations.py [--root <folder holding ckanext-binhduong/>]
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import polib

DOMAIN = "ckanext-binhduong"


def sources(source_dir: pathlib.Path) -> list[pathlib.Path]:
    ours = source_dir / f"{DOMAIN}.po"
    return [ours] + sorted(path for path in source_dir.glob("*.po") if path != ours)


def merge(paths: list[pathlib.Path]) -> polib.POFile:
    merged = polib.pofile(str(paths[0]))
    seen = {(entry.msgctxt, entry.msgid) for entry in merged}
    for path in paths[1:]:
        for entry in polib.pofile(str(path)):
            key = (entry.msgctxt, entry.msgid)
            if key not in seen and not entry.obsolete:
                merged.append(entry)
                seen.add(key)
    return merged


def write_if_changed(path: pathlib.Path, data: bytes) -> None:
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    i18n = args.root / "ckanext-binhduong" / "ckanext" / "binhduong" / "i18n"
    paths = sources(i18n / "src" / "vi")
    if not paths[0].exists():
        print(f"error: {paths[0]} is missing", file=sys.stderr)
        return 1
    merged = merge(paths)
    target = i18n / "vi" / "LC_MESSAGES" / f"{DOMAIN}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    # CKAN builds the browser's catalogue (/api/i18n/vi, `ckan translation js`) from the
    # plugins' .po files beside their .mo, not from the .mo. Files are rewritten only when
    # they change: CKAN rebuilds the browser's catalogue when the .po is newer.
    write_if_changed(target, merged.to_binary())
    write_if_changed(target.with_suffix(".po"), str(merged).encode("utf-8"))
    print(f"{len(merged.translated_entries())} messages from {len(paths)} files compiled into {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
