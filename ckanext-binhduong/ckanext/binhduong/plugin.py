"""Wiring of the Bình Dương portal extension: interfaces and blanket registrations only."""
from __future__ import annotations

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

__all__ = ["BinhDuongPlugin"]


@toolkit.blanket.actions
@toolkit.blanket.auth_functions
@toolkit.blanket.helpers
@toolkit.blanket.cli
@toolkit.blanket.config_declarations
class BinhDuongPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)

    # IConfigurer

    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")
