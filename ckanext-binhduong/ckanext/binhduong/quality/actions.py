"""Actions of data quality and freshness (registered through logic/action.py). Each checks
access first (quality/auth.py) and validates its input.

- ``binhduong_quality_show``: one dataset's measurement, checklist and freshness (whoever may
  read the dataset); the stored one (reads never compute or write: quality/jobs.py measures a
  changed dataset in the background), provisional when none is stored yet.
- ``binhduong_quality_agency``: the dashboard of one agency (``id``) or of the whole portal:
  average score, ratings, the datasets with the most to gain, broken links, formats that are
  not machine-readable, overdue datasets, the six-monthly review (public datasets only; anyone).
- ``binhduong_quality_compute``: measure and store datasets (sysadmins): those that changed
  since their last measurement, or every one with ``all``.
- ``binhduong_quality_check_links``: check access and download URLs through the outbound
  policy, throttled per host (sysadmins).
- ``binhduong_quality_table_report``: a tabular resource's validation report (whoever may
  read the resource); ``binhduong_quality_validate_tables``: validate now (sysadmins).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as toolkit
from ckan import model

from ckanext.binhduong.quality import compute, freshness, mqa, store, tables

__all__ = ["binhduong_quality_agency", "binhduong_quality_check_links", "binhduong_quality_compute",
           "binhduong_quality_show", "binhduong_quality_table_report", "binhduong_quality_validate_tables"]

MOST_TO_GAIN = 10
LIST_LIMIT = 50


def _validate(data_dict: dict, schema: dict, context: dict) -> dict:
    data, errors = toolkit.navl_validate(data_dict, schema, context)
    if errors:
        raise toolkit.ValidationError(errors)
    return data


def _schema(**fields) -> dict:
    ignore_missing = toolkit.get_validator("ignore_missing")
    unicode_safe = toolkit.get_validator("unicode_safe")
    boolean = toolkit.get_validator("boolean_validator")
    kinds = {"text": [ignore_missing, unicode_safe], "flag": [ignore_missing, boolean]}
    return {name: kinds[kind] for name, kind in fields.items()}


def _site_context() -> dict:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _public(row: dict) -> dict:
    result = row["result"]
    return {
        "total": result["total"], "max": result["max"], "rating": result["rating"],
        "dimensions": result["dimensions"], "indicators": result["indicators"],
        "distributions": result["distributions"], "checklist": mqa.checklist(result),
        "freshness": row["freshness"], "dcat_ap": row["dcat_ap"], "dcat_ap_violations": row["dcat_ap_violations"],
        "computed": row["computed"], "stale": row.get("stale", False), "provisional": row.get("provisional", False),
    }


@toolkit.side_effect_free
def binhduong_quality_show(context: dict, data_dict: dict) -> dict[str, Any]:
    """The quality measurement of one dataset: MQA score by dimension and indicator, rating,
    checklist of what to fix (most points first), per-distribution checks, freshness.

    :param id: the dataset's id or name
    """
    toolkit.check_access("binhduong_quality_show", context, data_dict)
    data = _validate(data_dict, _schema(id="text"), context)
    if not data.get("id"):
        raise toolkit.ValidationError({"id": [toolkit._("Missing value")]})
    # As the caller sees it: a dataset they may not read answers "not found".
    pkg = toolkit.get_action("package_show")(dict(context, for_view=False), {"id": data["id"]})
    row = compute.measurement(pkg)
    # Table validation (quality/tables.py): a local extra beside the 405 MQA points, not in them.
    table_checks = [{"resource_id": t["resource_id"], "name": t["name"], "valid": t["valid"],
                     "error_count": t["error_count"], "checked": t["checked"]}
                    for t in tables.load_for_dataset(pkg["id"])]
    return {"dataset": {"id": pkg["id"], "name": pkg["name"], "title": pkg.get("title"),
                        "owner_org": pkg.get("owner_org")}, **_public(row), "tables": table_checks}


def _freshness_now(row: dict, at: dt.datetime) -> dict:
    """Stored freshness moved to ``at``: due dates are stored, lateness is counted now."""
    fresh = dict(row["freshness"])
    due = dt.datetime.fromisoformat(fresh["due"]) if fresh.get("due") else None
    fresh["overdue"] = due is not None and at > due
    fresh["days_late"] = (at - due).days if fresh["overdue"] else 0
    deadline = dt.datetime.fromisoformat(fresh["legal_deadline"]) if fresh.get("legal_deadline") else None
    fresh["past_legal_deadline"] = deadline is not None and at > deadline
    review_due = dt.datetime.fromisoformat(fresh["review_due"]) if fresh.get("review_due") else None
    fresh["needs_review"] = review_due is None or at > review_due
    return fresh


def _public_datasets_without_rows(owner_org: str | None) -> int:
    query = ("SELECT count(*) FROM package p LEFT JOIN binhduong_quality q ON q.dataset_id = p.id "
             "WHERE p.state = 'active' AND p.type = 'dataset' AND NOT p.private AND q.dataset_id IS NULL")
    params = {}
    if owner_org:
        query += " AND p.owner_org = :org"
        params["org"] = owner_org
    with model.meta.engine.connect() as connection:
        return connection.execute(sa.text(query), params).scalar() or 0


def dashboard(rows: list[dict], at: dt.datetime) -> dict[str, Any]:
    """The figures of a dashboard from stored rows (``store.load_all``), lateness counted at ``at``
    (also the quality digest's, quality/digest.py)."""
    results = [row["result"] for row in rows]
    summary = mqa.summarise(results)
    dimensions = {
        dimension: {"average": round(sum(r["dimensions"][dimension]["points"] for r in results) / len(results), 1)
                    if results else 0.0, "max": mqa.DIMENSION_MAX[dimension]}
        for dimension in mqa.DIMENSIONS
    }
    gains = sorted(rows, key=lambda row: (row["total"], row["name"]))[:MOST_TO_GAIN]
    broken, not_machine_readable, overdue = [], [], []
    needs_review = 0
    for row in rows:
        dataset = {"name": row["name"], "title": row["title"]}
        for distribution in row["result"]["distributions"]:
            if distribution.get("access_url_reachable") is False or distribution.get("download_url_reachable") is False:
                broken.append({**dataset, "resource": distribution.get("name"), "url": distribution.get("url")})
            if not distribution.get("machine_readable"):
                not_machine_readable.append({**dataset, "resource": distribution.get("name"),
                                             "format": distribution.get("format") or ""})
        fresh = _freshness_now(row, at)
        if fresh["overdue"]:
            overdue.append({**dataset, "frequency": fresh["frequency"], "last_update": fresh["last_update"],
                            "due": fresh["due"], "days_late": fresh["days_late"],
                            "past_legal_deadline": fresh["past_legal_deadline"]})
        needs_review += bool(fresh["needs_review"])
    overdue.sort(key=lambda item: -item["days_late"])
    return {
        "summary": summary,
        "dimensions": dimensions,
        "most_to_gain": [{"name": row["name"], "title": row["title"], "total": row["total"], "rating": row["rating"],
                          "gain": round(mqa.MAX_POINTS - row["total"], 1)} for row in gains],
        "broken_links": broken[:LIST_LIMIT], "broken_links_count": len(broken),
        "not_machine_readable": not_machine_readable[:LIST_LIMIT],
        "not_machine_readable_count": len(not_machine_readable),
        "overdue": overdue[:LIST_LIMIT], "overdue_count": len(overdue),
        "needs_review_count": needs_review,
    }


def _invalid_tables(owner_org: str | None) -> dict[str, Any]:
    invalid = tables.invalid_tables(owner_org)
    return {"invalid_tables": invalid[:LIST_LIMIT], "invalid_tables_count": len(invalid)}


@toolkit.side_effect_free
def binhduong_quality_agency(context: dict, data_dict: dict) -> dict[str, Any]:
    """Quality and freshness of one agency's public datasets, or of the whole portal when no
    ``id`` is given (then with every agency ranked by average score). From the stored
    measurements (``binhduong_quality_compute`` keeps them current).

    :param id: the organization's id or name (optional)
    """
    toolkit.check_access("binhduong_quality_agency", context, data_dict)
    data = _validate(data_dict, _schema(id="text"), context)
    options = compute.settings()
    at = compute.now()
    organization = None
    if data.get("id"):
        group = model.Group.get(data["id"])
        if group is None or not group.is_organization or group.state != "active":
            raise toolkit.ObjectNotFound(toolkit._("Organization not found"))
        organization = {"id": group.id, "name": group.name, "title": group.title}
    rows = store.load_all(organization["id"] if organization else None)
    answer = {
        "organization": organization,
        **dashboard(rows, at),
        "unmeasured_count": _public_datasets_without_rows(organization["id"] if organization else None),
        **_invalid_tables(organization["id"] if organization else None),
        "review": freshness.next_review(at, options["review_anchor"], options["review_period"]),
        "periods": {"review_period": options["review_period"], "update_within": options["update_within"]},
    }
    if organization is None:
        by_org: dict[str, list[dict]] = {}
        for row in rows:
            by_org.setdefault(row["owner_org"] or "", []).append(row)
        groups = {g.id: g for g in model.Session.query(model.Group).filter(model.Group.id.in_(list(by_org))).all()}
        ranking = []
        for org_id, org_rows in by_org.items():
            group = groups.get(org_id)
            if group is None:
                continue
            summary = mqa.summarise(row["result"] for row in org_rows)
            overdue = sum(1 for row in org_rows if _freshness_now(row, at)["overdue"])
            ranking.append({"id": group.id, "name": group.name, "title": group.title, **summary, "overdue_count": overdue})
        ranking.sort(key=lambda item: (-item["average"], item["title"] or ""))
        answer["agencies"] = ranking
    return answer


def _dataset_ids(dataset: str | None) -> list[str]:
    if dataset:
        pkg = model.Package.get(dataset)
        if pkg is None or pkg.state != "active":
            raise toolkit.ObjectNotFound(toolkit._("Dataset not found"))
        return [pkg.id]
    with model.meta.engine.connect() as connection:
        return [row[0] for row in connection.execute(sa.text(
            "SELECT id FROM package WHERE state = 'active' AND type = 'dataset' ORDER BY name"))]


def _stale_ids(ids: list[str]) -> list[str]:
    """Datasets with no measurement, or one of another version (metadata_modified)."""
    with model.meta.engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT p.id FROM package p LEFT JOIN binhduong_quality q ON q.dataset_id = p.id "
            "WHERE p.id = ANY(:ids) AND (q.dataset_id IS NULL OR q.metadata_modified IS DISTINCT FROM "
            "to_char(p.metadata_modified, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'))"), {"ids": ids})
        return [row[0] for row in rows]


def binhduong_quality_compute(context: dict, data_dict: dict) -> dict[str, Any]:
    """Measure datasets and store the results: those changed since their last measurement
    (default), every one (``all``), or one (``id``). With ``check_links`` the links due for a
    check are checked first.

    :param id: a dataset's id or name (optional)
    :param all: recompute datasets that did not change too (default false)
    :param check_links: check due links first (default false)
    :param validate_tables: validate the tables (CSV, XLSX) not validated yet or changed since (default false)
    :param dry_run: say what would be computed, store nothing (default false)
    """
    toolkit.check_access("binhduong_quality_compute", context, data_dict)
    data = _validate(data_dict, _schema(id="text", all="flag", check_links="flag", validate_tables="flag",
                                        dry_run="flag"), context)
    all_ids = _dataset_ids(data.get("id"))
    ids = all_ids if (data.get("all") or data.get("id")) else _stale_ids(all_ids)
    report: dict[str, Any] = {"dry_run": bool(data.get("dry_run"))}
    if data.get("dry_run"):
        report["datasets"] = len(ids)
        report["would_compute"] = [model.Package.get(i).name for i in ids]
        return report
    if data.get("check_links"):
        # Every dataset's links that are due, not only the changed datasets'; a dataset whose
        # link went from working to broken (or back) is measured again.
        report["links"] = compute.check_links(compute.stored_resources(all_ids[0] if data.get("id") else None))
        changed = set(report["links"]["changed_datasets"]) - set(ids)
        ids = ids + [i for i in all_ids if i in changed]
    report["datasets"] = len(ids)
    site = _site_context()
    show = toolkit.get_action("package_show")
    options = compute.settings()
    packages = [show(dict(site), {"id": dataset_id}) for dataset_id in ids]
    rows = [compute.measure(pkg, options) for pkg in packages]
    store.save(rows)
    report["ratings"] = mqa.summarise(row["result"] for row in rows)["ratings"]
    report["average"] = mqa.summarise(row["result"] for row in rows)["average"]
    report["dcat_ap_violations"] = sum(1 for row in rows if row["dcat_ap"] is False)
    if data.get("validate_tables"):
        # The catch-up of the jobs worker's table validation: tables never validated or changed since.
        results = [tables.validate_and_store(resource["id"])
                   for resource in tables.tabular_resources(all_ids[0] if data.get("id") else None)]
        report["tables"] = {"validated": sum(1 for r in results if r),
                            "invalid": sum(1 for r in results if r and r["valid"] is False)}
    return report


def binhduong_quality_check_links(context: dict, data_dict: dict) -> dict[str, Any]:
    """Check the access and download URLs of datasets (one with ``id``, else all) through the
    outbound policy, at most ``ckanext.binhduong.quality.links_per_host_per_second`` requests
    per host per second; links checked within ``link_recheck_days`` are skipped unless ``force``.

    :param id: a dataset's id or name (optional)
    :param force: re-check links checked recently too (default false)
    :param dry_run: list what would be checked, fetch nothing (default false)
    """
    toolkit.check_access("binhduong_quality_check_links", context, data_dict)
    data = _validate(data_dict, _schema(id="text", force="flag", dry_run="flag"), context)
    resources = compute.stored_resources(_dataset_ids(data["id"])[0] if data.get("id") else None)
    return compute.check_links(resources, force=bool(data.get("force")), dry_run=bool(data.get("dry_run")))


@toolkit.side_effect_free
def binhduong_quality_table_report(context: dict, data_dict: dict) -> dict[str, Any]:
    """The validation report of a tabular resource (CSV, XLSX) by frictionless: errors by type
    and the first rows with errors (quality/tables.py). Whoever may read the resource may read
    it; a resource of a dataset they may not see answers "not found".

    :param id: the resource's id
    """
    toolkit.check_access("binhduong_quality_table_report", context, data_dict)
    data = _validate(data_dict, _schema(id="text"), context)
    if not data.get("id"):
        raise toolkit.ValidationError({"id": [toolkit._("Missing value")]})
    resource = toolkit.get_action("resource_show")(dict(context), {"id": data["id"]})
    row = tables.load(resource["id"])
    if row is None:
        kind = tables.is_tabular(resource)
        return {"resource_id": resource["id"], "tabular": bool(kind), "validated": False}
    return {"resource_id": resource["id"], "tabular": True, "validated": True, "valid": row["valid"],
            "error_count": row["error_count"], "checked": row["checked"], **row["report"],
            "error_labels": {key: toolkit._(label) for key, label in tables.ERROR_LABELS.items()}}


def binhduong_quality_validate_tables(context: dict, data_dict: dict) -> dict[str, Any]:
    """Validate tabular resources now (sysadmins; the jobs worker does it after each upload or
    change): those with no report or whose file changed, or every one with ``all``; of one
    dataset (``id``) or all.

    :param id: a dataset's id or name (optional)
    :param all: validate unchanged files too (default false)
    :param dry_run: list what would be validated, fetch and store nothing (default false)
    """
    toolkit.check_access("binhduong_quality_validate_tables", context, data_dict)
    data = _validate(data_dict, _schema(id="text", all="flag", dry_run="flag"), context)
    dataset_id = _dataset_ids(data["id"])[0] if data.get("id") else None
    resources = tables.tabular_resources(dataset_id, changed_only=not data.get("all"))
    report: dict[str, Any] = {"dry_run": bool(data.get("dry_run")), "resources": len(resources)}
    if data.get("dry_run"):
        report["would_validate"] = [f"{r['dataset']}/{r['id']}" for r in resources]
        return report
    results = [(resource, tables.validate_and_store(resource["id"])) for resource in resources]
    report["valid"] = sum(1 for _, result in results if result and result["valid"] is True)
    report["invalid"] = [f"{r['dataset']}/{r['id']}: {result['error_count']}" for r, result in results
                         if result and result["valid"] is False]
    report["not_validated"] = [f"{r['dataset']}/{r['id']}: {result.get('problem_en')}" for r, result in results
                               if result and result["valid"] is None]
    return report
