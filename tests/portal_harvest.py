"""Harvest jobs on the running portal, done by its supervised gather and fetch consumers, as
the end-to-end tests (tests/e2e/, tests/dcat/test_reharvest.py) start and wait for them."""
from __future__ import annotations

import time

import pytest

JOB_TIMEOUT = 120  # seconds for a harvest job (about 2 s on a quiet machine)


def objects_done(api, source_id: str, job_id: str) -> bool:
    """Whether every harvest object of the job is imported or failed."""
    for object_id in api.action.harvest_object_list(source_id=source_id, only_current=False):
        obj = api.action.harvest_object_show(id=object_id)
        if obj["harvest_job_id"] == job_id and obj["state"] not in ("COMPLETE", "ERROR"):
            return False
    return True


def finish_jobs(api, source_id: str, timeout: float = JOB_TIMEOUT) -> list[dict]:
    """Wait until every job of the source is Finished. Marking a job Finished is the work of
    `ckan harvester run` (the scheduler, every 300 s): once every object of a job is done, the
    same action is called for this source only. It is not called earlier, because it also
    re-queues WAITING objects it does not see in Redis."""
    deadline = time.monotonic() + timeout
    while True:
        jobs = api.action.harvest_job_list(source_id=source_id)
        if all(job["status"] == "Finished" for job in jobs):
            return jobs
        if all(job["gather_finished"] and objects_done(api, source_id, job["id"])
               for job in jobs if job["status"] != "Finished"):
            api.action.harvest_jobs_run(source_id=source_id)
            continue
        if time.monotonic() > deadline:
            pytest.fail(f"Harvest jobs of {source_id} not finished after {timeout} s: {jobs}. Are the "
                        "portal:harvest-gather and portal:harvest-fetch consumers running? See "
                        "var/log/harvest-gather.log and var/log/harvest-fetch.log.")
        time.sleep(0.5)


def run_job(api, source_id: str) -> dict:
    """Start a job as the "Reharvest" button does and wait until it is Finished."""
    job = api.action.harvest_job_create(source_id=source_id, run=True)
    finish_jobs(api, source_id)
    return api.action.harvest_job_show(id=job["id"])
