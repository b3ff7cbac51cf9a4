"""ckanext-dcat's profile switch for DCAT-AP 2 consumers: ``?profiles=euro_dcat_ap_2``.

ckanext-dcat serialises with exactly the profiles a request names, so a harvester that asks
for ``euro_dcat_ap_2`` would get the stock DCAT-AP 2 profile alone, which writes our codes
("TECH", "ANNUAL", "vi") as literals and xloader's MD5 as a checksum without an algorithm:
not valid DCAT-AP 2.1.1. Asked for alone, the DCAT-AP 2 profile is therefore served with our
DCAT-AP 2 profile on top (``binhduong_dcat_ap_2``, profile_ap2.py); so is the pair
``euro_dcat_ap_2,binhduong_dcat`` that consumers were given before that profile existed.
Any other list of profiles is served as asked, so stock output stays reachable
(``?profiles=euro_dcat_ap_2,euro_dcat_ap_scheming``, or ``euro_dcat_ap_3`` alone).

``with_our_profile`` is applied by the chained ``dcat_catalog_show`` and by
``dcat_dataset_show`` below, both registered through logic/action.py.
"""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit

__all__ = ["DCAT_AP_2_PROFILE", "DCAT_AP_3_PROFILE", "OUR_PROFILE", "OUR_AP_2_PROFILE",
           "dcat_dataset_show", "with_our_profile"]

# ckanext-dcat's profiles and ours (setup.py's ckan.rdf.profiles entry points).
DCAT_AP_2_PROFILE = "euro_dcat_ap_2"
DCAT_AP_3_PROFILE = "euro_dcat_ap_3"
OUR_PROFILE = "binhduong_dcat"
OUR_AP_2_PROFILE = "binhduong_dcat_ap_2"


def with_our_profile(data_dict: dict) -> dict:
    """data_dict with our DCAT-AP 2 profile when its profiles are the DCAT-AP 2 one alone,
    or it with our (DCAT-AP 3) profile and not the DCAT-AP 3 one."""
    profiles = data_dict.get("profiles")
    if isinstance(profiles, str):
        profiles = [name.strip() for name in profiles.split(",") if name.strip()]
    if profiles == [DCAT_AP_2_PROFILE]:
        return {**data_dict, "profiles": [DCAT_AP_2_PROFILE, OUR_AP_2_PROFILE]}
    if profiles and DCAT_AP_2_PROFILE in profiles and OUR_PROFILE in profiles and DCAT_AP_3_PROFILE not in profiles:
        return {**data_dict, "profiles": [OUR_AP_2_PROFILE if name == OUR_PROFILE else name for name in profiles]}
    return data_dict


@toolkit.chained_action
@toolkit.side_effect_free
def dcat_dataset_show(up_func, context, data_dict):
    """ckanext-dcat's dataset in RDF (/dataset/<id>.<format>), with the DCAT-AP 2 switch
    above. ckanext-dcat's action checks access itself (package_show)."""
    return up_func(context, with_our_profile(data_dict))
