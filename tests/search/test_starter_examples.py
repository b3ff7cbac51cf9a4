"""The five searches of issue 15 on the running portal's starter catalogue, over HTTP (API and
search page): the dataset a citizen meant comes first; where the catalogue has no dataset on the
topic (no transport data: "giao thong"), the page says that no dataset holds the words together
and offers the help block instead of passing off scattered syllables as a match."""
from __future__ import annotations

import re

import pytest
import requests

from ckanext.binhduong.text import fold_chars

# query -> the starter dataset meant, or None where the catalogue has none on the topic.
EXAMPLES = {
    # The catalogue has no population table; this dataset's indicators are shares of the
    # population ("tỷ lệ dân số trưởng thành …"), the only one with "dân số" as a word.
    "dan so": "dien-thoai-thong-minh-tai-khoan-giao-dich-ky-nang-so",
    # Civil registry ("hộ tịch"): birth registration is one of its events (synonyms-vi.txt).
    "khai sinh": "so-hoa-du-lieu-ho-tich-de-an-06",
    "giao thong": None,
    "khu công nghiệp": "khu-cong-nghiep-cum-cong-nghiep-dang-hoat-dong",
    "thủ tục hành chính": "thu-tuc-hanh-chinh-truc-tuyen",
}

FIRST_RESULT = re.compile(r'<h2 class="dataset-heading">.*?<a href="/dataset/([^"/?]+)"', re.S)


@pytest.mark.parametrize("query", EXAMPLES)
def test_the_meant_dataset_comes_first_or_the_page_says_there_is_none(portal_url, query):
    meant = EXAMPLES[query]
    api = requests.get(f"{portal_url}/api/3/action/package_search", params={"q": query, "rows": 5}, timeout=30)
    assert api.status_code == 200, api.text[:500]
    result = api.json()["result"]
    page = requests.get(f"{portal_url}/dataset/", params={"q": query}, timeout=30)
    assert page.status_code == 200
    first_on_page = FIRST_RESULT.search(page.text)
    if meant:
        assert result["results"][0]["name"] == meant, [d["name"] for d in result["results"]]
        assert first_on_page and first_on_page.group(1) == meant
        assert "bd_phrase" not in result
        assert 'id="bd-search-phrase"' not in page.text
    else:
        # Nothing holds the words together: every result only shares syllables, and says so.
        words = fold_chars(query)
        assert result["bd_phrase"] == {"query": query, "found": False}
        for dataset in result["results"]:
            text = " ".join(fold_chars(dataset.get(field) or "") for field in ("title", "notes"))
            assert words not in " ".join(re.findall(r"\w+", text)), dataset["name"]
        assert 'id="bd-search-phrase"' in page.text and "Không có bộ dữ liệu nào chứa cụm từ" in page.text
        assert 'id="bd-search-help"' in page.text
