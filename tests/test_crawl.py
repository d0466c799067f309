"""dyad fetch, dyad watch, ingest --fetch and export --since against a local news site."""

import json
import time
from datetime import UTC, datetime

import pytest
from werkzeug import Response

from dyad.cli import main
from dyad.crawl import fetch_to_dir, parse_every, poll, since_timestamp
from dyad.fetch import Fetcher
from dyad.settings import Settings
from dyad.store import open_store
from dyad.store.feeds import feed_state
from tests.webdata import FILLER, MEETING_DE, MEETING_EN, page, rss, sitemap

# generous: a loaded machine may take seconds to answer, and no test here is about timeouts
SETTINGS = Settings(host_interval=0.0, retries=0, read_timeout=15.0)


class Site:
    """A news site: pages, a feed of their summaries and a sitemap, all answering conditional requests."""

    def __init__(self, server):
        self.server = server
        self.bodies = 0  # responses with a body, robots.txt aside
        self.pages = {
            "/a": page("Macron empfängt Modi", [MEETING_DE, FILLER], published=None),
            "/b": page("Wang Yi in Moskau", [MEETING_EN, FILLER], published="2023-09-19", lang="en"),
        }
        server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /admin/\n")
        for path in self.pages:
            server.expect_request(path).respond_with_handler(self.answer)
        server.expect_request("/feed.xml").respond_with_handler(self.answer)
        server.expect_request("/sitemap.xml").respond_with_handler(self.answer)

    def feed(self) -> bytes:
        return rss([{"title": "Macron empfängt Modi", "link": self.server.url_for("/a"),
                     "pubDate": "Mon, 17 Jul 2023 18:00:00 +0200", "description": "Macron empfängt Modi."},
                    {"title": "Wang Yi in Moskau", "link": self.server.url_for("/b"),
                     "pubDate": "Tue, 19 Sep 2023 10:00:00 +0200", "description": "Wang Yi trifft Lawrow."}])

    def answer(self, request):
        path = request.path
        body = {"/feed.xml": self.feed, "/sitemap.xml": lambda: sitemap(
            [(self.server.url_for("/a"), "2023-07-17"), (self.server.url_for("/b"), "2023-09-19")])}.get(
            path, lambda: self.pages[path])()
        etag = f'"{hash(body) & 0xffffffff:x}"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304)
        self.bodies += 1
        kind = "application/rss+xml" if path == "/feed.xml" else "text/html; charset=utf-8"
        return Response(body, headers={"ETag": etag, "Content-Type": kind})


@pytest.fixture
def site(httpserver):
    return Site(httpserver)


def test_fetch_saves_the_pages_of_a_feed_and_a_second_run_downloads_nothing(site, tmp_path, kb):
    out = tmp_path / "pages"
    with Fetcher(SETTINGS) as f:
        first = fetch_to_dir([site.server.url_for("/feed.xml")], out, f)
    assert (first.saved, first.failed) == (2, [])
    assert site.bodies == 3  # the feed and its two pages
    with Fetcher(SETTINGS) as f:
        second = fetch_to_dir([site.server.url_for("/feed.xml")], out, f)
        assert (second.saved, second.unchanged, f.stats.downloaded) == (0, 1, 0)
    assert site.bodies == 3
    metas = sorted(json.loads(p.read_text())["url"] for p in out.glob("*.meta.json"))
    assert metas == [site.server.url_for("/a"), site.server.url_for("/b")]


def test_extract_reads_a_fetched_folder_with_the_feeds_dates(site, tmp_path, capsys):
    out = tmp_path / "pages"
    assert main(["fetch", site.server.url_for("/feed.xml"), "--out", str(out), "--interval", "0"]) == 0
    assert "2 saved" in capsys.readouterr().err
    assert main(["extract", str(out), "--format", "jsonl"]) == 0
    rows = {r["url"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    a = rows[site.server.url_for("/a")]
    assert (a["published"], a["title"], a["language"]) == ("2023-07-17", "Macron empfängt Modi", "de")
    assert {p["country"] for e in a["events"] for p in e["participants"]} >= {"FRA", "IND"}


def test_watch_ingests_what_is_new_and_survives_a_restart(site, tmp_path, kb):
    db = str(tmp_path / "w.db")
    feed = site.server.url_for("/feed.xml")
    with Fetcher(SETTINGS) as f:
        first = poll(open_store(db), [feed], f, kb, SETTINGS)
    assert (first.saved, first.added, first.failed) == (2, 2, [])
    assert first.events >= 2
    with Fetcher(SETTINGS) as f:  # a restart: a new process with only the store to go on
        second = poll(open_store(db), [feed], f, kb, SETTINGS)
        assert (second.saved, second.added, second.unchanged, f.stats.downloaded) == (0, 0, 1, 0)
    state = feed_state(open_store(db), feed)
    assert state.etag and state.checked_at and state.error is None
    # the feed changes: one new item, the old ones are not fetched again
    site.pages["/c"] = page("Neu", [MEETING_DE, FILLER])
    site.server.expect_request("/c").respond_with_handler(site.answer)
    old_feed = site.feed
    site.feed = lambda: old_feed().replace(b"</channel>", (
        f"<item><title>Neu</title><link>{site.server.url_for('/c')}</link>"
        "<pubDate>Wed, 20 Sep 2023 10:00:00 +0200</pubDate><description>x</description></item></channel>").encode())
    before = site.bodies
    with Fetcher(SETTINGS) as f:
        third = poll(open_store(db), [feed], f, kb, SETTINGS)
    assert (third.saved, third.skipped, site.bodies - before) == (1, 2, 2)  # the feed and the new page


def test_watch_command_once_and_a_sitemap(site, tmp_path, capsys):
    db = str(tmp_path / "w.db")
    assert main(["watch", site.server.url_for("/sitemap.xml"), "--db", db, "--once", "--interval", "0"]) == 0
    assert "2 new items read, 2 documents added" in capsys.readouterr().err


def test_ingest_fetch_and_export_since(site, tmp_path, capsys):
    db = str(tmp_path / "s.db")
    assert main(["ingest", "--fetch", site.server.url_for("/a"), "--db", db, "--interval", "0"]) == 0
    time.sleep(0.01)
    cut = since_timestamp("2000-01-01")
    out = tmp_path / "all.jsonl"
    assert main(["export", "--db", db, "--format", "jsonl", "-o", str(out), "--since", cut]) == 0
    first = out.read_text().splitlines()
    assert first and all("FRA" in json.loads(r)["countries"] for r in first)
    middle = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    assert main(["ingest", "--fetch", site.server.url_for("/b"), "--db", db, "--interval", "0"]) == 0
    assert main(["export", "--db", db, "--format", "jsonl", "-o", str(out), "--since", middle]) == 0
    new = [json.loads(r) for r in out.read_text().splitlines()]
    assert new and all("CHN" in r["countries"] for r in new) and not any("FRA" in r["countries"] for r in new)
    assert main(["export", "--db", db, "--format", "jsonl", "-o", str(out), "--since", "yesterday"]) == 2
    assert "not a timestamp" in capsys.readouterr().err


def test_a_url_without_fetch_is_one_clear_message(tmp_path, capsys):
    assert main(["extract", "https://news.example/a"]) == 1
    assert "https://news.example/a: read: a URL: fetching is off (add --fetch)" in capsys.readouterr().err


def test_store_keeps_url_extractor_and_ingest_time(site, tmp_path):
    db = str(tmp_path / "k.db")
    assert main(["ingest", "--fetch", site.server.url_for("/b"), "--db", db, "--interval", "0"]) == 0
    from sqlalchemy import select

    from dyad.store.schema import documents

    with open_store(db).engine.connect() as conn:
        row = conn.execute(select(documents)).mappings().one()
    assert row["url"] == site.server.url_for("/b") and row["extractor"].startswith("trafilatura")
    assert row["ingested_at"] >= since_timestamp("2020-01-01")


@pytest.mark.parametrize("text, seconds", [("15m", 900), ("1h", 3600), ("30s", 30), ("90", 90), ("0.5m", 30)])
def test_every(text, seconds):
    assert parse_every(text) == seconds


def test_every_rejects_nonsense():
    with pytest.raises(ValueError, match="not a duration"):
        parse_every("soon")


def test_extract_fetch_reads_a_feeds_summary_items_from_their_pages(site, capsys):
    assert main(["extract", "--fetch", site.server.url_for("/feed.xml"), "--format", "jsonl", "--interval", "0"]) == 0
    rows = {r["url"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == {site.server.url_for("/a"), site.server.url_for("/b")}
    a, b = rows[site.server.url_for("/a")], rows[site.server.url_for("/b")]
    assert (a["published"], b["published"]) == ("2023-07-17", "2023-09-19")  # the items' dates
    assert {p["country"] for e in b["events"] for p in e["participants"]} >= {"CHN", "RUS"}  # from the page, not
    assert site.bodies == 3  # the summary "Wang Yi trifft Lawrow." alone names no countries


def test_a_url_of_plain_text_or_jsonl(httpserver, tmp_path, capsys):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/a.txt").respond_with_data(MEETING_EN, content_type="text/plain; charset=utf-8")
    httpserver.expect_request("/b.jsonl").respond_with_data('{"id": "b", "text": "x"}\n')
    code = main(["extract", "--fetch", httpserver.url_for("/a.txt"), httpserver.url_for("/b.jsonl"),
                 "--format", "jsonl", "--interval", "0"])
    out, err = capsys.readouterr()
    [row] = map(json.loads, out.splitlines())
    assert code == 1 and row["url"] == httpserver.url_for("/a.txt") and row["events"]
    assert f"{httpserver.url_for('/b.jsonl')}: read: jsonl is read from files" in err


def test_reprocess_keeps_what_the_page_gave(site, tmp_path, capsys):
    db = str(tmp_path / "r.db")
    assert main(["ingest", "--fetch", site.server.url_for("/b"), "--db", db, "--interval", "0"]) == 0
    from sqlalchemy import select, update

    from dyad.store.schema import documents

    store = open_store(db)
    with store.engine.begin() as conn:
        conn.execute(update(documents).values(kb_version="sha256:old"))
    assert main(["reprocess", "--db", db]) == 0
    assert "1 re-extracted" in capsys.readouterr().err
    with store.engine.connect() as conn:
        row = conn.execute(select(documents)).mappings().one()
    assert row["kb_version"] != "sha256:old" and row["url"] == site.server.url_for("/b")
    assert row["extractor"].startswith("trafilatura") and row["title"] == "Wang Yi in Moskau"


def test_a_sitemap_index_of_gzipped_sitemaps_is_followed(site, capsys):
    import gzip

    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f'<sitemap><loc>{site.server.url_for("/news.xml.gz")}</loc></sitemap></sitemapindex>').encode()
    site.server.expect_request("/index.xml").respond_with_data(index, content_type="application/xml")
    site.server.expect_request("/news.xml.gz").respond_with_data(
        gzip.compress(sitemap([(site.server.url_for("/a"), "2023-07-17")])), content_type="application/x-gzip")
    assert main(["extract", "--fetch", site.server.url_for("/index.xml"), "--format", "jsonl", "--interval", "0"]) == 0
    [row] = map(json.loads, capsys.readouterr().out.splitlines())
    assert (row["url"], row["published"]) == (site.server.url_for("/a"), "2023-07-17")


def test_input_format_flag_reads_a_page_as_text(tmp_path, capsys):
    path = tmp_path / "a.html"
    path.write_bytes(page("Macron empfängt Modi", [MEETING_DE, FILLER]))
    assert main(["extract", str(path), "--format", "jsonl"]) == 0
    as_page = json.loads(capsys.readouterr().out)
    assert main(["extract", str(path), "--format", "jsonl", "--input-format", "text"]) == 0
    as_text = json.loads(capsys.readouterr().out)
    assert (as_page["title"], as_text["title"]) == ("Macron empfängt Modi", None)
