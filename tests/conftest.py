"""Shared fixtures. CKAN's pytest plugin (--ckan-ini=var/test.ini, set by scripts/test.sh)
gives the in-process fixtures on the test databases; the fixtures here reach the running
portal over HTTP, as a citizen or a developer would."""
from __future__ import annotations

import os
import pathlib
import secrets
import uuid

import ckanapi
import pytest
import requests

from portal_session import log_in

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


@pytest.fixture(scope="session")
def portal_url() -> str:
    """The running portal. Fails (never skips) when it does not answer."""
    url = _setting("BD_PORTAL_URL", "http://127.0.0.1:5000")
    try:
        response = requests.get(f"{url}/api/3/action/status_show", timeout=10)
    except requests.ConnectionError as error:
        pytest.fail(f"The portal at {url} is not running (start it with `make up`): {error}")
    assert response.status_code == 200, response.text
    return url


@pytest.fixture(scope="session")
def sysadmin_token() -> str:
    secrets_dir = pathlib.Path(_setting("BD_SECRETS_DIR", str(ROOT / "var" / "secrets")))
    token_file = secrets_dir / "xloader-token"
    assert token_file.exists(), f"{token_file} is missing: run `make up` first"
    return token_file.read_text().strip()


@pytest.fixture(scope="session")
def sysadmin_password() -> str:
    """The password of the portal's sysadmin `quantri`, for tests that log in through the form."""
    secrets_dir = pathlib.Path(_setting("BD_SECRETS_DIR", str(ROOT / "var" / "secrets")))
    password_file = secrets_dir / "sysadmin-password.txt"
    assert password_file.exists(), f"{password_file} is missing: run `make up` first"
    return password_file.read_text().strip()


@pytest.fixture(scope="session")
def portal_api(portal_url, sysadmin_token) -> ckanapi.RemoteCKAN:
    """An Action API client authenticated as the local sysadmin."""
    with ckanapi.RemoteCKAN(portal_url, apikey=sysadmin_token, user_agent="binhduong-tests/1") as api:
        yield api


@pytest.fixture(scope="session")
def anonymous_api(portal_url) -> ckanapi.RemoteCKAN:
    with ckanapi.RemoteCKAN(portal_url, user_agent="binhduong-tests/1") as api:
        yield api


# Plugins of ours (and of the extensions we run) that own database tables through Alembic.
PLUGINS_WITH_MIGRATIONS = ("activity", "harvest", "tracking", "binhduong")


# The plugins whose migrations this test process has run since CKAN last dropped every table.
_plugins_at_head: set[str] = set()


# The last Flask app CKAN's `app` fixture built, and the configuration it was built with.
_last_app: dict = {}


def _configuration_key(config) -> str:
    # A value whose repr names an address (an object) differs every time: no reuse then.
    return repr(sorted((str(key), repr(value)) for key, value in config.items()))


@pytest.fixture
def app(make_app, ckan_config, request):
    """CKAN's `app` fixture runs load_environment for every test: every plugin loaded a second
    time right after `with_plugins` loaded them, then a new Flask stack (0.6 to 0.8 s a test,
    about 300 in-process tests). Here, when `with_plugins` has just loaded the configured
    plugins and the configuration is the one the last app was built with, that Flask stack
    is reused with CKAN's app globals reset as load_environment would; each test still gets
    its own test client (no cookie or session carried over). Anything else (another
    configuration from a `ckan_config` mark, no `with_plugins`) builds a new app as CKAN does."""
    import ckan.plugins as plugins
    from ckan.lib import app_globals
    from ckan.tests.helpers import CKANTestApp

    configured = ckan_config.get("ckan.plugins")
    configured = configured.split() if isinstance(configured, str) else list(configured or [])
    plugins_just_loaded = "with_plugins" in request.fixturenames and all(plugins.plugin_loaded(name) for name in configured)
    key = _configuration_key(ckan_config)
    if plugins_just_loaded and _last_app.get("key") == key:
        app_globals.reset()
        return CKANTestApp(_last_app["stack"])
    built = make_app()
    _last_app.update(key=key, stack=built.app)
    return built


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db rebuilds only core tables; the loaded plugins' migrations follow it,
    as CKAN's own activity tests do.

    CKAN drops every table only on its first reset in a process; later resets delete rows
    and keep tables and the plugins' alembic versions, so their migrations (0.3 s a test)
    are run again only after a drop."""
    import ckan.model as model
    import ckan.plugins as plugins

    tables_were_kept = model.repo.tables_created_and_initialised
    reset_db()
    if not tables_were_kept:
        _plugins_at_head.clear()
    for plugin in PLUGINS_WITH_MIGRATIONS:
        if plugins.plugin_loaded(plugin) and plugin not in _plugins_at_head:
            migrate_db_for(plugin)
            _plugins_at_head.add(plugin)


@pytest.fixture
def sysadmin():
    """A sysadmin on the test database, for in-process tests (with clean_db)."""
    from ckan.tests import factories

    return factories.Sysadmin()


@pytest.fixture(scope="module")
def agency_editor(portal_url, portal_api):
    """An agency with an editor who logs in with a password; purged at the end."""
    suffix = uuid.uuid4().hex[:8]
    password = secrets.token_urlsafe(12)
    editor = portal_api.action.user_create(name=f"bientap-attt-{suffix}", email=f"bientap-attt-{suffix}@example.org",
                                           password=password, fullname="Biên tập viên kiểm thử an toàn")
    organization = portal_api.action.organization_create(
        name=f"so-attt-{suffix}", title="Sở kiểm thử an toàn thông tin",
        users=[{"name": editor["name"], "capacity": "editor"}])
    token = portal_api.action.api_token_create(user=editor["name"], name="kiem-thu-attt")["token"]
    # Harvest sources the tests make are listed here (the search index does not return them).
    sources: list[str] = []
    yield {"user": editor, "organization": organization, "password": password, "token": token,
           "browser": log_in(portal_url, editor["name"], password), "sources": sources}
    for source_id in sources:
        portal_api.action.harvest_source_clear(id=source_id)
        portal_api.action.dataset_purge(id=source_id)
    for dataset in portal_api.action.package_search(fq=f"owner_org:{organization['id']}", include_private=True,
                                                    include_drafts=True, rows=1000)["results"]:
        portal_api.action.dataset_purge(id=dataset["id"])
    portal_api.action.organization_purge(id=organization["id"])
    portal_api.action.user_delete(id=editor["id"])


def _configured_smtp_port(ini: pathlib.Path) -> int:
    for line in ini.read_text().splitlines():
        if line.strip().startswith("smtp.server"):
            return int(line.split("=", 1)[1].strip().rsplit(":", 1)[1])
    pytest.fail(f"smtp.server is not set in {ini}: run `make up`")


@pytest.fixture(scope="module")
def smtp_sink():
    """A local SMTP server (aiosmtpd) on the port the portal's configuration names
    (smtp.server): the messages it received, as email.message objects."""
    import email
    import time

    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
            self.messages.append({"to": list(envelope.rcpt_tos), "message": message})
            return "250 OK"

        def wait_for(self, predicate, timeout: float = 10.0):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                found = [item for item in self.messages if predicate(item)]
                if found:
                    return found
                time.sleep(0.1)
            return []

    import email.policy  # noqa: F401 (email.policy.default above)

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_configured_smtp_port(ROOT / "var" / "ckan.ini"))
    controller.start()
    yield handler
    controller.stop()
