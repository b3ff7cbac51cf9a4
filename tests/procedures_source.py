"""The sample export of the TTHC system (harvesters/samples/) as a bd_procedures harvest
source on the running portal: which files to serve, and the source's config."""
from __future__ import annotations

import importlib.util
import pathlib
import shutil
import time

import ckanapi

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "harvesters" / "samples"
PROCEDURES_PAGES = ["api/mau-thu-tuc-hanh-chinh-trang-1.json", "api/mau-thu-tuc-hanh-chinh-trang-2.json",
                    "api/mau-thu-tuc-hanh-chinh-trang-3.json"]
STATISTICS_CSV = "mau-tinh-hinh-giai-quyet.csv"


def make_samples():
    spec = importlib.util.spec_from_file_location("bd_make_samples_e2e", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_samples(root: pathlib.Path) -> None:
    """The procedures as a paged JSON API (three pages linked by ``links.next``) and the
    monthly figures as a CSV, under ``root``."""
    (root / "api").mkdir(exist_ok=True)
    for page in PROCEDURES_PAGES:
        shutil.copyfile(SAMPLES / page, root / page)
    shutil.copyfile(SAMPLES / STATISTICS_CSV, root / STATISTICS_CSV)


def source_config(statistics_url: str, names: dict[str, str], organization_name: str) -> dict:
    """The config of a source publishing the two datasets under ``names``. Every sample agency
    is accounted for (none has an organization but the Department of Justice, linked to
    ``organization_name``), so a clean run reports nothing."""
    samples = make_samples()
    agencies = ({row["Cơ quan thực hiện"] for row in samples.procedures()}
                | {row["agency"] for row in samples.statistics()})
    return {
        "procedures": {"name": names["procedures"]},
        "statistics": {"url": statistics_url, "name": names["statistics"]},
        "contact": {"name": "Phòng Kiểm soát thủ tục hành chính", "email": "kstthc@binhduong.gov.vn"},
        "agency_map": {**{agency: "" for agency in agencies}, "Sở Tư pháp": organization_name},
    }


def purge_harvest(api, organization, source, names) -> None:
    """Purge what a procedures harvest made: its datasets (after any DataStore load under way),
    the source with its jobs and objects, and the organization; every step is tried."""
    problems = []

    def attempt(what, action, **data):
        try:
            return getattr(api.action, action)(**data)
        except ckanapi.NotFound:
            return None
        except Exception as error:  # keep purging the rest, report at the end
            problems.append(f"{what}: {error!r}")
            return None

    datasets = set(names.values())
    if source is not None:
        # A job left running by a failed step would go on writing while we purge.
        attempt("abort job", "harvest_job_abort", source_id=source["id"])
        found = attempt("search", "package_search", fq=f'harvest_source_id:"{source["id"]}"',
                        include_private=True, rows=100)
        datasets |= {d["name"] for d in (found or {}).get("results", [])}
    if organization is not None:
        found = attempt("search", "package_search", fq=f'owner_org:"{organization["id"]}"',
                        include_private=True, rows=100)
        datasets |= {d["name"] for d in (found or {}).get("results", [])}
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
    if organization is not None:
        attempt("purge organization", "organization_purge", id=organization["id"])
    assert not problems, "Clean-up left things behind:\n" + "\n".join(problems)
