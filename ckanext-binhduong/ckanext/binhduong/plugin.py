"""Wiring of the Bình Dương portal extension: interfaces and blanket registrations only."""
from __future__ import annotations

from collections import OrderedDict

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.lib.plugins import DefaultTranslation
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.xloader.interfaces import IXloader

from ckanext.binhduong import (
    csrf_exemptions, datastore_sql, datastore_types, exports, harvest_registry, indexing, outbound, page_views,
    resources, search_ranking, search_tracking, upload_checks, xloader_jobs_db,
)
from ckanext.binhduong import workflow  # the approval workflow of hand-made datasets
from ckanext.binhduong.dcat import visibility as dcat_visibility
from ckanext.binhduong.dcat import warming as dcat_warming
from ckanext.binhduong.dcat.rdf_harvester_hooks import DCATHarvestHooks
from ckanext.binhduong.logic import action, auth
from ckanext.binhduong.mail import CkanMailNotifier
from ckanext.binhduong.quality import jobs as quality_jobs

__all__ = ["BinhDuongPlugin"]

_ = toolkit._


@toolkit.blanket.actions(action.registered)
@toolkit.blanket.auth_functions(auth.registered)
@toolkit.blanket.helpers
@toolkit.blanket.blueprints
@toolkit.blanket.validators
@toolkit.blanket.cli
@toolkit.blanket.config_declarations
class BinhDuongPlugin(DCATHarvestHooks, CkanMailNotifier, plugins.SingletonPlugin, DefaultTranslation):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITranslation)
    plugins.implements(plugins.IFacets, inherit=True)
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(plugins.IResourceController, inherit=True)
    # ckanext-dcat's RDF harvester: unchanged records are not rewritten (dcat/rdf_harvester_hooks.py).
    plugins.implements(IDCATRDFHarvester, inherit=True)
    plugins.implements(plugins.IMiddleware, inherit=True)
    # xloader reads link resources only where the outbound policy allows (outbound.py).
    plugins.implements(IXloader, inherit=True)
    # After a dataset or organization changed and the change is committed: the quality
    # measurement (quality/jobs.py) and the DCAT cache's warming (dcat/warming.py) are queued.
    plugins.implements(plugins.ISignal)
    # CKAN's own mail (password reset, invitations) sent with verified TLS (mail.py, CVE-2026-41132).
    plugins.implements(plugins.INotifier, inherit=True)

    # ISignal

    def get_signal_subscriptions(self):
        return {toolkit.signals.action_succeeded: [quality_jobs.on_action, dcat_warming.on_action]}

    # IConfigurer

    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")
        toolkit.add_resource("assets", "binhduong")
        toolkit.add_resource("assets/form", "bd_form")  # the publisher's form (steps, unit picker)
        outbound.secure_xloader()
        exports.secure_datastore_dump()
        datastore_sql.secure_sql_search()  # no SQL-running functions in datastore_search_sql (CVE-2026-42032)
        xloader_jobs_db.resilient_engine(config)
        harvest_registry.fix_registries()
        search_tracking.batch_tracking_summaries()  # ckanext-tracking: 2 queries per search, not 1 per row
        search_ranking.allow_our_parser(config)  # {!edismax q.op=OR} on our own queries only

    # IMiddleware

    def make_middleware(self, app, config):
        csrf_exemptions.install()
        page_views.install(app)
        return app

    # IXloader

    def can_upload(self, resource_id):
        return outbound.xloader_may_fetch_resource(resource_id)

    def after_upload(self, context, resource_dict, dataset_dict):
        datastore_types.after_upload(resource_dict)  # numbers and dates typed (datastore_types.py)
        quality_jobs.after_resource_write(resource_dict)  # table report against the data dictionary
        workflow.after_datastore_load(dataset_dict)  # an approval during the load stays indexed public

    # ITranslation: only compiled locales, not the i18n/src folder of PO sources.

    def i18n_locales(self):
        return ["vi"]

    # IFacets

    def dataset_facets(self, facets_dict, package_type):
        return OrderedDict([
            ("vocab_theme", _("Themes")),
            ("organization", _("Agencies")),
            ("vocab_units", _("Administrative units")),
            ("res_format", _("Formats")),
            ("license_id", _("Licences")),
            ("vocab_frequency", _("Update frequency")),
            ("tags", _("Keywords")),
        ])

    # IPackageController

    def before_dataset_index(self, pkg_dict):
        return indexing.enrich_index(pkg_dict)

    def after_dataset_create(self, context, pkg_dict):
        workflow.after_write(context, pkg_dict)  # an editor's finished dataset waits for review

    def after_dataset_update(self, context, pkg_dict):
        workflow.after_write(context, pkg_dict)

    def before_dataset_search(self, search_params):
        return dcat_visibility.restrict_search(search_ranking.tune(indexing.widen_unit_filter(search_params)))

    # IResourceController

    def before_resource_create(self, context, resource):
        resources.fill_upload_facts(resource)
        upload_checks.check_upload(resource)

    def before_resource_update(self, context, current, resource):
        resources.fill_upload_facts(resource)
        upload_checks.check_upload(resource)
