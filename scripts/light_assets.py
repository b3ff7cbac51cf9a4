#!/usr/bin/env python3
"""Build the light pages' stylesheets from CKAN's: its main.css without the rules no template
uses, and Font Awesome cut down to the icons the templates name.

The home, search and dataset pages (`bd_light_page`, templates/page.html) are the ones a
citizen opens first, often on a phone's slow line, where every byte before the first paint
counts (Lighthouse, README). CKAN gives them a 333 kB stylesheet (Bootstrap and every CKAN
page's rules, 94 % unused there) and Font Awesome's 107 kB stylesheet and 159 kB font of
1,400 icons. This script writes, from the installed CKAN:

- `assets/css/light-main.css`: CKAN's main.css keeping each selector whose class and id names
  all appear as words in a template (CKAN's, its installed extensions', ours), in the light
  pages' scripts or in the Python helpers that build class names; the way PurgeCSS does it.
  Pseudo-classes, attribute selectors and what is inside :not()/:is()/:where()/:has() are not
  required to match, so hover, focus and state rules of a kept element stay. At-rules are kept
  (@media and @supports with their kept rules only).
- `public/bd-icons/fa-solid-subset.woff2` and `assets/css/icons.css`: CKAN's fa-solid-900 font
  cut (fontTools' subsetter) to the icons named as `fa-…` or `icon='…'` in any template, plus
  EXTRA_ICONS; CKAN's all.css with only those icons and one font face, the subset (its hash in
  the URL, so a new subset is fetched at once). Other Font Awesome styles are not on the light
  pages.

Rules, glyphs, widths and names are CKAN's, so the pages look as before (same screenshots).
Other pages keep CKAN's files. Run it again after a CKAN upgrade or when a template starts
using a class or icon the output lacks (tests/test_light_assets.py fails until then):

    var/venv/bin/python scripts/light_assets.py          (write the files)
    var/venv/bin/python scripts/light_assets.py --check  (exit 1 when they are out of date)
"""
from __future__ import annotations

import argparse
import hashlib
import io
import pathlib
import re
import sys

import tinycss2
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "ckanext-binhduong" / "ckanext" / "binhduong"
MAIN_OUT = EXTENSION / "assets" / "css" / "light-main.css"
FONT_OUT = EXTENSION / "public" / "bd-icons" / "fa-solid-subset.woff2"
ICONS_OUT = EXTENSION / "assets" / "css" / "icons.css"
FONT_URL = "/bd-icons/fa-solid-subset.woff2"

# Icons that templates do not spell out: CKAN's pagination (ckan/lib/pagination.py) and the
# tracking extension's "popular" badge.
EXTRA_ICONS = {"chevron-left", "chevron-right", "angles-left", "angles-right", "fire-flame-curved"}

ICON_RULE = re.compile(r'^\.fa-([a-z0-9-]+) \{\n  --fa: "\\([0-9a-f]+)"; \}\n', re.M)
FONT_FACE = re.compile(r"@font-face \{[^}]*\}\n*")
# Parts of a selector that need not match for its rule to be kept.
LENIENT_PARTS = re.compile(r":(?:not|is|where|has)\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\]|::?[a-zA-Z-]+(?:\([^)]*\))?")
NAMES = re.compile(r"[.#]((?:[A-Za-z0-9_-]|\\.)+)")


def ckan_dir() -> pathlib.Path:
    import ckan  # noqa: PLC0415  (the installed CKAN: its templates, main.css and Font Awesome)
    return pathlib.Path(ckan.__file__).resolve().parent


def sources(ckan: pathlib.Path) -> list[pathlib.Path]:
    """Where the light pages' class names and icons are written."""
    site = ckan.parent
    templates = [*ckan.glob("templates/**/*.html"), *site.glob("ckanext/*/templates/**/*.html"),
                 *EXTENSION.glob("templates/**/*.html")]
    code = [ckan / "lib" / "helpers.py", ckan / "lib" / "pagination.py", EXTENSION / "helpers.py",
            EXTENSION / "quality" / "helpers.py", EXTENSION / "assets" / "js" / "light.js",
            *EXTENSION.glob("assets/search/*.js")]
    return sorted(templates) + code


# --- CKAN's main.css, kept to the rules the templates can use

def _selector_is_used(selector: str, words: set[str]) -> bool:
    names = NAMES.findall(LENIENT_PARTS.sub("", selector))
    return all(name.replace("\\", "") in words for name in names)


def _kept_rules(rules: list, words: set[str]) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [part.strip() for part in tinycss2.serialize(rule.prelude).split(",")]
            used = [selector for selector in selectors if _selector_is_used(selector, words)]
            if used:
                kept.append(",".join(used) + "{" + tinycss2.serialize(rule.content).strip() + "}")
        elif rule.type == "at-rule":
            if rule.lower_at_keyword in ("media", "supports", "layer", "container") and rule.content is not None:
                inner = _kept_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                             skip_whitespace=True), words)
                if inner:
                    kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{\n" + "\n".join(inner) + "}")
            else:
                kept.append(tinycss2.serialize([rule]))
    return kept


def build_main(ckan: pathlib.Path, words: set[str]) -> str:
    css = (ckan / "public" / "base" / "css" / "main.css").read_text(encoding="utf-8")
    rules = [rule for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
             if not (rule.type == "at-rule" and rule.lower_at_keyword == "charset")]
    notices = "\n".join(re.findall(r"/\*!.*?\*/", css, flags=re.S))  # Bootstrap's licence notice
    header = ('@charset "UTF-8";\n'
              "/* GENERATED by scripts/light_assets.py from CKAN's public/base/css/main.css, do not\n"
              "   edit: the rules whose classes appear in the templates (the light pages' stylesheet). */\n")
    return header + notices + "\n" + "\n".join(_kept_rules(rules, words)) + "\n"


# --- Font Awesome, kept to the icons the templates name

def icon_names(paths: list[pathlib.Path]) -> set[str]:
    names = set(EXTRA_ICONS)
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        names.update(re.findall(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)", text))
        names.update(name.removeprefix("fa-") for name in re.findall(r"\bicon=[\"']([a-z0-9-]+)[\"']", text))
    return names


def build_icons(ckan: pathlib.Path, names: set[str]) -> tuple[bytes, str, list[str]]:
    """The subset font, its stylesheet and the sorted icon names kept."""
    vendor = ckan / "public" / "base" / "vendor" / "fontawesome-free"
    css = (vendor / "css" / "all.css").read_text(encoding="utf-8")
    codepoints = {name: int(code, 16) for name, code in ICON_RULE.findall(css)}
    font = TTFont(vendor / "webfonts" / "fa-solid-900.woff2", recalcTimestamp=False)  # same bytes each run
    solid = font.getBestCmap()  # brand icons (share links) are in another font: not kept
    kept = sorted(name for name in names if codepoints.get(name) in solid)

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []  # the icon-name ligatures: the classes name the glyphs
    options.name_IDs = ["*"]  # keep the licence and copyright records
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={codepoints[name] for name in kept})
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    data = out.getvalue()

    kept_set = set(kept)
    css = ICON_RULE.sub(lambda m: m.group(0) if m.group(1) in kept_set else "", css)
    version = hashlib.sha256(data).hexdigest()[:10]

    def face(match: re.Match) -> str:
        rule = match.group(0)
        if "'Font Awesome 6 Free'" in rule and "font-weight: 900" in rule:
            return re.sub(r"src: [^;]+;", f'src: url("{FONT_URL}?v={version}") format("woff2");', rule)
        return ""  # regular, brands, v5/v4 compatibility: not on the light pages
    css = re.sub(r"\n{3,}", "\n\n", FONT_FACE.sub(face, css))
    header = ("/* GENERATED by scripts/light_assets.py from CKAN's Font Awesome (all.css), do not edit:\n"
              f"   {len(kept)} icons of the solid font, the one face pointing at {FONT_URL}. */\n")
    return data, header + css, kept


def build() -> dict[pathlib.Path, bytes]:
    ckan = ckan_dir()
    paths = sources(ckan)
    words: set[str] = set()
    for path in paths:
        words.update(re.findall(r"[A-Za-z0-9_-]+", path.read_text(encoding="utf-8", errors="replace")))
    font, icons_css, _ = build_icons(ckan, icon_names(paths))
    return {MAIN_OUT: build_main(ckan, words).encode(), FONT_OUT: font, ICONS_OUT: icons_css.encode()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed files are out of date")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [str(path) for path, data in files.items() if not path.is_file() or path.read_bytes() != data]
        if stale:
            print("out of date (run scripts/light_assets.py):", *stale, file=sys.stderr)
            return 1
        return 0
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{path.relative_to(ROOT)}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
