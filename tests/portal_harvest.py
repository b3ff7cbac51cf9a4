"""Harvest jobs on the running portal, done by its supervised gather and fetch consumers, as
the end-to-end tests (tests/e2e/, tests/dcat/test_reharvest.py) start and wait for them, and
purge what a harvest made."""
from __future__ import annotations

import time

import ckanapi
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


def _listed(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, dict) else [item for item in value if item is not None]


def purge_harvest(api, organizations, source, names=()) -> None:
    """Purge what a harvest made: the datasets named, those of the source and those of the
    organizations (each after any DataStore load under way, with its tables), the source with
    its jobs and objects, then the organizations (one dict or several; None is skipped).
    Every step is tried; what failed is reported at the end."""
    organizations = _listed(organizations)
    problems = []

    def attempt(what, action, **data):
        try:
            return getattr(api.action, action)(**data)
        except ckanapi.NotFound:
            return None
        except Exception as error:  # keep purging the rest, report at the end
            problems.append(f"{what}: {error!r}")
            return None

    datasets = set(names.values() if isinstance(names, dict) else names)
    if source is not None:
        # A job left running by a failed step would go on writing while we purge.
        attempt("abort job", "harvest_job_abort", source_id=source["id"])
        found = attempt("search", "package_search", fq=f'harvest_source_id:"{source["id"]}"',
                        include_private=True, rows=100)
        datasets |= {d["name"] for d in (found or {}).get("results", [])}
    for organization in organizations:
        found = attempt("search", "package_search", fq=f'owner_org:"{organization["id"]}"',
                        include_private=True, include_drafts=True, rows=100)
        datasets |= {d["name"] for d in (found or {}).get("results", []) if d.get("type") == "dataset"}
    for name in sorted(datasets):
        dataset = attempt(f"show {name}", "package_show", id=name)
        if dataset is None:
            continue
        for resource in dataset["resources"]:
            if resource["format"] == "CSV":
                # Let a load still under way finish, or it would recreate the table afterwards.
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    status = attempt("xloader status", "xloader_status", resource_id=resource["id"]) or {}
                    if status.get("status") not in ("pending", "submitting", "running", "running_but_viewable"):
                        break
                    time.sleep(1)
            attempt(f"datastore_delete {resource['id']}", "datastore_delete",
                    resource_id=resource["id"], force=True)
        attempt(f"purge {name}", "dataset_purge", id=dataset["id"])
    if source is not None:
        attempt("clear source", "harvest_source_clear", id=source["id"])      # jobs, objects, errors
        # ckanext-harvest has no action removing the harvest_source row: ours does.
        attempt("purge source", "binhduong_harvest_source_purge", id=source["id"])
    for organization in organizations:
        attempt(f"purge organization {organization['name']}", "organization_purge", id=organization["id"])
    assert not problems, "Clean-up left things behind:\n" + "\n".join(problems)
