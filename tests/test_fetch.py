"""The fetcher against a local HTTP server: politeness, conditional requests, limits, hostile servers."""

import gzip
import time

import pytest
from werkzeug import Response

from dyad.errors import DocumentError
from dyad.fetch import USER_AGENT, Fetcher, private_address
from dyad.settings import Settings


@pytest.fixture
def site(httpserver):
    """The local server, without a robots.txt (404: everything allowed)."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver


def fetcher(**kw) -> Fetcher:
    # generous, for a loaded machine; the tests of timeouts set their own
    defaults = dict(host_interval=0.0, retries=1, backoff=0.01, read_timeout=15.0, total_timeout=30.0)
    return Fetcher(Settings(**{**defaults, **kw}))


def test_user_agent_names_dyad_and_robots_txt_is_respected(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    httpserver.expect_request("/news/1", headers={"User-Agent": USER_AGENT}).respond_with_data("<html>ok</html>")
    with fetcher() as f:
        assert f.get(httpserver.url_for("/news/1")).content == b"<html>ok</html>"
        with pytest.raises(DocumentError, match="robots.txt .* disallows"):
            f.get(httpserver.url_for("/private/2"))
    assert "dyad/" in USER_AGENT


def test_robots_txt_that_fails_with_a_server_error_allows_nothing(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=500)
    with fetcher() as f, pytest.raises(DocumentError, match="disallows"):
        f.get(httpserver.url_for("/a"))


def test_conditional_request_downloads_nothing_the_second_time(site):
    def page(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response("<html>body</html>", headers={"ETag": '"v1"', "Last-Modified": "Tue, 19 Sep 2023 10:00:00 GMT"})

    site.expect_request("/feed").respond_with_handler(page)
    with fetcher() as f:
        first = f.get(site.url_for("/feed"))
        second = f.get(site.url_for("/feed"), etag=first.etag, last_modified=first.last_modified)
        assert (first.etag, first.not_modified, second.not_modified, second.content) == ('"v1"', False, True, b"")
        assert (f.stats.downloaded, f.stats.not_modified) == (1, 1)


def test_redirects_are_followed_up_to_the_limit_and_loops_stop(site):
    site.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    site.expect_request("/new").respond_with_data("<html>new</html>")
    site.expect_request("/loop-a").respond_with_data("", status=302, headers={"Location": "/loop-b"})
    site.expect_request("/loop-b").respond_with_data("", status=302, headers={"Location": "/loop-a"})
    for n in range(8):
        site.expect_request(f"/hop{n}").respond_with_data("", status=302, headers={"Location": f"/hop{n + 1}"})
    with fetcher(max_redirects=3) as f:
        page = f.get(site.url_for("/old"))
        assert (page.url, page.content) == (site.url_for("/new"), b"<html>new</html>")
        with pytest.raises(DocumentError, match="redirect loop"):
            f.get(site.url_for("/loop-a"))
        with pytest.raises(DocumentError, match="more than 3 redirects"):
            f.get(site.url_for("/hop0"))


def test_a_redirect_to_another_scheme_is_refused(site):
    site.expect_request("/x").respond_with_data("", status=302, headers={"Location": "file:///etc/passwd"})
    with fetcher() as f, pytest.raises(DocumentError, match="only http and https"):
        f.get(site.url_for("/x"))


def test_size_limit_and_gzip_bomb(site):
    site.expect_request("/big").respond_with_data(b"x" * 300_000)
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros, about 50 kB on the wire
    site.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    small = gzip.compress(b"<html>fine</html>")
    site.expect_request("/gz").respond_with_data(small, headers={"Content-Encoding": "gzip"})
    with fetcher(max_page_bytes=100_000) as f:
        with pytest.raises(DocumentError, match="exceeds the limit of 100,000"):
            f.get(site.url_for("/big"))
        with pytest.raises(DocumentError, match="once decompressed"):
            f.get(site.url_for("/bomb"))
        assert f.get(site.url_for("/gz")).content == b"<html>fine</html>"


def test_a_page_that_never_ends_is_cut_at_the_deadline(site):
    def forever():
        while True:
            yield b"<p>more</p>" * 10
            time.sleep(0.01)

    site.expect_request("/endless").respond_with_handler(lambda request: Response(forever()))
    start = time.monotonic()
    with fetcher(total_timeout=0.5) as f, pytest.raises(DocumentError, match="longer than 0.5 s"):
        f.get(site.url_for("/endless"))
    assert time.monotonic() - start < 5


def test_a_silent_server_times_out(site):
    site.expect_request("/slow").respond_with_handler(lambda request: (time.sleep(1.0), Response("late"))[1])
    with fetcher(read_timeout=0.2, retries=0) as f, pytest.raises(DocumentError, match="timed out"):
        f.get(site.url_for("/slow"))


def test_retries_with_back_off_on_server_errors(site):
    answers = iter([Response("busy", status=503), Response("busy", status=503), Response("<html>ok</html>")])
    site.expect_request("/flaky").respond_with_handler(lambda request: next(answers))
    pauses = []
    f = Fetcher(Settings(host_interval=0.0, retries=2, backoff=0.25), sleep=pauses.append)
    assert f.get(site.url_for("/flaky")).content == b"<html>ok</html>"
    assert pauses == [0.25, 0.5]
    site.expect_request("/down").respond_with_data("no", status=503)
    with pytest.raises(DocumentError, match="HTTP 503"):
        f.get(site.url_for("/down"))


def test_requests_to_one_host_keep_their_interval(site):
    site.expect_request("/a").respond_with_data("a")
    clock = [100.0]
    pauses = []

    def sleep(seconds):
        pauses.append(round(seconds, 3))
        clock[0] += seconds

    f = Fetcher(Settings(host_interval=2.0), sleep=sleep, clock=lambda: clock[0])
    f.get(site.url_for("/a"))  # robots.txt, then the page: one pause between them
    clock[0] += 0.5
    f.get(site.url_for("/a"))
    assert pauses == [2.0, 1.5]


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1:9/x", "private address"),
    ("http://10.1.2.3/x", "private address"),
    ("http://169.254.169.254/latest/meta-data", "private address"),
    ("http://[::1]/x", "private address"),
    ("http://localhost/x", "private address"),
    ("file:///etc/passwd", "only http and https"),
    ("ftp://example.org/x", "only http and https"),
])
def test_private_addresses_are_refused_when_serving(url, reason):
    with Fetcher(Settings(allow_private=False)) as f, pytest.raises(DocumentError, match=reason):
        f.get(url)


def test_private_address_lookup():
    assert private_address("192.168.1.1") == "192.168.1.1"
    assert private_address("8.8.8.8") is None


def test_the_address_connected_to_is_checked_too(site, monkeypatch):
    """A name that resolved to a public address and then connects to a private one (DNS rebinding)."""
    site.expect_request("/secret").respond_with_data("internal")
    monkeypatch.setattr("dyad.fetch.private_address", lambda host, port=80: None)
    with Fetcher(Settings(allow_private=False, host_interval=0.0)) as f, \
            pytest.raises(DocumentError, match=r"connected to a private address \(127.0.0.1\)"):
        f.get(site.url_for("/secret").replace("localhost", "127.0.0.1"))


RAW_ANSWERS = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot gzip!",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n\x78\x9c\x00\x01garbage",
    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nbroken chunk\r\n",
    b"HTTP/1.1 302 Found\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 301 Moved\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 999 Whatever\r\nContent-Length: 0\r\n\r\n",
    b"NOT HTTP AT ALL\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    b"",
]


@pytest.fixture(scope="module")
def raw_server():
    """A server that answers every request with the next malformed answer of the list, then hangs up."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    answers = {"next": b""}

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    request = conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" if b"/robots.txt" in request
                                 else answers["next"])
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", answers
    listener.close()


@pytest.mark.parametrize("answer", RAW_ANSWERS)
def test_a_malformed_answer_is_a_page_or_one_message(raw_server, answer):
    base, answers = raw_server
    answers["next"] = answer
    with Fetcher(Settings(host_interval=0.0, retries=0, read_timeout=1.0, total_timeout=2.0)) as f:
        try:
            page = f.get(f"{base}/x")
        except DocumentError as exc:
            assert exc.doc == f"{base}/x" and exc.stage == "fetch" and exc.reason
        else:
            assert isinstance(page.content, bytes)


def test_retry_after_and_crawl_delay_set_the_pace(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 3\n")
    answers = iter([Response("slow down", status=429, headers={"Retry-After": "7"}), Response("<html>ok</html>")])
    httpserver.expect_request("/busy").respond_with_handler(lambda request: next(answers))
    clock = [0.0]
    pauses = []

    def sleep(seconds):
        pauses.append(round(seconds, 3))
        clock[0] += seconds

    f = Fetcher(Settings(host_interval=0.5, retries=1, backoff=0.25), sleep=sleep, clock=lambda: clock[0])
    assert f.get(httpserver.url_for("/busy")).content == b"<html>ok</html>"
    # robots.txt at 0 s raises the interval from 0.5 to 3 s: the page waits 3 s; the 429 asks for 7 s,
    # after which the host's interval has passed already
    assert pauses == [3.0, 7.0]
