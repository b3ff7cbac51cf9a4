"""Pages of the portal that CKAN does not have (registered by toolkit.blanket.blueprints)."""
from __future__ import annotations

from flask import Blueprint

__all__ = ["portal"]

portal = Blueprint("binhduong", __name__)
