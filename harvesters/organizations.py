"""Which agency is which organization of the portal: source systems write agency names many
ways; datasets and rows are linked to the portal's organizations through this index."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.harvesters.values import name_key
from ckanext.binhduong.text import clean_text, slugify

__all__ = ["OrganizationIndex"]


class OrganizationIndex:
    """Matches agency names as source systems write them ("Sở Tư pháp", "UBND huyện Dầu
    Tiếng") to the portal's organizations: by the config's ``agency_map``, by agency code,
    by title (accents, case, "UBND" and a trailing "tỉnh Bình Dương" ignored), by name."""

    def __init__(self, organizations: list[dict[str, Any]], aliases: dict[str, str] | None = None,
                 site_url: str = ""):
        self.site_url = site_url.rstrip("/")
        self._by_ref: dict[str, dict] = {}
        self._by_key: dict[str, list[dict]] = {}
        for org in organizations:
            for ref in (org["id"], org["name"], (org.get("agency_code") or "").upper()):
                if ref:
                    self._by_ref[ref] = org
            self._by_key.setdefault(name_key(org.get("title") or org["name"]), []).append(org)
        self._aliases = {name_key(k): v for k, v in (aliases or {}).items()}

    @classmethod
    def from_database(cls, aliases: dict[str, str] | None = None) -> "OrganizationIndex":
        groups = (model.Session.query(model.Group)
                  .filter(model.Group.is_organization.is_(True), model.Group.state == "active").all())
        organizations = [{"id": g.id, "name": g.name, "title": g.title or g.name,
                          "agency_code": (g.extras or {}).get("agency_code"),
                          "email": (g.extras or {}).get("email")} for g in groups]
        return cls(organizations, aliases, toolkit.config.get("ckan.site_url", ""))

    def get(self, reference: str | None) -> dict[str, Any] | None:
        return self._by_ref.get(reference or "")

    def lookup(self, agency: Any) -> tuple[dict[str, Any] | None, bool]:
        """(organization or None, whether the agency is accounted for). An ``agency_map``
        entry with an empty value says "known, no organization of its own" (e.g. "UBND cấp
        xã", which is 91 communes), so it is not reported as unknown."""
        key = name_key(agency)
        if not key:
            return None, True
        if key in self._aliases:
            target = self._aliases[key]
            return (self._by_ref.get(target), True) if target else (None, True)
        text = clean_text(agency) or ""
        if text.upper() in self._by_ref:
            return self._by_ref[text.upper()], True
        found = self._by_key.get(key, [])
        if len(found) == 1:
            return found[0], True
        if not found and slugify(agency) in self._by_ref:
            return self._by_ref[slugify(agency)], True
        return None, False

    def match(self, agency: Any) -> dict[str, Any] | None:
        return self.lookup(agency)[0]

    def url(self, org: dict[str, Any]) -> str:
        return f"{self.site_url}/organization/{org['name']}"


# ---------------------------------------------------------------------------------------
# One harvest run