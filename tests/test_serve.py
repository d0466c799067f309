"""The REST API (auth, validation, pagination) and the dashboard in a real browser (Debian's chromium)."""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest
from fastapi.testclient import TestClient

from dyad.model import Document
from dyad.pipeline import extract_all
from dyad.serve.api import create_app
from dyad.serve.background import running
from dyad.settings import Settings
from dyad.store import ingest, open_store
from dyad.store.query import RecordQuery, find_records

TOKEN = "test-token-123"
HOSTILE = ('Vorn traf am Dienstag in Annuminas Faramir Ithil <script>window.__pwned = 1</script> '
           'und <img src=x onerror="window.__pwned = 2"> sprach über Handel.')
ARTICLES = [
    ("a", "Der arnorische Außenminister Elendil Vorn traf am Dienstag in Minas Tirith den gondorischen Außenminister."),
    ("b", "Grüße 😀 aus Arnor 🇦🇶! Elendil Vorn telefonierte am Montag mit Faramir Ithil."),  # offsets after emoji
    ("c", "Vorn soll im Oktober nach Edoras reisen, um König Theoden Marke zu treffen."),
    ("d", "Letzte Station war Gondor, wo Vorn am Freitag mit Boromir Denethorsohn zusammentraf."),
    ("x", HOSTILE),
    ("y", "Elendil Vorn traf am Mittwoch in Edoras König Theoden Marke."),
]


@pytest.fixture(scope="module")
def filled(tmp_path_factory, fantasy_kb):
    store = open_store(str(tmp_path_factory.mktemp("serve") / "dyad.db"))
    docs = [Document(i, t, date(2023, 9, 20), "de", url=f"https://example.test/{i}", title=f"Article {i}")
            for i, t in ARTICLES]
    ingest(store, extract_all(docs, fantasy_kb, Settings()), fantasy_kb.version)
    return store


@pytest.fixture(scope="module")
def client(filled, fantasy_kb):
    return TestClient(create_app(filled, token=TOKEN, kb=fantasy_kb))


def test_events_are_paginated_without_overlap(client):
    total = client.get("/events").json()["total"]
    assert total == 6
    pages = [client.get("/events", params={"limit": 2, "offset": o}).json()["items"] for o in (0, 2, 4)]
    ids = [r["id"] for page in pages for r in page]
    assert len(ids) == len(set(ids)) == total


@pytest.mark.parametrize("params, field", [
    ({"from": "last year"}, "from"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit"),
    ({"status": "maybe"}, "status"), ({"country": "<script>"}, "country"),
])
def test_bad_parameters_give_422_naming_the_parameter(client, params, field):
    response = client.get("/events", params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_event_detail_with_sources_and_evidence(client):
    record = client.get("/events", params={"mode": "phone"}).json()["items"][0]
    detail = client.get(f"/events/{record['id']}").json()
    [source] = detail["sources"]
    text = client.get(f"/documents/{source['document_id']}").json()["text"]
    assert text[source["evidence_start"]:source["evidence_end"]] == source["evidence_text"]
    assert client.get("/events/nothing-here").status_code == 404


def test_ingest_needs_the_token(client):
    article = [{"id": "new", "text": "Elendil Vorn traf am Montag Faramir Ithil in Annuminas.",
                "published": "2023-09-20"}]
    for authorization in (None, "Bearer wrong", TOKEN, f"Basic {TOKEN}", f"Bearer{TOKEN}", "Bearer ",
                          "Bearer tökén".encode()):
        response = client.post("/documents", json=article, headers={"Authorization": authorization} if authorization
                               else {})
        assert response.status_code == 401, authorization
        assert response.headers["x-content-type-options"] == "nosniff"
    ok = client.post("/documents", json=article, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 202 and ok.json()["accepted"] == ["new"]
    client.app.state.ingest.join()
    status = client.get("/ingest").json()
    assert (status["waiting"], status["added"], status["failed"]) == (0, 1, [])
    assert client.get("/events", params={"location": "Annuminas"}).json()["total"] >= 1
    too_many = [{"id": f"n{i}", "text": "x"} for i in range(101)]
    assert client.post("/documents", json=too_many, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 422
    for body, code in ((b"{not json", 400), (b"[" * 100_000 + b"]" * 100_000, 400), (b'[{"id": ""}]', 422)):
        assert client.post("/documents", content=body, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == code


def test_a_chunked_post_is_refused_before_its_body_is_read(server_with_token):
    """Without the token the answer comes after the first chunk; with it, as soon as the body passes the limit."""
    import socket
    from urllib.parse import urlsplit

    from dyad.serve.api import MAX_BODY

    host, port = urlsplit(server_with_token).hostname, urlsplit(server_with_token).port
    chunk = b"[" + b" " * 65_535

    def post(token: str | None, chunks: int) -> tuple[bytes, int]:
        with socket.create_connection((host, port), timeout=10) as sock:
            head = "POST /documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" \
                "Transfer-Encoding: chunked\r\n" + (f"Authorization: Bearer {token}\r\n" if token else "") + "\r\n"
            sock.sendall(head.encode())
            sock.settimeout(0.05)
            sent = 0
            for _ in range(chunks):
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += 1
                    if answer := sock.recv(4096):
                        return answer, sent
                except TimeoutError:
                    continue
                except OSError:
                    break
            sock.settimeout(10)
            return sock.recv(4096), sent

    answer, sent = post(None, 1000)
    assert answer.startswith(b"HTTP/1.1 401") and sent < 10
    answer, sent = post(TOKEN, 1000)
    assert answer.startswith(b"HTTP/1.1 413") and sent * len(chunk) < MAX_BODY + 20 * len(chunk)


@pytest.mark.parametrize("path, code", [("/documents/99999999999999999999999", 422), ("/documents/0", 422),
                                        ("/documents/987654", 404), ("/events?text=%00", 200),
                                        ("/events?text=%22", 200), ("/events?text=", 200), ("/events/%00", 404)])
def test_odd_requests_get_no_server_error_and_every_answer_its_headers(client, path, code):
    response = client.get(path)
    assert response.status_code == code
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_server_error_still_carries_the_headers(filled, fantasy_kb, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("dyad.serve.api.find_records", broken)
    response = TestClient(create_app(filled, kb=fantasy_kb), raise_server_exceptions=False).get("/events")
    assert response.status_code == 500 and response.json() == {"detail": "internal error"}
    assert response.headers["x-content-type-options"] == "nosniff" and "a bug" not in response.text


def test_read_only_without_a_configured_token(filled, fantasy_kb):
    open_client = TestClient(create_app(filled, token=None, kb=fantasy_kb))
    assert open_client.post("/documents", json=[], headers={"Authorization": "Bearer "}).status_code == 401


def test_security_headers_and_openapi(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert {"/events", "/events/{record_id}", "/actors", "/dyads", "/documents/{document_id}"} <= \
        set(client.get("/openapi.json").json()["paths"])


def test_totals_are_counted_again_once_another_writer_changes_the_store(tmp_path, fantasy_kb):
    path = str(tmp_path / "dyad.db")
    docs = [Document(i, t, date(2023, 9, 20), "de", source="wire") for i, t in ARTICLES[:2]]
    ingest(open_store(path), extract_all(docs, fantasy_kb, Settings()), fantasy_kb.version)
    client = TestClient(create_app(open_store(path), kb=fantasy_kb))
    asked = [{}, {"country": "XAR"}, {"actor": "Elendil Vorn"}, {"from": "2023-09"}]
    before = [client.get("/events", params=p).json()["total"] for p in asked * 2]  # the second time from memory
    assert before == [2, 2, 2, 2] * 2
    later = [Document(i, t, date(2023, 9, 20), "de", source="wire") for i, t in ARTICLES[2:4]]
    ingest(open_store(path), extract_all(later, fantasy_kb, Settings()), fantasy_kb.version)  # another writer
    assert [client.get("/events", params=p).json()["total"] for p in asked] == [4, 4, 4, 4]


def test_concurrent_actor_filters_load_the_knowledge_base_once(filled, fantasy_kb, monkeypatch):
    import threading
    import time

    loads = []

    def slow_load(*args):
        loads.append(1)
        time.sleep(0.3)
        return fantasy_kb

    monkeypatch.setattr("dyad.serve.api.load_kb", slow_load)
    client = TestClient(create_app(filled))  # no knowledge base given: loaded at the first actor filter
    totals = []
    threads = [threading.Thread(target=lambda: totals.append(
        client.get("/events", params={"actor": "elendil vorn"}).json()["total"])) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and totals == [6] * 6  # every record of the fixture has Vorn in it


def test_serve_with_several_worker_processes(filled, tmp_path):
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "dyad.cli", "serve", "--db", filled.engine.url.database,
                               "--port", str(port), "--workers", "2"], stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "DYAD_TOKEN": ""})
    try:
        deadline, answer = time.monotonic() + 60, None
        while answer is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/events", timeout=5)
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200 and answer.json()["total"] == 6
        assert answer.headers["x-content-type-options"] == "nosniff"
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "with 2 process(es)" in err


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def server(filled, fantasy_kb):
    with running(create_app(filled, kb=fantasy_kb)) as url:
        yield url


@pytest.fixture(scope="module")
def server_with_token(filled, fantasy_kb):
    with running(create_app(filled, token=TOKEN, kb=fantasy_kb)) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    binary = _chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium must be installed in CI")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=binary, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requested: list[str] = []
    page.on("response", lambda r: requested.append(r.url))  # what was actually fetched
    page.goto(url)
    page.errors, page.requested = errors, requested
    return page


@pytest.fixture(scope="module")
def page(browser, server):
    page = _open(browser, server + "/")
    page.wait_for_selector("#timeline circle.event")
    yield page
    page.close()


@pytest.fixture
def fresh(browser, server):
    pages = []

    def opened(path="/", ready="#timeline circle.event"):
        pages.append(_open(browser, server + path))
        if ready:
            pages[-1].wait_for_selector(ready)
        return pages[-1]

    yield opened
    for p in pages:
        p.close()


def test_dashboard_shows_timeline_network_and_map(page):
    assert page.locator("#timeline circle.event").count() == 6
    assert page.locator("#timeline circle.planned").count() == 1
    labels = page.locator("#network .node text").all_text_contents()
    assert {"Elendil Vorn", "Faramir Ithil"} <= set(labels)
    page.wait_for_selector("#map circle.place")
    cities = {page.locator("#map circle.place").nth(i).get_attribute("data-id")
              for i in range(page.locator("#map circle.place").count())}
    assert len(cities) >= 3
    assert page.locator("#count").text_content().startswith("6 meetings")
    assert page.errors == []


def test_filter_narrows_all_views(page):
    from playwright.sync_api import expect

    page.select_option("select[name=status]", "planned")
    page.click("#filters button")
    expect(page.locator("#timeline circle.event")).to_have_count(1)
    expect(page.locator("#count")).to_have_text("1 meetings")
    expect(page.locator("#map circle.place")).to_have_count(1)
    expect(page.locator("#table tbody tr")).to_have_count(1)
    page.select_option("select[name=status]", "")
    page.click("#filters button")
    expect(page.locator("#timeline circle.event")).to_have_count(6)


def test_evidence_appears_and_article_markup_runs_nothing(page):
    from playwright.sync_api import expect

    page.fill("input[name=actor]", "Faramir Ithil")
    page.click("#filters button")
    expect(page.locator("#count")).not_to_have_text("6 meetings")
    for i in range(page.locator("#timeline circle.event").count()):
        page.locator("#timeline circle.event").nth(i).click()
        page.wait_for_selector("#event mark")
        if "<script>" in page.locator("#event").inner_text():
            break
    mark = page.locator("#event mark").first.text_content()
    assert "<script>window.__pwned = 1</script>" in mark and "onerror" in mark
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("#event script, #event img").count() == 0


def test_evidence_after_emoji_is_highlighted_exactly(fresh, client):
    """The store's offsets count code points, the page's strings UTF-16 units: an emoji is one and two."""
    # the record article b reports (other tests may fuse more reports into it)
    [(record, evidence)] = [(r["id"], s["evidence_text"]) for r in client.get("/events").json()["items"]
                            for s in client.get(f"/events/{r['id']}").json()["sources"]
                            if s["doc_key"] == "b"]
    page = fresh()
    page.locator(f'#timeline circle.event[data-id="{record}"]').click()
    page.wait_for_selector("#event mark")
    source = page.locator("#event .source", has_text="Grüße")
    assert source.locator("mark").text_content() == evidence == "Elendil Vorn telefonierte am Montag mit Faramir Ithil."
    assert source.locator(".context").text_content().startswith("Grüße 😀 aus Arnor 🇦🇶! Elendil")


@pytest.mark.parametrize("actor", ["Elendil Vorn", "elendil vorn", "VORN", "elendil-vorn"])
def test_an_actor_is_found_by_any_name_the_knowledge_base_knows_in_any_case(client, actor):
    assert client.get("/events", params={"actor": actor}).json()["total"] >= 3


def test_dashboard_draws_the_newest_records(fresh, client):
    from playwright.sync_api import expect

    page = fresh("/?limit=2")
    newest = [r["id"] for r in client.get("/events", params={"limit": 2, "order": "newest"}).json()["items"]]
    expect(page.locator("#timeline circle.event")).to_have_count(2)
    drawn = {page.locator("#timeline circle.event").nth(i).get_attribute("data-id") for i in range(2)}
    assert drawn == set(newest)
    expect(page.locator("#count")).to_have_text("6 meetings (the newest 2 drawn)")


def test_table_pages_sorts_filters_and_downloads(fresh, client):
    from playwright.sync_api import expect

    page = fresh("/?rows=2", ready="#table tbody tr")
    rows = page.locator("#table tbody tr")
    expect(rows).to_have_count(2)
    first = [rows.nth(i).get_attribute("data-id") for i in range(2)]
    page.click("#next")
    expect(page.locator("#page")).to_have_text("3–4 of 6")
    second = [rows.nth(i).get_attribute("data-id") for i in range(2)]
    assert not set(first) & set(second)
    page.click("button.sort[data-sort=sources]")
    expect(page.locator("#page")).to_have_text("1–2 of 6")
    most = max(r["n_sources"] for r in client.get("/events").json()["items"])
    assert int(rows.nth(0).locator("td.sources").text_content()) == most
    page.select_option("select[name=status]", "planned")
    page.click("#filters button")
    expect(rows).to_have_count(1)
    href = page.locator("#download-csv").get_attribute("href")
    assert "status=planned" in href
    lines = page.request.get(page.url.split("/?")[0] + href).text().strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("id,date,status") and ",planned," in lines[1]
    data = page.request.get(page.url.split("/?")[0] + page.locator("#download-json").get_attribute("href")).json()
    assert [r["status"] for r in data] == ["planned"]


def test_counts_per_month_match_the_api(fresh, client):
    from playwright.sync_api import expect

    page = fresh(ready="#counts circle.count")
    drawn = page.evaluate("""[...document.querySelectorAll('#counts circle.count')].map(
        c => [c.dataset.key, c.dataset.month, +c.dataset.meetings])""")
    expected = [[r["key"], r["month"], r["meetings"]] for r in client.get("/counts", params={"by": "dyad"}).json()]
    assert sorted(drawn) == sorted(expected) and expected
    page.select_option("#counts-by", "all")
    expect(page.locator("#counts polyline")).to_have_count(1)
    total = page.evaluate("[...document.querySelectorAll('#counts circle.count')]"
                          ".reduce((s, c) => s + +c.dataset.meetings, 0)")
    dated = [r for r in client.get("/events").json()["items"] if r["date"]]
    assert total == len(dated)


def _overlaps(page) -> list:
    boxes = page.evaluate("""[...document.querySelectorAll('#network .node text')].map(t => {
        const b = t.getBBox(); return [b.x, b.y, b.width, b.height]; })""")
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]]


def test_network_top_n_threshold_and_kinds(fresh):
    from playwright.sync_api import expect

    page = fresh(ready="#network .node")
    assert page.locator("#network .node.state").count() == 0 and _overlaps(page) == []
    page.select_option("#network-kind", "state")
    expect(page.locator("#network .node.person")).to_have_count(0)
    states = page.locator("#network .node.state")
    assert {states.nth(i).get_attribute("data-id") for i in range(states.count())} == {"s:XAR", "s:XGO", "s:XRO"}
    weights = [int(w) for w in page.eval_on_selector_all("#network line.edge", "ls => ls.map(l => l.dataset.weight)")]
    assert max(weights) >= 2
    page.fill("#network-min", str(max(weights)))
    page.dispatch_event("#network-min", "input")
    expect(page.locator("#network line.edge")).to_have_count(weights.count(max(weights)))
    page.fill("#network-top", "2")
    page.dispatch_event("#network-top", "input")
    expect(page.locator("#network .node")).to_have_count(2)
    assert _overlaps(page) == []


def test_map_marks_grow_with_meetings(fresh):
    page = fresh(ready="#map circle.place")
    marks = page.evaluate("""[...document.querySelectorAll('#map circle.place')].map(
        c => [+c.dataset.meetings, +c.getAttribute('r')])""")
    assert max(m for m, _ in marks) >= 2  # Edoras: the planned visit and the meeting there
    assert all(r1 > r2 for m1, r1 in marks for m2, r2 in marks if m1 > m2)
    assert page.locator("#map path.country.met").count() == 0  # no whole-country shading


def test_selection_is_cleared_and_filter_errors_read_plainly(fresh):
    from playwright.sync_api import expect

    page = fresh()
    page.locator("#timeline circle.event").first.click()
    page.wait_for_selector("#event mark")
    page.fill("input[name=from]", "last year")
    page.click("#filters button")
    expect(page.locator("#count")).to_have_text(
        "Filter not understood: from must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
    expect(page.locator("#event mark")).to_have_count(0)


@pytest.mark.parametrize("path, ready", [("/docs", ".swagger-ui .opblock"),
                                         ("/redoc", "text=Meetings per month, in all")])
def test_api_docs_render_offline(fresh, server, path, ready):
    page = fresh(path, ready=ready)
    # ReDoc's footer logo points at its CDN: the policy blocks it, and nothing else goes wrong
    blocked_image = "violates the following Content Security Policy directive: \"img-src"
    assert [e for e in page.errors if blocked_image not in e] == []
    assert all(url.startswith(server) or url.startswith(("blob:", "data:")) for url in page.requested)


def test_pages_follow_their_cursor_to_the_end_and_a_bad_cursor_is_a_422(client):
    everything = [r["id"] for r in client.get("/events", params={"limit": 100}).json()["items"]]
    got, params = [], {"limit": 4, "order": "oldest"}
    while True:
        answer = client.get("/events", params=params).json()
        got += [r["id"] for r in answer["items"]]
        if answer["next"] is None:
            break
        params = {"limit": 4, "order": "oldest", "after": answer["next"]}
    assert got == [r["id"] for r in client.get("/events", params={"limit": 100, "order": "oldest"}).json()["items"]]
    assert sorted(got) == sorted(everything) and len(got) == 6
    token = client.get("/events", params={"limit": 2}).json()["next"]
    for params, problem in (({"after": "garbage"}, "not one this server gave"),
                            ({"after": token, "order": "oldest"}, "belongs to the order newest by date"),
                            ({"after": token, "offset": 2}, "either an offset or a cursor")):
        response = client.get("/events", params=params)
        assert response.status_code == 422 and problem in response.json()["detail"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_page_asked_again_is_sent_as_kept_until_the_store_changes(tmp_path, fantasy_kb, monkeypatch):
    import dyad.serve.api as api

    path = str(tmp_path / "dyad.db")
    docs = [Document(i, t, date(2023, 9, 20), "de", source="wire") for i, t in ARTICLES[:2]]
    ingest(open_store(path), extract_all(docs, fantasy_kb, Settings()), fantasy_kb.version)
    reads = []
    monkeypatch.setattr(api, "find_records", lambda store, q: reads.append(q) or find_records(store, q))
    client = TestClient(create_app(open_store(path), kb=fantasy_kb))
    first = client.get("/events", params={"limit": 1})
    assert client.get("/events", params={"limit": 1}).content == first.content and len(reads) == 1
    client.get("/events", params={"limit": 2})
    assert len(reads) == 2  # another page is read
    later = [Document(i, t, date(2023, 9, 20), "de", source="wire") for i, t in ARTICLES[2:4]]
    ingest(open_store(path), extract_all(later, fantasy_kb, Settings()), fantasy_kb.version)  # another writer
    assert client.get("/events", params={"limit": 1}).json()["total"] == 4 and len(reads) == 3
    unkept = TestClient(create_app(open_store(path), kb=fantasy_kb, kept_pages=0))
    unkept.get("/events")
    unkept.get("/events")
    assert len(reads) == 5
    # in the very words asked before, the kept page goes out before the parameters are parsed again; in
    # other words, it is found once they are
    parsed = []
    monkeypatch.setattr(api, "RecordQuery", lambda **given: parsed.append(given) or RecordQuery(**given))
    again = client.get("/events?limit=1")
    assert again.content == client.get("/events", params={"limit": 1}).content and parsed == [] and len(reads) == 5
    assert again.headers["content-security-policy"] == api.CSP and again.headers["x-content-type-options"]
    assert client.get("/events?limit=1&order=newest").content == again.content and len(parsed) == 1
    assert len(reads) == 5


def test_a_server_loads_the_names_as_it_starts_and_hands_the_interpreter_over_often(filled, fantasy_kb):
    import sys

    from dyad.serve.api import SWITCH_INTERVAL

    outside = sys.getswitchinterval()  # (another test's server, still running, may have set it)
    sys.setswitchinterval(0.005)  # Python's default
    app = create_app(filled, kb=fantasy_kb)
    assert app.state.actor_names is None
    try:
        with TestClient(app) as running_client:
            assert app.state.actor_names is not None  # before any request
            assert running_client.get("/events").status_code == 200
            assert sys.getswitchinterval() == SWITCH_INTERVAL
        assert sys.getswitchinterval() == 0.005
    finally:
        sys.setswitchinterval(outside)
