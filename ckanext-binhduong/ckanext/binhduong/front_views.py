"""Downloads the portal adds next to CKAN's: a DataStore table as an Excel workbook
(registered through views.py)."""
from __future__ import annotations

import ckan.plugins.toolkit as toolkit
from flask import Blueprint, Response

from ckanext.binhduong import exports

__all__ = ["xlsx_downloads"]

# The endpoint ends in "_resource.download" so the download is counted like the other files
# of a resource (downloads.py keys it by the resource id in the route).
xlsx_downloads = Blueprint("bd_xlsx_resource", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@xlsx_downloads.route("/datastore/xlsx/<resource_id>")
def download(resource_id: str):
    """Tải Excel (.xlsx): the whole DataStore table, read with the visitor's rights."""
    context = {"user": toolkit.g.user}
    try:
        toolkit.check_access("datastore_search", context, {"resource_id": resource_id})
        body = exports.xlsx_workbook(resource_id, context)
    except toolkit.ObjectNotFound:
        return toolkit.abort(404, toolkit._("Resource not found"))
    except toolkit.NotAuthorized:
        return toolkit.abort(404, toolkit._("Resource not found"))
    except toolkit.ValidationError:
        return toolkit.abort(404, toolkit._("This file has no table in the DataStore."))
    response = Response(body, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{resource_id}.xlsx"'
    return response
