"""A corpus of bad input, sent as an agency editor, a developer and a visitor would, across the
Action API, the DataStore, exports, search pages and the dataset form: no answer is a 500, and
nothing refused is created (findings 6 and 8; upload checks are in test_uploads.py).

Each case records its status; the last test states how many were tried (at least 200)."""
from __future__ import annotations

import uuid

import pytest
import requests

from bd_factories import valid_dataset
from portal_session import form_fields

BAD_VALUES = {
    "none": None, "empty": "", "number": 12345, "list": [], "object": {"nested": {"deep": [1]}},
    "huge": "x" * 100_001, "formula": '=HYPERLINK("http://ke-xau.example")', "script": "<script>alert(1)</script>",
    "nul": "a\x00b", "path": "../../etc/passwd", "bool": True, "negative": -1, "bad-date": "2024-13-45",
}
DATASET_FIELDS = ("title", "name", "notes", "owner_org", "private", "author", "contact", "issued", "modified",
                  "theme", "spatial_units", "frequency", "access_rights", "license_id", "language", "tag_string",
                  "temporal_start", "temporal_end", "legal_basis", "version", "resources", "extras")
RESOURCE_FIELDS = ("url", "name", "description", "format", "size", "mimetype")
SEARCH_PARAMS = ("q", "page", "sort", "res_format", "tags", "organization")
API_SEARCH_PARAMS = ("q", "fq", "rows", "start", "sort", "facet.field", "facet.limit", "include_private")
DATASTORE_PARAMS = ("q", "limit", "offset", "sort", "filters", "fields", "distinct", "plain", "language")
DUMP_PARAMS = ("format", "bom", "limit", "offset", "sort", "q", "filters", "fields")
QUERY_VALUES = {"letters": "abc", "negative": "-5", "huge-number": "99999999999999999999", "solr": "title:[* TO",
                "json": '{"a":', "sql": "1; DROP TABLE package; --", "empty": "", "unicode": "đ" * 3000}

tried: list[tuple[str, int]] = []


def _record(case: str, response: requests.Response) -> None:
    tried.append((case, response.status_code))
    assert response.status_code < 500, (case, response.status_code, response.text[:500])


@pytest.fixture(scope="module")
def editor_headers(agency_editor):
    return {"Authorization": agency_editor["token"]}


@pytest.fixture(scope="module")
def table(portal_api, agency_editor):
    """A public dataset of the agency with a small DataStore table (created without xloader).
    The editor's accepted resource uploads below are edits the agency does not review here, so
    the dataset stays public (the review workflow has its own tests)."""
    portal_api.action.bd_review_policy_update(id=agency_editor["organization"]["id"], review_edits=False)
    dataset = portal_api.action.package_create(**valid_dataset(agency_editor["organization"]["id"]))
    resource = portal_api.action.resource_create(package_id=dataset["id"], url="https://example.org/bang.csv",
                                                 name="Bảng kiểm thử", format="CSV")
    portal_api.action.datastore_create(resource_id=resource["id"], force=True,
                                       fields=[{"id": "ten", "type": "text"}, {"id": "so", "type": "int"}],
                                       records=[{"ten": "Thủ Dầu Một", "so": 1}, {"ten": "=1+1", "so": -2}])
    return {"dataset": dataset, "resource": resource}


@pytest.mark.parametrize("field", DATASET_FIELDS)
def test_package_create_refuses_bad_values_cleanly(portal_url, portal_api, agency_editor, editor_headers, field):
    for label, value in BAD_VALUES.items():
        name = f"bad-input-{uuid.uuid4().hex[:10]}"
        data = valid_dataset(agency_editor["organization"]["id"], name=name)
        data[field] = value
        if field == "name":
            name = value if isinstance(value, str) else name
        response = requests.post(f"{portal_url}/api/3/action/package_create", json=data, headers=editor_headers,
                                 timeout=60)
        _record(f"package_create {field}={label}", response)
        if response.status_code == 200:
            portal_api.action.dataset_purge(id=response.json()["result"]["id"])
        elif isinstance(name, str) and name and "/" not in name and "\x00" not in name:
            # (a name with NUL cannot be stored, nor looked up: the portal refuses it in any request)
            found = requests.post(f"{portal_url}/api/3/action/package_show", json={"id": name},
                                  headers=editor_headers, timeout=30)
            assert found.status_code == 404, f"{field}={label} was refused but left a dataset behind"


@pytest.mark.parametrize("field", RESOURCE_FIELDS)
def test_resource_create_refuses_bad_values_cleanly(portal_url, portal_api, editor_headers, table, field):
    for label, value in BAD_VALUES.items():
        data = {"package_id": table["dataset"]["id"], "url": "https://example.org/tep.csv", "name": "Tệp", field: value}
        response = requests.post(f"{portal_url}/api/3/action/resource_create", json=data, headers=editor_headers,
                                 timeout=60)
        _record(f"resource_create {field}={label}", response)
        resources = portal_api.action.package_show(id=table["dataset"]["id"])["resources"]
        extra = [r for r in resources if r["id"] != table["resource"]["id"]]
        if response.status_code == 200:
            for resource in extra:
                portal_api.action.resource_delete(id=resource["id"])
        else:
            assert not extra, f"resource {field}={label} was refused but a resource was added"


@pytest.mark.parametrize("param", SEARCH_PARAMS)
def test_search_pages_answer_bad_parameters(portal_url, param):
    for label, value in QUERY_VALUES.items():
        _record(f"/dataset/ {param}={label}", requests.get(f"{portal_url}/dataset/", params={param: value}, timeout=60))


@pytest.mark.parametrize("param", API_SEARCH_PARAMS)
def test_package_search_answers_bad_parameters(portal_url, param):
    for label, value in QUERY_VALUES.items():
        _record(f"package_search {param}={label}",
                requests.get(f"{portal_url}/api/3/action/package_search", params={param: value}, timeout=60))


@pytest.mark.parametrize("param", DATASTORE_PARAMS)
def test_datastore_search_answers_bad_parameters(portal_url, table, param):
    for label, value in QUERY_VALUES.items():
        _record(f"datastore_search {param}={label}", requests.get(
            f"{portal_url}/api/3/action/datastore_search",
            params={"resource_id": table["resource"]["id"], param: value}, timeout=60))


@pytest.mark.parametrize("param", DUMP_PARAMS)
def test_datastore_exports_answer_bad_parameters(portal_url, table, param):
    for label, value in {**QUERY_VALUES, "xlsx": "xlsx"}.items():
        _record(f"dump {param}={label}", requests.get(f"{portal_url}/datastore/dump/{table['resource']['id']}",
                                                      params={param: value}, timeout=60))


@pytest.mark.parametrize("change,field,message", [
    ({"title": "T" * 10_000}, "title", "tối đa 300 ký tự"),
    ({"notes": "M" * 1_000_000}, "notes", "tối đa 20.000 ký tự"),
    ({"resources": [{"url": "javascript:alert(1)", "name": "Tệp"}]}, "resources", "không phải là liên kết tới một tệp"),
    ({"resources": [{"url": "data:text/html,<b>x</b>", "name": "Tệp"}]}, "resources", "không phải là liên kết tới một tệp"),
    ({"resources": [{"url": "https://example.org/a.csv", "name": "Tệp", "size": -5}]}, "resources", "từ 0 đến"),
    ({"resources": [{"url": "https://example.org/a.csv", "name": "Tệp", "size": 10 ** 15}]}, "resources", "từ 0 đến"),
    ({"private": "maybe"}, "private", "không phải là true hay false"),
])
def test_declared_limits_are_enforced_with_a_vietnamese_message(portal_url, agency_editor, editor_headers, change,
                                                                field, message):
    name = f"gioi-han-{uuid.uuid4().hex[:8]}"
    data = {**valid_dataset(agency_editor["organization"]["id"], name=name), **change}
    response = requests.post(f"{portal_url}/api/3/action/package_create", json=data, headers=editor_headers,
                             timeout=60)
    _record(f"limit {field}", response)
    assert response.status_code == 409, response.status_code
    assert message in str(response.json()["error"][field]), response.json()["error"]
    found = requests.post(f"{portal_url}/api/3/action/package_show", json={"id": name}, headers=editor_headers,
                          timeout=30)
    assert found.status_code == 404


def test_an_unknown_export_format_gets_a_400_naming_the_formats(portal_url, table):
    response = requests.get(f"{portal_url}/datastore/dump/{table['resource']['id']}", params={"format": "xlsx"},
                            timeout=60)
    assert response.status_code == 400 and "csv, tsv, json, xml" in response.text


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_exports_neutralise_formula_cells(portal_url, table, fmt):
    response = requests.get(f"{portal_url}/datastore/dump/{table['resource']['id']}", params={"format": fmt},
                            timeout=60)
    assert response.status_code == 200
    assert "'=1+1" in response.text and "-2" in response.text and "'-2" not in response.text


@pytest.mark.parametrize("field,value", [
    ("title", ""), ("title", "x" * 5000), ("notes", ""), ("issued", "31/02/2024"), ("issued", "hôm qua"),
    ("contact-0-name", ""), ("contact-0-email", "khong-phai-email"), ("contact-0-phone", "abc"),
    ("license_id", "khong-co"), ("frequency", "HANG-GIO"), ("theme", "XXXX"), ("spatial_units", "99999"),
    ("temporal_end", "1900-01-01"), ("private", "co-le"), ("name", "Tên Có Dấu!"), ("title", "a\x00b"),
    ("tag_string", "a," + "b" * 200), ("url", "javascript:alert(1)"), ("owner_org", "khong-ton-tai"),
    ("access_rights", "BI-MAT"), ("contact-block", ""),
])
def test_the_dataset_form_answers_bad_values_and_keeps_what_was_typed(portal_url, agency_editor, field, value):
    browser = agency_editor["browser"]
    form = browser.get(f"{portal_url}/dataset/new", timeout=60)
    assert form.status_code == 200
    fields = form_fields(form.text, "dataset-edit")
    typed_title = f"Bộ dữ liệu đang nhập {uuid.uuid4().hex[:6]}"
    fields.update({"title": typed_title, "notes": "Mô tả đã gõ", "name": f"dang-nhap-{uuid.uuid4().hex[:8]}",
                   "contact-0-name": "Phòng Dữ liệu", "contact-0-email": "dulieu@binhduong.gov.vn",
                   "issued": "2024-01-15", "save": "continue"})
    if field == "contact-block":  # the whole contact block left empty (was a 500 that lost the form)
        fields.update({"contact-0-name": "", "contact-0-email": "", "contact-0-phone": ""})
    else:
        fields[field] = value
    response = browser.post(f"{portal_url}/dataset/new", data=fields, timeout=60, allow_redirects=False)
    _record(f"form {field}={value[:20]!r}", response)
    if response.status_code == 200 and field != "title":
        assert typed_title in response.text, "the form lost what the clerk typed"
    if field == "contact-block":
        assert response.status_code == 200 and "Đầu mối liên hệ" in response.text, response.status_code


def test_the_corpus_is_large_and_has_no_server_error():
    assert len(tried) >= 200, len(tried)
    assert not [case for case, status in tried if status >= 500]
