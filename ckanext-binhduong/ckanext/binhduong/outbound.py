"""Third-party fetchers under the portal's one outbound policy (``harvesters/fetch.py``).

ckanext-dcat's RDF harvester and ckanext-xloader fetch URLs typed by agency editors with
``requests``: the stock code reads local paths (dcat), follows redirects anywhere, and reaches
the portal's own Solr, Redis and PostgreSQL. Both are routed here:

- ``PolicyAdapter`` is a ``requests`` transport adapter: every request it sends, and every
  redirect ``requests`` follows through it, is checked by ``check_url`` (scheme, every resolved
  address, the portal's own services) and connected to the address that was checked, with the
  policy's timeouts. A refusal is a ``requests`` ``ConnectionError`` whose text is the
  policy's message (Vietnamese, then English), never a byte of an answer.
- ckanext-dcat: its public ``IDCATRDFHarvester`` hooks (``update_session`` mounts the adapter,
  ``before_download`` refuses what is not an http(s) URL the policy permits, ``after_download``
  replaces an unreadable page by a message that quotes none of it): see
  ``dcat/harvesting.py``.
- ckanext-xloader has no hook around its download: ``secure_xloader`` replaces its module
  function ``get_response`` by one on the adapter, and ``can_upload`` (its public hook) refuses
  a link resource whose URL the policy refuses before a job is queued. A file uploaded to the
  portal is read back from the portal's own download address; only that address (the
  resource's download path on ``ckanext.xloader.site_url``) is let through.
"""
from __future__ import annotations

import dataclasses
import logging
import re
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from ckanext.binhduong.harvesters.fetch import FetchError, FetchPolicy, check_url, open_checked

__all__ = ["PolicyAdapter", "PolicyRefusal", "policy_session", "refusal_of", "secure_xloader",
           "xloader_may_fetch", "xloader_may_fetch_resource"]

log = logging.getLogger(__name__)


class PolicyRefusal(requests.exceptions.ConnectionError):
    """The outbound policy refused a URL (or could not reach it); ``vi`` is for the user."""

    def __init__(self, error: FetchError, request=None):
        super().__init__(f"{error.vi} ({error.en})", request=request)
        self.vi = error.vi
        self.en = error.en


class PolicyAdapter(HTTPAdapter):
    """Sends GET and HEAD requests through ``open_checked`` under ``policy`` (the CKAN config's
    when not given). ``trusted_downloads`` is a compiled pattern of URLs of the portal's own
    file downloads that may reach the portal's web port (xloader reading an upload back)."""

    def __init__(self, policy: FetchPolicy | None = None, trusted_downloads: re.Pattern | None = None):
        super().__init__(max_retries=0)
        self.policy = policy
        self.trusted_downloads = trusted_downloads

    def _policy_for(self, url: str) -> FetchPolicy:
        policy = self.policy or FetchPolicy.from_config()
        if self.trusted_downloads is not None and self.trusted_downloads.match(url):
            host = urlsplit(url).hostname or ""
            return dataclasses.replace(policy, refused_services=(), allowed_hosts=(*policy.allowed_hosts, host))
        return policy

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        policy = self._policy_for(request.url)
        headers = {key: value for key, value in request.headers.items() if key.lower() not in ("host", "connection")}
        try:
            raw, _pool = open_checked(request.url, policy, request.method, headers)
        except FetchError as error:
            log.warning("Outbound request refused or failed: %s", error.en)
            raise PolicyRefusal(error, request=request) from None
        return self.build_response(request, raw)


def policy_session(policy: FetchPolicy | None = None, trusted_downloads: re.Pattern | None = None) -> requests.Session:
    """A ``requests`` session whose http and https requests all go through the policy;
    proxies from the environment are not used (a proxy would reach what we refuse)."""
    session = requests.Session()
    session.trust_env = False
    adapter = PolicyAdapter(policy, trusted_downloads)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def refusal_of(url: str, policy: FetchPolicy | None = None) -> FetchError | None:
    """Why the policy refuses to fetch ``url`` (scheme or address), or None if it may."""
    try:
        check_url(url, policy or FetchPolicy.from_config())
    except FetchError as error:
        return error
    return None


# ---------------------------------------------------------------------------------------
# ckanext-xloader


def _xloader_trusted_downloads() -> re.Pattern:
    from ckan.plugins import toolkit

    site = (toolkit.config.get("ckanext.xloader.site_url") or toolkit.config.get("ckan.site_url") or "").rstrip("/")
    return re.compile(re.escape(site) + r"/dataset/[^/?#]+/resource/[^/?#]+/download/[^/?#]*(\?[^#]*)?$")


def _xloader_get_response(url: str, headers: dict) -> requests.Response:
    """ckanext-xloader's ``jobs.get_response`` on the policy: same contract (raises
    ``requests`` errors, retries while the server answers 202)."""
    from ckanext.xloader import jobs

    session = policy_session(trusted_downloads=_xloader_trusted_downloads())
    response = session.get(url, headers=headers, timeout=jobs.DOWNLOAD_TIMEOUT, stream=True)
    wait = 1
    while wait < 120 and response.status_code == 202:
        response.close()
        time.sleep(wait)
        response = session.get(url, headers=headers, timeout=jobs.DOWNLOAD_TIMEOUT, stream=True)
        wait *= 3
    response.raise_for_status()
    return response


def secure_xloader() -> None:
    """Route ckanext-xloader's downloads through the policy (in every process that loads the
    plugins: the jobs worker runs them)."""
    try:
        from ckanext.xloader import jobs
    except ImportError:
        return
    jobs.get_response = _xloader_get_response


def xloader_may_fetch(resource: dict[str, Any]) -> FetchError | None:
    """Why xloader must not fetch this resource's URL, or None. Uploads are read back from
    the portal by its own download address and are always allowed."""
    if resource.get("url_type") == "upload":
        return None
    return refusal_of(resource.get("url") or "")


def xloader_may_fetch_resource(resource_id: str) -> bool:
    """``IXloader.can_upload``: False (nothing queued) when the policy refuses the URL."""
    from ckan import model

    resource = model.Resource.get(resource_id)
    if resource is None:
        return True
    refusal = xloader_may_fetch({"url": resource.url, "url_type": resource.url_type})
    if refusal is not None:
        log.warning("Resource %s not loaded into the DataStore: %s", resource_id, refusal.en)
        return False
    return True
