"""Catalogue paging by key instead of by offset, with the Hydra links harvesters follow.

ckanext-dcat pages the catalogue with ``start = per_page × (page − 1)`` over
``metadata_modified desc``. An offset is re-counted on every request: when a dataset is
deleted or made private while a harvester walks the pages, every later dataset moves up one
place and the harvester skips one it never saw; and Solr has to rank ``start + rows``
documents for each deep page.

Here the order is ``metadata_modified desc, id desc`` (a total order: two datasets can
share a timestamp, not an id), and the ``hydra:next`` link of each page carries the key of
its last dataset (``after=<metadata_modified>,<id>``). The next page is the ``per_page``
datasets strictly after that key: a filter Solr answers from its index, whatever the depth,
and unaffected by datasets removed from earlier pages. ``page`` stays in every link, so the
first, last, previous and current links are the ordinary numbered pages of ckanext-dcat,
and a client that builds ``?page=N`` itself still gets page N by offset.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import ckan.plugins.toolkit as toolkit
from dateutil.parser import parse as parse_date

from ckanext.dcat.logic import DATASETS_PER_PAGE, _pagination_info

__all__ = ["CURSOR_PARAM", "Page", "after_filter", "cursor_of", "pagination", "parse_cursor", "search"]

CURSOR_PARAM = "after"
SORT = "metadata_modified desc, id desc"
# Solr's own date format (what it returns for metadata_modified) and CKAN's dataset ids.
_SOLR_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")
_DATASET_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
# Asked for under other names: ckanext-tracking's after_dataset_search queries the page
# views of every result that has an "id" (one SQL query each), which the catalogue never
# shows; Solr's field aliases leave those rows alone.
# The organization is its name: Solr stores no owner_org.
FIELDS = {"id": "key_id", "metadata_modified": "key_modified", "organization": "key_org"}

_bad_page = "Page param must be a positive integer starting in 1"


class Page(dict):
    """rows (id, metadata_modified, owner_org of each dataset, in order), count, page."""


def per_page() -> int:
    return int(toolkit.config.get("ckanext.dcat.datasets_per_page", DATASETS_PER_PAGE))


def parse_cursor(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    modified, _, dataset_id = str(value).partition(",")
    if not (_SOLR_DATE.match(modified) and _DATASET_ID.match(dataset_id)):
        raise toolkit.ValidationError({CURSOR_PARAM: ["Expected <metadata_modified>,<id> as in a hydra:next link"]})
    return modified, dataset_id


def cursor_of(row: dict) -> str:
    return f"{row['metadata_modified']},{row['id']}"


def _page_number(data_dict: dict) -> int:
    try:
        page = int(data_dict.get("page", 1) or 1)
    except (TypeError, ValueError):
        raise toolkit.ValidationError(_bad_page)
    if page < 1:
        raise toolkit.ValidationError(_bad_page)
    return page


def filters(data_dict: dict) -> list[str]:
    """ckanext-dcat's catalogue filters (dataset types, modified_since)."""
    fq_list = ["-dataset_type:harvest", "-dataset_type:showcase"]
    modified_since = data_dict.get("modified_since")
    if modified_since:
        try:
            modified_since = parse_date(modified_since).isoformat() + "Z"
        except (ValueError, AttributeError, OverflowError):
            raise toolkit.ValidationError("Wrong modified date format. Use ISO-8601 format")
        fq_list.append(f"metadata_modified:[{modified_since} TO NOW]")
    return fq_list


def after_filter(cursor: tuple[str, str]) -> str:
    """The Solr filter for the datasets after this key in the catalogue's order."""
    modified, dataset_id = cursor
    return (f'metadata_modified:{{* TO "{modified}"}} OR '
            f'(metadata_modified:"{modified}" AND id:{{* TO "{dataset_id}"}})')


def search(context: dict, data_dict: dict, cursor: tuple[str, str] | None) -> Page:
    """The keys of one catalogue page: id, metadata_modified and organization name of each
    dataset, from the same search (and the same visibility filter) as ckanext-dcat's."""
    page = _page_number(data_dict)
    n = per_page()
    fq_list = filters(data_dict)
    if cursor:
        fq_list.append(after_filter(cursor))
    search_dict = {
        "q": data_dict.get("q", "*:*"),
        "fq": data_dict.get("fq"),
        "fq_list": fq_list,
        "rows": n,
        "start": 0 if cursor else n * (page - 1),
        "sort": SORT,
        "fl": [f"{alias}:{field}" for field, alias in FIELDS.items()],
    }
    found = toolkit.get_action("package_search")(dict(context), search_dict)
    rows = [{field: row.get(alias) for field, alias in FIELDS.items()} for row in found["results"]]
    # With a key, Solr counts what is left; the pages before it held n each.
    count = found["count"] + (n * (page - 1) if cursor else 0)
    return Page(rows=rows, count=count, page=page)


def pagination(page: Page, data_dict: dict) -> dict:
    """ckanext-dcat's Hydra paging info, with the key of the last dataset on the next link."""
    info = _pagination_info({"count": page["count"], "results": page["rows"]}, data_dict)
    if info.get("next") and page["rows"]:
        info["next"] = f"{info['next']}&{CURSOR_PARAM}={quote(cursor_of(page['rows'][-1]), safe=':,')}"
    return info
