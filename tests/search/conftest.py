"""The judged catalogue, indexed once for the tests in this folder into the test core (ckan_test) through CKAN's
in-process actions on var/test.ini."""
from __future__ import annotations

import pytest
from ckan.lib import search
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset
from search.catalogue import DATASETS


@pytest.fixture(scope="package")
def judged_catalogue(reset_db, reset_index, migrate_db_for):
    import ckan.plugins as plugins
    from ckan.tests.helpers import _get_test_app
    from conftest import PLUGINS_WITH_MIGRATIONS

    plugins.load_all()
    reset_db()
    for plugin in PLUGINS_WITH_MIGRATIONS:
        if plugins.plugin_loaded(plugin):
            migrate_db_for(plugin)
    reset_index()
    # One Solr commit for the whole catalogue instead of one per dataset.
    commit_each = toolkit.config.get("ckan.search.solr_commit")
    toolkit.config["ckan.search.solr_commit"] = False
    with _get_test_app().flask_app.test_request_context():
        sysadmin = factories.Sysadmin()
        organization = factories.Organization(title="Sở Kiểm thử tìm kiếm")
        for name, title, notes, tags, theme in DATASETS:
            call_action("package_create", context={"user": sysadmin["name"]}, **valid_dataset(
                organization["id"], name=name, title=title, notes=notes, theme=[theme],
                tags=[{"name": tag} for tag in tags]))
        toolkit.config["ckan.search.solr_commit"] = commit_each
        search.commit()
    # Left in the index (the next module's clean_index empties it) so a failure can be explored.
    yield [entry[0] for entry in DATASETS]
