"""The statistics page (/thong-ke, /en/thong-ke) over HTTP: its tables hold what the Action
API's package_search facets say, its freshness buckets match the datasets' own dates, a
dataset created here changes the counts, and the header and footer link to it and to the API
guide in both languages."""
from __future__ import annotations

import datetime as dt
import io
import time
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from bs4 import BeautifulSoup
from dateutil.relativedelta import relativedelta

from bd_factories import valid_dataset

FACET_SECTIONS = {"themes": "vocab_theme", "agencies": "organization", "formats": "res_format"}


def _page(url: str) -> BeautifulSoup:
    response = requests.get(url, timeout=60)
    assert response.status_code == 200, url
    return BeautifulSoup(response.text, "html.parser")


def _section(page: BeautifulSoup, key: str):
    section = page.select_one(f'section[data-section="{key}"]')
    assert section is not None, key
    return section


def _facet_table(page: BeautifulSoup, key: str) -> dict[str, int]:
    """{facet value: count} read from the table rows' search links, e.g. ?vocab_theme=TECH."""
    field = FACET_SECTIONS[key]
    rows = {}
    for row in _section(page, key).select("table.bd-stats-table tbody tr"):
        value = parse_qs(urlparse(row.select_one("a")["href"]).query)[field][0]
        rows[value] = int(row.select_one(".bd-stats-count")["data-count"])
    return rows


def _freshness_table(page: BeautifulSoup) -> list[int]:
    return [int(cell["data-count"]) for cell in _section(page, "freshness").select(".bd-stats-count")]


def _api_facets(anonymous_api) -> tuple[int, dict[str, dict[str, int]]]:
    search = anonymous_api.action.package_search(
        rows=0, **{"facet.field": '["vocab_theme", "organization", "res_format"]', "facet.limit": -1})
    facets = {key: {item["name"]: item["count"] for item in search["search_facets"].get(field, {}).get("items", [])}
              for key, field in FACET_SECTIONS.items()}
    return search["count"], facets


def _api_freshness(anonymous_api) -> list[int]:
    """Buckets computed here from each dataset's dates: `modified` if given, else metadata_modified."""
    today = dt.date.today()
    cutoffs = [today - relativedelta(days=30), today - relativedelta(months=6), today - relativedelta(years=1)]
    buckets = [0, 0, 0, 0]
    start = 0
    while True:
        page = anonymous_api.action.package_search(rows=1000, start=start)
        for dataset in page["results"]:
            day = dt.date.fromisoformat((dataset.get("modified") or dataset["metadata_modified"])[:10])
            buckets[next((index for index, cutoff in enumerate(cutoffs) if day >= cutoff), 3)] += 1
        start += len(page["results"])
        if not page["results"] or start >= page["count"]:
            return buckets


def _consistent_snapshot(portal_url, anonymous_api, path="/thong-ke"):
    """The page and the API read at (nearly) the same moment; retried while other tests change
    the catalogue in between."""
    for _ in range(5):
        before = _api_facets(anonymous_api)
        page = _page(f"{portal_url}{path}")
        after = _api_facets(anonymous_api)
        if before == after:
            return page, after
        time.sleep(1)
    pytest.fail("the catalogue kept changing during the statistics test")


def test_statistics_page_holds_the_api_facet_counts(portal_url, anonymous_api):
    page, (total, facets) = _consistent_snapshot(portal_url, anonymous_api)
    assert page.html.get("lang") == "vi"
    assert page.select_one("h1").get_text(strip=True) == "Thống kê"
    assert f"{total:,}".replace(",", ".") in page.select_one(".lead").get_text()
    for key in FACET_SECTIONS:
        assert _facet_table(page, key) == facets[key], key
        # The chart draws one bar per row.
        assert len(_section(page, key).select("svg.bd-chart rect.bd-bar")) == len(facets[key]), key
    assert facets["themes"] and facets["agencies"] and "CSV" in facets["formats"]
    freshness = _freshness_table(page)
    assert sum(freshness) == total
    assert freshness == _api_freshness(anonymous_api)
    # Vietnamese labels, not codes: the theme rows are named as the home page names them.
    assert "Khoa học và công nghệ" in _section(page, "themes").get_text()


def test_statistics_page_in_english(portal_url, anonymous_api):
    page, (total, facets) = _consistent_snapshot(portal_url, anonymous_api, "/en/thong-ke")
    assert page.html.get("lang") == "en"
    assert page.select_one("h1").get_text(strip=True) == "Statistics"
    assert "Science and technology" in _section(page, "themes").get_text()
    assert "Updated within the last 30 days" in _section(page, "freshness").get_text()
    assert _facet_table(page, "agencies") == facets["agencies"]


@pytest.fixture
def new_dataset(portal_api):
    """A new agency's dataset with a CSV link, a rarely used theme and data last modified
    two years ago (so freshness must come from `modified`, not from today's record change)."""
    suffix = uuid.uuid4().hex[:8]
    organization = portal_api.action.organization_create(name=f"thong-ke-{suffix}", title=f"Cơ quan kiểm thử thống kê {suffix}")
    name = f"thong-ke-{suffix}"
    try:
        modified = (dt.date.today() - relativedelta(years=2)).isoformat()
        dataset = portal_api.action.package_create(**valid_dataset(
            organization["id"], name=name, title="Kiểm thử trang thống kê (dữ liệu mẫu)", theme=["ENER"],
            issued=(dt.date.today() - relativedelta(years=3)).isoformat(), modified=modified))
        portal_api.action.resource_create(package_id=dataset["id"], name="Dữ liệu mẫu", format="CSV",
                                          upload=("mau.csv", io.BytesIO(b"a,b\n1,2\n")))
        yield {"name": name, "organization": organization["name"]}
    finally:
        try:
            portal_api.action.dataset_purge(id=name)
        except Exception:  # noqa: BLE001 - the dataset may not have been created
            pass
        portal_api.action.organization_purge(id=organization["id"])


def test_a_new_dataset_changes_the_counts(portal_url, anonymous_api, portal_api, request):
    before, _ = _consistent_snapshot(portal_url, anonymous_api)
    themes_before = _facet_table(before, "themes")
    fresh_before = _freshness_table(before)
    made = request.getfixturevalue("new_dataset")
    page, (total, facets) = _consistent_snapshot(portal_url, anonymous_api)
    agencies = _facet_table(page, "agencies")
    assert agencies[made["organization"]] == 1
    assert _facet_table(page, "themes") == facets["themes"]
    assert _facet_table(page, "themes").get("ENER", 0) >= themes_before.get("ENER", 0) + 1
    freshness = _freshness_table(page)
    assert freshness == _api_freshness(anonymous_api)
    assert freshness[3] >= fresh_before[3] + 1  # counted as "more than a year ago"


@pytest.mark.parametrize("prefix, texts", [
    ("", {"/thong-ke": "Thống kê", "/huong-dan-api": "Hướng dẫn sử dụng API"}),
    ("/en", {"/en/thong-ke": "Statistics", "/en/huong-dan-api": "API guide"}),
])
def test_header_and_footer_link_statistics_and_the_api_guide(portal_url, prefix, texts):
    for path in ("/", "/dataset/"):
        page = _page(f"{portal_url}{prefix}{path}")
        for place in ("header", "footer"):
            links = {link["href"]: link.get_text(strip=True) for link in page.select(f"{place} a[href]")}
            for href, text in texts.items():
                assert links.get(href) == text, (path, place, href, links.get(href))
    for href in texts:
        target = _page(f"{portal_url}{href}")
        assert target.html.get("lang") == ("en" if prefix else "vi")


def test_charts_lay_long_names_down_whole(portal_url):
    """Horizontal bars: every name on a line of its own, whole, nothing rotated or clipped."""
    page = _page(f"{portal_url}/thong-ke")
    for key in ("themes", "agencies", "formats", "freshness"):
        section = _section(page, key)
        chart = section.select_one("svg.bd-chart")
        assert "bd-chart-horizontal" in chart["class"], key
        assert "rotate(" not in str(chart), key
        names = [row.get_text(" ", strip=True) for row in section.select("th.bd-stats-label")]
        drawn = [label.find(string=True, recursive=False).strip() for label in chart.select("text.bd-chart-label")]
        assert len(drawn) == len(names), key
        for name, text in zip(names, drawn):
            assert text == name or (text.endswith("…") and name.startswith(text[:-1])), (name, text)
        assert sum(text.endswith("…") for text in drawn) <= len(drawn) // 4, drawn
