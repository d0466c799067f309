"""RSS and Atom feeds (feedparser) and sitemaps, news sitemaps included (lxml, no entities, no network).

A feed item is a document of its own (its content, or its summary where
that is all it carries); a sitemap only lists pages, with their dates, to be
fetched.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

import feedparser
from lxml import etree

from dyad.errors import DocumentError
from dyad.read.html import html_text


@dataclass(frozen=True, slots=True)
class FeedItem:
    key: str  # the item's link, or its guid: what says it was seen before
    url: str | None
    title: str | None
    published: date | None
    text: str  # plain text of the content, or of the summary
    summary_only: bool  # no full content: the linked page holds the article


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    items: tuple[FeedItem, ...]
    truncated: int = 0  # items beyond the limit, left out


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    published: date | None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    pages: tuple[SitemapEntry, ...]
    sitemaps: tuple[str, ...]  # a sitemap index lists further sitemaps
    truncated: int = 0


def parse_feed(data: bytes, origin: str, max_items: int = 5_000) -> Feed:
    """The items of an RSS or Atom feed; DocumentError for something that is not a feed at all.

    Items beyond ``max_items`` are cut off before parsing: feedparser takes about half a millisecond an
    item, so a feed of 100,000 items would hold the batch for a minute.
    """
    data, beyond = _cut(data, max_items)
    try:
        parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser's loose parser can trip over pathological markup
        raise DocumentError(origin, "read", f"unreadable feed ({type(exc).__name__}: {exc})") from None
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception")
        raise DocumentError(origin, "read", f"not an RSS or Atom feed{f' ({reason})' if reason else ''}")
    items = []
    for entry in parsed.entries[:max_items]:
        content = " ".join(c.get("value", "") for c in entry.get("content", []) if c.get("value"))
        body = content or entry.get("summary", "") or ""
        link = entry.get("link") or None
        items.append(FeedItem(
            key=link or entry.get("id") or entry.get("title") or "", url=link,
            title=html_text(entry["title"]) if entry.get("title") else None,
            published=feed_date(entry.get("published") or entry.get("updated") or entry.get("created")),
            text=html_text(body), summary_only=not content,
        ))
    title = parsed.feed.get("title") if parsed.get("feed") else None
    return Feed(title, tuple(items), beyond + max(0, len(parsed.entries) - max_items))


_ITEM_END = re.compile(rb"</(?:[\w-]+:)?(?:item|entry)\s*>", re.I)
_ITEM_START = re.compile(rb"<(?:[\w-]+:)?(?:item|entry)[\s>]", re.I)


def _cut(data: bytes, max_items: int) -> tuple[bytes, int]:
    """The feed up to the end of its ``max_items``-th item, closed again, and the number of items left out."""
    ends = _ITEM_END.finditer(data)
    cut = None
    for number, match in enumerate(ends, 1):
        if number == max_items:
            cut = match.end()
            break
    if cut is None:
        return data, 0
    beyond = sum(1 for _ in _ITEM_START.finditer(data, cut))
    if not beyond:
        return data, 0
    head = data[:4096]
    closing = b"</feed>" if re.search(rb"<(?:[\w-]+:)?feed[\s>]", head) else \
        b"</rdf:RDF>" if b"<rdf:RDF" in head else b"</channel></rss>"
    return data[:cut] + closing, beyond


def feed_date(value: str | None) -> date | None:
    """A feed's date as written, in its own time zone: RFC 822 (RSS) or ISO 8601 (Atom)."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def parse_sitemap(data: bytes, origin: str, max_items: int = 50_000) -> Sitemap:
    """The pages (and nested sitemaps) a sitemap lists, with their dates; what was read before a break is kept."""
    parser = etree.XMLPullParser(events=("end",), resolve_entities=False, no_network=True, huge_tree=False,
                                 load_dtd=False, recover=True)
    pages: list[SitemapEntry] = []
    sitemaps: list[str] = []
    truncated = 0
    try:
        for start in range(0, len(data), 65536):
            parser.feed(data[start:start + 65536])
            for _, element in parser.read_events():
                name = _local(element.tag)
                if name not in ("url", "sitemap"):
                    continue
                fields = {_local(child.tag): (child.text or "").strip() for child in element.iter()}
                element.clear()
                loc = fields.get("loc")
                if not loc:
                    continue
                if len(pages) + len(sitemaps) >= max_items:
                    truncated += 1
                elif name == "sitemap":
                    sitemaps.append(loc)
                else:
                    pages.append(SitemapEntry(loc, feed_date(fields.get("publication_date") or fields.get("lastmod")),
                                              fields.get("title") or None))
        parser.close()
    except (etree.LxmlError, ValueError) as exc:
        if not pages and not sitemaps:
            raise DocumentError(origin, "read", f"not a sitemap ({exc})") from None
    if not pages and not sitemaps:
        raise DocumentError(origin, "read", "a sitemap that lists no pages")
    return Sitemap(tuple(pages), tuple(sitemaps), truncated)


def _local(tag) -> str:
    """'{namespace}name' or 'prefix:name' as 'name'; comments and processing instructions as ''."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""
