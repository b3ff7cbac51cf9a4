"""The running portal (over HTTP, as a citizen and the national portal would): the starter
catalogue's quality is Good or better on average, and the pages and DQV answer."""
from __future__ import annotations

import requests

from ckanext.binhduong import seed
from ckanext.binhduong.quality import mqa


def test_the_starter_catalogue_is_good_or_better_on_average(portal_url, portal_api, anonymous_api):
    portal_api.action.binhduong_quality_compute()  # datasets changed since the scheduler's last run
    names = [dataset["name"] for dataset in seed.load_catalogue("ckanext.binhduong.seed_datasets:.").datasets]
    results = [anonymous_api.action.binhduong_quality_show(id=name) for name in names]

    summary = mqa.summarise(results)
    assert summary["count"] == len(names) == 30
    assert summary["average"] >= 221 and summary["rating"] in ("good", "excellent"), summary
    assert all(result["dcat_ap"] is True for result in results)

    page = requests.get(f"{portal_url}/chat-luong", timeout=30)
    assert page.status_code == 200 and "Chất lượng dữ liệu của cổng" in page.text
    english = requests.get(f"{portal_url}/en/dataset/{names[0]}/chat-luong", timeout=30)
    assert english.status_code == 200 and "What to fix" in english.text
    dqv = requests.get(f"{portal_url}/dataset/{names[0]}/chat-luong.ttl", timeout=30)
    assert dqv.status_code == 200 and "dqv:QualityMeasurement" in dqv.text
