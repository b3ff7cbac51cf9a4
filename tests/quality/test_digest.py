"""The quality digest (quality/digest.py): `ckan binhduong quality digest` e-mails each agency's
admins, in Vietnamese then English, its overdue datasets with their lateness, broken links,
lowest scores and the six-monthly review; --dry-run sends nothing; sent once per interval."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from bd_factories import valid_dataset
from ckanext.binhduong.quality import store
from ckanext.binhduong.quality.mqa import LinkStatus

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

BROKEN = "http://127.0.0.1:9/tram-bts-cu.csv"


def test_digest_to_the_agency_admins_once_per_interval(cli, smtp_sink):
    from ckanext.binhduong.cli import binhduong

    sysadmin = factories.Sysadmin()
    admin = factories.User(email="quan-tri-so@example.org")
    agency = factories.Organization(name="so-ban-tin", title="Sở bản tin chất lượng",
                                    users=[{"name": admin["name"], "capacity": "admin"}])
    dataset = call_action("package_create", context={"user": sysadmin["name"]}, **valid_dataset(
        agency["id"], name="tram-bts-ban-tin", title="Trạm BTS (bản tin)", frequency="MONTHLY",
        resources=[{"name": "Bản cũ", "url": BROKEN, "format": "CSV"}]))
    # Declared monthly, last updated four months ago; its link found broken by the link checker.
    model.Session.execute(sa.text(
        "UPDATE package SET metadata_modified = now() at time zone 'utc' - interval '4 months' WHERE id = :id"),
        {"id": dataset["id"]})
    model.Session.execute(sa.text(
        "UPDATE resource SET last_modified = NULL, metadata_modified = now() at time zone 'utc' - interval '4 months' "
        "WHERE package_id = :id"), {"id": dataset["id"]})
    model.Session.commit()
    model.Session.expire_all()
    store.save_links({BROKEN: LinkStatus(ok=False, status=None, error="connection refused")})
    call_action("binhduong_quality_compute", context={"user": sysadmin["name"], "ignore_auth": False})

    dry = cli.invoke(binhduong, ["quality", "digest", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "to quan-tri-so@example.org: [Chất lượng dữ liệu] Sở bản tin chất lượng: 1 bộ dữ liệu quá hạn, " \
           "1 đường dẫn hỏng" in dry.output and "would send 1 digest(s) (dry run)" in dry.output
    assert smtp_sink.messages == []

    sent = cli.invoke(binhduong, ["quality", "digest"])
    assert sent.exit_code == 0 and "sent 1 digest(s)" in sent.output, sent.output
    [mail] = smtp_sink.wait_for(lambda m: "quan-tri-so@example.org" in m["to"])
    body = mail["message"].get_content()
    assert mail["message"]["Subject"].startswith("[Chất lượng dữ liệu] Sở bản tin chất lượng")
    # Four months since the update, one month allowed: about three months late.
    late = re.search(r"- Trạm BTS \(bản tin\): tần suất hằng tháng, cập nhật lần cuối \d\d/\d\d/\d{4}, trễ (\d+) ngày", body)
    assert late and 88 <= int(late.group(1)) <= 92, body
    assert f"Bản cũ: {BROKEN}" in body and "Bộ dữ liệu điểm thấp nhất:" in body
    assert "Rà soát danh mục dữ liệu mở (ít nhất sáu tháng một lần): kỳ tiếp theo" in body
    assert "/chat-luong/co-quan/so-ban-tin" in body
    assert "days late" in body and "Review of the open-data list" in body  # English below

    again = cli.invoke(binhduong, ["quality", "digest"])
    assert again.exit_code == 0 and "digest not due" in again.output, again.output
    assert len(smtp_sink.messages) == 1
