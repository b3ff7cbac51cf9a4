"""WSGI entry point for gunicorn: builds the CKAN app from the ini named by CKAN_INI.

The portal's text responses are compressed and its static files get cache lifetimes here
(ckanext.binhduong.delivery); the production image gets the same from docker/nginx.conf."""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

from ckanext.binhduong import delivery

config_path = os.environ["CKAN_INI"]
fileConfig(config_path, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(config_path).get_config())
delivery.install(application._wsgi_app)
