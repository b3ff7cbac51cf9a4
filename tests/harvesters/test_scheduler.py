"""The harvest scheduler that `make up` supervises (scripts/harvest_scheduler.sh, the same loop
the compose file runs) honours each source's frequency: run here as a real process against
the test databases, it starts a job for the sources that are due and for no other, and moves
each started source's next run on by its frequency, so the next pass starts nothing."""
from __future__ import annotations

import datetime as dt
import json
import os
import pathlib
import signal
import subprocess
import time
import uuid

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEDULER = ROOT / "scripts" / "harvest_scheduler.sh"


def _ini() -> str:
    return toolkit.config["__file__"]


def _engine() -> sa.engine.Engine:
    # A connection of its own: the scheduler commits in another process.
    return sa.create_engine(toolkit.config["sqlalchemy.url"])


def _jobs_and_next_runs(engine, source_ids: dict[str, str]) -> dict[str, tuple[int, dt.datetime | None]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT s.id, s.next_run, (SELECT count(*) FROM harvest_job j WHERE j.source_id = s.id) "
            "FROM harvest_source s WHERE s.id = ANY(:ids)"), {"ids": list(source_ids.values())}).all()
    by_id = {row[0]: (row[2], row[1]) for row in rows}
    return {label: by_id[source_id] for label, source_id in source_ids.items()}


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_the_scheduler_starts_due_sources_only_and_moves_their_next_run(tmp_path):
    sysadmin = factories.Sysadmin()
    organization = factories.Organization(email="kstthc@binhduong.gov.vn")
    sources = {}
    for label, frequency in (("daily", "DAILY"), ("weekly", "WEEKLY"), ("monthly", "MONTHLY"), ("manual", "MANUAL")):
        created = call_action(
            "harvest_source_create", context={"user": sysadmin["name"]},
            name=f"lich-{label}-{uuid.uuid4().hex[:6]}", title=f"Nguồn mẫu {label}",
            url=f"http://127.0.0.1:9/{label}.csv", source_type="bd_procedures", frequency=frequency,
            config=json.dumps({}), owner_org=organization["id"])
        sources[label] = created["id"]

    now = dt.datetime.utcnow()
    next_runs = {
        "daily": now - dt.timedelta(minutes=5),    # due
        "weekly": now - dt.timedelta(days=2),      # due
        "monthly": now + dt.timedelta(days=10),    # not yet
        "manual": now - dt.timedelta(days=30),     # never by the scheduler
    }
    engine = _engine()
    with engine.begin() as connection:
        for label, next_run in next_runs.items():
            connection.execute(sa.text("UPDATE harvest_source SET next_run = :t WHERE id = :id"),
                               {"t": next_run, "id": sources[label]})
    assert {label: jobs for label, (jobs, _) in _jobs_and_next_runs(engine, sources).items()} == \
        {"daily": 0, "weekly": 0, "monthly": 0, "manual": 0}

    log = tmp_path / "scheduler.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            ["bash", str(SCHEDULER), str(ROOT / "var" / "venv" / "bin" / "ckan"), _ini(), "1"],
            stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        state = _jobs_and_next_runs(engine, sources)
        while time.monotonic() < deadline and not (state["daily"][0] and state["weekly"][0]):
            assert process.poll() is None, log.read_text()
            time.sleep(1)
            state = _jobs_and_next_runs(engine, sources)
        assert state["daily"][0] and state["weekly"][0], f"no job started within 120 s:\n{log.read_text()}"
        started = dt.datetime.utcnow()
        # Let the loop make further passes: a source is started once per period, not per pass.
        time.sleep(20)
        assert process.poll() is None, log.read_text()
    finally:
        _stop(process)
        queue.purge_queues()

    state = _jobs_and_next_runs(engine, sources)
    assert {label: jobs for label, (jobs, _) in state.items()} == {"daily": 1, "weekly": 1, "monthly": 0, "manual": 0}
    daily_next, weekly_next = state["daily"][1], state["weekly"][1]
    assert started + dt.timedelta(hours=23) < daily_next < started + dt.timedelta(days=1, minutes=5)
    assert started + dt.timedelta(days=6, hours=23) < weekly_next < started + dt.timedelta(days=7, minutes=5)
    assert abs(state["monthly"][1] - next_runs["monthly"]) < dt.timedelta(seconds=1)
    engine.dispose()
    model.Session.remove()
