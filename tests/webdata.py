"""Web inputs built by hand for the reader, fetcher and crawler tests: pages, WARCs, feeds, sitemaps."""

from __future__ import annotations

import io
from html import escape

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

MEETING_DE = ("Der französische Präsident Emmanuel Macron hat am Montag den indischen Premierminister Narendra Modi "
              "im Élysée-Palast in Paris empfangen. Die beiden Politiker sprachen über Rüstungsprojekte, den "
              "Klimaschutz und den Krieg in der Ukraine.")
MEETING_EN = ("Chinese Foreign Minister Wang Yi met Russian Foreign Minister Sergei Lavrov in Moscow on Tuesday. "
              "The two ministers discussed the war in Ukraine and trade between their countries.")
FILLER = ("Beobachter in der Hauptstadt werteten das Gespräch als Zeichen engerer Beziehungen zwischen beiden "
          "Ländern, die seit Jahren an gemeinsamen Projekten arbeiten.")


def page(title: str, paragraphs: list[str], *, published: str | None = "2023-07-17", lang: str = "de",
         canonical: str | None = None, author: str | None = None, charset: str = "utf-8") -> bytes:
    """A news page with navigation, a cookie banner, comments and a footer around the article."""
    meta = []
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}T10:00:00+02:00">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{canonical}">')
    if author:
        meta.append(f'<meta name="author" content="{escape(author)}">')
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="{charset}"><title>{escape(title)} | Zeitung'
            f'</title>{"".join(meta)}</head><body>'
            '<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li></ul></nav>'
            '<div class="cookie">Wir verwenden Cookies. Akzeptieren</div>'
            f'<main><article><h1>{escape(title)}</h1>{body}</article></main>'
            '<section id="comments"><h3>Kommentare</h3><div class="comment"><p>Leserkommentar: Das ist alles '
            'Unsinn und gehört nicht hierher.</p></div></section>'
            '<footer><p>Impressum | Datenschutz | Kontakt</p></footer></body></html>')
    return html.encode(charset)


def warc(records: list[tuple[str, int, str, bytes]], *, gzip: bool = True, date: str = "2023-09-20T08:00:00Z",
         extra: bool = True) -> bytes:
    """A WARC of HTTP responses (uri, status, content type, body), each after its request record.

    Record ids and dates are fixed, so the same records give the same bytes (the fuzz run replays cases).
    """
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    serial = iter(range(1, 1_000_000))

    def headers() -> dict:
        return {"WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{next(serial):012d}>", "WARC-Date": date}

    if extra:
        writer.write_record(writer.create_warc_record("", "warcinfo", payload=io.BytesIO(b"software: dyad tests\r\n"),
                                                      warc_content_type="application/warc-fields",
                                                      warc_headers_dict=headers()))
    for uri, status, content_type, body in records:
        if extra:
            request = writer.create_warc_record(
                uri, "request", payload=io.BytesIO(b""), warc_headers_dict=headers(),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], protocol="HTTP/1.1",
                                              is_http_request=True))
            writer.write_record(request)
        http = StatusAndHeaders(f"{status} {'OK' if status == 200 else 'Error'}", [("Content-Type", content_type)],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                                      warc_headers_dict=headers()))
    return out.getvalue()


def rss(items: list[dict], *, title: str = "Nachrichten") -> bytes:
    """An RSS 2.0 feed; an item is a dict of title, link, pubDate, description and (optional) content."""
    parts = []
    for item in items:
        content = (f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>" if item.get("content") else "")
        parts.append(f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
                     f"<guid>{escape(item['link'])}</guid><pubDate>{item['pubDate']}</pubDate>"
                     f"<description>{escape(item.get('description', ''))}</description>{content}</item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{escape(title)}</title><link>https://news.example/</link><description>Test</description>"
            f"{''.join(parts)}</channel></rss>").encode()


def atom(entries: list[dict]) -> bytes:
    parts = "".join(
        f'<entry><title>{escape(e["title"])}</title><link href="{escape(e["link"])}"/><id>{escape(e["link"])}</id>'
        f'<updated>{e["updated"]}</updated><content type="html">{escape(e["content"])}</content></entry>'
        for e in entries)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Atom news</title><id>urn:test</id><updated>2023-09-20T00:00:00Z</updated>{parts}</feed>").encode()


def sitemap(urls: list[tuple[str, str | None]], *, news: bool = True) -> bytes:
    """A sitemap; with ``news`` each date is a news:publication_date, otherwise a lastmod."""
    rows = []
    for loc, day in urls:
        if day and news:
            extra = (f"<news:news><news:publication><news:name>Test</news:name><news:language>de</news:language>"
                     f"</news:publication><news:publication_date>{day}</news:publication_date>"
                     f"<news:title>Titel</news:title></news:news>")
        else:
            extra = f"<lastmod>{day}</lastmod>" if day else ""
        rows.append(f"<url><loc>{escape(loc)}</loc>{extra}</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(rows) + "</urlset>").encode()
