"""WSGI entry point of the *stock* search configuration for `bench/bench_scale.py --web`.

The portal exactly as config/wsgi.py builds it for gunicorn, then switched, in each gunicorn
worker, to stock CKAN's search by bench/bench_search.py's `Modes("stock")`: the stock core
named by BENCH_STOCK_SOLR_URL (CKAN 2.12's own schema.xml, filled with the same datasets),
CKAN's own dismax query (our ranking and spelling steps off) and ckanext-tracking's own
hooks. Everything else (templates, other plugins, delivery middleware) is the same as ours.

    gunicorn --pythonpath config,bench stock_wsgi:application   (with CKAN_INI, BENCH_STOCK_SOLR_URL)
"""
import os

from wsgi import application  # noqa: F401  (config/wsgi.py: the portal's own entry point)

from bench_search import Modes

with application._wsgi_app.app_context():  # the Flask app's config too, not only CKAN's
    Modes(os.environ["BENCH_STOCK_SOLR_URL"]).set("stock")
