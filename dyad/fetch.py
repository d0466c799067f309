"""Download pages politely and defensively: one ``Fetcher.get(url)`` per page.

httpx does the HTTP; this module adds what a crawler of untrusted pages
needs around it: a user agent naming dyad, robots.txt, a per-host interval
between requests, retries with back-off, conditional requests (ETag and
Last-Modified), redirects followed one by one with a limit and a loop check,
a byte limit applied while decompressing (a gzip bomb stops at the limit),
a deadline for the whole download (a page that never ends), and, for
``dyad serve``, refusal of addresses on the machine's own networks.

Every failure is a ``DocumentError`` naming the URL; nothing here prints.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from dyad import __version__
from dyad.errors import DocumentError
from dyad.settings import Settings

USER_AGENT = f"dyad/{__version__} (news event extraction)"
MAX_ROBOTS_BYTES = 500_000  # Google reads the first 500 KiB of a robots.txt (RFC 9309 asks for at least 500 KiB)
MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is a refusal, not a pause
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
CHUNK = 16_384  # raw bytes read at a time; at deflate's 1:1032 ratio one chunk inflates to at most 17 MB


@dataclass(frozen=True, slots=True)
class Page:
    url: str  # after redirects
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # 304: the copy the caller has is current


@dataclass
class FetchStats:
    requests: int = 0
    downloaded: int = 0  # responses with a body (200)
    not_modified: int = 0
    bytes: int = 0


@dataclass
class _Host:
    robots: RobotFileParser | None = None
    interval: float = 0.0
    last: float = field(default=-1e9)


class Fetcher:
    """One crawler: its hosts' robots.txt, their last request time and the counts, for one run."""

    def __init__(self, settings: Settings | None = None, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings or Settings()
        self.user_agent = self.settings.user_agent or USER_AGENT
        timeout = httpx.Timeout(self.settings.read_timeout, connect=self.settings.connect_timeout)
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, transport=transport, trust_env=False,
                                   headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"})
        self.stats = FetchStats()
        self._hosts: dict[str, _Host] = {}
        self._sleep = sleep
        self._clock = clock

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Page:
        """The page at ``url`` after redirects; ``not_modified`` when the validators given still hold."""
        seen: set[str] = set()
        current = url
        for _ in range(self.settings.max_redirects + 1):
            self._check_url(url, current)
            if not self._allowed(current):
                raise DocumentError(url, "fetch", f"robots.txt of {urlsplit(current).netloc} disallows {current}")
            headers = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            page, location = self._request(url, current, headers)
            if location is None:
                return page
            seen.add(current)
            try:
                current = urljoin(current, location)
            except ValueError:
                raise DocumentError(url, "fetch", f"malformed redirect to {location!r}") from None
            if current in seen:
                raise DocumentError(url, "fetch", f"redirect loop at {current}")
        raise DocumentError(url, "fetch", f"more than {self.settings.max_redirects} redirects")

    # -- one request, retried ------------------------------------------------------------------------
    def _request(self, url: str, current: str, headers: dict) -> tuple[Page, str | None]:
        delay = self.settings.backoff
        for attempt in range(self.settings.retries + 1):
            last = attempt == self.settings.retries
            self._wait_turn(current)
            try:
                with self.client.stream("GET", current, headers=headers) as response:
                    self.stats.requests += 1
                    self._check_peer(url, response)
                    status = response.status_code
                    if status in REDIRECT_STATUS and response.headers.get("location"):
                        return Page(current, status), response.headers["location"]
                    if status == 304:
                        self.stats.not_modified += 1
                        return Page(current, 304, etag=response.headers.get("etag"),
                                    last_modified=response.headers.get("last-modified"), not_modified=True), None
                    if status in RETRY_STATUS and not last:
                        pause = _retry_after(response.headers.get("retry-after"))
                        self._sleep(max(delay, pause or 0))
                        delay *= 2
                        continue
                    if status >= 400:
                        raise DocumentError(url, "fetch", f"HTTP {status} from {current}")
                    if status >= 300:
                        raise DocumentError(url, "fetch", f"HTTP {status} without a Location to follow from {current}")
                    content = self._body(url, response)
                    self.stats.downloaded += 1
                    self.stats.bytes += len(content)
                    return Page(str(response.url), status, content, response.headers.get("content-type", ""),
                                response.headers.get("etag"), response.headers.get("last-modified")), None
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if last:
                    raise DocumentError(url, "fetch", f"{_describe(exc)} from {current}") from None
                self._sleep(delay)
                delay *= 2
            except httpx.HTTPError as exc:  # malformed URL, unsupported protocol, decoding trouble
                raise DocumentError(url, "fetch", f"{type(exc).__name__}: {exc}") from None
        raise DocumentError(url, "fetch", f"gave up on {current}")  # not reached: the last try returns or raises

    def _body(self, url: str, response: httpx.Response) -> bytes:
        """The decoded body, cut off at the byte limit and the download deadline."""
        limit = self.settings.max_page_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise DocumentError(url, "fetch", f"page of {int(declared):,} bytes exceeds the limit of {limit:,}")
        encoding = response.headers.get("content-encoding", "").lower().strip()
        inflate = zlib.decompressobj(47 if encoding in ("gzip", "x-gzip") else 15) \
            if encoding in ("gzip", "x-gzip", "deflate") else None
        deadline = self._clock() + self.settings.total_timeout
        parts: list[bytes] = []
        size = 0
        for raw in response.iter_raw(CHUNK):
            if inflate is not None:
                try:
                    data = inflate.decompress(inflate.unconsumed_tail + raw, limit - size + 1)
                    while inflate.unconsumed_tail and size + len(data) <= limit:
                        data += inflate.decompress(inflate.unconsumed_tail, limit - size - len(data) + 1)
                except zlib.error as exc:
                    raise DocumentError(url, "fetch", f"corrupt {encoding} body: {exc}") from None
            else:
                data = raw
            size += len(data)
            if size > limit:
                raise DocumentError(url, "fetch", f"page exceeds the limit of {limit:,} bytes"
                                    + (f" once decompressed ({encoding})" if inflate is not None else ""))
            parts.append(data)
            if self._clock() > deadline:
                raise DocumentError(url, "fetch", f"download took longer than {self.settings.total_timeout:g} s")
        return b"".join(parts)

    # -- politeness ----------------------------------------------------------------------------------
    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._hosts:
            self._hosts[key] = _Host(interval=self.settings.host_interval)
        return self._hosts[key]

    def _wait_turn(self, url: str) -> None:
        host = self._host(url)
        pause = host.last + host.interval - self._clock()
        if pause > 0:
            self._sleep(pause)
        host.last = self._clock()

    def _allowed(self, url: str) -> bool:
        host = self._host(url)
        if host.robots is None:
            host.robots = self._robots(url)
            delay = host.robots.crawl_delay(self.user_agent)
            if delay:
                host.interval = max(host.interval, min(float(delay), MAX_RETRY_AFTER))
        return host.robots.can_fetch(self.user_agent, url)

    def _robots(self, url: str) -> RobotFileParser:
        """robots.txt as RFC 9309 reads it: unavailable (4xx) allows all, unreachable (5xx, network) none."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        robots = RobotFileParser(robots_url)
        try:
            self._wait_turn(url)
            with self.client.stream("GET", robots_url) as response:
                self.stats.requests += 1
                self._check_peer(url, response)
                status = response.status_code
                body = b""
                deadline = self._clock() + self.settings.total_timeout
                if status == 200:
                    for chunk in response.iter_bytes(CHUNK):
                        body += chunk
                        if len(body) >= MAX_ROBOTS_BYTES or self._clock() > deadline:
                            break
        except httpx.HTTPError:
            status = 503
        if 400 <= status < 500 or status in REDIRECT_STATUS:
            robots.parse([])
        elif status >= 500:
            robots.parse(["User-agent: *", "Disallow: /"])
        else:
            robots.parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").splitlines())
        return robots

    # -- where a URL may point -----------------------------------------------------------------------
    def _check_peer(self, url: str, response: httpx.Response) -> None:
        """The address actually connected to, checked again: a name may resolve elsewhere the second time."""
        if self.settings.allow_private:
            return
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        if peer:
            address = ipaddress.ip_address(str(peer[0]).split("%")[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            if not address.is_global or address.is_multicast:
                raise DocumentError(url, "fetch", f"refused: connected to a private address ({address})")

    def _check_url(self, url: str, current: str) -> None:
        try:
            parts = urlsplit(current)
            port = parts.port
        except ValueError as exc:
            raise DocumentError(url, "fetch", f"malformed URL {current!r} ({exc})") from None
        if parts.scheme not in ("http", "https"):
            raise DocumentError(url, "fetch", f"only http and https URLs are fetched, not {parts.scheme or 'a path'}"
                                f"{' (redirected to ' + current + ')' if current != url else ''}")
        if not parts.hostname:
            raise DocumentError(url, "fetch", "no host in the URL")
        if not self.settings.allow_private:
            address = private_address(parts.hostname, port or (443 if parts.scheme == "https" else 80))
            if address:
                raise DocumentError(url, "fetch", f"refused: {parts.hostname} is a private address ({address})")


def hostname(url: str | None) -> str | None:
    """The host of a URL, or None for one without a host or too malformed to have one ("http://[x")."""
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


def private_address(host: str, port: int = 80) -> str | None:
    """The first address of ``host`` that is loopback, private, link-local or otherwise not public, if any.

    The name is resolved here and again by the connection, so a DNS server that answers differently the
    second time could still lead elsewhere: the fetcher checks the address it connected to as well, before
    reading a byte of the answer (the request itself has been sent by then).
    """
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None  # the request itself will fail with a clear message
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return str(address)
    return None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        seconds = float(value.strip())
    else:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
