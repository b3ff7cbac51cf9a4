"""ckanext-dcat's profile switch for DCAT-AP 2 consumers: ``?profiles=euro_dcat_ap_2``.

ckanext-dcat serialises with exactly the profiles a request names, so a harvester that asks
for ``euro_dcat_ap_2`` would get the stock DCAT-AP 2 profile alone, which writes our codes
("TECH", "ANNUAL", "vi") as literals and xloader's MD5 as a checksum without an algorithm:
not valid DCAT-AP 2.1.1. Asked for alone, the DCAT-AP 2 profile is therefore served with ours
on top, which then writes DCAT-AP 2.1.1 (see ``common.dcat_ap_version`` and profile.py). Any
other list of profiles is served as asked, so stock output stays reachable
(``?profiles=euro_dcat_ap_2,euro_dcat_ap_scheming``, or ``euro_dcat_ap_3`` alone).

``with_our_profile`` is applied by the chained ``dcat_catalog_show`` and by
``dcat_dataset_show`` below, both registered through logic/action.py.
"""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.dcat.common import DCAT_AP_2_PROFILE

__all__ = ["OUR_PROFILE", "dcat_dataset_show", "with_our_profile"]

OUR_PROFILE = "binhduong_dcat"


def with_our_profile(data_dict: dict) -> dict:
    """data_dict with our profile added when its profiles are the DCAT-AP 2 one alone."""
    profiles = data_dict.get("profiles")
    if isinstance(profiles, str):
        profiles = [name.strip() for name in profiles.split(",") if name.strip()]
    if profiles == [DCAT_AP_2_PROFILE]:
        return {**data_dict, "profiles": [DCAT_AP_2_PROFILE, OUR_PROFILE]}
    return data_dict


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_dataset_show(up_func, context, data_dict):
    """ckanext-dcat's dataset in RDF (/dataset/<id>.<format>), with the DCAT-AP 2 switch
    above. ckanext-dcat's action checks access itself (package_show)."""
    return up_func(context, with_our_profile(data_dict))
