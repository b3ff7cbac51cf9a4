"""Our DCAT profile, layered on ckanext-dcat's euro_dcat_ap_3 (mapping in schemas/DCAT-MAPPING.md)."""
from __future__ import annotations

from ckanext.dcat.profiles.base import RDFProfile

__all__ = ["BinhDuongDCATProfile"]


class BinhDuongDCATProfile(RDFProfile):
    """Placeholder wiring only: the DCAT issue fills the Vietnamese fields' mapping."""

    def parse_dataset(self, dataset_dict, dataset_ref):
        return dataset_dict

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        return None

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        return None
