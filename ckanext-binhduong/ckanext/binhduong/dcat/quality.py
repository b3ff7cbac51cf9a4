"""Each dataset's quality measurements (quality/, table ``binhduong_quality``) in its DCAT
description as W3C DQV (quality/dqv.py), so the national portal reads them with the
catalogue: ``dqv:hasQualityMeasurement`` (the MQA indicators and the total) and the rating
as a ``dqv:QualityAnnotation``; the dimensions and metrics once, with the catalogue record.

Written from the stored measurement as it is (the quality module recomputes it when the
dataset changes or on its schedule), without its ``prov:generatedAtTime``: what is written
depends only on the values, and the DCAT cache keys a dataset's text on a digest of exactly
those values (``digests``), so a recomputed score shows in the next read and a recomputation
that changes nothing does not make the whole catalogue render again.

The queries read the quality table directly, on a connection of their own (as
quality/store.py does), by batch of datasets: store.py reads one dataset or all of them.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ckan import model

__all__ = ["add_dataset", "add_scheme", "awaiting_measurement", "digests", "prefetched", "results"]

log = logging.getLogger(__name__)

TABLE = "binhduong_quality"
# What add_dataset writes: the total, the rating and each indicator's points.
_WRITTEN = ("jsonb_build_array(result->'total', result->'rating', "
            "(SELECT jsonb_object_agg(i.key, i.value->'points') FROM jsonb_each(result->'indicators') i))")

_warned: list[bool] = []
_prefetched: contextvars.ContextVar[dict | None] = contextvars.ContextVar("binhduong_dcat_quality", default=None)


def _query(sql: str, dataset_ids: list[str]) -> list:
    if not dataset_ids:
        return []
    try:
        with model.meta.engine.connect() as connection:
            return list(connection.execute(sa.text(sql), {"ids": dataset_ids}))
    except SQLAlchemyError as error:
        # A database without the quality table yet: the catalogue goes without measurements.
        if not _warned:
            _warned.append(True)
            log.warning("Quality measurements not read for the DCAT output (%s); the catalogue goes "
                        "without them", error.__class__.__name__)
        return []


def digests(dataset_ids: Iterable[str]) -> dict[str, str]:
    """A digest of what the DCAT output writes for each dataset that has a measurement."""
    rows = _query(f"SELECT dataset_id, md5(({_WRITTEN})::text) FROM {TABLE} WHERE dataset_id = ANY(:ids)",
                  sorted(set(dataset_ids)))
    return {row[0]: row[1] for row in rows}


def awaiting_measurement(dataset_ids: Iterable[str]) -> set[str]:
    """Of these datasets, those changed since their last measurement (or never measured): the
    quality module's job is about to measure them again (quality/jobs.py)."""
    rows = _query(f"SELECT p.id FROM package p LEFT JOIN {TABLE} q ON q.dataset_id = p.id "
                  "WHERE p.id = ANY(:ids) AND (q.computed IS NULL OR q.computed < p.metadata_modified)",
                  sorted(set(dataset_ids)))
    return {row[0] for row in rows}


def results(dataset_ids: Iterable[str]) -> dict[str, dict]:
    rows = _query(f"SELECT dataset_id, result FROM {TABLE} WHERE dataset_id = ANY(:ids)", sorted(set(dataset_ids)))
    return {row[0]: row[1] for row in rows if row[1] and row[1].get("indicators")}


@contextlib.contextmanager
def prefetched(dataset_ids: Iterable[str]) -> Iterator[None]:
    """Read the measurements of a batch of datasets in one query for the profile to use."""
    token = _prefetched.set(results(dataset_ids))
    try:
        yield
    finally:
        _prefetched.reset(token)


def _base() -> str:
    from ckanext.dcat.utils import catalog_uri

    return catalog_uri().rstrip("/")


def add_dataset(g, dataset_ref, dataset_id: str | None) -> None:
    """The dataset's measurements, if it has any (called by our profile)."""
    if not dataset_id:
        return
    from ckanext.binhduong.quality import dqv

    batch = _prefetched.get()
    result = batch.get(dataset_id) if batch is not None else results([dataset_id]).get(dataset_id)
    if result:
        g.bind("dqv", dqv.DQV)
        dqv.add_measurements(g, _base(), dataset_ref, result)


def add_scheme(g) -> None:
    """The five dimensions and the metrics the measurements name (with the catalogue record)."""
    from ckanext.binhduong.quality import dqv

    g.bind("dqv", dqv.DQV)
    dqv.describe_scheme(g, _base())
