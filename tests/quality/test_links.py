"""The link checker (quality/links.py): through the one outbound policy, throttled per host."""
from __future__ import annotations

import pytest

from ckanext.binhduong.harvesters.fetch import FetchPolicy
from ckanext.binhduong.quality.links import HostThrottle, LinkChecker, resource_urls

# The tests' server is on 127.0.0.1: allowed here by name, as an operator would allow a
# province-internal host.
ALLOW_LOCAL = FetchPolicy(timeout=5, allowed_hosts=("127.0.0.1", "localhost"))


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_throttle_lets_n_requests_per_host_per_second_through():
    clock = FakeClock()
    throttle = HostThrottle(3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        throttle.wait("so-a.binhduong.gov.vn")
    assert clock.slept == []
    throttle.wait("so-b.binhduong.gov.vn")  # another host is not held back
    assert clock.slept == []
    throttle.wait("SO-A.binhduong.gov.vn")  # the fourth to the same host waits out the second
    assert clock.slept == [pytest.approx(1.0 + HostThrottle.MARGIN)]
    with pytest.raises(ValueError):
        HostThrottle(0)


def _max_in_any_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < 1.0) for i, start in enumerate(times))


def test_never_more_than_n_requests_per_host_per_second(recording_server):
    urls = [recording_server.url(f"/tep-{n}.csv") for n in range(9)]
    urls += [recording_server.url(f"/tep-{n}.csv", host="localhost") for n in range(3)]
    checker = LinkChecker(policy=ALLOW_LOCAL, per_second=3)
    try:
        results = checker.check_all(urls)
    finally:
        checker.close()

    assert all(result.ok and result.status == 200 for result in results.values())
    local = [t for t, _, path in recording_server.hits]
    assert len(local) == 12
    # Hits on 127.0.0.1 (the server cannot tell the host names apart: count per name by path order).
    by_ip = [t for (t, _, _), url in zip(recording_server.hits, urls) if "127.0.0.1" in url]
    assert _max_in_any_second(by_ip) <= 3
    assert max(by_ip) - min(by_ip) >= 2.0  # nine requests at three a second take two seconds at least


def test_a_server_that_refuses_head_gets_a_get_and_a_missing_file_is_broken(recording_server):
    checker = LinkChecker(policy=ALLOW_LOCAL, per_second=10)
    try:
        no_head = checker.check(recording_server.url("/no-head/tep.csv"))
        missing = checker.check(recording_server.url("/missing/tep.csv"))
    finally:
        checker.close()
    assert no_head.ok and no_head.status == 200
    assert not missing.ok and missing.status == 404 and missing.error == "HTTP 404"
    assert [(method, path) for _, method, path in recording_server.hits] == [
        ("HEAD", "/no-head/tep.csv"), ("GET", "/no-head/tep.csv"), ("HEAD", "/missing/tep.csv"),
        ("GET", "/missing/tep.csv")]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_never_fetched_when_not_allowed(recording_server, host):
    checker = LinkChecker(policy=FetchPolicy(timeout=5), per_second=10)
    try:
        result = checker.check(recording_server.url("/tep.csv", host=host))
        ipv6 = checker.check("http://[::1]:9/tep.csv")
    finally:
        checker.close()
    assert not result.ok and result.status is None and result.error
    assert not ipv6.ok
    assert recording_server.hits == []


def test_private_addresses_and_other_schemes_are_refused_without_a_request():
    checker = LinkChecker(policy=FetchPolicy(timeout=2), per_second=10)
    try:
        for url in ("http://10.0.0.8/tep.csv", "http://192.168.1.20/tep.csv", "http://169.254.169.254/latest/",
                    "file:///etc/passwd", "ftp://example.org/tep.csv"):
            result = checker.check(url)
            assert not result.ok and result.status is None and result.error, url
    finally:
        checker.close()


def test_resource_urls_are_the_access_and_the_download_url():
    assert resource_urls({"url": "https://a.gov.vn/t.csv", "format": "CSV"}) == ["https://a.gov.vn/t.csv"]
    assert resource_urls({"url": "https://a.gov.vn/api", "format": "API"}) == ["https://a.gov.vn/api"]
    assert resource_urls({"url": "https://a.gov.vn/p", "format": "HTML",
                          "download_url": "https://a.gov.vn/t.csv"}) == ["https://a.gov.vn/p", "https://a.gov.vn/t.csv"]
    assert resource_urls({"url": ""}) == []
