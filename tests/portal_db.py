"""The running portal's own database (not the test database), for end-to-end tests that check
or clean up what the portal stored."""
from __future__ import annotations

import configparser
import functools
import os
import pathlib

import sqlalchemy as sa

ROOT = pathlib.Path(__file__).resolve().parent.parent
PORTAL_INI = os.environ.get("BD_CKAN_INI", str(ROOT / "var" / "ckan.ini"))


@functools.lru_cache(maxsize=None)
def portal_engine() -> sa.engine.Engine:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(PORTAL_INI)
    # pool_pre_ping: the fault tests restart PostgreSQL under a cached engine.
    return sa.create_engine(parser["app:main"]["sqlalchemy.url"], pool_pre_ping=True)
