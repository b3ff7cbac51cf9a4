"""Download counts ("Lượt tải") on the running portal: a download through the portal's
download route is recorded, `ckan binhduong tracking-update` (what the harvest scheduler runs) folds it
into the summary, and the dataset page, the resource page (vi and en alike) and the home
page's most-downloaded list show the higher count. One visitor counts once a day; a page's
script fetching the file (a preview) is not a download. The test's own tracking rows are
deleted afterwards."""
from __future__ import annotations

import hashlib
import io
import pathlib
import subprocess
import time
import uuid

import pytest
import requests
import sqlalchemy as sa
from bs4 import BeautifulSoup

from bd_factories import valid_dataset
from portal_db import PORTAL_INI as INI, portal_engine
from ckanext.binhduong import downloads

ROOT = pathlib.Path(__file__).resolve().parents[2]
CSV = "ma_huyen,ten_huyen,so_tram_bts\n718,Thành phố Thủ Dầu Một,1\n724,Thành phố Dĩ An,2\n".encode("utf-8")
VISITORS = 3


def tracking_update():
    """What scripts/harvest_scheduler.sh runs, under the same lock."""
    lock = pathlib.Path(INI).parent / "run" / "tracking-update.lock"
    result = subprocess.run(["flock", str(lock), str(ROOT / "var" / "venv" / "bin" / "ckan"), "-c", INI, "binhduong", "tracking-update"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def visitor_key(response: requests.Response) -> str:
    """The key the portal stores for the visitor that made this request (from 127.0.0.1)."""
    headers = response.request.headers
    key = "".join([headers.get("User-Agent", ""), "127.0.0.1", headers.get("Accept-Language", ""),
                   headers.get("Accept-Encoding", "")])
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()


def delete_tracking_rows(keys: set[str]) -> None:
    if not keys:
        return
    with portal_engine().begin() as connection:
        connection.execute(sa.text("DELETE FROM tracking_raw WHERE user_key = ANY(:keys)"), {"keys": sorted(keys)})


@pytest.fixture
def uploaded(portal_api):
    suffix = uuid.uuid4().hex[:8]
    organization = portal_api.action.organization_create(name=f"luot-tai-{suffix}", title=f"Kiểm thử lượt tải {suffix}")
    name = f"luot-tai-{suffix}"
    keys: set[str] = set()
    try:
        dataset = portal_api.action.package_create(**valid_dataset(
            organization["id"], name=name, title=f"Kiểm thử lượt tải {suffix} (dữ liệu mẫu)"))
        resource = portal_api.action.resource_create(package_id=dataset["id"], name="Dữ liệu mẫu",
                                                     upload=("mau.csv", io.BytesIO(CSV)))
        yield {"dataset": dataset, "resource": resource, "keys": keys}
    finally:
        delete_tracking_rows(keys)  # first: it needs only the database
        try:
            portal_api.action.dataset_purge(id=name)
        except Exception:  # noqa: BLE001 - the dataset may not have been created
            pass
        portal_api.action.organization_purge(id=organization["id"])
        tracking_update()  # the summary forgets the deleted rows too


def _count(url: str, selector: str = ".bd-downloads") -> tuple[int, str]:
    response = requests.get(url, timeout=60)
    assert response.status_code == 200, url
    node = BeautifulSoup(response.text, "html.parser").select_one(selector)
    assert node is not None, (url, selector)
    text = node.get_text(" ", strip=True)
    fact = node.find_parent("dd")
    if fact is not None:  # the dataset page's facts box: the label is the fact's <dt>
        text = f"{fact.find_previous_sibling('dt').get_text(strip=True)}: {text}"
    return int(node["data-downloads"]), text


def _download(url: str, agent: str, keys: set[str], **headers) -> bytes:
    response = requests.get(url, headers={"User-Agent": agent, **headers}, timeout=60)
    assert response.status_code == 200, response.text[:500]
    keys.add(visitor_key(response))
    return response.content


def test_a_download_raises_the_count_on_every_page(portal_url, uploaded):
    dataset, resource, keys = uploaded["dataset"], uploaded["resource"], uploaded["keys"]
    dataset_page = f"{portal_url}/dataset/{dataset['name']}"
    resource_page = f"{dataset_page}/resource/{resource['id']}"
    tracking_update()
    assert _count(dataset_page) == (0, "Lượt tải: 0")

    agent = f"binhduong-tests-downloads/{uuid.uuid4().hex}"
    for visitor in range(VISITORS):
        body = _download(resource["url"], f"{agent}-{visitor}", keys)
        assert body == CSV
    # The same visitor again the same day, and a page script fetching the file: not counted.
    _download(resource["url"], f"{agent}-0", keys)
    _download(resource["url"], f"{agent}-preview", keys, **{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"})
    tracking_update()

    assert _count(dataset_page) == (VISITORS, f"Lượt tải: {VISITORS}")
    assert _count(f"{dataset_page}", "li.resource-item .bd-downloads")[0] == VISITORS
    assert _count(resource_page) == (VISITORS, f"Lượt tải: {VISITORS}")
    # The same count in English: the key names the resource, not the language of the link.
    assert _count(f"{portal_url}/en/dataset/{dataset['name']}") == (VISITORS, f"Downloads: {VISITORS}")
    assert _count(f"{portal_url}/en/dataset/{dataset['name']}/resource/{resource['id']}")[0] == VISITORS


def test_the_home_page_lists_the_most_downloaded_datasets(portal_url, uploaded):
    dataset, resource, keys = uploaded["dataset"], uploaded["resource"], uploaded["keys"]
    agent = f"binhduong-tests-home/{uuid.uuid4().hex}"
    # More visitors than any dataset of a test portal has had, so it must lead the list.
    with portal_engine().connect() as connection:
        leader = connection.execute(downloads.MOST_DOWNLOADED_SQL, {"limit": 1}).first()
    visitors = (leader.downloads if leader else 0) + 1
    for visitor in range(visitors):
        _download(resource["url"], f"{agent}-{visitor}", keys)
    tracking_update()
    page = BeautifulSoup(requests.get(f"{portal_url}/", timeout=60).text, "html.parser")
    first = page.select_one("ol.bd-most-downloaded li")
    assert first is not None and first["data-name"] == dataset["name"]
    assert first.select_one(".bd-downloads").get_text(strip=True) == f"Lượt tải: {visitors}"
    english = BeautifulSoup(requests.get(f"{portal_url}/en/", timeout=60).text, "html.parser")
    assert "Most downloaded datasets" in english.get_text()
    assert english.select_one("ol.bd-most-downloaded li")["data-name"] == dataset["name"]


def test_a_datastore_export_counts_as_a_download(portal_url, portal_api, uploaded):
    dataset, resource, keys = uploaded["dataset"], uploaded["resource"], uploaded["keys"]
    deadline = time.monotonic() + 120
    while not portal_api.action.resource_show(id=resource["id"]).get("datastore_active"):
        assert time.monotonic() < deadline, "the CSV was not loaded into the DataStore"
        time.sleep(2)
    tracking_update()
    before = _count(f"{portal_url}/dataset/{dataset['name']}")[0]
    body = _download(f"{portal_url}/datastore/dump/{resource['id']}?format=csv",
                     f"binhduong-tests-dump/{uuid.uuid4().hex}", keys)
    assert "Thành phố Dĩ An" in body.decode("utf-8-sig")
    tracking_update()
    assert _count(f"{portal_url}/dataset/{dataset['name']}")[0] == before + 1
