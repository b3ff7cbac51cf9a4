"""Template helpers of the portal extension."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from ckan.lib.i18n import get_lang

__all__ = ["binhduong_portal_title"]


def binhduong_portal_title() -> str:
    """The portal's name in the language of the current request."""
    if get_lang() == "en":
        return toolkit.config.get("ckanext.binhduong.portal_title_en")
    return toolkit.config.get("ckanext.binhduong.portal_title_vi")
