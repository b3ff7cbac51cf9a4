"""E-mail only over verified TLS (CVE-2026-41132, carried in mail.py; CKAN 2.12.0's mailer
still calls ``starttls()`` without a context).

The attack: whoever sits between the portal and its SMTP server answers STARTTLS with a
certificate of their own (here a local aiosmtpd server with a self-signed certificate made by
``openssl`` for this run). The stock code accepts it, logs in and sends: the attacker reads
the SMTP password and the message (a password-reset link). With the fix nothing is sent, no
AUTH reaches the server and an English log line says why; with a CA the portal trusts
(``smtp.starttls_ca_bundle`` or ``SSL_CERT_FILE``) the same message goes through. Both
paths are attacked: the portal's own mail (``workflow.send``, used by the workflow and the
quality digest) and CKAN's (``ckan.lib.mailer.mail_recipient``, through ``INotifier``).
"""
from __future__ import annotations

import logging
import secrets
import socket
import ssl
import subprocess
import uuid

import pytest
import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from ckan.lib import mailer

from ckanext.binhduong import mail, workflow
from portal_session import csrf_token

PASSWORD = "mat-khau-smtp-bi-mat-9f2c"
USER = "cong-du-lieu"
SUBJECT = "Đặt lại mật khẩu"


def _openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A test CA with two server certificates it signed (for 127.0.0.1, and for another name),
    and the attacker's self-signed certificate for 127.0.0.1. EC keys: a few milliseconds."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Mail test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=folder)
    for name, san in (("good", "IP:127.0.0.1"), ("other-name", "DNS:mail.example.org")):
        (folder / f"{name}.ext").write_text(f"subjectAltName={san}\nextendedKeyUsage=serverAuth\n")
        _openssl("req", *key, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=folder)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-days", "2", "-out", f"{name}.pem", "-extfile", f"{name}.ext", cwd=folder)
    _openssl("req", "-x509", *key, "-keyout", "attacker.key", "-out", "attacker.pem", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", cwd=folder)
    return folder


class Server:
    """A local SMTP server that records every login (user and password) and every message."""

    def __init__(self, certificates=None, cert: str | None = None, implicit: bool = False):
        self.logins: list[tuple[str, str]] = []
        self.messages: list[bytes] = []
        context = None
        if cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certificates / f"{cert}.pem", certificates / f"{cert}.key")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        tls = {"ssl_context": context} if implicit else {"tls_context": context}
        # Without TLS this server offers AUTH in plain text, as an attacker who strips STARTTLS would
        # (aiosmtpd's auth_require_tls only knows of STARTTLS: off for implicit TLS).
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, authenticator=self._login,
                                     auth_require_tls=context is not None and not implicit, **tls)

    def _login(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def smtp_settings(ckan_config, monkeypatch):
    # The ini's logging config (fileConfig, run by CLI tests) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("ckanext.binhduong.mail"), "disabled", False)

    def configure(port: int, starttls: bool = True, implicit: bool = False, ca_bundle: str = "", user: str = USER):
        monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
        monkeypatch.setitem(ckan_config, "smtp.starttls", starttls)
        monkeypatch.setitem(ckan_config, "smtp.user", user)
        monkeypatch.setitem(ckan_config, "smtp.password", PASSWORD)
        monkeypatch.setitem(ckan_config, "smtp.mail_from", "dulieumo@binhduong.gov.vn")
        monkeypatch.setitem(ckan_config, "ckanext.binhduong.smtp_implicit_tls", implicit)
        monkeypatch.setitem(ckan_config, "smtp.starttls_ca_bundle", ca_bundle)
        monkeypatch.setitem(ckan_config, "ckanext.binhduong.smtp_timeout", 5)
    return configure


def _ckan_reset_mail() -> None:
    mailer.mail_recipient("Nguyễn Văn A", "nguyenvana@example.org", SUBJECT, "Liên kết đặt lại: https://x/reset")


@pytest.mark.usefixtures("with_plugins")  # CKAN's mail reaches mail.py through the plugin's INotifier
def test_an_intercepting_server_gets_no_password_and_no_message(certificates, smtp_settings, caplog):
    for implicit in (False, True):
        caplog.clear()
        with Server(certificates, "attacker", implicit=implicit) as attacker:
            smtp_settings(attacker.port, starttls=not implicit, implicit=implicit)
            with caplog.at_level(logging.WARNING, logger="ckanext.binhduong.mail"):
                assert workflow.send(["admin@example.org"], "[Chờ duyệt] Bộ dữ liệu", "Nội dung") is False
                with pytest.raises(mailer.MailerException, match="certificate is not trusted"):
                    _ckan_reset_mail()  # CKAN's own mail: through INotifier, never CKAN's sending code
            assert attacker.logins == [] and attacker.messages == []
        lines = [r.getMessage() for r in caplog.records if r.name == "ckanext.binhduong.mail"]
        assert len(lines) == 2 and all(f"SMTP server 127.0.0.1:{attacker.port}: its TLS certificate is not trusted "
                                       "(self-signed certificate); nothing sent, no login" in line
                                       for line in lines), lines
        assert PASSWORD not in caplog.text


def test_the_attack_works_on_ckans_own_sending_code(certificates, smtp_settings):
    """The control: CKAN 2.12.0's sender (what ``mail_recipient`` runs when no plugin takes the
    message) hands the password and the message to the same server. When a CKAN release
    verifies the certificate this fails, and the carried fix can go."""
    with Server(certificates, "attacker") as attacker:
        smtp_settings(attacker.port)
        mailer._mail_recipient("Nguyễn Văn A", "nguyenvana@example.org", "Cổng", "http://x", SUBJECT, "Nội dung")
    assert attacker.logins == [(USER, PASSWORD)] and len(attacker.messages) == 1


@pytest.mark.usefixtures("with_plugins")
def test_a_server_with_a_trusted_certificate_gets_the_mail(certificates, smtp_settings):
    for implicit in (False, True):
        with Server(certificates, "good", implicit=implicit) as server:
            smtp_settings(server.port, starttls=not implicit, implicit=implicit, ca_bundle=str(certificates / "ca.pem"))
            assert workflow.send(["admin@example.org"], "[Chờ duyệt] Bộ dữ liệu", "Nội dung") is True
            _ckan_reset_mail()
        assert server.logins == [(USER, PASSWORD)] * 2 and len(server.messages) == 2
        assert b"nguyenvana@example.org" in server.messages[1] and b"X-Mailer: CKAN" in server.messages[1]


def test_the_system_trust_store_is_used_when_no_ca_bundle_is_set(certificates, smtp_settings, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    with Server(certificates, "good") as server:
        smtp_settings(server.port)
        assert workflow.send(["admin@example.org"], "Bản tin chất lượng", "Nội dung") is True
    assert len(server.messages) == 1


def test_a_trusted_certificate_for_another_name_is_refused(certificates, smtp_settings, caplog):
    with Server(certificates, "other-name") as server:
        smtp_settings(server.port, ca_bundle=str(certificates / "ca.pem"))
        assert workflow.send(["admin@example.org"], "Bản tin chất lượng", "Nội dung") is False
        smtp_settings(server.port, ca_bundle=str(certificates / "missing.pem"))
        assert workflow.send(["admin@example.org"], "Bản tin chất lượng", "Nội dung") is False
    assert server.logins == [] and server.messages == []
    assert "IP address mismatch" in caplog.text
    assert f"smtp.starttls_ca_bundle does not exist: {certificates / 'missing.pem'}; nothing sent" in caplog.text


def test_a_server_that_hides_starttls_gets_no_password(smtp_settings, caplog):
    """STARTTLS stripped by the attacker (the server offers AUTH in plain text instead)."""
    with Server() as stripped:
        smtp_settings(stripped.port, starttls=True)
        assert workflow.send(["admin@example.org"], "Bản tin chất lượng", "Nội dung") is False
        smtp_settings(stripped.port, starttls=False)  # and a login is never sent without TLS
        assert workflow.send(["admin@example.org"], "Bản tin chất lượng", "Nội dung") is False
    assert stripped.logins == [] and stripped.messages == []
    assert "does not offer STARTTLS (smtp.starttls is on); nothing sent, no login" in caplog.text
    assert "SMTP login to 127.0.0.1" in caplog.text and "refused without TLS" in caplog.text
    assert PASSWORD not in caplog.text


def test_the_former_options_are_refused_with_their_replacement(smtp_settings, ckan_config, monkeypatch, caplog):
    with Server() as server:
        smtp_settings(server.port, starttls=False, user="")
        monkeypatch.setitem(ckan_config, "ckanext.binhduong.smtp_server", "smtp.example.org:587")
        assert workflow.send(["admin@example.org"], "Bản tin chất lượng", "Nội dung") is False
        with pytest.raises(mail.MailError, match="set smtp.server instead of ckanext.binhduong.smtp_server"):
            mail.send(["admin@example.org"], "Bản tin chất lượng", "Nội dung")
        monkeypatch.setitem(ckan_config, "ckanext.binhduong.smtp_server", "")
        assert workflow.send(["admin@example.org"], "Bản tin chất lượng", "Nội dung") is True  # a local relay
    assert len(server.messages) == 1


def test_ckans_error_mail_is_off(ckan_config):
    """CKAN's error e-mail (``email_to``: logging's SMTPHandler) uses STARTTLS without
    verification too and does not go through mail.py: it must stay unset."""
    assert not ckan_config.get("email_to")


def test_a_password_reset_on_the_portal_is_sent_by_mail_py(portal_url, portal_api, smtp_sink):
    """CKAN's reset e-mail, asked for through the running portal's form, reaches the configured
    server with mail.py's sender: the portal's contact mailbox (CKAN's own code would send from
    ``smtp.mail_from``, which the portal leaves unset)."""
    name = f"dat-lai-{uuid.uuid4().hex[:8]}"
    user = portal_api.action.user_create(name=name, email=f"{name}@example.org",
                                         password=secrets.token_urlsafe(12) + "Aa1!")
    try:
        browser = requests.Session()
        form = browser.get(f"{portal_url}/user/reset", timeout=30)
        answer = browser.post(f"{portal_url}/user/reset", timeout=30,
                              data={"_csrf_token": csrf_token(form.text), "user": user["email"]})
        assert answer.status_code == 200, answer.status_code
        [sent] = smtp_sink.wait_for(lambda m: user["email"] in m["to"])
        assert "dulieumo@binhduong.gov.vn" in sent["message"]["From"]
        assert "/user/reset/" in sent["message"].get_body(("plain",)).get_content()
    finally:
        portal_api.action.user_delete(id=user["id"])
