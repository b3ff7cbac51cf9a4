"""WSGI entry point for gunicorn: builds the CKAN app from the ini named by CKAN_INI."""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config_path = os.environ["CKAN_INI"]
fileConfig(config_path, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(config_path).get_config())
