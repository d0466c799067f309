"""Readers of web inputs: HTML pages, WARC crawls, RSS/Atom feeds and sitemaps, from files or fetched."""

from dyad.read.detect import KINDS, detect_kind, kind_of_name
from dyad.read.feeds import Feed, FeedItem, Sitemap, parse_feed, parse_sitemap
from dyad.read.html import html_document, html_text
from dyad.read.warc import WarcCounts, warc_documents
from dyad.read.web import WebContext, bytes_documents, fetch_documents, item_document

__all__ = ["KINDS", "Feed", "FeedItem", "Sitemap", "WarcCounts", "WebContext", "bytes_documents", "detect_kind",
           "fetch_documents", "html_document", "html_text", "item_document", "kind_of_name", "parse_feed",
           "parse_sitemap", "warc_documents"]
