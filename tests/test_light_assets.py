"""The light pages' stylesheets (scripts/light_assets.py): the committed files are what the
script makes from the installed CKAN and the templates, so every class and icon a template
names keeps its CKAN rule and glyph; what no template uses is left out."""
from __future__ import annotations

import importlib.util
import pathlib
import re

from fontTools.ttLib import TTFont

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("light_assets", ROOT / "scripts" / "light_assets.py")
light_assets = importlib.util.module_from_spec(spec)
spec.loader.exec_module(light_assets)


def test_committed_light_assets_are_up_to_date():
    assert light_assets.main(["--check"]) == 0, "run scripts/light_assets.py and commit its output"


def test_light_main_css_keeps_used_rules_and_drops_unused_ones():
    words = {"btn", "btn-primary", "masthead", "show"}
    assert light_assets._selector_is_used(".btn.btn-primary:hover", words)
    assert light_assets._selector_is_used(".masthead .navbar-collapse:not(.collapsing)", words | {"navbar-collapse"})
    assert light_assets._selector_is_used('a[data-bs-toggle="x"]::after', words)
    assert not light_assets._selector_is_used(".btn .datapreview-close", words)
    css = light_assets.MAIN_OUT.read_text(encoding="utf-8")
    assert css.startswith('@charset "UTF-8";') and "Licensed under MIT" in css
    for kept in (".masthead", ".btn-primary", ".pagination", ".navbar-toggler", "@media (min-width: 768px)"):
        assert kept in css, kept
    for dropped in (".carousel-inner", ".accordion-flush", ".btn-outline-warning"):  # no template uses them
        assert dropped not in css, dropped
    assert len(css) < 0.5 * len((light_assets.ckan_dir() / "public/base/css/main.css").read_text(encoding="utf-8"))


def test_every_template_icon_is_in_the_subset_font_and_stylesheet():
    css = light_assets.ICONS_OUT.read_text(encoding="utf-8")
    in_css = {name: int(code, 16) for name, code in light_assets.ICON_RULE.findall(css)}
    cmap = TTFont(light_assets.FONT_OUT).getBestCmap()
    for name in ("search", "bars", "home", "filter", "download", "table", "map-marker", "chevron-right"):
        assert name in in_css, name
    assert set(in_css.values()) <= set(cmap), "an icon of the stylesheet is not in the font"
    assert len(cmap) < 150  # a subset, not the whole font (1,400 icons)
    faces = re.findall(r'src: url\("([^"]+)"\)', css)
    assert len(faces) == 1 and faces[0].startswith("/bd-icons/fa-solid-subset.woff2?v="), faces
