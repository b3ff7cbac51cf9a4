"""`ckan binhduong harvest-source-credentials`: a password written into a harvest source URL
before such URLs were refused is moved into the server's secret file and scrubbed from the
source, its activities, its error messages and the search index (hardening, finding 11)."""
from __future__ import annotations

import json
import stat
import uuid

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestGatherError, HarvestJob

from ckanext.binhduong.cli import binhduong
from ckanext.binhduong.harvest_source_credentials import move_credentials

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")

PASSWORD = "mat-khau-cu-9Xq"
OLD_URL = f"https://thu-thap:{PASSWORD}@tthc.binhduong.gov.vn/api/thu-tuc.json"
PUBLIC_URL = "https://tthc.binhduong.gov.vn/api/thu-tuc.json"


def stored_as_before_the_check(old_url: str) -> dict:
    """A harvest source whose URL was stored with credentials, as before they were refused."""
    sysadmin = factories.Sysadmin()
    organization = factories.Organization()
    source = call_action("harvest_source_create", context={"user": sysadmin["name"]},
                         name=f"nguon-cu-{uuid.uuid4().hex[:8]}", title="Nguồn cũ", url=PUBLIC_URL,
                         source_type="bd_procedures", frequency="MANUAL", config=json.dumps({}),
                         owner_org=organization["id"])
    for table in ("package", "harvest_source"):
        model.Session.execute(sa.text(f"UPDATE {table} SET url = :url WHERE id = :id"), {"url": old_url, "id": source["id"]})
    model.Session.commit()
    return source


@pytest.fixture
def exposed_source():
    """The old state, with the password also in the source's activities and a gather error."""
    source = stored_as_before_the_check(OLD_URL)
    session = model.Session
    session.execute(sa.text("UPDATE activity SET data = replace(data, :public, :old) WHERE object_id = :id"),
                    {"public": PUBLIC_URL, "old": OLD_URL, "id": source["id"]})
    job = HarvestJob(source_id=source["id"])
    job.save()
    HarvestGatherError(job=job, message=f"Không tải được {OLD_URL}: hết thời gian chờ").save()
    session.commit()
    from ckan.lib import search
    search.rebuild(source["id"])
    return source


def _stored_text(source_id: str) -> str:
    rows = model.Session.execute(sa.text(
        "SELECT url FROM package WHERE id = :id UNION ALL SELECT url FROM harvest_source WHERE id = :id "
        "UNION ALL SELECT data FROM activity WHERE object_id = :id UNION ALL SELECT e.message FROM harvest_gather_error e "
        "JOIN harvest_job j ON j.id = e.harvest_job_id WHERE j.source_id = :id"), {"id": source_id}).scalars().all()
    return "\n".join(rows)


def test_the_exposed_password_is_found_in_every_stored_copy_before(exposed_source):
    assert _stored_text(exposed_source["id"]).count(PASSWORD) >= 4  # the fixture reproduces the old state


def test_dry_run_lists_the_source_and_changes_nothing(exposed_source, cli, tmp_path):
    secrets_file = tmp_path / "harvest-credentials"
    result = cli.invoke(binhduong, ["harvest-source-credentials", "--dry-run", "--secrets-file", str(secrets_file)])
    assert result.exit_code == 0, result.output
    assert exposed_source["name"] in result.output and "would move the credentials of 1" in result.output
    assert PASSWORD not in result.output
    assert not secrets_file.exists()
    assert PASSWORD in _stored_text(exposed_source["id"])


def test_the_password_moves_to_the_secret_file_and_nowhere_else_keeps_it(exposed_source, cli, tmp_path):
    secrets_file = tmp_path / "secrets" / "harvest-credentials"
    result = cli.invoke(binhduong, ["harvest-source-credentials", "--secrets-file", str(secrets_file)])
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert secrets_file.read_text() == f"tthc.binhduong.gov.vn=thu-thap:{PASSWORD}\n"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    stored = _stored_text(exposed_source["id"])
    assert PASSWORD not in stored and "thu-thap" not in stored and PUBLIC_URL in stored
    shown = call_action("package_show", id=exposed_source["id"])
    assert shown["url"] == PUBLIC_URL
    indexed = call_action("package_search", fq=f'id:"{exposed_source["id"]}"', include_private=True)
    assert PASSWORD not in json.dumps(indexed)
    assert move_credentials(secrets_file) == []  # a second run finds nothing left


def test_a_credential_that_cannot_be_configured_is_still_removed(tmp_path):
    source = stored_as_before_the_check("https://thu-thap:co%20khoang%20trang@tthc.binhduong.gov.vn/api")
    secrets_file = tmp_path / "harvest-credentials"
    report = move_credentials(secrets_file)
    assert report == [{"source": source["name"], "host": "tthc.binhduong.gov.vn", "user": "thu-thap",
                       "url": "https://tthc.binhduong.gov.vn/api", "configured": False}]
    assert not secrets_file.exists()
    assert "khoang" not in call_action("package_show", id=source["id"])["url"]
