"""The API guide (/huong-dan-api) cannot rot: every example of api_guide.yaml runs against
the running portal over HTTP, both as a `requests` call built from the data and as the very
`curl` command the page shows, and each answer is checked for something that matters. The
page renders in Vietnamese and English with every command, and the limits and CORS setting
it states are what the portal does. Write examples touch only the test dataset, which is
purged before and after, also when a test fails."""
from __future__ import annotations

import collections
import csv
import html
import json
import os
import pathlib
import re
import subprocess
from dataclasses import dataclass
from typing import Callable

import ckanapi
import pytest
import rdflib
import requests
import yaml
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.binhduong import api_guide

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = ROOT / "seed_datasets"
GUIDE = api_guide.load()
TEST_DATASET = "vi-du-api-bo-du-lieu-thu-nghiem"
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
THU_DAU_MOT = "718"

INDEPENDENT = [example for example in GUIDE.examples if example.section != "write"]
WRITE_SEQUENCE = [example for example in GUIDE.examples if example.section == "write"]


# -- Answers, however they were fetched --------------------------------------------------

@dataclass
class Reply:
    status: int
    text: str

    def json(self):
        return json.loads(self.text)


@dataclass
class Context:
    portal_url: str
    values: dict
    sysadmin: ckanapi.RemoteCKAN
    anonymous: ckanapi.RemoteCKAN


def send(example: api_guide.Example, portal_url: str, values: dict, token: str) -> Reply:
    """The example as a `requests` call, from the same data the curl command is made of."""
    headers = {"Authorization": token} if example.auth else {}
    response = requests.request(
        example.method, portal_url + example.path, params=api_guide.fill(example.params, values) or None,
        json=api_guide.fill(example.body, values), headers=headers, timeout=60)
    return Reply(response.status_code, response.content.decode("utf-8"))


def run_curl(command: str, token: str, curl_home: pathlib.Path) -> Reply:
    """The command as the page shows it, in bash, with the token in the environment. A
    .curlrc in CURL_HOME makes curl print the HTTP status after the body."""
    curl_home.mkdir(exist_ok=True)
    (curl_home / ".curlrc").write_text('silent\nshow-error\nwrite-out = "\\n%{http_code}"\n')
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60,
                            env={**os.environ, api_guide.TOKEN_VARIABLE: token, "CURL_HOME": str(curl_home)})
    assert result.returncode == 0, result.stderr
    body, _, status = result.stdout.rpartition("\n")
    return Reply(int(status), body)


# -- The seed data the examples refer to ---------------------------------------------------

def _seed_dataset(name: str) -> dict:
    return yaml.safe_load((SEED / "datasets" / f"{name}.yaml").read_text(encoding="utf-8"))


def _commune_rows() -> list[dict]:
    lookup = GUIDE.lookups[0]
    resource = next(item for item in _seed_dataset(lookup.dataset)["resources"] if item["name"] == lookup.resource)
    with open(SEED / resource["file"], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", (text or "").lower()) is not None


def _package_search(ctx: Context, **params) -> dict:
    return ctx.anonymous.action.package_search(**params)


def _graph(text: str, rdf_format: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=text, format=rdf_format)
    return graph


def _paging(graph: rdflib.Graph) -> tuple[int, int]:
    collection = next(graph.subjects(RDF.type, HYDRA.PagedCollection))
    return int(graph.value(collection, HYDRA.totalItems)), int(graph.value(collection, HYDRA.itemsPerPage))


def _public_dataset_count(ctx: Context) -> int:
    return _package_search(ctx, rows=0)["count"]


# -- One check per example: what its answer must show ------------------------------------

CHECKS: dict[str, Callable[[Reply, Context], None]] = {}


def check(example_id: str):
    def register(function):
        CHECKS[example_id] = function
        return function
    return register


@check("search-datasets")
def _(reply, ctx):
    result = reply.json()["result"]
    assert 1 <= len(result["results"]) <= 5
    assert all("TECH" in dataset["theme"] for dataset in result["results"])
    everything = _package_search(ctx, q="IOC", fq="vocab_theme:TECH", rows=1000)
    assert result["count"] == everything["count"]
    assert "ioc-ket-noi-du-lieu-voi-co-quan" in {dataset["name"] for dataset in everything["results"]}


@check("search-next-page")
def _(reply, ctx):
    names = [dataset["name"] for dataset in reply.json()["result"]["results"]]
    everything = _package_search(ctx, fq="vocab_theme:TECH", sort="name asc", rows=1000)
    assert everything["count"] > 5, "the example needs a second page"
    assert names == [dataset["name"] for dataset in everything["results"]][5:10]


@check("search-facets")
def _(reply, ctx):
    result = reply.json()["result"]
    assert result["results"] == []
    themes = {item["name"]: item["count"] for item in result["search_facets"]["vocab_theme"]["items"]}
    assert themes["TECH"] == _package_search(ctx, fq="vocab_theme:TECH", rows=0)["count"]
    agencies = {item["name"]: item["count"] for item in result["search_facets"]["organization"]["items"]}
    assert agencies.get("trung-tam-giam-sat-dieu-hanh-thong-minh", 0) >= 1
    assert sum(agencies.values()) == result["count"]


@check("dataset-show")
def _(reply, ctx):
    dataset = reply.json()["result"]
    seed = _seed_dataset("ioc-ket-noi-du-lieu-voi-co-quan")
    assert dataset["title"] == seed["title"] and dataset["theme"] == seed["theme"]
    assert [resource["name"] for resource in dataset["resources"]] == [resource["name"] for resource in seed["resources"]]
    assert all(resource["datastore_active"] for resource in dataset["resources"])


@check("datastore-filters")
def _(reply, ctx):
    result = reply.json()["result"]
    in_district = [row for row in _commune_rows() if row["ma_huyen"] == THU_DAU_MOT]
    assert result["total"] == len(in_district) > 5
    assert len(result["records"]) == 5
    assert {record["ten_huyen"] for record in result["records"]} == {in_district[0]["ten_huyen"]}
    assert [field["id"] for field in result["fields"]] == ["ma_xa", "ten_xa", "ten_huyen"]
    # The first five of the district's communes in the table's own sort order.
    everything = ctx.anonymous.action.datastore_search(
        resource_id=ctx.values["resource_id"], filters={"ma_huyen": THU_DAU_MOT}, sort="ten_xa asc", limit=1000)
    assert {record["ma_xa"] for record in everything["records"]} == {row["ma_xa"] for row in in_district}
    assert [record["ma_xa"] for record in result["records"]] == [record["ma_xa"] for record in everything["records"][:5]]


@check("datastore-fulltext")
def _(reply, ctx):
    result = reply.json()["result"]
    matching = [row for row in _commune_rows() if any(_has_word(value, "Phú") for value in row.values())]
    assert result["total"] == len(matching) > 10
    assert len(result["records"]) == 5
    assert all(_has_word(record["ten_xa"], "Phú") or _has_word(record["ten_huyen"], "Phú") for record in result["records"])


@check("datastore-sql")
def _(reply, ctx):
    result = reply.json()["result"]
    counted = {record["ten_huyen"]: int(record["so_xa"]) for record in result["records"]}
    assert counted == collections.Counter(row["ten_huyen"] for row in _commune_rows())
    assert [int(record["so_xa"]) for record in result["records"]] == sorted(counted.values(), reverse=True)
    assert "records_truncated" not in result


@check("dataset-create")
def _(reply, ctx):
    dataset = reply.json()["result"]
    body = GUIDE.example("dataset-create").body
    assert dataset["name"] == TEST_DATASET and dataset["private"] is True
    assert dataset["identifier"] and dataset["theme"] == body["theme"] and dataset["spatial_units"] == body["spatial_units"]
    assert dataset["organization"]["name"] == body["owner_org"]
    # Private: not in the public catalogue.
    assert TEST_DATASET not in {hit["name"] for hit in _package_search(ctx, q=f"name:{TEST_DATASET}")["results"]}


@check("dataset-patch")
def _(reply, ctx):
    dataset = reply.json()["result"]
    patch, created = GUIDE.example("dataset-patch").body, GUIDE.example("dataset-create").body
    assert dataset["notes"] == patch["notes"] and dataset["version"] == patch["version"]
    assert dataset["modified"] == patch["modified"]
    # package_patch kept the fields it was not sent.
    assert dataset["title"] == created["title"] and dataset["contact"][0]["email"] == created["contact"][0]["email"]
    assert ctx.sysadmin.action.package_show(id=TEST_DATASET)["version"] == patch["version"]


@check("dataset-delete")
def _(reply, ctx):
    body = reply.json()
    assert body["success"] is True and body["result"] is None
    assert ctx.sysadmin.action.package_show(id=TEST_DATASET)["state"] == "deleted"


@check("dcat-catalog")
def _(reply, ctx):
    graph = _graph(reply.text, "turtle")
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogues) == 1
    total, per_page = _paging(graph)
    assert total == _public_dataset_count(ctx)
    datasets = set(graph.objects(catalogues[0], DCAT.dataset))
    assert len(datasets) == min(total, per_page)
    assert all((dataset, RDF.type, DCAT.Dataset) in graph for dataset in datasets)


@check("dcat-catalog-page")
def _(reply, ctx):
    graph = _graph(reply.text, "json-ld")
    total, per_page = _paging(graph)
    assert total == _public_dataset_count(ctx)
    on_this_page = len(set(graph.subjects(RDF.type, DCAT.Dataset)))
    assert on_this_page == max(0, min(per_page, total - per_page))
    collection = next(graph.subjects(RDF.type, HYDRA.PagedCollection))
    assert str(graph.value(collection, HYDRA.previousPage)).endswith("page=1")


@check("quality-dataset")
def _(reply, ctx):
    result = reply.json()["result"]
    assert result["dataset"]["name"] == "ioc-ket-noi-du-lieu-voi-co-quan" and result["max"] == 405
    assert 0 <= result["total"] <= 405 and result["rating"] in ("excellent", "good", "sufficient", "bad")
    assert round(sum(d["points"] for d in result["dimensions"].values()), 1) == round(result["total"], 1)
    assert isinstance(result["checklist"], list) and "frequency" in result["freshness"]


@check("quality-table-report")
def _(reply, ctx):
    result = reply.json()["result"]
    assert result["resource_id"] == ctx.values["resource_id"] and result["tabular"] is True
    # Validated now if the scheduler has not yet: the report then reads as the guide says.
    lookup = GUIDE.lookups[0]
    ctx.sysadmin.action.binhduong_quality_validate_tables(id=lookup.dataset, all=True)
    report = ctx.anonymous.action.binhduong_quality_table_report(id=ctx.values["resource_id"])
    assert report["validated"] is True and report["valid"] is (report["error_count"] == 0)
    assert sum(report["by_type"].values()) == report["error_count"] and report["error_labels"]["blank-row"]


@check("dcat-dataset")
def _(reply, ctx):
    graph = _graph(reply.text, "turtle")
    stored = ctx.anonymous.action.package_show(id="ioc-ket-noi-du-lieu-voi-co-quan")
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    assert stored["title"] in {str(title) for title in graph.objects(datasets[0], DCTERMS.title)}
    assert len(set(graph.objects(datasets[0], DCAT.distribution))) == len(stored["resources"])


@check("error-not-found")
def _(reply, ctx):
    body = reply.json()
    assert body["success"] is False
    assert body["error"] == {"__type": "Not Found Error", "message": "Not found"}
    assert body["help"].endswith("help_show?name=package_show")


@check("error-authorization")
def _(reply, ctx):
    body = reply.json()
    assert body["success"] is False and body["error"]["__type"] == "Authorization Error"
    assert body["error"]["message"]


@check("error-validation")
def _(reply, ctx):
    body = reply.json()
    assert body["success"] is False and body["error"]["__type"] == "Validation Error"
    missing = {"notes", "owner_org", "author", "contact", "issued", "theme", "spatial_units", "license_id"}
    assert missing <= set(body["error"]), body["error"]
    assert all(isinstance(messages, list) and messages for key, messages in body["error"].items() if key != "__type")
    with pytest.raises(ckanapi.NotFound):
        ctx.sysadmin.action.package_show(id=TEST_DATASET)


# -- Fixtures -------------------------------------------------------------------------------

def _purge_test_dataset(api: ckanapi.RemoteCKAN) -> None:
    try:
        api.action.dataset_purge(id=TEST_DATASET)
    except ckanapi.NotFound:
        pass


@pytest.fixture
def test_dataset_purged(portal_api):
    """No test dataset before the test, none after it, even when it fails."""
    _purge_test_dataset(portal_api)
    yield
    _purge_test_dataset(portal_api)


@pytest.fixture(scope="module")
def values(portal_url) -> dict:
    """The placeholders' values, looked up in the running portal as the page does."""
    def show_dataset(name):
        response = requests.get(f"{portal_url}/api/3/action/package_show", params={"id": name}, timeout=30)
        return response.json()["result"] if response.status_code == 200 else None

    found = api_guide.resolve(GUIDE, show_dataset)
    missing = [lookup for lookup in GUIDE.lookups if lookup.placeholder not in found]
    assert not missing, f"the starter catalogue lacks what the guide refers to: {missing}"
    return found


@pytest.fixture
def ctx(portal_url, values, portal_api, anonymous_api) -> Context:
    return Context(portal_url, values, portal_api, anonymous_api)


# -- The examples, over HTTP ---------------------------------------------------------------

def test_every_example_has_a_check():
    assert set(CHECKS) == {example.id for example in GUIDE.examples}


def _run_and_check(example: api_guide.Example, fetch: Callable[[], Reply], ctx: Context) -> None:
    """Fetch the example's answer and check it. Other e2e tests share the portal and may add
    or purge a dataset between the answer and a check's own look-up: a read-only example whose
    check fails is asked again, twice at most; a failure that stays is a failure."""
    attempts = 3 if example.method == "GET" else 1
    for attempt in range(attempts):
        reply = fetch()
        try:
            assert reply.status == example.status, reply.text[:2000]
            CHECKS[example.id](reply, ctx)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


@pytest.mark.parametrize("example", INDEPENDENT, ids=lambda example: example.id)
def test_example_answers_as_the_guide_says(example, request, ctx, sysadmin_token):
    if example.method == "POST":
        request.getfixturevalue("test_dataset_purged")
    _run_and_check(example, lambda: send(example, ctx.portal_url, ctx.values, sysadmin_token), ctx)


def test_write_examples_create_update_and_delete_the_test_dataset(ctx, sysadmin_token, test_dataset_purged):
    assert [example.id for example in WRITE_SEQUENCE] == ["dataset-create", "dataset-patch", "dataset-delete"]
    for example in WRITE_SEQUENCE:
        reply = send(example, ctx.portal_url, ctx.values, sysadmin_token)
        assert reply.status == example.status, (example.id, reply.text[:2000])
        CHECKS[example.id](reply, ctx)


@pytest.mark.parametrize("example", INDEPENDENT, ids=lambda example: example.id)
def test_the_curl_command_shown_works(example, request, ctx, sysadmin_token, tmp_path):
    if example.method == "POST":
        request.getfixturevalue("test_dataset_purged")
    command = api_guide.curl(example, ctx.portal_url, ctx.values)
    _run_and_check(example, lambda: run_curl(command, sysadmin_token, tmp_path), ctx)


def test_the_write_curl_commands_shown_work(ctx, sysadmin_token, tmp_path, test_dataset_purged):
    for example in WRITE_SEQUENCE:
        reply = run_curl(api_guide.curl(example, ctx.portal_url, ctx.values), sysadmin_token, tmp_path)
        assert reply.status == example.status, (example.id, reply.text[:2000])
        CHECKS[example.id](reply, ctx)


def test_the_create_example_fills_every_required_field_of_the_schema():
    schema = yaml.safe_load((ROOT / "schemas" / "dataset.yaml").read_text(encoding="utf-8"))
    body = GUIDE.example("dataset-create").body
    required = [field for field in schema["dataset_fields"] if field.get("required")]
    assert required
    for field in required:
        assert body.get(field["field_name"]), field["field_name"]
        for subfield in field.get("repeating_subfields", []):
            if subfield.get("required"):
                assert all(item.get(subfield["field_name"]) for item in body[field["field_name"]]), subfield
    assert body["name"] == TEST_DATASET and body["private"] is True


def test_write_examples_touch_only_the_test_dataset():
    for example in GUIDE.examples:
        if example.method == "POST":
            assert example.body.get("name", example.body.get("id")) == TEST_DATASET, example.id
        if example.auth:
            assert f'"Authorization: ${api_guide.TOKEN_VARIABLE}"' in api_guide.curl(example, "http://x", {}), example.id


# -- The page ----------------------------------------------------------------------------------

def _page_text(body: str) -> str:
    return html.unescape(body)


def _assert_the_page_shows_the_guide(body: str, lang: str, base_url: str, values: dict) -> None:
    assert re.search(rf'<html lang="{lang}"', body), body[:300]
    text = _page_text(body)
    other = "en" if lang == "vi" else "vi"
    for example in GUIDE.examples:
        assert api_guide.curl(example, base_url, values) in text, example.id
        assert example.title[lang] in text, example.id
        assert example.title[other] not in text, example.id
    for section in GUIDE.sections:
        assert section.title[lang] in text
    if lang == "vi":
        assert "Hướng dẫn sử dụng API" in text and "Mã truy cập API" in text and "Giới hạn và phân trang" in text
    else:
        assert "API guide" in text and "Limits and paging" in text
        assert "Hướng dẫn sử dụng API" not in text and "Mã truy cập API" not in text


@pytest.mark.parametrize("prefix, lang", [("", "vi"), ("/en", "en")])
def test_the_page_over_http(portal_url, values, prefix, lang):
    response = requests.get(f"{portal_url}{prefix}/huong-dan-api", timeout=30)
    assert response.status_code == 200
    _assert_the_page_shows_the_guide(response.content.decode("utf-8"), lang, portal_url, values)


def _data_attributes(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body))


def test_the_limits_and_cors_the_page_states_are_what_the_portal_does(portal_url, values, anonymous_api):
    stated = _data_attributes(requests.get(f"{portal_url}/huong-dan-api", timeout=30).text)
    rows_max, default, datastore_max = (int(stated[key]) for key in (
        "search-rows-max", "datastore-rows-default", "datastore-rows-max"))
    # Asking for more than the limit is lowered to it, without an error.
    assert anonymous_api.action.datastore_search(resource_id=values["resource_id"], limit=datastore_max + 1)["limit"] == datastore_max
    assert anonymous_api.action.datastore_search(resource_id=values["resource_id"])["limit"] == default
    over = requests.get(f"{portal_url}/api/3/action/package_search", params={"rows": rows_max + 1}, timeout=30)
    assert over.status_code == 200 and len(over.json()["result"]["results"]) <= rows_max
    catalogue = _graph(requests.get(f"{portal_url}/catalog.ttl", timeout=60).content.decode("utf-8"), "turtle")
    assert _paging(catalogue)[1] == int(stated["dcat-per-page"])
    # CORS: the header is there exactly when the page says so.
    answer = requests.get(f"{portal_url}/api/3/action/status_show", headers={"Origin": "https://example.org"}, timeout=30)
    allowed = answer.headers.get("Access-Control-Allow-Origin")
    assert stated["cors"] in ("all", "list", "off")
    if stated["cors"] == "all":
        assert allowed == "*"
    elif stated["cors"] == "off":
        assert allowed is None
    else:
        assert allowed in (None, "https://example.org")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
class TestThePageInProcess:
    """The page through CKAN's test app on the test databases (no running portal needed)."""

    @pytest.mark.parametrize("prefix, lang", [("", "vi"), ("/en", "en")])
    def test_it_resolves_the_table_by_name_and_shows_every_example(self, app, prefix, lang):
        from ckan.plugins.toolkit import config
        from ckan.tests import factories
        from ckan.tests.helpers import call_action

        from bd_factories import valid_dataset

        lookup = GUIDE.lookups[0]
        sysadmin, organization = factories.Sysadmin(), factories.Organization()
        dataset = call_action("package_create", context={"user": sysadmin["name"]}, **valid_dataset(
            organization["id"], name=lookup.dataset, resources=[
                {"name": "Một bảng khác", "url": "http://example.org/khac.csv", "format": "CSV"},
                {"name": lookup.resource, "url": "http://example.org/xa.csv", "format": "CSV"}]))
        resource_id = dataset["resources"][1]["id"]
        response = app.get(f"{prefix}/huong-dan-api")
        assert response.status_code == 200
        _assert_the_page_shows_the_guide(response.body, lang, config["ckan.site_url"], {lookup.placeholder: resource_id})
        assert f'FROM "{resource_id}"' in _page_text(response.body)

    def test_without_the_table_it_says_what_to_replace(self, app):
        from ckan.plugins.toolkit import config

        response = app.get("/huong-dan-api")
        assert response.status_code == 200
        text = _page_text(response.body)
        _assert_the_page_shows_the_guide(response.body, "vi", config["ckan.site_url"], {})
        assert "resource_id={resource_id}" in text
        assert "hãy thay <code>{resource_id}</code>" in response.body
