"""The portal's one outbound-fetch policy, and a safe HTTP GET under it.

Everything that fetches a URL on a user's behalf goes through here: our harvesters (``fetch``),
ckanext-dcat's RDF harvester and xloader (through ``outbound.PolicyAdapter``, which connects
with ``open_checked``), and any link checker. A URL is typed by an operator or an agency editor
and followed by a background worker that sits inside the province's network, next to the
database, the search index and the cloud metadata service. So:

- only http and https;
- the host name is resolved here and every address it resolves to is checked: private,
  loopback, link-local, reserved, shared, multicast and unspecified addresses are refused.
  ``ckanext.binhduong.harvest_allow_private_addresses`` lets private and loopback addresses
  through (local development); ``ckanext.binhduong.harvest_allowed_hosts`` names hosts or
  networks allowed whatever their address (the TTHC system on the province's network).
  Multicast and unspecified addresses are never fetched;
- the portal's own services (its CKAN, Solr, PostgreSQL and Redis ports, read from the CKAN
  config) are refused even where private addresses or a named host are allowed: a local test
  source may sit on 127.0.0.1, the search index's admin API must not;
- the connection goes to the address that was checked (no second DNS lookup that a
  rebinding name could answer differently), with the original name for the Host header and
  TLS verification;
- redirects are followed by hand, each hop checked the same way;
- connect and read timeouts, an overall deadline, and a size limit counted on the
  decompressed body (a small gzip can expand to gigabytes);
- every failure is a FetchError subclass with a Vietnamese message for the harvest UI.

Proxies from the environment are not used: a proxy would reach addresses we refuse.
"""
from __future__ import annotations

import base64
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError, DecodeError, HTTPError, MaxRetryError, NewConnectionError, ProtocolError,
    ReadTimeoutError, SSLError,
)

__all__ = [
    "FetchPolicy", "FetchResult", "fetch", "check_url",
    "FetchError", "InvalidURL", "BlockedAddress", "ConnectFailed", "FetchTimeout", "TooLarge",
    "HTTPStatusError", "TooManyRedirects", "open_checked", "portal_services",
]

log = logging.getLogger(__name__)

OPTION_ALLOW_PRIVATE = "ckanext.binhduong.harvest_allow_private_addresses"
OPTION_ALLOWED_HOSTS = "ckanext.binhduong.harvest_allowed_hosts"
OPTION_TIMEOUT = "ckanext.binhduong.harvest_timeout_seconds"
OPTION_MAX_BYTES = "ckanext.binhduong.harvest_max_bytes"
OPTION_REFUSED_SERVICES = "ckanext.binhduong.outbound_refused_services"
OPTION_CREDENTIALS = "ckanext.binhduong.harvest_credentials"
# Options of the CKAN config whose URLs are the portal's own services.
SERVICE_URL_OPTIONS = ("ckan.site_url", "solr_url", "sqlalchemy.url", "ckan.datastore.write_url",
                       "ckan.datastore.read_url", "ckan.redis.url", "ckanext.xloader.site_url",
                       "ckanext.xloader.jobs_db.uri")

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


# ---------------------------------------------------------------------------------------
# Errors

class FetchError(Exception):
    """The source could not be fetched. ``vi`` is shown to the operator, ``en`` logged."""

    def __init__(self, vi: str, en: str, url: str = ""):
        super().__init__(en)
        self.vi = vi
        self.en = en
        self.url = url


class InvalidURL(FetchError):
    """Not an http(s) URL with a host."""


class BlockedAddress(FetchError):
    """The URL (or a redirect) leads to an address the policy refuses."""


class ConnectFailed(FetchError):
    """DNS failure, connection refused, TLS failure or a connection cut mid-answer."""


class FetchTimeout(FetchError):
    """Connect, read or overall time limit exceeded."""


class TooLarge(FetchError):
    """The body is larger than the configured limit."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, vi: str, en: str, url: str = "", status: int = 0):
        super().__init__(vi, en, url)
        self.status = status


class TooManyRedirects(FetchError):
    """More redirects than the policy allows (or a loop)."""


# ---------------------------------------------------------------------------------------
# Policy

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item for item in str(value).replace(",", " ").split() if item]


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    allow_private: bool = False
    #: Host names (exact, case-insensitive), addresses or networks (CIDR) allowed even
    #: when private: e.g. the TTHC system's address on the province's internal network.
    allowed_hosts: tuple[str, ...] = ()
    max_redirects: int = 5
    #: The whole download must finish within this many seconds (default: 4 × timeout), so a
    #: server that sends one byte per read timeout cannot hold a worker for ever.
    total_timeout: float | None = None
    user_agent: str = "binhduong-opendata-harvester/1.0"
    #: (network, port) pairs that are never fetched whatever else allows them: the portal's
    #: own services (``portal_services``).
    refused_services: tuple[tuple[str, int], ...] = ()
    #: (host, "user:password") pairs: Basic credentials sent to that host, kept in the
    #: server's config rather than in a source URL everyone can read.
    credentials: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    _networks: tuple[Network, ...] = field(default=(), init=False, repr=False, compare=False)
    _names: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self):
        networks, names = [], set()
        for entry in self.allowed_hosts:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                names.add(entry.strip().lower().rstrip("."))
        object.__setattr__(self, "_networks", tuple(networks))
        object.__setattr__(self, "_names", frozenset(names))

    @classmethod
    def from_config(cls, config: Any = None) -> "FetchPolicy":
        """The policy set in the CKAN config (``ckanext.binhduong.harvest_*``)."""
        if config is None:
            from ckan.plugins import toolkit
            config = toolkit.config
        return cls(
            timeout=float(config.get(OPTION_TIMEOUT, DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT),
            max_bytes=int(config.get(OPTION_MAX_BYTES, DEFAULT_MAX_BYTES) or DEFAULT_MAX_BYTES),
            allow_private=_as_bool(config.get(OPTION_ALLOW_PRIVATE, False)),
            allowed_hosts=tuple(_as_list(config.get(OPTION_ALLOWED_HOSTS, None))),
            refused_services=portal_services(config),
            credentials=_credentials(config.get(OPTION_CREDENTIALS, None)),
        )

    @property
    def deadline_seconds(self) -> float:
        return self.total_timeout if self.total_timeout is not None else 4 * self.timeout

    def is_portal_service(self, address: Address, port: int) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        for network, service_port in self.refused_services:
            if port != service_port:
                continue
            network = ipaddress.ip_network(network, strict=False)
            if address.version == network.version and address in network:
                return True
        return False

    def permits(self, host: str, address: Address) -> bool:
        if address.is_multicast or address.is_unspecified:
            return False
        if _is_public(address):
            return True
        # Named hosts and networks are the operator's explicit choice, whatever the address.
        if host.lower().rstrip(".") in self._names:
            return True
        if any(address.version == network.version and address in network for network in self._networks):
            return True
        # "Private addresses" means private networks and loopback (a source on the local
        # network, or on this machine in development) — not link-local, where cloud metadata
        # services answer, nor reserved ranges.
        return self.allow_private and _is_private_or_loopback(address)


_LOOPBACK = ("127.0.0.0/8", "::1/128", "0.0.0.0/32", "::/128")


def _host_port(url: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    default = {"http": 80, "https": 443, "redis": 6379, "rediss": 6379, "postgresql": 5432,
               "postgres": 5432}.get(parts.scheme.split("+", 1)[0])
    port = port or default
    return (parts.hostname, port) if port else None


def portal_services(config: Any) -> tuple[tuple[str, int], ...]:
    """The (network, port) pairs of the portal's own services, from the CKAN config: the hosts
    of its site, Solr, database and Redis URLs, and ``ckanext.binhduong.outbound_refused_services``
    (``host:port`` entries). A service on a loopback address is refused on every loopback
    address (127.0.0.2 reaches a server bound to 0.0.0.0 as well as 127.0.0.1 does)."""
    entries: list[tuple[str, int]] = []
    for option in SERVICE_URL_OPTIONS:
        value = config.get(option) if config is not None else None
        if value and (found := _host_port(str(value))):
            entries.append(found)
    for item in _as_list(config.get(OPTION_REFUSED_SERVICES, None) if config is not None else None):
        if found := _host_port(item if "://" in item else f"tcp://{item}"):
            entries.append(found)
    return _resolved_services(tuple(entries))


# The portal's own services rarely move, but every outbound request builds a policy: their
# addresses are resolved once a minute, not once a request (one getaddrinfo per service).
_SERVICES_TTL_SECONDS = 60.0
_resolved_services_cache: dict[tuple[tuple[str, int], ...], tuple[float, tuple[tuple[str, int], ...]]] = {}


def _resolved_services(entries: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    cached = _resolved_services_cache.get(entries)
    now = time.monotonic()
    if cached is not None and now - cached[0] < _SERVICES_TTL_SECONDS:
        return cached[1]
    refused, all_resolved = _resolve_services(entries)
    # A name that did not resolve is asked again next time rather than left unrefused a minute.
    if all_resolved:
        _resolved_services_cache[entries] = (now, refused)
    return refused


def _resolve_services(entries: tuple[tuple[str, int], ...]) -> tuple[tuple[tuple[str, int], ...], bool]:
    refused: list[tuple[str, int]] = []
    all_resolved = True
    for host, port in entries:
        try:
            addresses = {info[4][0].split("%", 1)[0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
        except (socket.gaierror, UnicodeError):
            addresses = set()
            all_resolved = False
        networks = set()
        for text in addresses:
            address = ipaddress.ip_address(text)
            if address.is_loopback or address.is_unspecified:
                networks.update(_LOOPBACK)
            else:
                networks.add(str(ipaddress.ip_network(address)))
        for network in sorted(networks):
            if (network, port) not in refused:
                refused.append((network, port))
    return tuple(refused), all_resolved


def _credentials(value: Any) -> tuple[tuple[str, str], ...]:
    """``host=user:password`` entries (space separated)."""
    pairs = []
    for entry in _as_list(value):
        host, sep, secret = entry.partition("=")
        if sep and host and ":" in secret:
            pairs.append((host.strip().lower().rstrip("."), secret))
    return tuple(pairs)


def _is_private_or_loopback(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return True
    if address.is_link_local or address.is_reserved:
        return False
    return address.is_private or (address.version == 4 and address in _SHARED)


_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, used inside provincial networks


def _is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv6 form of an IPv4 address is judged as that IPv4 address.
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return _is_public(embedded)
    return address.is_global and not address.is_multicast


# ---------------------------------------------------------------------------------------
# Fetching

@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str | None
    headers: dict[str, str]


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int
    path: str
    host_header: str
    authorization: str | None
    addresses: tuple[Address, ...]


def _display(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def check_url(url: str, policy: FetchPolicy) -> _Target:
    """Parse ``url``, resolve its host and check every address; the target to connect to."""
    shown = _display(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidURL(f"Địa chỉ nguồn không hợp lệ: {shown}.", f"Invalid URL {shown}: {error}.", shown) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidURL(
            f"Địa chỉ nguồn phải bắt đầu bằng http:// hoặc https:// và có tên máy chủ: {shown}.",
            f"Only http(s) URLs with a host are fetched: {shown}.", shown)
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ConnectFailed(
            f"Không tìm thấy máy chủ “{host}” (lỗi phân giải tên miền). Hãy kiểm tra địa chỉ nguồn.",
            f"Cannot resolve host {host}: {error}.", shown) from error
    addresses: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    services = [a for a in addresses if policy.is_portal_service(a, port)]
    if services:
        raise BlockedAddress(
            f"Không tải từ {shown}: địa chỉ này là một dịch vụ nội bộ của chính cổng dữ liệu "
            "(máy chủ web, chỉ mục tìm kiếm, cơ sở dữ liệu hoặc hàng đợi) và không bao giờ được truy cập từ bên ngoài.",
            f"Refusing {shown}: {host}:{port} is one of the portal's own services.", shown)
    refused = [a for a in addresses if not policy.permits(host, a)]
    if refused:
        raise BlockedAddress(
            f"Không thu thập từ {shown}: máy chủ “{host}” trỏ tới địa chỉ nội bộ hoặc dành riêng "
            f"({', '.join(map(str, refused))}). Nếu đây đúng là hệ thống của tỉnh, quản trị cần thêm máy chủ này "
            f"vào {OPTION_ALLOWED_HOSTS}.",
            f"Refusing {shown}: {host} resolves to non-public address(es) {', '.join(map(str, refused))}.", shown)
    authorization = None
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        authorization = "Basic " + base64.b64encode(credentials).decode()
    elif secret := dict(policy.credentials).get(host.lower().rstrip(".")):
        authorization = "Basic " + base64.b64encode(secret.encode()).decode()
    netloc = parts.netloc.rsplit("@", 1)[-1]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(url=url, scheme=parts.scheme, host=host, port=port, path=path, host_header=netloc,
                   authorization=authorization, addresses=tuple(addresses))


def _pool(target: _Target, address: Address, timeout: urllib3.Timeout) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        is_ip = _is_ip_literal(target.host)
        return urllib3.HTTPSConnectionPool(
            str(address), target.port, timeout=timeout, retries=False, maxsize=1, block=False,
            server_hostname=None if is_ip else target.host, assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED", ca_certs=certifi.where())
    return urllib3.HTTPConnectionPool(str(address), target.port, timeout=timeout, retries=False, maxsize=1,
                                      block=False)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


_STEPS = {"connect": "kết nối", "response": "chờ phản hồi", "body": "chờ dữ liệu", "total": "tổng thời gian tải"}


def _timeout_error(url: str, seconds: float, step: str) -> FetchTimeout:
    return FetchTimeout(
        f"Máy chủ nguồn {url} không trả lời trong {seconds:g} giây ({_STEPS[step]}). Hệ thống nguồn có thể đang "
        "quá tải; lần thu thập sau sẽ thử lại. Dữ liệu đã công bố được giữ nguyên.",
        f"{url}: {step} timed out after {seconds:g} s.", url)


def _connect_error(url: str, error: Exception) -> ConnectFailed:
    if isinstance(error, SSLError):
        return ConnectFailed(
            f"Không thiết lập được kết nối an toàn (HTTPS) tới {url}: chứng chỉ không hợp lệ hoặc lỗi TLS.",
            f"TLS failure for {url}: {error}.", url)
    return ConnectFailed(
        f"Không kết nối được tới máy chủ nguồn {url}: máy chủ từ chối kết nối hoặc đang ngừng hoạt động. "
        "Dữ liệu đã công bố được giữ nguyên.",
        f"Cannot connect to {url}: {error}.", url)


def _open(target: _Target, policy: FetchPolicy, deadline: float, method: str = "GET",
          extra_headers: dict[str, str] | None = None) -> tuple[Any, urllib3.HTTPConnectionPool]:
    shown = _display(target.url)
    timeout = urllib3.Timeout(connect=policy.timeout, read=policy.timeout)
    headers = {"User-Agent": policy.user_agent, "Accept": "*/*", "Accept-Encoding": "gzip, deflate"}
    headers.update(extra_headers or {})
    headers.update({"Host": target.host_header, "Connection": "close"})
    if target.authorization:
        headers["Authorization"] = target.authorization
    last_error: Exception | None = None
    for address in target.addresses:
        if time.monotonic() > deadline:
            break
        pool = _pool(target, address, timeout)
        try:
            response = pool.urlopen(method, target.path, headers=headers, redirect=False, retries=False,
                                    preload_content=False, decode_content=True, assert_same_host=False)
            return response, pool
        except MaxRetryError as error:  # urllib3 wraps some failures even with retries off
            pool.close()
            last_error = error.reason or error
        except (ConnectTimeoutError, NewConnectionError, SSLError, ProtocolError, ReadTimeoutError,
                OSError, HTTPError) as error:
            pool.close()
            last_error = error
        # NewConnectionError subclasses ConnectTimeoutError in urllib3: a refused connection
        # is not a timeout, and the next address may answer.
        if isinstance(last_error, NewConnectionError):
            continue
        if isinstance(last_error, (ConnectTimeoutError, ReadTimeoutError, socket.timeout)):
            raise _timeout_error(shown, policy.timeout,
                                 "connect" if isinstance(last_error, ConnectTimeoutError) else "response")
    if last_error is None:
        raise _timeout_error(shown, policy.deadline_seconds, "total")
    raise _connect_error(shown, last_error)


def _status_error(url: str, status: int) -> HTTPStatusError:
    if status == 404:
        vi = f"Không tìm thấy dữ liệu tại {url} (lỗi 404): đường dẫn có thể đã thay đổi."
    elif status in (401, 403):
        vi = f"Máy chủ nguồn từ chối truy cập {url} (lỗi {status}): cần quyền truy cập hoặc khóa API."
    elif status >= 500:
        vi = f"Máy chủ nguồn {url} đang gặp lỗi (mã {status}). Lần thu thập sau sẽ thử lại."
    else:
        vi = f"Máy chủ nguồn trả về lỗi {status} cho {url}."
    return HTTPStatusError(vi, f"{url} answered HTTP {status}.", url, status)


def _read_body(response: Any, policy: FetchPolicy, url: str, deadline: float) -> bytes:
    limit_mb = f"{policy.max_bytes / 1048576:.1f}".rstrip("0").rstrip(".")
    too_large = TooLarge(
        f"Dữ liệu tại {url} lớn hơn giới hạn {limit_mb} MB cho phép; đã dừng tải.",
        f"{url} is larger than the {policy.max_bytes}-byte limit.", url)
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise too_large
    chunks, total = [], 0
    try:
        # read1 returns what has arrived instead of waiting for a full chunk, so the overall
        # deadline is checked even against a server that sends a byte at a time.
        while chunk := response.read1(CHUNK, decode_content=True):
            total += len(chunk)
            if total > policy.max_bytes:
                raise too_large
            if time.monotonic() > deadline:
                raise _timeout_error(url, policy.deadline_seconds, "total")
            chunks.append(chunk)
    except ReadTimeoutError as error:
        raise _timeout_error(url, policy.timeout, "body") from error
    except DecodeError as error:
        raise ConnectFailed(f"Dữ liệu nén từ {url} bị hỏng.", f"Corrupt compressed body from {url}: {error}.",
                            url) from error
    except (ProtocolError, OSError) as error:
        raise ConnectFailed(f"Kết nối tới {url} bị ngắt giữa chừng; dữ liệu tải về không trọn vẹn.",
                            f"Connection to {url} broke mid-body: {error}.", url) from error
    return b"".join(chunks)


def open_checked(url: str, policy: FetchPolicy, method: str = "GET",
                 headers: dict[str, str] | None = None) -> tuple[Any, urllib3.HTTPConnectionPool]:
    """One request, no redirect followed, to an address ``policy`` permits: the connection goes
    to the address that was checked. Returns the unread urllib3 response and its pool (close
    both). For callers that follow redirects themselves, each hop through here."""
    if method not in ("GET", "HEAD"):
        raise InvalidURL(f"Phương thức {method} không được dùng khi tải dữ liệu.", f"Method {method} is not fetched.", url)
    return _open(check_url(url, policy), policy, time.monotonic() + policy.deadline_seconds, method, headers)


def fetch(url: str, policy: FetchPolicy | None = None) -> FetchResult:
    """GET ``url`` under ``policy`` (the CKAN config's when not given)."""
    policy = policy or FetchPolicy.from_config()
    deadline = time.monotonic() + policy.deadline_seconds
    current = url
    seen: list[str] = []
    while True:
        target = check_url(current, policy)
        shown = _display(current)
        response, pool = _open(target, policy, deadline)
        try:
            status = response.status
            if status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                response.drain_conn()
                if not location:
                    raise HTTPStatusError(f"Máy chủ nguồn chuyển hướng {shown} nhưng không cho địa chỉ mới.",
                                          f"{shown} redirected without a Location.", shown, status)
                seen.append(current)
                current = urljoin(current, location.strip())
                if len(seen) > policy.max_redirects or current in seen:
                    raise TooManyRedirects(
                        f"Địa chỉ nguồn {_display(url)} chuyển hướng quá nhiều lần (hoặc vòng lặp).",
                        f"Too many redirects (or a loop) from {_display(url)}.", _display(url))
                log.debug("Redirect %s -> %s", shown, _display(current))
                continue
            if status >= 400:
                response.drain_conn()
                raise _status_error(shown, status)
            content = _read_body(response, policy, shown, deadline)
            headers = {k.lower(): v for k, v in response.headers.items()}
            content_type = headers.get("content-type")
            return FetchResult(url=url, final_url=current, status=status, content=content,
                               content_type=content_type, headers=headers)
        finally:
            response.release_conn()
            pool.close()
