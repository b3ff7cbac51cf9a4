"""Outgoing e-mail: the one place the portal talks to an SMTP server.

Everything the portal mails goes through ``deliver``: the approval workflow's messages and the
quality digest (``workflow.send``), and CKAN's own mail (password reset, invitations, activity
notifications), which ``ckan.lib.mailer.mail_recipient`` hands to ``INotifier`` plugins before
its own sending code (the plugin implements it with ``CkanMailNotifier``).

Why (CVE-2026-41132, fixed in CKAN 2.11.5, still present in the CKAN 2.12.0 we pin): CKAN's
mailer and our former ``workflow.send`` called ``starttls()`` without an SSL context, so any
certificate was accepted; whoever could intercept the connection to the SMTP server read the
messages (reset links) and the SMTP password sent by the login after it. Here:

- TLS is verified: ``ssl.create_default_context()`` (certificate chain and host name checked,
  TLS 1.2 at least), trusting the system's store (``SSL_CERT_FILE`` honoured) or the CA file or
  directory named by ``smtp.starttls_ca_bundle`` (the option CKAN 2.11.5 added with its fix;
  declared by us until the CKAN we pin has it).
- ``smtp.starttls``: the server must offer STARTTLS (no silent fallback to plain text);
  ``ckanext.binhduong.smtp_implicit_tls``: TLS from the first byte (SMTPS, usually port 465).
- The password is only sent inside verified TLS: a login without TLS is refused. Neither the
  password nor the settings are ever logged; a refused or failed delivery is logged in English
  with its reason and raises ``MailError``.
- Every connection has a timeout (``ckanext.binhduong.smtp_timeout``).

Settings: CKAN's own ``smtp.server``, ``smtp.starttls``, ``smtp.user``, ``smtp.password``,
``smtp.mail_from``, ``smtp.reply_to`` are the one source (Docker's ``CKAN_SMTP_*`` variables set
them), with ``smtp.starttls_ca_bundle`` from CKAN's fix; only what CKAN has no option for is
ours (implicit TLS, the timeout). CKAN's ``smtp.starttls_verify`` (an opt-out of verification)
is not offered. The former ``ckanext.binhduong.smtp_*`` options are refused with a message
naming their replacement, so two sets cannot disagree.
"""
from __future__ import annotations

import dataclasses
import logging
import mimetypes
import os
import smtplib
import ssl
import time
from email import utils
from email.message import EmailMessage
from typing import Any, Iterable, Optional

import ckan.plugins.toolkit as toolkit

log = logging.getLogger(__name__)

# The options of the workflow's former SMTP settings, and the CKAN option that replaces each.
RENAMED = {
    "ckanext.binhduong.smtp_server": "smtp.server",
    "ckanext.binhduong.smtp_starttls": "smtp.starttls",
    "ckanext.binhduong.smtp_user": "smtp.user",
    "ckanext.binhduong.smtp_password": "smtp.password",
    "ckanext.binhduong.smtp_mail_from": "smtp.mail_from",
}


class MailError(Exception):
    """A message was not sent; the text says why (English, no secret in it)."""


@dataclasses.dataclass(frozen=True)
class Settings:
    host: str
    port: int
    starttls: bool
    implicit_tls: bool
    user: str
    password: str = dataclasses.field(repr=False)
    mail_from: str
    reply_to: str
    ca_bundle: str
    timeout: float

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def settings() -> Optional[Settings]:
    """The SMTP settings from the configuration; None when ``smtp.server`` is empty (no mail)."""
    config = toolkit.config
    legacy = sorted(key for key in RENAMED if key in config and config[key] not in (None, ""))
    if legacy:
        raise MailError("E-mail settings renamed, nothing sent: set " + ", ".join(
            f"{RENAMED[key]} instead of {key}" for key in legacy))
    server = (config.get("smtp.server") or "").strip()
    if not server:
        return None
    implicit = toolkit.asbool(config.get("ckanext.binhduong.smtp_implicit_tls"))
    host, _, port = server.rpartition(":") if ":" in server else (server, "", "")
    return Settings(
        host=host.strip("[]"),
        port=int(port) if port else (465 if implicit else 25),
        starttls=toolkit.asbool(config.get("smtp.starttls")),
        implicit_tls=implicit,
        user=config.get("smtp.user") or "",
        password=config.get("smtp.password") or "",
        mail_from=(config.get("smtp.mail_from") or config.get("ckanext.binhduong.contact_email") or "").strip(),
        reply_to=(config.get("smtp.reply_to") or "").strip(),
        ca_bundle=(config.get("smtp.starttls_ca_bundle") or "").strip(),
        timeout=float(config.get("ckanext.binhduong.smtp_timeout") or 10),
    )


def tls_context(current: Settings) -> ssl.SSLContext:
    """Verified TLS: the certificate chain against the trusted CAs, and the server's name."""
    bundle = current.ca_bundle
    if bundle and not os.path.exists(bundle):
        raise MailError(f"smtp.starttls_ca_bundle does not exist: {bundle}; nothing sent")
    context = ssl.create_default_context(cafile=bundle if os.path.isfile(bundle) else None,
                                         capath=bundle if os.path.isdir(bundle) else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    return context


def _connect(current: Settings, context: Optional[ssl.SSLContext]) -> smtplib.SMTP:
    if current.implicit_tls:
        return smtplib.SMTP_SSL(current.host, current.port, timeout=current.timeout, context=context)
    return smtplib.SMTP(current.host, current.port, timeout=current.timeout)


def _why(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({error.verify_message}); nothing sent, no login"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed ({error.reason or error}); nothing sent, no login"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"the server refused the login for smtp.user (code {error.smtp_code})"
    return f"{type(error).__name__}: {error}"


def deliver(message: EmailMessage, recipients: list[str]) -> bool:
    """Send ``message`` to ``recipients``. False when no server is configured (nothing to do);
    ``MailError`` (logged) when it was not sent."""
    try:
        current = settings()
        context = tls_context(current) if current and (current.starttls or current.implicit_tls) else None
    except MailError as error:
        log.error("E-mail %r to %s not sent: %s", message["Subject"], ", ".join(recipients), error)
        raise
    if current is None or not recipients:
        return False
    if not message["From"]:
        message["From"] = utils.formataddr((toolkit.config.get("ckan.site_title") or "", current.mail_from))
    if current.reply_to and not message["Reply-To"]:
        message["Reply-To"] = current.reply_to
    subject = message["Subject"]
    try:
        smtp = _connect(current, context)
    except (OSError, smtplib.SMTPException) as error:
        return _failed(subject, recipients, current, error)
    try:
        smtp.ehlo()
        if current.starttls and not current.implicit_tls:
            if not smtp.has_extn("starttls"):
                raise MailError(f"SMTP server {current.where} does not offer STARTTLS (smtp.starttls is on); "
                                "nothing sent, no login")
            smtp.starttls(context=context)
            smtp.ehlo()
        if current.user:
            if not (current.starttls or current.implicit_tls):
                raise MailError(f"SMTP login to {current.where} refused without TLS (set smtp.starttls or "
                                "ckanext.binhduong.smtp_implicit_tls); nothing sent")
            smtp.login(current.user, current.password)
        smtp.send_message(message, from_addr=current.mail_from or None, to_addrs=recipients)
    except MailError as error:
        log.warning("E-mail %r to %s not sent: %s", subject, ", ".join(recipients), error)
        raise
    except (OSError, smtplib.SMTPException) as error:
        return _failed(subject, recipients, current, error)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    log.info("E-mail %r sent to %s through %s", subject, ", ".join(recipients), current.where)
    return True


def _failed(subject: str, recipients: list[str], current: Settings, error: BaseException) -> bool:
    reason = f"SMTP server {current.where}: {_why(error)}"
    log.warning("E-mail %r to %s not sent: %s", subject, ", ".join(recipients), reason)
    raise MailError(reason) from None


def send(recipients: list[str], subject: str, body: str, *, to: str = "", body_html: str = "",
         headers: Optional[dict[str, Any]] = None, attachments: Iterable = ()) -> bool:
    """Build a UTF-8 message (plain text, optional HTML alternative and attachments, the way
    CKAN's mailer builds them) and ``deliver`` it."""
    message = EmailMessage()
    message.set_content(body)
    if body_html:
        message.add_alternative(body_html, subtype="html")
    for key, value in (headers or {}).items():
        if key in message:
            message.replace_header(key, value)
        else:
            message[key] = value
    message["Subject"] = subject
    message["To"] = to or ", ".join(recipients)
    message["Date"] = utils.formatdate(time.time())
    for attachment in attachments or ():
        name, handle, *media = attachment
        media_type = (media[0] if media else None) or mimetypes.guess_type(name)[0]
        maintype, subtype = media_type.split("/") if media_type else ("application", "octet-stream")
        content = handle.read()
        if isinstance(content, str):
            message.add_attachment(content, subtype=subtype, filename=name)
        else:
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return deliver(message, recipients)


class CkanMailNotifier:
    """``INotifier`` for the plugin: CKAN's mail (``mail_recipient``: password reset,
    invitations, notifications) sent by ``deliver``. A message is always answered as handled, so
    CKAN's unverified sending code never runs; one that could not be sent raises CKAN's
    ``MailerException``, which CKAN's views already report to the person ("Error sending the
    email")."""

    def notify_recipient(self, already_notified, recipient_name, recipient_email, subject, body,
                         body_html=None, headers=None, attachments=None):
        if already_notified:
            return True
        import ckan
        from ckan.lib.mailer import MailerException

        headers = dict(headers or {})
        if not toolkit.asbool(toolkit.config.get("ckan.hide_version")):
            headers.setdefault("X-Mailer", f"CKAN {ckan.__version__}")
        try:
            send([recipient_email], subject, body, to=utils.formataddr((recipient_name or "", recipient_email)),
                 body_html=body_html or "", headers=headers, attachments=attachments or ())
        except MailError as error:
            raise MailerException(str(error)) from None
        return True
