"""The quality pages (quality/views.py, templates/quality/): a dataset's checklist in
Vietnamese (English under /en/), and the dashboards of the portal and of an agency."""
from __future__ import annotations

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def world():
    sysadmin = factories.Sysadmin()
    agency = factories.Organization(name="so-trang-chat-luong", title="Sở <b>kiểm thử</b> trang chất lượng")
    context = {"user": sysadmin["name"]}
    call_action("package_create", context=context, **valid_dataset(
        agency["id"], name="bo-du-lieu-pdf", title="Báo cáo <script>alert(1)</script> dạng PDF",
        resources=[{"name": "Báo cáo", "url": "http://127.0.0.1:9/bao-cao.pdf", "format": "PDF"}]))
    call_action("package_create", context=context, **valid_dataset(agency["id"], name="bo-du-lieu-rieng-tu", private=True))
    with_ctx = {"user": sysadmin["name"], "ignore_auth": False}
    call_action("binhduong_quality_compute", context=with_ctx, check_links=True)
    return {"agency": agency}


def test_dataset_page_tells_in_vietnamese_what_to_fix_english_under_en(app, world):
    response = app.get("/dataset/bo-du-lieu-pdf/chat-luong")
    assert response.status_code == 200
    body = response.body
    assert "Chất lượng dữ liệu" in body and "Việc cần làm" in body
    # Nothing answers at the link: broken, fix it first (50 points).
    assert 'data-key="access_url_reachable"' in body
    assert "Sửa hoặc thay các đường dẫn tài nguyên không truy cập được" in body
    assert "Công bố dữ liệu ở định dạng máy đọc được" in body
    assert "Khả năng tìm thấy" in body and "Độ cập nhật" in body
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body

    english = app.get("/en/dataset/bo-du-lieu-pdf/chat-luong").body
    assert "What to fix" in english and "Fix or replace the resource links that do not answer" in english
    assert "Việc cần làm" not in english

    # A private or missing dataset, a missing agency: 404.
    assert app.get("/dataset/bo-du-lieu-rieng-tu/chat-luong", status=404).status_code == 404
    assert app.get("/dataset/khong-co/chat-luong", status=404).status_code == 404
    assert app.get("/chat-luong/co-quan/khong-co", status=404).status_code == 404


def test_dashboards_of_the_portal_and_the_agency_and_the_badge(app, world):
    portal = app.get("/chat-luong").body
    assert "Chất lượng dữ liệu của cổng" in portal and 'data-agency="so-trang-chat-luong"' in portal
    assert "Rà soát danh mục dữ liệu mở" in portal and "Đường dẫn hỏng (1)" in portal
    agency = app.get("/chat-luong/co-quan/so-trang-chat-luong").body
    assert "Sở &lt;b&gt;kiểm thử&lt;/b&gt; trang chất lượng" in agency
    assert 'data-count="1"' in agency  # the private dataset is not counted
    assert "Định dạng máy không đọc được (1)" in agency
    english = app.get("/en/chat-luong/co-quan/so-trang-chat-luong").body
    assert "Data quality of" in english and "Broken links (1)" in english

    # The badge helper another page can show.
    from ckanext.binhduong.quality.helpers import bd_quality_summary

    with app.flask_app.test_request_context():
        pkg = call_action("package_show", id="bo-du-lieu-pdf")
        summary = bd_quality_summary(pkg)
    assert summary["rating"] in ("excellent", "good", "sufficient", "bad") and summary["max"] == 405
    assert summary["url"].endswith("/dataset/bo-du-lieu-pdf/chat-luong")
    assert bd_quality_summary({}) is None
