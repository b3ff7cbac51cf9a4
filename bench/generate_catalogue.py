#!/usr/bin/env python
"""Bulk generator of benchmark catalogues: N datasets with every field of
schemas/dataset.yaml and 3 resources each, stored as package_create stores them (the
dataset, its resources, tags, extras, organization membership and 'new package' activity),
then indexed in one batched build (`ckanext.binhduong.index_rebuild`, the same Solr
documents CKAN's indexer writes).

    bash bench/bench_env.sh scale   # once: databases, Solr core and var/scale.ini
    var/venv/bin/python bench/generate_catalogue.py --ini var/scale.ini --datasets 100000

Two paths. `--mode bulk` (default, bench/bulk_catalogue.py): one template per variant
(200 by default) is created by package_create itself, in a savepoint, and every dataset is
written from its variant's rows with its own number, words, ids and timestamps; every 100th
dataset is also validated in full and compared, and tests/test_generate_catalogue.py checks
that package_show of bulk-written datasets equals that of the same datasets made by
package_create. `--mode actions`: package_create for every dataset (slow: ~14/s here).
Background jobs that package_create would queue for each dataset (quality measure, xloader
of the fictitious resource URLs) are not queued by the bulk path.

Only on a benchmark environment: it refuses an ini whose database, DataStore or Solr core is
not ckan_bench/datastore_bench/ckan_bench or ckan_scale/datastore_scale/ckan_scale, so
neither the portal's catalogue nor the tests' databases can be filled by mistake. Datasets
are named `<prefix>NNNNNN` under 10 organizations `<prefix>org-N`; a run continues an
earlier one (existing names are skipped), `--purge` removes an earlier run first
(`--purge --datasets 0`: only that). Figures: bench/README.md, section "Scale".
"""
from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import pathlib
import sys
import time

from sqlalchemy import text as sa_text

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PREFIX = "bench-cat-"
BENCH_DATABASES = {"ckan_bench", "ckan_scale"}
ORGANIZATIONS = 10
VARIANTS = 200   # datasets differ in their own parts; their choices repeat every VARIANTS
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
    """Why this configuration is not a benchmark environment's (bench/bench_env.sh [scale]:
    database ckan_<name>, DataStore datastore_<name>, Solr core ckan_<name>), or None."""
    url = config.get("sqlalchemy.url", "")
    database = url.rsplit("/", 1)[-1]
    if database not in BENCH_DATABASES:
        return f"sqlalchemy.url is not a bench database {sorted(BENCH_DATABASES)} ({database!r})"
    name = database.removeprefix("ckan_")
    write_url = config.get("ckan.datastore.write_url") or ""
    if write_url and write_url.rsplit("/", 1)[-1] != f"datastore_{name}":
        return f"ckan.datastore.write_url is not datastore_{name}"
    solr = (config.get("solr_url") or "").rstrip("/")
    if solr.rsplit("/", 1)[-1] != database:
        return f"solr_url is not the bench core {database} ({solr!r})"
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


# The parts of a dataset that are its own (its number and its free text); everything else is
# chosen by its variant, i % variants. The bulk path creates one dataset per variant through
# package_create with these markers in place of the own parts, then writes every other dataset
# of that variant from the stored rows with the markers replaced (bulk_catalogue.py).
MARKERS = {"n": "4242424241", "n6": "4242424242", "title": "xqtieudex", "notes": "xqmotax",
           **{f"name{j}": f"xqtepten{j}x" for j in range(3)}, **{f"desc{j}": f"xqtepmota{j}x" for j in range(3)}}


def own_texts(i: int) -> dict[str, str]:
    """Dataset i's own parts (see MARKERS): its number and its words."""
    texts = {"n": str(i), "n6": f"{i:06d}", "title": words(i, 4).capitalize(), "notes": words(i, 40)}
    for j in range(3):
        texts[f"name{j}"] = words(i + j, 3).capitalize()
        texts[f"desc{j}"] = words(i * 3 + j, 12)
    return texts


def dataset_dict(i: int, codes: dict[str, list[str]], organizations: list[str], prefix: str,
                 variants: int = VARIANTS, texts: dict[str, str] | None = None) -> dict:
    """Dataset number i: every field of schemas/dataset.yaml filled, 3 resources, values
    varied deterministically so facets, sorting and full text have something to work on.
    Choices follow the variant v = i % variants; `texts` (default: own_texts(i)) fill the
    dataset's own parts."""
    t = texts or own_texts(i)
    v = i % variants
    themes, units, freq = codes["themes"], codes["units"], codes["frequencies"]
    year = 2010 + v % 15
    month = 1 + v % 12
    org = v % len(organizations)
    resources = []
    for j in range(3):
        fmt, media = FORMATS[(v + j) % len(FORMATS)]
        extension = "json" if fmt == "API" else fmt.lower()
        resource = {
            "url": f"https://coquan{org}.binhduong.gov.vn/du-lieu/{t['n']}/tep-{j}.{extension}",
            "name": f"{t[f'name{j}']} — tệp {j + 1}",
            "description": f"Tệp {j + 1} của bộ dữ liệu số {t['n']}: {t[f'desc{j}']}.",
            "format": fmt, "size": 1024 + (v * 37 + j * 101) % 10_000_000,
            "sha256": f"{(v * 3 + j) * 2654435761 % (1 << 64):016x}" * 4,
            "language": codes["languages"][(v + j) % len(codes["languages"])],
            "status": codes["distribution_statuses"][j % len(codes["distribution_statuses"])],
        }
        if media:
            resource["mimetype"] = media
        if j == 2:
            # The third resource's licence is given; the others inherit the dataset's.
            resource["license_id"] = codes["licences"][(v + 1) % len(codes["licences"])]
        resources.append(resource)
    own_units = [units[v % len(units)], units[(v * 31 + 7) % len(units)]]
    data = {
        "name": f"{prefix}{t['n6']}",
        "title": f"{t['title']} năm {year} (bộ {t['n']})",
        "notes": f"Bộ dữ liệu sinh tự động số {t['n']} để đo hiệu năng ở quy mô lớn. " + t["notes"] + ".",
        "owner_org": organizations[org],
        "author": f"Phòng {words(v, 2)} {org}",
        "contact": [{"name": f"Bộ phận dữ liệu {org}", "email": f"dulieu{org}@binhduong.gov.vn",
                     "phone": f"0274 38{v % 100:02d} {v % 1000:03d}"}],
        "issued": f"{year}-{month:02d}-{1 + v % 28:02d}",
        "modified": f"{min(year + 1, 2025)}-{month:02d}-{1 + v % 28:02d}",
        "theme": sorted({themes[v % len(themes)], themes[(v * 7 + 3) % len(themes)]}),
        "tag_string": f"{TAGS[v % len(TAGS)]},{TAGS[(v * 5 + 1) % len(TAGS)]},năm {year}",
        "spatial_units": sorted(set(own_units)),
        "temporal_start": f"{year - 1}-01-01", "temporal_end": f"{year - 1}-12-31",
        "frequency": freq[v % len(freq)],
        "access_rights": "PUBLIC",
        "license_id": codes["licences"][v % len(codes["licences"])],
        "legal_basis": [{"number": f"{v % 90 + 1}/{year}/QĐ-UBND", "date": f"{year}-01-15",
                         "title": f"Quyết định về {words(v, 3)}",
                         "url": f"https://vbpl.binhduong.gov.vn/van-ban/{t['n']}"}],
        "language": ["vi", "en"][: 1 + v % 2],
        "version": f"{1 + v % 3}.{v % 10}",
        "conforms_to": [f"https://chuan.binhduong.gov.vn/luoc-do/{v % 20}"],
        "url": f"https://coquan{org}.binhduong.gov.vn/du-lieu/{t['n']}",
        "provenance": f"Trích xuất từ hệ thống nghiệp vụ của cơ quan {org}.",
        "maintainer": f"Cán bộ {words(v, 2)}",
        "maintainer_email": f"canbo{v % 50}@binhduong.gov.vn",
        "resources": resources,
    }
    if v % 10 == 0:
        # One dataset in ten draws its extent by hand; the others derive it from the units.
        lon, lat = 106.5 + (v % 50) / 100, 11.0 + (v % 40) / 100
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


def create_chunk(task: tuple[int, int, dict, list[str], str, str, int]) -> tuple[list[str], float, list[str]]:
    """package_create for datasets start..end-1 (indexing left for later); one commit."""
    import ckan.plugins.toolkit as toolkit
    from ckan import model

    start, end, codes, organizations, prefix, user, variants = task
    started = time.perf_counter()
    existing = existing_names(prefix, start, end)
    ids, errors = [], []
    create = toolkit.get_action("package_create")
    for i in range(start, end):
        data = dataset_dict(i, codes, organizations, prefix, variants)
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


def existing_names(prefix: str, start: int, end: int) -> set[str]:
    from ckan import model

    names = [f"{prefix}{i:06d}" for i in range(start, end)]
    found: set[str] = set()
    for n in range(0, len(names), 5000):
        found |= {name for (name,) in model.Session.query(model.Package.name).filter(
            model.Package.name.in_(names[n:n + 5000]))}
    return found


def make_templates(numbers: range, codes, organizations: list[str], prefix: str, user: str,
                   variants: int) -> dict:
    """One template per variant met in `numbers`, made by package_create (bulk_catalogue.py)."""
    import bulk_catalogue
    from ckan import model

    templates = {}
    for v in sorted({i % variants for i in numbers}):
        data = dataset_dict(v, codes, organizations, prefix, variants, texts=MARKERS)
        templates[v] = bulk_catalogue.make_template(data, user)
    model.repo.commit()  # the tags the templates made
    return templates


def bulk_chunk(task: tuple[int, int, dict, list[str], str, str, int, int, float]) -> tuple[list[str], float, list[str]]:
    """Datasets start..end-1 written from their variants' templates; every check_every-th one
    validated in full and compared; one transaction."""
    import bulk_catalogue
    from ckan import model

    start, end, codes, organizations, prefix, user, variants, check_every, base = task
    started = time.perf_counter()
    templates = _STATE["templates"]
    existing = existing_names(prefix, start, end)
    batch: dict[str, list[dict]] = {table: [] for table in bulk_catalogue.ORDER}
    ids, errors = [], []
    for i in range(start, end):
        texts = own_texts(i)
        name = f"{prefix}{texts['n6']}"
        if name in existing:
            continue
        template = templates[i % variants]
        if check_every and i % check_every == 0:
            problem = bulk_catalogue.check_dataset(dataset_dict(i, codes, organizations, prefix, variants),
                                                   template, MARKERS, texts, user)
            if problem:
                errors.append(problem)
                continue
        when = datetime.datetime.utcfromtimestamp(base) + datetime.timedelta(milliseconds=i - start)
        package_id, rows = bulk_catalogue.dataset_rows(template, MARKERS, texts, when)
        for table, table_rows in rows.items():
            batch[table].extend(table_rows)
        ids.append(package_id)
    model.Session.remove()
    connection = model.meta.engine.raw_connection()
    try:
        if "columns" not in _STATE:
            _STATE["columns"] = {t: bulk_catalogue.columns(connection, t) for t in bulk_catalogue.ORDER}
        bulk_catalogue.write_rows(connection, batch, _STATE["columns"])
    finally:
        connection.close()
    return ids, time.perf_counter() - started, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "var" / "bench.ini"))
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0, help="number of the first dataset")
    parser.add_argument("--mode", choices=("bulk", "actions"), default="bulk",
                        help="bulk: rows from package_create templates (default); actions: package_create each")
    parser.add_argument("--variants", type=int, default=VARIANTS, help=f"templates (default {VARIANTS})")
    parser.add_argument("--check-every", type=int, default=100,
                        help="bulk: validate every n-th dataset in full and compare (default 100)")
    parser.add_argument("--workers", type=int, default=2, help="processes creating datasets (default 2)")
    parser.add_argument("--chunk", type=int, default=None,
                        help="datasets per transaction (default 100 for actions, 1000 for bulk)")
    parser.add_argument("--prefix", default=PREFIX)
    parser.add_argument("--purge", action="store_true", help="remove the datasets of earlier runs first")
    parser.add_argument("--no-index", action="store_true", help="create only; index later")
    parser.add_argument("--dry-run", action="store_true", help="print the first dataset's dict, write nothing")
    args = parser.parse_args()
    chunk = args.chunk or (1000 if args.mode == "bulk" else 100)

    global _APP
    _APP = load_app(args.ini)
    import ckan.plugins.toolkit as toolkit
    from ckan import model

    problem = check_bench_ini(toolkit.config)
    if problem:
        print(f"Refusing to run: {problem}. Use var/bench.ini or var/scale.ini (bash bench/bench_env.sh [scale]).",
              file=sys.stderr)
        return 2

    numbers = range(args.start, args.start + args.datasets)
    started = time.perf_counter()
    with _APP._wsgi_app.test_request_context("/"):
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

        def context():
            return {"user": site_user, "ignore_auth": True}

        def call(action, ctx, data):
            return toolkit.get_action(action)(ctx, data)

        codes = vocabulary_codes()
        if args.dry_run:
            data = dataset_dict(args.start, codes, [f"{args.prefix}org-0"] * ORGANIZATIONS, args.prefix, args.variants)
            print(json.dumps(data, ensure_ascii=False, indent=1))
            return 0
        if args.purge:
            purged = purge(args.prefix)
            print(f"purged {purged} datasets of earlier runs", flush=True)
            if args.datasets <= 0:
                return 0
        organizations = ensure_organizations(call, context, args.prefix, codes)
        if args.mode == "bulk":
            _STATE["templates"] = make_templates(numbers, codes, organizations, args.prefix, site_user, args.variants)
            print(f"{len(_STATE['templates'])} templates made by package_create in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)
    model.Session.remove()
    model.meta.engine.dispose()

    work = bulk_chunk if args.mode == "bulk" else create_chunk
    base = time.time()
    tasks = [(s, min(s + chunk, numbers.stop), codes, organizations, args.prefix, site_user, args.variants)
             + ((args.check_every, base) if args.mode == "bulk" else ())
             for s in range(numbers.start, numbers.stop, chunk)]
    ids: list[str] = []
    errors: list[str] = []
    with multiprocessing.get_context("fork").Pool(args.workers, initializer=_worker_start) as pool:
        for done, (chunk_ids, _seconds, chunk_errors) in enumerate(pool.imap_unordered(work, tasks), 1):
            ids.extend(chunk_ids)
            errors.extend(chunk_errors)
            if done % 10 == 0 or done == len(tasks):
                elapsed = time.perf_counter() - started
                print(f"  created {len(ids)} datasets in {elapsed:.0f} s ({len(ids) / elapsed:.1f}/s)",
                      file=sys.stderr, flush=True)
    created_in = time.perf_counter() - started
    for error in errors[:5]:
        print(f"refused: {error}", file=sys.stderr)
    print(f"created {len(ids)} datasets ({len(errors)} refused) in {created_in:.1f} s "
          f"({len(ids) / max(created_in, 1e-9):.1f} datasets/s, {args.mode}, {args.workers} workers)", flush=True)
    if errors:
        return 1
    if args.mode == "bulk":
        with model.meta.engine.begin() as connection:
            connection.execute(sa_text("ANALYZE package; ANALYZE resource; ANALYZE package_tag; "
                                       "ANALYZE member; ANALYZE activity"))
    if args.no_index:
        return 0

    from ckanext.binhduong import index_rebuild

    with _APP._wsgi_app.test_request_context("/"):
        report = index_rebuild.rebuild(ids, workers=args.workers)
    total = time.perf_counter() - started
    print(f"indexed {report.indexed} datasets in {report.seconds:.1f} s ({report.rate:.0f} datasets/s); "
          f"total {total:.1f} s for {len(ids)} new datasets", flush=True)
    return 1 if report.failed else 0


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
