"""ckanext-xloader's own jobs database engine, made to survive a PostgreSQL restart.

xloader creates its engine without ``pool_pre_ping`` (CKAN's and the DataStore's engines have
it): after PostgreSQL restarts, the first ``xloader_status`` of each web worker used a dead
pooled connection and answered 500. The engine is created here first, the same way but with
the pool checking a connection before it lends it; xloader then uses it as its own.
"""
from __future__ import annotations

from typing import Any

__all__ = ["resilient_engine"]


def resilient_engine(config: Any) -> None:
    try:
        import sqlalchemy
        from ckanext.xloader import db
    except ImportError:
        return
    uri = config.get("ckanext.xloader.jobs_db.uri")
    if db.ENGINE is None and uri:
        db.ENGINE = sqlalchemy.create_engine(uri, pool_pre_ping=True)
