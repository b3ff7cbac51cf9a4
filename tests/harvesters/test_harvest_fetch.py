"""fetch.py: safe HTTP GET against a local server that misbehaves on purpose."""
from __future__ import annotations

import time

import pytest
from ckan.plugins import toolkit

from ckanext.binhduong.harvesters import fetch
from ckanext.binhduong.harvesters.fetch import (
    BlockedAddress, ConnectFailed, FetchPolicy, FetchTimeout, HTTPStatusError, InvalidURL, TooLarge, TooManyRedirects,
)

from local_server import free_port

SAMPLE = "mau-thu-tuc-hanh-chinh.utf8-bom.csv"
LOCAL = FetchPolicy(allow_private=True, timeout=2)


def test_a_sample_file_is_fetched(sample_server):
    result = fetch.fetch(sample_server.url(SAMPLE), LOCAL)
    assert result.status == 200
    assert result.content == (sample_server.root / SAMPLE).read_bytes()
    assert result.content_type == "text/csv"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "2130706433", "0x7f.1", "[::ffff:127.0.0.1]"])
def test_loopback_is_refused_without_the_allow_list_however_it_is_written(host, sample_server):
    with pytest.raises(BlockedAddress) as raised:
        fetch.fetch(sample_server.url(SAMPLE, host=host), FetchPolicy(timeout=2))
    assert "địa chỉ nội bộ hoặc dành riêng" in raised.value.vi
    assert sample_server.requests == []  # refused before connecting


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
    "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/", "http://100.64.0.1/",
    "http://[fd00::1]/", "http://[fe80::1]/", "http://240.0.0.1/", "http://0.0.0.0/", "http://224.0.0.1/",
])
def test_private_link_local_and_reserved_targets_are_refused(url):
    with pytest.raises(BlockedAddress):
        fetch.fetch(url, FetchPolicy(timeout=1))


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://240.0.0.1/",
                                 "http://0.0.0.0/"])
def test_allowing_private_addresses_does_not_open_link_local_or_reserved_ones(url):
    with pytest.raises(BlockedAddress):
        fetch.fetch(url, FetchPolicy(timeout=1, allow_private=True))


def test_allowed_hosts_name_a_host_or_a_network(sample_server):
    by_name = FetchPolicy(timeout=2, allowed_hosts=("LOCALHOST",))
    assert fetch.fetch(sample_server.url(SAMPLE, host="localhost"), by_name).status == 200
    with pytest.raises(BlockedAddress):
        fetch.fetch(sample_server.url(SAMPLE), by_name)  # the same machine by another name is not allowed
    by_network = FetchPolicy(timeout=2, allowed_hosts=("127.0.0.0/8",))
    assert fetch.fetch(sample_server.url(SAMPLE), by_network).status == 200


def test_a_redirect_to_loopback_is_refused(sample_server):
    policy = FetchPolicy(timeout=2, allowed_hosts=("localhost",))
    target = sample_server.url(SAMPLE)
    with pytest.raises(BlockedAddress) as raised:
        fetch.fetch(sample_server.url(f"redirect?to={target}", host="localhost"), policy)
    assert "127.0.0.1" in raised.value.en
    assert sample_server.requests == [f"/redirect?to={target}"]  # the target was never requested


def test_a_redirect_to_the_metadata_service_is_refused_even_for_allowed_sources(sample_server):
    with pytest.raises(BlockedAddress):
        fetch.fetch(sample_server.url("redirect?to=http://169.254.169.254/latest/meta-data/"), LOCAL)


def test_a_permitted_redirect_is_followed(sample_server):
    result = fetch.fetch(sample_server.url(f"redirect?to=/{SAMPLE}"), LOCAL)
    assert result.final_url == sample_server.url(SAMPLE)
    assert result.content == (sample_server.root / SAMPLE).read_bytes()


def test_a_redirect_loop_stops(sample_server):
    with pytest.raises(TooManyRedirects) as raised:
        fetch.fetch(sample_server.url("loop"), LOCAL)
    assert "chuyển hướng quá nhiều lần" in raised.value.vi


def test_a_slow_server_times_out(sample_server):
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as raised:
        fetch.fetch(sample_server.url("slow?seconds=3"), FetchPolicy(allow_private=True, timeout=0.5))
    assert time.monotonic() - started < 2.5
    assert "không trả lời trong 0.5 giây" in raised.value.vi


def test_a_server_that_drips_bytes_hits_the_overall_deadline(sample_server):
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as raised:
        fetch.fetch(sample_server.url("drip"), FetchPolicy(allow_private=True, timeout=1, total_timeout=1.5))
    assert time.monotonic() - started < 4
    assert "tổng thời gian tải" in raised.value.vi


def test_a_declared_size_over_the_limit_is_refused_before_reading(sample_server):
    with pytest.raises(TooLarge) as raised:
        fetch.fetch(sample_server.url("big-declared?bytes=50000"), FetchPolicy(allow_private=True, max_bytes=10_000))
    assert "lớn hơn giới hạn" in raised.value.vi


def test_an_undeclared_size_over_the_limit_stops_the_download(sample_server):
    with pytest.raises(TooLarge):
        fetch.fetch(sample_server.url("big?bytes=5000000"), FetchPolicy(allow_private=True, max_bytes=100_000))


def test_the_limit_counts_decompressed_bytes(sample_server):
    # 10 MB of zeros compress to about 10 kB.
    with pytest.raises(TooLarge):
        fetch.fetch(sample_server.url("gzip-bomb?bytes=10000000"), FetchPolicy(allow_private=True, max_bytes=1_000_000))
    assert len(fetch.fetch(sample_server.url("gzip-bomb?bytes=5000"), LOCAL).content) == 5000


def test_http_errors_are_typed_with_a_vietnamese_message(sample_server):
    with pytest.raises(HTTPStatusError) as raised:
        fetch.fetch(sample_server.url("khong-co.csv"), LOCAL)
    assert raised.value.status == 404
    assert "Không tìm thấy dữ liệu" in raised.value.vi and "404" in raised.value.en
    sample_server.put("bao-tri.csv", b"maintenance", status=503)
    with pytest.raises(HTTPStatusError) as raised:
        fetch.fetch(sample_server.url("bao-tri.csv"), LOCAL)
    assert raised.value.status == 503 and "đang gặp lỗi" in raised.value.vi


def test_a_dead_server_and_an_unknown_host_are_connection_failures():
    with pytest.raises(ConnectFailed) as raised:
        fetch.fetch(f"http://127.0.0.1:{free_port()}/x.csv", LOCAL)
    assert "Không kết nối được" in raised.value.vi
    with pytest.raises(ConnectFailed) as raised:
        fetch.fetch("http://khong-ton-tai.invalid/x.csv", LOCAL)
    assert "Không tìm thấy máy chủ" in raised.value.vi


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x.csv", "gopher://example.org/",
                                 "http:///x.csv", "http://[::1/", "javascript:alert(1)"])
def test_only_http_urls_with_a_host_are_fetched(url):
    with pytest.raises(InvalidURL):
        fetch.fetch(url, LOCAL)


def test_credentials_in_the_url_are_used_and_not_repeated_in_messages(sample_server):
    with pytest.raises(HTTPStatusError) as raised:
        fetch.fetch(sample_server.url("khong-co.csv").replace("http://", "http://can-bo:mat-khau@"), LOCAL)
    assert "mat-khau" not in raised.value.vi + raised.value.en
    assert "can-bo:***@" in raised.value.en


@pytest.mark.usefixtures("ckan_config")
@pytest.mark.ckan_config("ckanext.binhduong.harvest_allow_private_addresses", "true")
@pytest.mark.ckan_config("ckanext.binhduong.harvest_allowed_hosts", "tthc.binhduong.gov.vn 10.20.0.0/16")
@pytest.mark.ckan_config("ckanext.binhduong.harvest_timeout_seconds", "12")
@pytest.mark.ckan_config("ckanext.binhduong.harvest_max_bytes", "2048")
def test_the_policy_comes_from_the_ckan_config():
    policy = FetchPolicy.from_config(toolkit.config)
    assert policy.allow_private is True
    assert policy.allowed_hosts == ("tthc.binhduong.gov.vn", "10.20.0.0/16")
    assert (policy.timeout, policy.max_bytes) == (12.0, 2048)


def test_the_default_policy_refuses_private_addresses():
    # An empty config: the defaults, whatever the test ini sets for local sources.
    policy = FetchPolicy.from_config({})
    assert policy.allow_private is False and policy.allowed_hosts == ()
    assert policy.timeout == fetch.DEFAULT_TIMEOUT and policy.max_bytes == fetch.DEFAULT_MAX_BYTES


def test_the_portal_services_are_resolved_once_a_minute_and_an_unresolved_name_again(monkeypatch):
    asked = []
    real_getaddrinfo = fetch.socket.getaddrinfo

    def counting_getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "getaddrinfo", counting_getaddrinfo)
    port = free_port()
    config = {"solr_url": f"http://localhost:{port}/solr/ckan",
              "ckanext.binhduong.outbound_refused_services": f"no-such-host.invalid:{port}"}
    first = fetch.portal_services(config)
    assert ("127.0.0.0/8", port) in first
    assert asked == ["localhost", "no-such-host.invalid"]
    # The unknown name left the answer incomplete, so the next policy asks again.
    assert fetch.portal_services(config) == first and len(asked) == 4
    resolved_only = {"solr_url": f"http://localhost:{port}/solr/ckan"}
    fetch.portal_services(resolved_only)
    fetch.portal_services(resolved_only)
    assert len(asked) == 5
    monkeypatch.setattr(fetch, "_SERVICES_TTL_SECONDS", 0.0)
    fetch.portal_services(resolved_only)
    assert len(asked) == 6
