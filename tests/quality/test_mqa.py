"""The MQA score (quality/mqa.py) of hand-built datasets, dimension by dimension."""
from __future__ import annotations

import pytest

from ckanext.binhduong.quality import mqa
from ckanext.binhduong.quality.mqa import LinkStatus

from .datasets import LINK_PDF, UPLOAD, bare, complete, starter_catalogue

REACHABLE = {UPLOAD: LinkStatus(ok=True, status=200)}


def _dimensions(result: dict) -> dict:
    return {dimension: value["points"] for dimension, value in result["dimensions"].items()}


def test_the_scheme_has_405_points_in_five_dimensions():
    assert mqa.MAX_POINTS == 405
    assert mqa.DIMENSION_MAX == {"findability": 100, "accessibility": 100, "interoperability": 110,
                                 "reusability": 75, "contextuality": 20}


@pytest.mark.parametrize("total, expected", [
    (405, "excellent"), (351, "excellent"), (350.5, "excellent"), (350, "good"), (221, "good"),
    (220.5, "sufficient"), (220, "sufficient"), (120, "sufficient"), (119.9, "bad"), (0, "bad"),
])
def test_ratings(total, expected):
    assert mqa.rating(total) == expected


def test_a_complete_dataset_earns_every_point():
    result = mqa.score_dataset(complete(), REACHABLE, dcat_ap=True)

    assert _dimensions(result) == {"findability": 100, "accessibility": 100, "interoperability": 110,
                                   "reusability": 75, "contextuality": 20}
    assert result["total"] == 405 and result["rating"] == "excellent"
    assert mqa.checklist(result) == []


def test_a_bare_dataset_earns_nothing_and_is_told_what_to_fix():
    result = mqa.score_dataset(bare(), {}, dcat_ap=False)

    assert _dimensions(result) == {"findability": 0, "accessibility": 0, "interoperability": 0,
                                   "reusability": 0, "contextuality": 0}
    assert result["rating"] == "bad"
    items = mqa.checklist(result)
    assert len(items) == len(mqa.INDICATORS)
    # Most points to gain first: the reachable access URL (50), then 30-point indicators.
    assert items[0]["key"] == "access_url_reachable" and items[0]["gain"] == 50
    assert {item["key"] for item in items[1:5]} == {"keywords", "themes", "download_url_reachable", "dcat_ap"}


def test_broken_links_lose_the_reachability_points_only():
    dataset = complete()
    broken = "https://so-khong-ton-tai.binhduong.gov.vn/tram-bts.csv"
    dataset["resources"].append(dict(dataset["resources"][0], id="r2", url=broken, url_type="", size=100))
    links = {UPLOAD: LinkStatus(ok=True, status=200), broken: LinkStatus(ok=False, status=404)}

    result = mqa.score_dataset(dataset, links, dcat_ap=True)

    # One of two access URLs and one of two download URLs answer: half of 50 and of 30.
    assert result["indicators"]["access_url_reachable"]["points"] == 25
    assert result["indicators"]["download_url_reachable"]["points"] == 15
    assert result["indicators"]["download_url"]["points"] == 20
    assert _dimensions(result) == {"findability": 100, "accessibility": 60, "interoperability": 110,
                                   "reusability": 75, "contextuality": 20}
    assert result["total"] == 365
    fixes = {item["key"]: item for item in mqa.checklist(result)}
    assert set(fixes) == {"access_url_reachable", "download_url_reachable"}
    assert fixes["access_url_reachable"]["partly"] and fixes["access_url_reachable"]["gain"] == 25


def test_a_link_not_checked_yet_earns_nothing_and_says_so():
    result = mqa.score_dataset(complete(), {}, dcat_ap=None)

    assert result["indicators"]["access_url_reachable"] == {
        "points": 0, "max": 50, "met": False, "share": 0.0, "dimension": "accessibility",
        "level": "distribution", "unchecked": 1}
    assert result["indicators"]["dcat_ap"]["unchecked"] == 1
    assert result["total"] == 405 - 50 - 30 - 30


def test_a_proprietary_document_format():
    dataset = complete()
    dataset["resources"] = [{
        "id": "r3", "name": "Báo cáo trạm BTS", "url": LINK_PDF, "format": "PDF", "mimetype": "application/pdf",
        "size": 81234, "rights": "CC BY 4.0", "created": "2024-01-15T08:00:00",
    }]
    result = mqa.score_dataset(dataset, {LINK_PDF: LinkStatus(ok=True, status=200)}, dcat_ap=True)

    # PDF: a format from the vocabulary with a media type, but proprietary-free it is not and
    # no machine reads it: 20 + 20 points lost.
    assert result["indicators"]["format_vocabulary"]["points"] == 10
    assert result["indicators"]["non_proprietary"]["points"] == 0
    assert result["indicators"]["machine_readable"]["points"] == 0
    assert _dimensions(result)["interoperability"] == 70
    assert result["total"] == 365


def test_xlsx_is_machine_readable_but_proprietary():
    dataset = complete()
    dataset["resources"][0].update(format="XLSX", mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    result = mqa.score_dataset(dataset, REACHABLE, dcat_ap=True)

    assert result["indicators"]["machine_readable"]["met"] is True
    assert result["indicators"]["non_proprietary"]["met"] is False
    assert _dimensions(result)["interoperability"] == 90


def test_a_web_page_link_has_no_download_url_and_an_unknown_format_no_vocabulary():
    dataset = complete()
    page = "https://stttt.binhduong.gov.vn/tram-bts"
    dataset["resources"] = [{"id": "r4", "name": "Trang thông tin", "url": page, "format": "Trang web"}]
    result = mqa.score_dataset(dataset, {page: LinkStatus(ok=True, status=200)}, dcat_ap=True)

    assert mqa.download_url(dataset["resources"][0]) is None
    assert result["indicators"]["access_url_reachable"]["points"] == 50
    assert result["indicators"]["download_url"]["points"] == 0
    assert result["indicators"]["download_url_reachable"]["points"] == 0
    assert result["indicators"]["format"]["points"] == 20
    assert result["indicators"]["format_vocabulary"]["points"] == 0
    assert result["indicators"]["media_type"]["points"] == 0


def test_licence_and_access_rights_vocabularies():
    dataset = complete()
    dataset.update(license_id="giay-phep-rieng-cua-so", access_rights="MOT_PHAN")
    result = mqa.score_dataset(dataset, REACHABLE, dcat_ap=True)
    indicators = result["indicators"]

    assert indicators["licence"]["met"] is True and indicators["licence_vocabulary"]["met"] is False
    assert indicators["access_rights"]["met"] is True and indicators["access_rights_vocabulary"]["met"] is False
    assert _dimensions(result)["reusability"] == 60

    # The restricted licence of our register has no SPDX id: not from a vocabulary either.
    dataset.update(license_id="restricted-decree-47", access_rights="RESTRICTED")
    indicators = mqa.score_dataset(dataset, REACHABLE, dcat_ap=True)["indicators"]
    assert indicators["licence_vocabulary"]["met"] is False and indicators["access_rights_vocabulary"]["met"] is True


def test_contact_needs_a_name_and_an_email():
    dataset = complete()
    dataset["contact"] = [{"name": "Phòng Bưu chính - Viễn thông", "email": ""}]
    assert mqa.score_dataset(dataset, REACHABLE, True)["indicators"]["contact_point"]["met"] is False
    dataset.update(maintainer="Nguyễn Văn A", maintainer_email="a@binhduong.gov.vn")
    assert mqa.score_dataset(dataset, REACHABLE, True)["indicators"]["contact_point"]["met"] is True


def test_deleted_resources_do_not_count():
    dataset = complete()
    dataset["resources"].append({"id": "gone", "url": "https://x.invalid/a.doc", "format": "DOC", "state": "deleted"})
    assert mqa.score_dataset(dataset, REACHABLE, dcat_ap=True)["total"] == 405


def test_the_starter_catalogue_is_good_or_better_on_average():
    datasets = starter_catalogue()
    # Uploads are reachable when their stored file exists, which the seed files do.
    results = [mqa.score_dataset(d, {r["url"]: LinkStatus(ok=True) for r in d["resources"]}, dcat_ap=True)
               for d in datasets]
    summary = mqa.summarise(results)

    assert summary["count"] == 30
    assert summary["average"] > 220 and summary["rating"] in ("good", "excellent")
    # Without the SHACL result the average still clears "good".
    unvalidated = mqa.summarise(mqa.score_dataset(d, {r["url"]: LinkStatus(ok=True) for r in d["resources"]})
                                for d in datasets)
    assert unvalidated["average"] > 220
