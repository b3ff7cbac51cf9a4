"""The light pages' icon subset (scripts/subset_icons.py): the committed font and stylesheet are
what the script makes from the installed CKAN's Font Awesome and the templates, so every icon a
template names is in the font, with CKAN's code point, and nothing else is."""
from __future__ import annotations

import importlib.util
import pathlib
import re

from fontTools.ttLib import TTFont

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("subset_icons", ROOT / "scripts" / "subset_icons.py")
subset_icons = importlib.util.module_from_spec(spec)
spec.loader.exec_module(subset_icons)


def test_committed_icon_subset_is_up_to_date():
    assert subset_icons.main(["--check"]) == 0, "run scripts/subset_icons.py and commit its output"


def test_every_template_icon_is_in_the_subset_font_and_stylesheet():
    css = subset_icons.CSS_OUT.read_text(encoding="utf-8")
    in_css = {name: int(code, 16) for name, code in subset_icons.ICON_RULE.findall(css)}
    cmap = TTFont(subset_icons.FONT_OUT).getBestCmap()
    for name in ("search", "bars", "home", "filter", "download", "table", "map-marker", "chevron-right"):
        assert name in in_css, name
    assert set(in_css.values()) <= set(cmap), "an icon of the stylesheet is not in the font"
    assert len(cmap) < 150  # a subset, not the whole font (1,400 icons)
    # One font face, the subset, served by the portal.
    faces = re.findall(r'src: url\("([^"]+)"\)', css)
    assert len(faces) == 1 and faces[0].startswith("/bd-icons/fa-solid-subset.woff2?v="), faces
