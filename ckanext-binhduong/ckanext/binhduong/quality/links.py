"""The link checker: are the access and download URLs of our distributions reachable?

Every request goes through the portal's one outbound policy (``harvesters/fetch.py``
``FetchPolicy``, by ``outbound.policy_session``): http(s) only, every resolved address
checked (private and loopback addresses refused unless the policy allows them), redirects
re-checked hop by hop, timeouts, the portal's own services refused. A URL the policy refuses
is recorded as not reachable with the policy's reason; it is never fetched.

Requests are throttled per host (``HostThrottle``): at most ``per_second`` requests to one
host in any second, so checking a catalogue never floods an agency's server.

A file uploaded to the portal is checked where it is stored (the file exists), not over
HTTP: the policy refuses the portal's own web port, and that is right.
"""
from __future__ import annotations

import collections
import logging
import os
import time
from typing import Callable, Iterable, Mapping
from urllib.parse import urlsplit

import requests

from ckanext.binhduong.harvesters.fetch import FetchPolicy
from ckanext.binhduong.quality.mqa import LinkStatus, download_url

__all__ = ["HostThrottle", "LinkChecker", "resource_urls", "upload_status"]

log = logging.getLogger(__name__)


class HostThrottle:
    """At most ``per_second`` requests to one host in any sliding second."""

    # A little more than a second between the first and the (N+1)th request, so that network
    # jitter does not bunch them up at the server.
    MARGIN = 0.05

    def __init__(self, per_second: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self.per_second = per_second
        self.clock = clock
        self.sleep = sleep
        self._sent: dict[str, collections.deque] = collections.defaultdict(collections.deque)

    def wait(self, host: str) -> None:
        sent = self._sent[host.lower()]
        now = self.clock()
        while sent and now - sent[0] >= 1.0 + self.MARGIN:
            sent.popleft()
        if len(sent) >= self.per_second:
            pause = 1.0 + self.MARGIN - (now - sent[0])
            if pause > 0:
                self.sleep(pause)
            now = self.clock()
            sent.popleft()
        sent.append(now)


def resource_urls(resource: Mapping) -> list[str]:
    """The URLs of a distribution the MQA looks at: its access URL and its download URL."""
    urls = []
    for url in ((resource.get("url") or "").strip(), download_url(resource)):
        if url and url not in urls:
            urls.append(url)
    return urls


def upload_status(resource: Mapping) -> LinkStatus:
    """An uploaded file is reachable when the portal still holds it."""
    from ckan.lib import uploader

    path = uploader.get_resource_uploader(dict(resource)).get_path(resource["id"])
    if path and os.path.isfile(path):
        return LinkStatus(ok=True, status=200)
    return LinkStatus(ok=False, status=None, error="The uploaded file is missing from the portal's storage.")


class LinkChecker:
    """Checks URLs under ``policy`` (the CKAN config's by default), throttled per host.

    HEAD first; a server that refuses HEAD (any answer of 400 or more) gets a GET whose body
    is not read. An answer below 400 after redirects is reachable."""

    def __init__(self, policy: FetchPolicy | None = None, per_second: int = 1,
                 throttle: HostThrottle | None = None):
        from ckanext.binhduong import outbound

        self.policy = policy or FetchPolicy.from_config()
        self.session = outbound.policy_session(self.policy)
        self.throttle = throttle or HostThrottle(per_second)

    def _request(self, method: str, url: str) -> requests.Response:
        self.throttle.wait(urlsplit(url).hostname or "")
        response = self.session.request(method, url, allow_redirects=True, stream=True,
                                        timeout=(self.policy.timeout, self.policy.timeout))
        response.close()
        return response

    def check(self, url: str) -> LinkStatus:
        from ckanext.binhduong import outbound

        refusal = outbound.refusal_of(url, self.policy)
        if refusal is not None:
            # Refused by the policy: recorded, never fetched.
            return LinkStatus(ok=False, status=None, error=refusal.en[:500])
        try:
            response = self._request("HEAD", url)
            if response.status_code >= 400:
                response = self._request("GET", url)
        except outbound.PolicyRefusal as error:
            return LinkStatus(ok=False, status=None, error=error.en[:500])
        except requests.RequestException as error:
            return LinkStatus(ok=False, status=None, error=f"{error.__class__.__name__}: {error}"[:500])
        return LinkStatus(ok=response.status_code < 400, status=response.status_code,
                          error="" if response.status_code < 400 else f"HTTP {response.status_code}")

    def check_all(self, urls: Iterable[str]) -> dict[str, LinkStatus]:
        results = {}
        for url in urls:
            results[url] = self.check(url)
            log.debug("Link %s: %s", url, results[url])
        return results

    def close(self) -> None:
        self.session.close()
