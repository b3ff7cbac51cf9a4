"""``datastore_search_sql`` without the functions that run SQL text of their own
(CVE-2026-42032, fixed in CKAN 2.11.5, still open in the CKAN 2.12.0 we pin).

The portal enables ``ckan.datastore.sqlsearch.enabled`` (the API guide's SQL example). CKAN
checks the caller may read every table the query names and calls only functions on its
allow-list. ``ts_rewrite(query, select)`` is on that list, and its second argument is a SELECT
given as text, which PostgreSQL runs with the DataStore's read role: the tables it reads are
never seen by CKAN's check, so anyone (anonymous included) could read a private dataset's
table (``tests/security/test_datastore_sql.py`` performs it). CKAN's fix removed it from
``allowed_functions.txt``; here it is removed from the allow-list the DataStore backend reads
at start-up (whatever file ``ckan.datastore.sqlsearch.allowed_functions_file`` names), so a
call is refused with CKAN's own "Not authorized to call function ts_rewrite" (403).

CVE-2026-42031 (a second statement hidden behind ``\\'``, which sqlparse and PostgreSQL read
differently) is already fixed in CKAN 2.12.0 (``is_single_statement`` refuses ``\\'``); the same
test file attacks it too.

Also: a query PostgreSQL refuses for its data (a failed cast, a division by zero) answered 500
to anyone; ``datastore_search_sql`` is chained so it is a 409 with PostgreSQL's reason (the
tables were checked before the query ran, so the reason only quotes what the caller may read).
"""
from __future__ import annotations

import functools

import ckan.plugins.toolkit as toolkit

# Allowed by CKAN 2.12.0's allow-list but run a query given as text (PostgreSQL's functions
# that do so: ts_rewrite, ts_stat, query_to_xml and its kin; only ts_rewrite is listed).
REFUSED_FUNCTIONS = frozenset({"ts_rewrite", "ts_stat", "query_to_xml", "query_to_xml_and_xmlschema",
                               "query_to_xmlschema", "cursor_to_xml", "cursor_to_xmlschema"})


def without_query_functions(allowed: set[str]) -> set[str]:
    """The allow-list without the refused functions, in either of CKAN's spellings (lower case,
    or "quoted" exactly)."""
    return {name for name in allowed if name.strip('"').lower() not in REFUSED_FUNCTIONS}


def secure_sql_search() -> None:
    """Wrap the DataStore backend's ``configure`` so its allow-list never holds the refused
    functions (idempotent; nothing to do without ckanext-datastore)."""
    try:
        from ckanext.datastore.backend.postgres import DatastorePostgresqlBackend
    except ImportError:
        return
    configure = DatastorePostgresqlBackend.configure
    if getattr(configure, "binhduong_safe", False):
        return

    @functools.wraps(configure)
    def safe_configure(self, config):
        result = configure(self, config)
        allowed = getattr(self, "allowed_sql_functions", None)
        if allowed:
            self.allowed_sql_functions = without_query_functions(allowed)
        return result

    safe_configure.binhduong_safe = True
    DatastorePostgresqlBackend.configure = safe_configure


@toolkit.chained_action
@toolkit.side_effect_free
def datastore_search_sql(up_func, context, data_dict):
    """CKAN's ``datastore_search_sql`` (which checks access itself); a data error is a 409."""
    from sqlalchemy.exc import DataError

    try:
        return up_func(context, data_dict)
    except DataError as error:
        reason = (str(getattr(error, "orig", "") or "").strip().splitlines() or ["invalid data in the query"])[0]
        raise toolkit.ValidationError({"query": [reason]})
