"""Documents from web inputs of any kind, read from a file or fetched: pages, crawls, feeds and sitemaps.

A feed item that carries only a summary, and every page a sitemap lists,
is fetched when a Fetcher is given; without one, the summary is the text
and a sitemap is reported as needing ``--fetch``.
"""

from __future__ import annotations

import dataclasses
import io
import zlib
from collections.abc import Callable, Iterator
from datetime import date
from urllib.parse import urlsplit

from dyad.errors import DocumentError
from dyad.fetch import Fetcher, hostname
from dyad.model import Document
from dyad.read.detect import HEAD, detect_kind
from dyad.read.feeds import FeedItem, parse_feed, parse_sitemap
from dyad.read.html import html_document
from dyad.read.warc import WarcCounts, warc_documents
from dyad.settings import Settings

Warn = Callable[[str], None]
MAX_SITEMAP_DEPTH = 2  # an index of sitemaps of pages; deeper nesting is not in the protocol


@dataclasses.dataclass(frozen=True, kw_only=True)
class WebContext:
    settings: Settings
    fetcher: Fetcher | None = None
    warn: Warn = lambda message: None
    language: str | None = None


def fetch_documents(url: str, ctx: WebContext) -> Iterator[Document | DocumentError]:
    """Everything a URL holds: a page, the items of a feed, the pages of a sitemap."""
    if ctx.fetcher is None:
        yield DocumentError(url, "read", "a URL: fetching is off (add --fetch)")
        return
    try:
        page = ctx.fetcher.get(url)
    except DocumentError as exc:
        yield exc
        return
    kind = detect_kind(page.content[:HEAD], url_path(page.url), page.content_type)
    try:
        content = page.content if kind == "warc" else _gunzip(page.content, url, ctx.settings)  # sitemap.xml.gz
    except DocumentError as exc:
        yield exc
        return
    yield from bytes_documents(content, kind, url, ctx, url=page.url)


def bytes_documents(data: bytes, kind: str, origin: str, ctx: WebContext, *, url: str | None = None,
                    meta: dict | None = None, depth: int = 0) -> Iterator[Document | DocumentError]:
    """The documents of one web input of a known kind (JSONL is read by dyad.sources)."""
    meta = meta or {}
    if kind == "html":
        try:
            yield html_document(data, origin, url=meta.get("url") or url, doc_id=meta.get("id"),
                                published=_date(meta.get("published")), title=meta.get("title"),
                                source=meta.get("source"), language=ctx.language, settings=ctx.settings)
        except DocumentError as exc:
            yield exc
    elif kind == "warc":
        yield from warc_stream(io.BytesIO(data), origin, ctx)
    elif kind == "feed":
        try:
            feed = parse_feed(data, origin, ctx.settings.max_feed_items)
        except DocumentError as exc:
            yield exc
            return
        if feed.truncated:
            ctx.warn(f"{origin}: {feed.truncated:,} items beyond the limit of {ctx.settings.max_feed_items:,} "
                     "left out")
        for number, item in enumerate(feed.items, 1):
            yield item_document(item, f"{origin} item {number}", ctx)
    elif kind == "sitemap":
        yield from _sitemap(data, origin, ctx, depth)
    elif kind == "text":  # a URL that answers with plain text
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield DocumentError(origin, "read", f"not UTF-8 text (byte {exc.start})")
            return
        if not text.strip():
            yield DocumentError(origin, "read", "empty text")
            return
        yield Document(id=meta.get("id") or url or origin, text=text, published=_date(meta.get("published")),
                       language=ctx.language, url=url, title=meta.get("title"), source=hostname(url), origin=origin)
    else:
        yield DocumentError(origin, "read", f"{kind} is read from files and standard input, not from a URL")


def warc_stream(stream, origin: str, ctx: WebContext) -> Iterator[Document | DocumentError]:
    counts = WarcCounts()
    yield from warc_documents(stream, origin, ctx.settings, counts, ctx.language)
    if counts.not_html or counts.errors or counts.bad_lengths:
        ctx.warn(f"{origin}: {counts.summary()}")


def item_document(item: FeedItem, origin: str, ctx: WebContext) -> Document | DocumentError:
    """A feed item as a document: the linked page where the item has only a summary and fetching is on."""
    if item.summary_only and item.url and ctx.fetcher is not None:
        try:
            page = ctx.fetcher.get(item.url)
            doc = html_document(page.content, f"{origin} ({item.url})", url=page.url, published=item.published,
                                title=item.title, language=ctx.language, settings=ctx.settings)
        except DocumentError as exc:
            return exc
        return dataclasses.replace(doc, published=item.published or doc.published)
    if not item.text.strip():
        return DocumentError(origin, "read", "feed item without text")
    return Document(id=item.key or origin, text=item.text, published=item.published, language=ctx.language,
                    url=item.url, title=item.title, source=hostname(item.url),
                    origin=origin)


def _sitemap(data: bytes, origin: str, ctx: WebContext, depth: int) -> Iterator[Document | DocumentError]:
    try:
        sitemap = parse_sitemap(data, origin, ctx.settings.max_items)
    except DocumentError as exc:
        yield exc
        return
    if sitemap.truncated:
        ctx.warn(f"{origin}: {sitemap.truncated:,} URLs beyond the limit of {ctx.settings.max_items:,} left out")
    if ctx.fetcher is None:
        yield DocumentError(origin, "read", f"a sitemap of {len(sitemap.pages):,} pages and "
                                            f"{len(sitemap.sitemaps):,} sitemaps: fetching is off (add --fetch)")
        return
    for entry in sitemap.pages:
        try:
            page = ctx.fetcher.get(entry.url)
            doc = html_document(page.content, entry.url, url=page.url, published=entry.published,
                                title=entry.title, language=ctx.language, settings=ctx.settings)
        except DocumentError as exc:
            yield exc
            continue
        yield dataclasses.replace(doc, published=entry.published or doc.published)
    for nested in sitemap.sitemaps:
        if depth >= MAX_SITEMAP_DEPTH:
            yield DocumentError(nested, "read", f"sitemaps nested deeper than {MAX_SITEMAP_DEPTH} levels")
            continue
        try:
            content = _gunzip(ctx.fetcher.get(nested).content, nested, ctx.settings)
        except DocumentError as exc:
            yield exc
            continue
        yield from bytes_documents(content, "sitemap", nested, ctx, depth=depth + 1)


def _gunzip(data: bytes, origin: str, settings: Settings) -> bytes:
    """A gzipped download (a sitemap.xml.gz), inflated up to the page limit; DocumentError past it."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        out = zlib.decompressobj(47).decompress(data, settings.max_page_bytes + 1)
    except zlib.error as exc:
        raise DocumentError(origin, "read", f"corrupt gzip data: {exc}") from None
    if len(out) > settings.max_page_bytes:
        raise DocumentError(origin, "read", f"exceeds the limit of {settings.max_page_bytes:,} bytes once "
                                            "decompressed")
    return out


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def url_path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""
