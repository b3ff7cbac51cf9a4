"""Crawl every page kind as anonymous, as an agency editor (logged in through the login form)
and as sysadmin: no English interface string on Vietnamese pages, no Vietnamese interface
string on /en/ pages. The crawl includes the dataset and resource forms, both as served and
after a rejected submission (so the error messages are checked), the harvest pages, and the
403 and 404 pages. Interface strings are the msgids (and, for /en/, the Vietnamese msgstrs)
of CKAN core, the extensions and ours; dataset content is not an interface string and is not
checked."""
from __future__ import annotations

import pathlib
import re
import secrets
import uuid

import ckan
import polib
import pytest
import requests
from bs4 import BeautifulSoup

from bd_factories import valid_dataset
from ckanext.binhduong import places
from portal_session import form_fields, log_in

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = ROOT / "ckanext-binhduong" / "ckanext" / "binhduong" / "i18n" / "src"
# Names that read the same in both languages.
SAME_IN_BOTH = {"Facebook", "X", "CKAN", "API", "CSV", "JSON", "URL", "Email", "DCAT", "Markdown", "RSS", "ckan"}
SEED_DATASET = "ioc-ket-noi-du-lieu-voi-co-quan"

# Page kinds, by who sees them. {dataset}/{resource}/{organization}: a starter-catalogue dataset
# of an agency the editor does not belong to; {own}/{own_resource}/{own_organization}: the
# editor's agency and its dataset; {source}: a harvest source of the editor's agency.
PAGES = [
    "/", "/dataset/", "/dataset/?vocab_theme=TECH&q=d%E1%BB%AF+li%E1%BB%87u", "/dataset/{dataset}",
    "/dataset/{dataset}/resource/{resource}", "/dataset/activity/{dataset}", "/organization/",
    "/organization/{organization}", "/group/", "/group/{group}", "/user/{editor}", "/about", "/huong-dan-api", "/user/login",
    "/harvest", "/harvest/{source}", "/harvest/about/{source}", "/no-such-page", "/dataset/no-such-dataset",
]
SIGNED_IN_PAGES = [
    "/dashboard/datasets", "/dashboard/organizations", "/dataset/new", "/dataset/edit/{own}",
    "/dataset/{own}/resource/new", "/dataset/{own}/resource/{own_resource}/edit", "/organization/{own_organization}",
    "/harvest/{source}/job", "/harvest/admin/{source}",
]
PAGES_BY_ROLE = {
    "anonymous": PAGES + ["/user/register", "/dataset/new"],
    "editor": PAGES + SIGNED_IN_PAGES + ["/dataset/edit/{dataset}"],
    "sysadmin": PAGES + SIGNED_IN_PAGES + ["/ckan-admin", "/ckan-admin/config", "/ckan-admin/trash", "/user/",
                                          "/harvest/new", "/harvest/edit/{source}"],
}
# Pages whose status is part of what is checked: the error pages are crawled for real.
EXPECTED_STATUS = {
    ("anonymous", "/user/register"): 403, ("anonymous", "/dataset/new"): 403, ("anonymous", "/user/{editor}"): 403,
    ("editor", "/dataset/edit/{dataset}"): 403,
    **{(role, path): 404 for role in PAGES_BY_ROLE for path in ("/no-such-page", "/dataset/no-such-dataset")},
}


def _interface_strings() -> tuple[set[str], set[str]]:
    catalogues = [polib.pofile(str(pathlib.Path(ckan.__file__).parent / "i18n" / "vi" / "LC_MESSAGES" / "ckan.po"))]
    catalogues += [polib.pofile(str(path)) for path in (SOURCES / "vi").glob("*.po")]
    english, vietnamese = set(), set()
    for catalogue in catalogues:
        for entry in catalogue:
            msgid = entry.msgid.strip()
            # Example URLs (placeholders such as http://example.com/my-image.jpg) read the same in both.
            if not re.search(r"[A-Za-z]{3}", msgid) or re.search(r"[%{<]|^https?://", msgid) or msgid in SAME_IN_BOTH:
                continue
            english.add(msgid)
            for msgstr in [entry.msgstr, *entry.msgstr_plural.values()]:
                if msgstr.strip() and msgstr.strip() != msgid:
                    vietnamese.add(msgstr.strip())
    return english, vietnamese


def _english_outside_gettext() -> set[str]:
    """English that CKAN shows without gettext, which our templates replace: werkzeug's HTTP
    error names and descriptions (the error page) and the raw activity type names, title-cased
    (the activity stream's filter)."""
    from ckanext.activity.logic import validators
    from werkzeug.exceptions import default_exceptions

    texts = {text for exception in default_exceptions.values() for text in (exception().name, exception.description)}
    for types in (validators.VALIDATORS_PACKAGE_ACTIVITY_TYPES, validators.VALIDATORS_USER_ACTIVITY_TYPES,
                  validators.VALIDATORS_GROUP_ACTIVITY_TYPES, validators.VALIDATORS_ORGANIZATION_ACTIVITY_TYPES):
        texts |= {name.title() for name in types}
    return texts


ENGLISH, VIETNAMESE = _interface_strings()
ENGLISH |= _english_outside_gettext()
# Names of administrative units are data (the units facet shows "Tỉnh Bình Dương" on /en/ too),
# even when the header translates one of them ("Bình Dương Province").
VIETNAMESE -= {unit.name for unit in places.all_units()}
# A search index field shown to people in place of its title (CKAN's facet links named
# "Search datasets by tags: ...").
INDEX_FIELD = re.compile(r"\b(tags|res_format|license_id|organization|groups|vocab_[a-z_]+|frequency|source_type):")


def _visible_strings(html: str) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    for node in soup(["script", "style", "code", "pre"]):
        node.decompose()
    strings = {text.strip() for text in soup.stripped_strings}
    strings |= {re.sub(r"^\d{3}\s+", "", text) for text in strings}  # "404 Not Found" as "Not Found"
    strings |= {value.strip() for tag in soup.find_all(True)
                for key in ("placeholder", "title", "aria-label", "alt") if (value := tag.get(key))}
    return strings


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings_in(item)]
    return []


@pytest.fixture(scope="module")
def agency(portal_api):
    """An agency with an editor (password login), a dataset of its own in a group, and a harvest
    source; created through the API as sysadmin, purged at the end."""
    suffix = uuid.uuid4().hex[:6]
    password = secrets.token_urlsafe(12)
    made = {}
    try:
        made["editor"] = portal_api.action.user_create(
            name=f"bientap-ngonngu-{suffix}", email=f"bientap-ngonngu-{suffix}@example.org", password=password,
            fullname="Biên tập viên kiểm thử ngôn ngữ")
        made["organization"] = portal_api.action.organization_create(
            name=f"so-ngonngu-{suffix}", title="Sở kiểm thử ngôn ngữ giao diện",
            users=[{"name": made["editor"]["name"], "capacity": "editor"}])
        made["dataset"] = portal_api.action.package_create(**valid_dataset(made["organization"]["id"], resources=[
            {"url": "https://example.org/tram-bts.csv", "name": "Trạm BTS theo phường", "format": "CSV"}]))
        made["source"] = portal_api.action.harvest_source_create(
            name=f"nguon-ngonngu-{suffix}", title="Nguồn thu thập kiểm thử ngôn ngữ", url="https://example.org/catalog.ttl",
            source_type="dcat_rdf", frequency="MANUAL", owner_org=made["organization"]["id"])
        made["group"] = portal_api.action.group_create(name=f"nhom-ngonngu-{suffix}", title="Nhóm kiểm thử ngôn ngữ",
                                                       packages=[{"id": made["dataset"]["id"]}])
        made["password"] = password
        yield made
    finally:
        _purge(portal_api, made)


def _purge(portal_api, made: dict):
    """Every clean-up step is tried, even when one fails (e.g. the portal restarted mid-test);
    the first failure is raised at the end."""
    steps = []
    if "source" in made:
        steps += [lambda: portal_api.action.harvest_source_clear(id=made["source"]["id"]),
                  lambda: portal_api.action.dataset_purge(id=made["source"]["id"])]
    if "group" in made:
        steps.append(lambda: portal_api.action.group_purge(id=made["group"]["id"]))
    if "dataset" in made:
        steps.append(lambda: portal_api.action.dataset_purge(id=made["dataset"]["id"]))
    if "organization" in made:
        steps.append(lambda: portal_api.action.organization_purge(id=made["organization"]["id"]))
    if "editor" in made:
        steps.append(lambda: portal_api.action.user_delete(id=made["editor"]["id"]))
    errors = []
    for step in steps:
        try:
            step()
        except Exception as error:  # noqa: BLE001 (reported below, after the other steps)
            errors.append(error)
    if errors:
        raise errors[0]


@pytest.fixture(scope="module")
def sessions(portal_url, sysadmin_token, agency):
    sysadmin = requests.Session()
    sysadmin.headers["Authorization"] = sysadmin_token
    return {"anonymous": requests.Session(), "sysadmin": sysadmin,
            "editor": log_in(portal_url, agency["editor"]["name"], agency["password"])}


@pytest.fixture(scope="module")
def values(anonymous_api, agency):
    dataset = anonymous_api.action.package_show(id=SEED_DATASET)
    return {"dataset": dataset["name"], "resource": dataset["resources"][0]["id"],
            "organization": dataset["organization"]["name"], "own": agency["dataset"]["name"],
            "own_resource": agency["dataset"]["resources"][0]["id"], "own_organization": agency["organization"]["name"],
            "source": agency["source"]["name"], "editor": agency["editor"]["name"],
            "group": agency["group"]["name"]}


@pytest.fixture(scope="module")
def content(portal_api, agency):
    """Text that belongs to the catalogue's content (dataset, agency, user names), in any language."""
    dataset = portal_api.action.package_show(id=SEED_DATASET)
    own = portal_api.action.package_show(id=agency["dataset"]["id"])
    organization = portal_api.action.organization_show(id=dataset["organization"]["name"])
    users = portal_api.action.user_list()
    # View titles are stored once, in the language of the request that created the view.
    views = [portal_api.action.resource_view_list(id=resource["id"]) for resource in dataset["resources"] + own["resources"]]
    return "\n".join(_strings_in([dataset, own, organization, agency["organization"], agency["source"], agency["group"], views,
                                  [user.get("fullname") or "" for user in users]]))


def _crawl(portal_url, session, who, values, prefix=""):
    """Each page of the role: (path, visible strings)."""
    for template in PAGES_BY_ROLE[who]:
        path = template.format(**values)
        response = session.get(f"{portal_url}{prefix}{path}", timeout=30)
        expected = EXPECTED_STATUS.get((who, template), 200)
        assert response.status_code == expected, (who, prefix + path, response.status_code)
        yield path, _visible_strings(response.text)


def _rejected_forms(portal_url, session, values, prefix=""):
    """The dataset and resource forms after a rejected submission: (path, visible strings)."""
    submissions = {
        # A title, but none of the other required fields, and an e-mail that is not one.
        ("/dataset/new", "dataset-edit"): {"title": "Bộ dữ liệu bị từ chối", "name": "bo-du-lieu-bi-tu-choi-" + uuid.uuid4().hex[:6],
                         "owner_org": values["own_organization"], "contact-0-email": "khong-phai-email",
                         "save": ""},
        # A size that is not a number, and no name.
        (f"/dataset/{values['own']}/resource/new", "resource-edit"): {"url": "https://example.org/du-lieu.csv", "name": "", "size": "nhiều",
                                                   "save": "go-metadata"},
    }
    for (path, form_id), data in submissions.items():
        form = session.get(f"{portal_url}{prefix}{path}", timeout=30)
        assert form.status_code == 200, (path, form.status_code)
        response = session.post(f"{portal_url}{prefix}{path}", data={**form_fields(form.text, form_id), **data},
                                timeout=30)
        assert response.status_code == 200, (path, response.status_code)
        assert "error-explanation" in response.text, f"{path}: the submission was not rejected"
        yield path + " (rejected)", _visible_strings(response.text)


@pytest.mark.parametrize("who", ["anonymous", "editor", "sysadmin"])
def test_vietnamese_pages_show_no_english_interface_string(portal_url, sessions, values, who):
    pages = list(_crawl(portal_url, sessions[who], who, values))
    if who == "editor":
        pages += _rejected_forms(portal_url, sessions[who], values)
    leaks = {path: sorted(strings & ENGLISH | {text for text in strings if INDEX_FIELD.search(text)})
             for path, strings in pages}
    leaks = {path: found for path, found in leaks.items() if found}
    assert not leaks, leaks


@pytest.mark.parametrize("who", ["anonymous", "editor", "sysadmin"])
def test_english_pages_show_no_vietnamese_interface_string(portal_url, sessions, values, content, who):
    pages = list(_crawl(portal_url, sessions[who], who, values, prefix="/en"))
    if who == "editor":
        pages += _rejected_forms(portal_url, sessions[who], values, prefix="/en")
    leaks = {}
    for path, strings in pages:
        found = sorted(text for text in strings & VIETNAMESE if text not in content)
        if found:
            leaks[path] = found
    assert not leaks, leaks
