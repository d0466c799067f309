"""Readers of web inputs: HTML pages, WARC crawls, RSS/Atom feeds, sitemaps; kind detection; hostile files."""

import gzip
import io
import socket
from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from dyad.errors import DocumentError
from dyad.model import Document
from dyad.pipeline import extract_all
from dyad.read import detect_kind, html_document, html_text, parse_feed, parse_sitemap
from dyad.read.warc import WarcCounts, warc_documents
from dyad.settings import Settings
from dyad.sources import read_sources
from tests.webdata import FILLER, MEETING_DE, MEETING_EN, atom, page, rss, sitemap, warc


def read(paths, **kw):
    warnings = []
    out = list(read_sources([str(p) for p in paths], warn=warnings.append, **kw))
    return out, warnings


def test_html_page_gives_main_text_and_metadata():
    doc = html_document(page("Macron empfängt Modi", [MEETING_DE, FILLER], canonical="https://news.example/a",
                             author="Anna Autor"), "a.html")
    assert MEETING_DE in doc.text and FILLER in doc.text
    for debris in ("Startseite", "Cookies", "Leserkommentar", "Impressum"):
        assert debris not in doc.text
    assert (doc.title, doc.published, doc.language) == ("Macron empfängt Modi", date(2023, 7, 17), "de")
    assert (doc.url, doc.id, doc.source, doc.author) == ("https://news.example/a", "https://news.example/a",
                                                         "news.example", "Anna Autor")
    assert doc.extractor.startswith("trafilatura ")


def test_page_without_date_takes_the_fallback_and_no_main_text_is_an_error():
    doc = html_document(page("T", [MEETING_EN], published=None, lang="en"), "b.html", published=date(2023, 1, 2))
    assert (doc.published, doc.language) == (date(2023, 1, 2), "en")
    with pytest.raises(DocumentError, match="b.html: read: no main text"):
        html_document(b"<html><head><title>T</title></head><body><script>x()</script></body></html>", "b.html")


def test_extraction_downloads_nothing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    doc = html_document(page("Macron empfängt Modi", [MEETING_DE, FILLER]), "a.html", url="https://news.example/a")
    assert MEETING_DE in doc.text


def test_offsets_of_events_point_into_the_extracted_text(tmp_path, kb):
    (tmp_path / "a.html").write_bytes(page("Macron empfängt Modi", [MEETING_DE, FILLER]))
    docs, _ = read([tmp_path])
    [result] = list(extract_all(docs, kb, Settings()))
    assert result.events, "the meeting is found in the page's text"
    for event in result.events:
        assert result.doc.text[event.evidence.start:event.evidence.end] == event.evidence.text
        for p in event.participants:
            assert p.start >= 0 and result.doc.text[p.start:p.end].strip()
    assert {p.country for e in result.events for p in e.participants} >= {"FRA", "IND"}


@pytest.mark.parametrize("content, name, kind", [
    (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "page", "html"),
    (b"  \n<html lang='de'><head>", "page.txt", "html"),
    (b"<?xml version='1.0'?><rss version='2.0'><channel>", "news.txt", "feed"),
    (b"<?xml version='1.0'?>\n<feed xmlns='http://www.w3.org/2005/Atom'>", "", "feed"),
    (b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='x'>", "", "feed"),
    (b"<?xml version='1.0'?><urlset xmlns='x'><url>", "sitemap", "sitemap"),
    (b"<sitemapindex xmlns='x'>", "", "sitemap"),
    (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "crawl.bin", "warc"),
    (gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n"), "crawl", "warc"),
    (b'{"id": "a", "text": "x"}\n', "news.data", "jsonl"),
    (b"Putin trifft Xi in Moskau.", "a.html", "text"),
    (gzip.compress(b"\0" * 10_000), "bomb.html.gz", "html"),
    (gzip.compress(b"<urlset xmlns='x'>"), "sitemap.xml.gz", "sitemap"),
    (b"Putin trifft Xi in Moskau.", "a", "text"),
])
def test_kind_is_read_from_content(content, name, kind):
    assert detect_kind(content, name) == kind


def test_directory_reads_pages_of_any_name_and_says_what_it_skips(tmp_path):
    (tmp_path / "a.html").write_bytes(page("Eins", [MEETING_DE, FILLER]))
    (tmp_path / "b.page").write_bytes(page("Zwei", [MEETING_DE, FILLER]))
    (tmp_path / "c.dat").write_bytes(b"\x00\x01binary")
    (tmp_path / "d.txt").write_text(MEETING_DE, encoding="utf-8")
    docs, warnings = read([tmp_path])
    assert sorted(d.title or d.id for d in docs) == ["Eins", "Zwei", "d"]
    assert len(warnings) == 1 and "c.dat: skipped" in warnings[0]


def test_input_format_overrides_detection(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(page("Eins", [MEETING_DE, FILLER]))
    [as_html], _ = read([path])
    [as_text], _ = read([path], kind="text")
    assert "<nav>" not in as_html.text and as_text.text.startswith("<!DOCTYPE html>")


def test_warc_reads_html_responses_and_counts_the_rest():
    data = warc([
        ("https://news.example/1", 200, "text/html; charset=utf-8", page("Eins", [MEETING_DE, FILLER], published=None)),
        ("https://news.example/2", 200, "text/html", page("Zwei", [MEETING_EN, FILLER], published="2023-09-18")),
        ("https://news.example/logo.png", 200, "image/png", b"\x89PNG"),
        ("https://news.example/gone", 404, "text/html", page("Fehlt", [FILLER])),
    ])
    counts = WarcCounts()
    docs = list(warc_documents(io.BytesIO(data), "t.warc.gz", counts=counts))
    assert [(d.url, d.published) for d in docs] == [("https://news.example/1", date(2023, 9, 20)),
                                                    ("https://news.example/2", date(2023, 9, 18))]
    assert (counts.pages, counts.not_html, counts.errors) == (2, 1, 1)


def test_broken_warc_record_is_one_message_after_the_good_ones(tmp_path):
    good = warc([("https://news.example/1", 200, "text/html", page("Eins", [MEETING_DE, FILLER]))], gzip=False)
    (tmp_path / "broken.warc").write_bytes(good + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n"
                                                  b"\r\ntruncated")
    (tmp_path / "z.txt").write_text(MEETING_DE, encoding="utf-8")
    docs, _ = read([tmp_path / "broken.warc", tmp_path / "z.txt"])
    assert isinstance(docs[0], Document) and docs[0].url == "https://news.example/1"
    errors = [d for d in docs if isinstance(d, DocumentError)]
    assert len(errors) == 1 and "broken.warc @ byte" in str(errors[0]) and "broken WARC record" in str(errors[0])
    assert isinstance(docs[-1], Document) and docs[-1].id == "z"


def test_rss_items_are_documents_with_their_rfc822_dates():
    feed = parse_feed(rss([
        {"title": "Wang Yi in Moskau", "link": "https://news.example/1", "pubDate": "Tue, 19 Sep 2023 01:00:00 +0200",
         "description": "Kurz.", "content": f"<p>{MEETING_EN}</p><p>Second paragraph.</p>"},
        {"title": "Nur Anriss", "link": "https://news.example/2", "pubDate": "Wed, 20 Sep 2023 10:00:00 GMT",
         "description": "<p>Macron empfängt Modi.</p>"},
    ]), "feed.xml")
    first, second = feed.items
    assert first.published == date(2023, 9, 19)  # the date as written, not shifted to UTC (18 Sep 23:00)
    assert first.text == f"{MEETING_EN}\nSecond paragraph." and not first.summary_only
    assert (second.text, second.summary_only, second.published) == ("Macron empfängt Modi.", True,
                                                                    date(2023, 9, 20))


def test_atom_entries_and_feed_files_read_as_documents(tmp_path):
    path = tmp_path / "news.atom"
    path.write_bytes(atom([{"title": "Lavrov", "link": "https://news.example/a", "updated": "2023-09-19T22:30:00-04:00",
                            "content": f"<p>{MEETING_EN}</p>"}]))
    [doc], _ = read([path])
    assert (doc.id, doc.url, doc.title, doc.published, doc.text) == (
        "https://news.example/a", "https://news.example/a", "Lavrov", date(2023, 9, 19), MEETING_EN)


def test_jsonl_accepts_an_rss_pubdate(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "a", "text": "x", "published": "Tue, 19 Sep 2023 10:00:00 +0200"}\n', encoding="utf-8")
    [doc], warnings = read([path])
    assert doc.published == date(2023, 9, 19) and not warnings


def test_news_sitemap_lists_pages_with_dates_and_needs_fetching_to_read_them(tmp_path):
    data = sitemap([("https://news.example/1", "2023-09-19T10:00:00+02:00"), ("https://news.example/2", None)])
    parsed = parse_sitemap(data, "s.xml")
    assert [(p.url, p.published) for p in parsed.pages] == [("https://news.example/1", date(2023, 9, 19)),
                                                            ("https://news.example/2", None)]
    (tmp_path / "sitemap.xml").write_bytes(data)
    [error], _ = read([tmp_path / "sitemap.xml"])
    assert isinstance(error, DocumentError) and "fetching is off" in error.reason


@pytest.mark.parametrize("fragment, text", [
    ("<p>One <b>two</b>.</p><script>x()</script><p>Three</p>", "One two.\nThree"),
    ("<p>a\x00b</p><p>c\x01</p>", "a b\nc"),  # control characters: lxml parses them, then refuses to set them
    ("no markup,   just  words", "no markup, just words"),
    ("<p>unclosed <b>bold", "unclosed bold"),
])
def test_html_text_keeps_blocks_apart(fragment, text):
    assert html_text(fragment) == text


# -- hostile files: one message naming the file, the rest goes on --------------------------------------------
def hostile_files(tmp_path):
    files = {
        "huge.html": b"<html><body>" + b"<p>" + b"x" * 2_000_000 + b"</p></body></html>",
        "bomb.html.gz": gzip.compress(b"<html><body><p>" + b"a" * 30_000_000 + b"</p></body></html>"),
        "broken.rss": b"<?xml version='1.0'?><rss><channel><item><title>x</ti",
        "nothing.xml": b"<?xml version='1.0'?><urlset xmlns='x'></urlset>",
        "garbage.html": bytes(range(256)) * 50,
        "lies.html": page("Lüge", [MEETING_DE, FILLER], charset="latin-1").replace(b'charset="latin-1"',
                                                                                 b'charset="utf-8"'),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return files


def test_hostile_files_each_give_one_message_and_the_rest_is_read(tmp_path):
    hostile_files(tmp_path)
    (tmp_path / "zz-good.html").write_bytes(page("Gut", [MEETING_DE, FILLER]))
    docs, _ = read([tmp_path], settings=Settings(max_page_bytes=1_000_000))
    by_origin = {(d.doc if isinstance(d, DocumentError) else d.origin): d for d in docs}
    assert "exceeds the limit" in by_origin[str(tmp_path / "huge.html")].reason
    assert "once decompressed" in by_origin[str(tmp_path / "bomb.html.gz")].reason
    assert "lists no pages" in by_origin[str(tmp_path / "nothing.xml")].reason
    assert "feed item without text" in by_origin[str(tmp_path / "broken.rss") + " item 1"].reason
    assert "not UTF-8 text" in by_origin[str(tmp_path / "garbage.html")].reason
    assert len(docs) == 7  # one result for each file
    assert "Außenminister" not in by_origin[str(tmp_path / "lies.html")].text  # decoded, not mangled into errors
    assert "Élysée-Palast" in by_origin[str(tmp_path / "lies.html")].text
    assert by_origin[str(tmp_path / "zz-good.html")].title == "Gut"
    assert all(isinstance(d, Document | DocumentError) for d in docs)


def test_feed_of_100000_items_is_cut_at_the_limit_before_parsing(tmp_path):
    items = [{"title": f"t{i}", "link": f"https://news.example/{i}", "pubDate": "Tue, 19 Sep 2023 10:00:00 +0200",
              "description": "", "content": f"<p>Item {i}.</p>"} for i in range(100_000)]
    (tmp_path / "big.rss").write_bytes(rss(items))
    docs, warnings = read([tmp_path / "big.rss"], settings=Settings(max_feed_items=100))
    assert [d.text for d in docs[:2]] == ["Item 0.", "Item 1."] and len(docs) == 100
    assert warnings == [f"{tmp_path / 'big.rss'}: 99,900 items beyond the limit of 100 left out"]


def test_an_atom_feed_is_cut_and_closed_as_atom():
    entries = [{"title": f"t{i}", "link": f"https://news.example/{i}", "updated": "2023-09-19T10:00:00Z",
                "content": f"<p>Entry {i}.</p>"} for i in range(30)]
    feed = parse_feed(atom(entries), "a.atom", max_items=10)
    assert [i.text for i in feed.items] == [f"Entry {n}." for n in range(10)] and feed.truncated == 20


def test_a_warc_record_of_a_wrong_length_is_counted_not_printed(tmp_path, capfd):
    data = warc([("https://news.example/1", 200, "text/html", page("Eins", [MEETING_DE, FILLER]))], gzip=False,
                extra=False)
    head, _, rest = data.partition(b"Content-Length: ")
    length, _, body = rest.partition(b"\r\n")
    (tmp_path / "short.warc").write_bytes(head + b"Content-Length: " + str(int(length) - 40).encode() + b"\r\n" + body)
    docs, warnings = read([tmp_path / "short.warc"])
    captured = capfd.readouterr()
    assert captured.out == "" and "Content-Length" not in captured.err
    assert any("records of a wrong length" in w for w in warnings)
    assert all(isinstance(d, Document | DocumentError) for d in docs)


SENTENCES = [MEETING_DE, MEETING_EN, FILLER,
             "Außenministerin Baerbock traf am Freitag in Peking ihren Amtskollegen Wang Yi.",
             "„Wir haben offen gesprochen“, sagte Lawrow nach dem Treffen – Einzelheiten nannte er nicht.",
             "Anzeige", "Lesen Sie auch: Weitere Artikel"]


@hyp_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraphs=st.lists(st.tuples(st.sampled_from(SENTENCES), st.text(max_size=40)), min_size=1, max_size=6))
def test_offsets_point_into_the_extracted_text_of_any_page(kb, paragraphs):
    body = [f"{sentence} {noise}".strip() for sentence, noise in paragraphs]
    try:
        doc = html_document(page("Treffen in Moskau", body), "p.html")
    except DocumentError:
        return  # a page without main text is a message, not a document
    [result] = list(extract_all([doc], kb, Settings()))
    if isinstance(result, DocumentError):  # the extractor's own failures (e.g. '²' read as a day) are not at issue
        return
    for event in result.events:
        assert doc.text[event.evidence.start:event.evidence.end] == event.evidence.text
        for p in event.participants:
            assert 0 <= p.start <= p.end <= len(doc.text)


def test_a_corrupt_gzip_member_in_a_warc_is_one_message_and_nothing_printed(tmp_path, capfd):
    first = warc([("https://news.example/1", 200, "text/html", page("Eins", [MEETING_DE, FILLER]))], extra=False)
    second = bytearray(warc([("https://news.example/2", 200, "text/html", page("Zwei", [MEETING_EN, FILLER]))],
                            extra=False))
    second[len(second) // 2] ^= 0xFF  # a flipped byte inside the second member's deflate stream
    (tmp_path / "c.warc.gz").write_bytes(first + bytes(second))
    docs, _ = read([tmp_path / "c.warc.gz"])
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
    assert isinstance(docs[0], Document) and docs[0].url == "https://news.example/1"
    assert len(docs) == 2 and isinstance(docs[1], DocumentError) and "@ inflated byte" in docs[1].doc
