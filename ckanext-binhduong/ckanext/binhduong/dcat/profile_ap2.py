"""DCAT-AP 2.1.1 for the Bình Dương schema: profile ``binhduong_dcat_ap_2``, on top of
ckanext-dcat's ``euro_dcat_ap_2`` as ``binhduong_dcat`` is on ``euro_dcat_ap_3``.

ckanext-dcat layers its profiles version on version (``euro_dcat_ap_2``,
``euro_dcat_ap_3``), and the profile list decides which run; ours follow. This one writes
what DCAT-AP 2.1.1 admits of our profile: legal bases as ``dct:relation`` (no
``dcatap:applicableLegislation``) and no SHA-256 checksums (2.1.1 knows SHA-1 alone, which we
do not keep). A consumer asks for it with ``?profiles=euro_dcat_ap_2,binhduong_dcat_ap_2``;
dcat/switch.py gives it to one that asks for ``euro_dcat_ap_2`` alone, or with
``binhduong_dcat`` as before this profile existed.
"""
from __future__ import annotations

from ckanext.binhduong.dcat.profile import BinhDuongDCATProfile

__all__ = ["BinhDuongDCATAP2Profile"]


class BinhDuongDCATAP2Profile(BinhDuongDCATProfile):
    """DCAT-AP 2.1.1 for the Bình Dương schema, on top of euro_dcat_ap_2."""

    DCAT_AP_VERSION = 2
