"""What kind of input a file or a download is, read from its first bytes; the name is only a hint."""

from __future__ import annotations

import re
import zlib

KINDS = ("text", "jsonl", "html", "warc", "feed", "sitemap")
HEAD = 8192  # bytes looked at: room for an XML prolog, a doctype, comments and a long <head> start

_SUFFIXES = {
    ".txt": "text", ".text": "text", ".md": "text", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".warc": "warc", ".rss": "feed", ".atom": "feed",
}
_FEED = re.compile(rb"<(?:[\w-]+:)?(?:rss|feed|RDF)[\s>]")
_SITEMAP = re.compile(rb"<(?:[\w-]+:)?(?:urlset|sitemapindex)[\s>]")
_HTML = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|div|p|article|script|!--)[\s>/]", re.I)


def kind_of_name(name: str) -> str | None:
    """The kind a file name suggests, or None."""
    lower = name.lower()
    for suffix in (".warc.gz", ".arc.gz"):
        if lower.endswith(suffix):
            return "warc"
    lower = lower.removesuffix(".gz")
    dot = lower.rfind(".")
    return _SUFFIXES.get(lower[dot:]) if dot >= 0 else None


def detect_kind(head: bytes, name: str = "", content_type: str = "") -> str:
    """The kind of an input from its first bytes, with its name and Content-Type as tie-breakers."""
    gzipped = head[:2] == b"\x1f\x8b"
    if gzipped:
        try:
            head = zlib.decompressobj(47).decompress(head, HEAD)
        except zlib.error:
            return kind_of_name(name) or "text"
        if head.startswith(b"WARC/"):
            return "warc"
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    start = head[:HEAD].lstrip()
    if start.startswith(b"WARC/"):
        return "warc"
    if start[:1] in (b"{", b"["):
        return "jsonl"
    if start[:1] == b"<":
        if _SITEMAP.search(start):
            return "sitemap"
        if _FEED.search(start) and not re.search(rb"<html[\s>]", start, re.I):
            return "feed"
        if _HTML.search(start):
            return "html"
    by_type = content_type.split(";")[0].strip().lower()
    if by_type in ("text/html", "application/xhtml+xml"):
        return "html"
    if by_type in ("application/rss+xml", "application/atom+xml"):
        return "feed"
    named = kind_of_name(name)
    if named in ("html", "feed", "sitemap") and (start[:1] == b"<" or gzipped):
        return named  # a gzipped page of another start: its reader says what is wrong with it
    return "text" if named in (None, "warc", "feed", "sitemap", "html") else named
