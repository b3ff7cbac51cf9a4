"""What our schema adds to the search index, and how searches on places widen."""
from __future__ import annotations

import json
import re
from typing import Any

from ckanext.binhduong import places, vocabularies

# Solr's vocab_* fields are multi-valued strings copied into the full-text field.
UNIT_FILTER = re.compile(r'vocab_units:"?([0-9/]+)"?')


def stored_codes(value: Any) -> list[str]:
    """Codes of a multi-valued field as stored (a list, or the JSON text scheming keeps)."""
    if not value:
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    try:
        loaded = json.loads(value)
    except ValueError:
        return [str(value)]
    return [str(item) for item in loaded] if isinstance(loaded, list) else [str(loaded)]


def enrich_index(pkg_dict: dict) -> dict:
    if pkg_dict.get("type") == "harvest":
        # ckanext-harvest fills source_type, config and status from its own tables when a
        # source is shown. A validated copy cached in the index can predate those rows
        # (`ckan harvester run-test` then failed with KeyError: 'source_type'), so a harvest
        # source is always validated afresh by package_show.
        pkg_dict.pop("validated_data_dict", None)
    themes = stored_codes(pkg_dict.get("theme"))
    pkg_dict["vocab_theme"] = themes
    pkg_dict["vocab_theme_labels"] = [
        label for code in themes if (term := vocabularies.term("themes", code))
        for label in (term.label_vi, term.label_en)
    ]
    units = stored_codes(pkg_dict.get("spatial_units"))
    # A dataset about a commune is also found under its district and the province, and a
    # legacy unit under the 2025 unit(s) that replaced it.
    expanded: list[str] = []
    for code in units:
        successors = places.successors(code)
        today = [*successors, *(parent for successor in successors for parent in places.ancestors(successor.code))]
        for unit in [places.get_unit(code), *places.ancestors(code), *today]:
            if unit is not None and unit.code not in expanded:
                expanded.append(unit.code)
    pkg_dict["vocab_units"] = expanded or units
    pkg_dict["vocab_units_own"] = units
    pkg_dict["vocab_unit_names"] = [unit.name for code in expanded if (unit := places.get_unit(code))]
    for field in ("frequency", "access_rights"):
        if pkg_dict.get(field):
            pkg_dict[f"vocab_{field}"] = [pkg_dict[field]]
    # The extent can be large; it is kept in the stored dataset, not as an indexed string.
    pkg_dict.pop("spatial", None)
    pkg_dict.pop("extras_spatial", None)
    return pkg_dict


def widen_unit_filter(search_params: dict) -> dict:
    """A filter on a commune also finds datasets covering its district or the province."""
    fq = search_params.get("fq") or ""

    def widen(match: re.Match) -> str:
        code = match.group(1)
        ancestors = [unit.code for unit in places.ancestors(code)]
        if not ancestors:
            return match.group(0)
        # Datasets inside the unit (indexed with their ancestors), or about a larger unit
        # that contains it (matched on the units they were tagged with).
        wider = " OR ".join(f'"{item}"' for item in ancestors)
        return f'(vocab_units:"{code}" OR vocab_units_own:({wider}))'


    if "vocab_units:" in fq:
        search_params["fq"] = UNIT_FILTER.sub(widen, fq)
    return search_params
