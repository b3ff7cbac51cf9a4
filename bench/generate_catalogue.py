#!/usr/bin/env python
"""Bulk generator of benchmark catalogues: N datasets with every field of
schemas/dataset.yaml and 3 resources each, created through CKAN's own `package_create` in
process (validated against the schema, saved with their activities and default views, as
the web form or the API would), with indexing deferred, then indexed in one batched build
(`ckanext.binhduong.index_rebuild`, the same Solr documents CKAN's indexer writes).

    bash bench/bench_env.sh   # once: the bench databases, Solr core and var/bench.ini
    var/venv/bin/python bench/generate_catalogue.py --datasets 100000 [--workers 2] [--purge]

Only on the benchmark environment: it refuses an ini whose database, DataStore or Solr core
is not the bench one (`ckan_bench`, `datastore_bench`, core `ckan_bench`), so neither the
portal's catalogue nor the tests' databases can be filled by mistake. Datasets are named
`<prefix>NNNNNN` under 10 organizations `<prefix>org-N`; a run continues an earlier one
(existing names are skipped), `--purge` removes an earlier run first (`--purge --datasets 0`:
only that). Figures: bench/README.md,
section "Scale".
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
PREFIX = "bench-cat-"
ORGANIZATIONS = 10
FORMATS = [("CSV", "text/csv"),
           ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           ("JSON", "application/json"), ("PDF", "application/pdf"), ("GeoJSON", "application/geo+json"),
           ("API", None)]
WORDS = ("dân số lao động việc làm giáo dục y tế giao thông đất đai môi trường nông nghiệp công nghiệp "
         "thương mại du lịch tài chính ngân sách doanh nghiệp đầu tư xây dựng nhà ở văn hóa thể thao "
         "khoa học công nghệ viễn thông bưu chính hộ tịch thủ tục hành chính an sinh xã hội").split()

TAGS = ("dân số", "lao động", "việc làm", "giáo dục", "y tế", "giao thông", "đất đai", "môi trường",
        "nông nghiệp", "công nghiệp", "thương mại", "du lịch", "tài chính", "ngân sách", "doanh nghiệp",
        "đầu tư", "xây dựng", "nhà ở", "văn hóa", "thể thao", "khoa học", "viễn thông", "hộ tịch",
        "thủ tục hành chính", "an sinh xã hội")

_APP = None  # the Flask app, made once in the parent and inherited by forked workers
_STATE: dict = {}


def check_bench_ini(config) -> str | None:
    """Why this configuration is not the benchmark environment's, or None when it is."""
    url = config.get("sqlalchemy.url", "")
    if url.rsplit("/", 1)[-1] != "ckan_bench":
        return f"sqlalchemy.url is not the bench database ckan_bench ({url.rsplit('/', 1)[-1]!r})"
    write_url = config.get("ckan.datastore.write_url") or ""
    if write_url and write_url.rsplit("/", 1)[-1] != "datastore_bench":
        return "ckan.datastore.write_url is not datastore_bench"
    solr = (config.get("solr_url") or "").rstrip("/")
    if solr.rsplit("/", 1)[-1] != "ckan_bench":
        return f"solr_url is not the bench core ckan_bench ({solr!r})"
    return None


def load_app(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    return make_app(load_config(ini))


def vocabulary_codes() -> dict[str, list[str]]:
    from ckanext.binhduong import places, vocabularies

    codes = {name: [t.code for t in vocabularies.terms(name)]
             for name in ("themes", "frequencies", "languages", "agency_types", "distribution_statuses")}
    codes["units"] = [u.code for u in places.all_units()]
    codes["licences"] = sorted(vocabularies.open_licence_ids())
    return codes


def words(i: int, count: int) -> str:
    return " ".join(WORDS[(i * 7 + k * 13) % len(WORDS)] for k in range(count))


def dataset_dict(i: int, codes: dict[str, list[str]], organizations: list[str], prefix: str) -> dict:
    """Dataset number i: every field of schemas/dataset.yaml filled, 3 resources, values
    varied deterministically so facets, sorting and full text have something to work on."""
    themes, units, freq = codes["themes"], codes["units"], codes["frequencies"]
    year = 2010 + i % 15
    month = 1 + i % 12
    org = i % len(organizations)
    resources = []
    for j in range(3):
        fmt, media = FORMATS[(i + j) % len(FORMATS)]
        extension = "json" if fmt == "API" else fmt.lower()
        resource = {
            "url": f"https://coquan{org}.binhduong.gov.vn/du-lieu/{i}/tep-{j}.{extension}",
            "name": f"{words(i + j, 3).capitalize()} — tệp {j + 1}",
            "description": f"Tệp {j + 1} của bộ dữ liệu số {i}: {words(i * 3 + j, 12)}.",
            "format": fmt, "size": 1024 + (i * 37 + j * 101) % 10_000_000,
            "sha256": f"{(i * 3 + j) * 2654435761 % (1 << 64):016x}" * 4,
            "language": codes["languages"][(i + j) % len(codes["languages"])],
            "status": codes["distribution_statuses"][j % len(codes["distribution_statuses"])],
        }
        if media:
            resource["mimetype"] = media
        if j == 2:
            # The third resource's licence is given; the others inherit the dataset's.
            resource["license_id"] = codes["licences"][(i + 1) % len(codes["licences"])]
        resources.append(resource)
    own_units = [units[i % len(units)], units[(i * 31 + 7) % len(units)]]
    data = {
        "name": f"{prefix}{i:06d}",
        "title": f"{words(i, 4).capitalize()} năm {year} (bộ {i})",
        "notes": f"Bộ dữ liệu sinh tự động số {i} để đo hiệu năng ở quy mô lớn. " + words(i, 40) + ".",
        "owner_org": organizations[org],
        "author": f"Phòng {words(i, 2)} {org}",
        "contact": [{"name": f"Bộ phận dữ liệu {org}", "email": f"dulieu{org}@binhduong.gov.vn",
                     "phone": f"0274 38{i % 100:02d} {i % 1000:03d}"}],
        "issued": f"{year}-{month:02d}-{1 + i % 28:02d}",
        "modified": f"{min(year + 1, 2025)}-{month:02d}-{1 + i % 28:02d}",
        "theme": sorted({themes[i % len(themes)], themes[(i * 7 + 3) % len(themes)]}),
        "tag_string": f"{TAGS[i % len(TAGS)]},{TAGS[(i * 5 + 1) % len(TAGS)]},năm {year}",
        "spatial_units": sorted(set(own_units)),
        "temporal_start": f"{year - 1}-01-01", "temporal_end": f"{year - 1}-12-31",
        "frequency": freq[i % len(freq)],
        "access_rights": "PUBLIC",
        "license_id": codes["licences"][i % len(codes["licences"])],
        "legal_basis": [{"number": f"{i % 90 + 1}/{year}/QĐ-UBND", "date": f"{year}-01-15",
                         "title": f"Quyết định về {words(i, 3)}",
                         "url": f"https://vbpl.binhduong.gov.vn/van-ban/{i}"}],
        "language": ["vi", "en"][: 1 + i % 2],
        "version": f"{1 + i % 3}.{i % 10}",
        "conforms_to": [f"https://chuan.binhduong.gov.vn/luoc-do/{i % 20}"],
        "url": f"https://coquan{org}.binhduong.gov.vn/du-lieu/{i}",
        "provenance": f"Trích xuất từ hệ thống nghiệp vụ của cơ quan {org}.",
        "maintainer": f"Cán bộ {words(i, 2)}",
        "maintainer_email": f"canbo{i % 50}@binhduong.gov.vn",
        "resources": resources,
    }
    if i % 10 == 0:
        # One dataset in ten draws its extent by hand; the others derive it from the units.
        lon, lat = 106.5 + (i % 50) / 100, 11.0 + (i % 40) / 100
        data["spatial"] = json.dumps({"type": "Polygon", "coordinates": [[
            [lon, lat], [lon + 0.05, lat], [lon + 0.05, lat + 0.05], [lon, lat + 0.05], [lon, lat]]]})
    return data


def ensure_organizations(call, context, prefix: str, codes) -> list[str]:
    ids = []
    for n in range(ORGANIZATIONS):
        name = f"{prefix}org-{n}"
        try:
            ids.append(call("organization_show", context(), {"id": name})["id"])
        except Exception:  # noqa: BLE001 - NotFound: create it
            ids.append(call("organization_create", context(), {
                "name": name, "title": f"Cơ quan thử nghiệm quy mô {n}",
                "agency_type": codes["agency_types"][n % len(codes["agency_types"])],
                "agency_code": f"000.{n:02d}.31.H57", "admin_unit": "74",
                "email": f"coquan{n}@binhduong.gov.vn", "website": f"https://coquan{n}.binhduong.gov.vn"})["id"])
    return ids


def _worker_start() -> None:
    """In a forked worker: fresh database connections, then a request context for the
    actions (translations of validation messages, the current user)."""
    from ckan import model

    model.meta.engine.dispose(close=False)
    _STATE["request"] = _APP._wsgi_app.test_request_context("/")
    _STATE["request"].push()


def create_chunk(task: tuple[int, int, dict, list[str], str, str]) -> tuple[list[str], float, list[str]]:
    """package_create for datasets start..end-1 with indexing deferred; one commit."""
    import ckan.plugins.toolkit as toolkit
    from ckan import model

    start, end, codes, organizations, prefix, user = task
    started = time.perf_counter()
    existing = {name for (name,) in model.Session.query(model.Package.name).filter(
        model.Package.name.in_([f"{prefix}{i:06d}" for i in range(start, end)]))}
    ids, errors = [], []
    create = toolkit.get_action("package_create")
    for i in range(start, end):
        data = dataset_dict(i, codes, organizations, prefix)
        if data["name"] in existing:
            continue
        context = {"user": user, "ignore_auth": True, "defer_commit": True, "return_id_only": True}
        try:
            ids.append(create(context, data))
        except toolkit.ValidationError as error:
            model.Session.rollback()
            errors.append(f"{data['name']}: {error.error_dict}")
    model.repo.commit()
    model.Session.remove()
    return ids, time.perf_counter() - started, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "bench.ini"))
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0, help="number of the first dataset")
    parser.add_argument("--workers", type=int, default=2, help="processes creating datasets (default 2)")
    parser.add_argument("--chunk", type=int, default=100, help="datasets per transaction (default 100)")
    parser.add_argument("--prefix", default=PREFIX)
    parser.add_argument("--purge", action="store_true", help="remove the datasets of earlier runs first")
    parser.add_argument("--no-index", action="store_true", help="create only; index later")
    parser.add_argument("--dry-run", action="store_true", help="print the first dataset's dict, write nothing")
    args = parser.parse_args()

    global _APP
    _APP = load_app(args.ini)
    import ckan.plugins.toolkit as toolkit
    from ckan import model

    problem = check_bench_ini(toolkit.config)
    if problem:
        print(f"Refusing to run: {problem}. Use var/bench.ini (bash bench/bench_env.sh).", file=sys.stderr)
        return 2

    with _APP._wsgi_app.test_request_context("/"):
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

        def context():
            return {"user": site_user, "ignore_auth": True}

        def call(action, ctx, data):
            return toolkit.get_action(action)(ctx, data)

        codes = vocabulary_codes()
        if args.dry_run:
            data = dataset_dict(args.start, codes, [f"{args.prefix}org-0"] * ORGANIZATIONS, args.prefix)
            print(json.dumps(data, ensure_ascii=False, indent=1))
            return 0
        if args.purge:
            purged = purge(args.prefix)
            print(f"purged {purged} datasets of earlier runs", flush=True)
            if args.datasets <= 0:
                return 0
        organizations = ensure_organizations(call, context, args.prefix, codes)
    model.Session.remove()
    model.meta.engine.dispose()

    tasks = [(s, min(s + args.chunk, args.start + args.datasets), codes, organizations, args.prefix, site_user)
             for s in range(args.start, args.start + args.datasets, args.chunk)]
    started = time.perf_counter()
    ids: list[str] = []
    errors: list[str] = []
    with multiprocessing.get_context("fork").Pool(args.workers, initializer=_worker_start) as pool:
        for done, (chunk_ids, _seconds, chunk_errors) in enumerate(pool.imap_unordered(create_chunk, tasks), 1):
            ids.extend(chunk_ids)
            errors.extend(chunk_errors)
            if done % 10 == 0 or done == len(tasks):
                elapsed = time.perf_counter() - started
                print(f"  created {len(ids)} datasets in {elapsed:.0f} s ({len(ids) / elapsed:.1f}/s)",
                      file=sys.stderr, flush=True)
    created_in = time.perf_counter() - started
    for error in errors[:5]:
        print(f"invalid: {error}", file=sys.stderr)
    print(f"created {len(ids)} datasets ({len(errors)} refused) in {created_in:.1f} s "
          f"({len(ids) / max(created_in, 1e-9):.1f} datasets/s, {args.workers} workers)", flush=True)
    if errors:
        return 1
    if args.no_index:
        return 0

    from ckanext.binhduong import index_rebuild

    with _APP._wsgi_app.test_request_context("/"):
        report = index_rebuild.rebuild(ids, workers=args.workers)
    total = created_in + report.seconds
    print(f"indexed {report.indexed} datasets in {report.seconds:.1f} s ({report.rate:.0f} datasets/s); "
          f"total {total:.1f} s for {len(ids)} new datasets", flush=True)
    return 0


def purge(prefix: str) -> int:
    """Remove the datasets and organizations of earlier runs (dataset_purge, one by one)."""
    import ckan.plugins.toolkit as toolkit
    from ckan import model

    ids = [row[0] for row in model.Session.query(model.Package.id).filter(
        model.Package.name.like(f"{prefix}%"), model.Package.type == "dataset")]
    for n, package_id in enumerate(ids, 1):
        toolkit.get_action("dataset_purge")({"ignore_auth": True, "user": ""}, {"id": package_id})
        if n % 1000 == 0:
            print(f"  purged {n}", file=sys.stderr, flush=True)
    for n in range(ORGANIZATIONS):
        if model.Group.get(f"{prefix}org-{n}") is not None:
            toolkit.get_action("organization_purge")({"ignore_auth": True, "user": ""}, {"id": f"{prefix}org-{n}"})
    return len(ids)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
