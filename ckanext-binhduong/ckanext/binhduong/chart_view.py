"""The `bd_chart` resource view: a bar or line chart of a table loaded into the DataStore."""
from __future__ import annotations

import logging

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import charts

__all__ = ["BinhDuongChartView"]

log = logging.getLogger(__name__)
_ = toolkit._


def _columns(value) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


class BinhDuongChartView(plugins.SingletonPlugin):
    # Templates and translations come with the `binhduong` plugin, which must be loaded too.
    plugins.implements(plugins.IResourceView, inherit=True)

    def info(self):
        not_empty = toolkit.get_validator("not_empty")
        ignore_missing = toolkit.get_validator("ignore_missing")
        unicode_safe = toolkit.get_validator("unicode_safe")
        return {
            "name": "bd_chart",
            "title": _("Chart"),
            "icon": "chart-bar",
            "iframed": False,
            "always_available": False,
            "default_title": _("Chart"),
            "schema": {"x": [not_empty, unicode_safe], "y": [not_empty, unicode_safe],
                       "kind": [ignore_missing, unicode_safe]},
        }

    def can_view(self, data_dict):
        return bool(data_dict["resource"].get("datastore_active"))

    def view_template(self, context, data_dict):
        return "bd_chart/view.html"

    def form_template(self, context, data_dict):
        return "bd_chart/form.html"

    def setup_template_variables(self, context, data_dict):
        resource, view = data_dict["resource"], data_dict["resource_view"]
        if not resource.get("datastore_active"):
            return {"chart_svg": None}
        ys = _columns(view.get("y"))
        try:
            result = toolkit.get_action("datastore_search")(
                {"user": context.get("user")},
                {"resource_id": resource["id"], "limit": charts.MAX_POINTS, "fields": [view["x"], *ys]},
            )
        except (toolkit.ValidationError, toolkit.ObjectNotFound) as error:
            log.warning("Chart %s: cannot read the table: %s", view.get("id"), error)
            return {"chart_svg": None}
        labels, series = charts.series_from_records(result["records"], view["x"], ys)
        return {"chart_svg": charts.render_svg(labels, series, view.get("kind") or "bar", view.get("title") or "")}
