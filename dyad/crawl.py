"""Fetch pages, feeds and sitemaps into a folder (``dyad fetch``) or poll feeds into a store (``dyad watch``).

Both remember what they fetched (in the folder, or in the store) and ask
again with conditional requests, so a second run downloads nothing that has
not changed and reads no item twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from dyad.errors import DocumentError
from dyad.fetch import Fetcher, Page, hostname
from dyad.kb.loader import KnowledgeBase
from dyad.model import Document
from dyad.pipeline import extract_all
from dyad.read.detect import HEAD, detect_kind
from dyad.read.feeds import FeedItem, SitemapEntry, parse_feed, parse_sitemap
from dyad.read.web import WebContext, item_document, url_path
from dyad.settings import Settings

STATE_FILE = ".dyad-fetch.json"
SUFFIX = {"html": ".html", "text": ".txt", "jsonl": ".jsonl", "warc": ".warc", "feed": ".xml", "sitemap": ".xml"}
Warn = Callable[[str], None]


@dataclass
class CrawlReport:
    saved: int = 0  # pages written (dyad fetch) or documents read (dyad watch)
    unchanged: int = 0  # feeds, sitemaps and pages the server said had not changed
    skipped: int = 0  # items read before
    failed: list[DocumentError] = field(default_factory=list)
    added: int = 0  # dyad watch: documents new to the store
    events: int = 0


# -- dyad fetch --------------------------------------------------------------------------------------
def fetch_to_dir(urls: list[str], out: Path, fetcher: Fetcher, warn: Warn = lambda m: None) -> CrawlReport:
    """Save every page the URLs hold (a page, a feed's items, a sitemap's pages) in ``out``, with metadata."""
    out.mkdir(parents=True, exist_ok=True)
    state_path = out / STATE_FILE
    try:
        state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    except (OSError, ValueError):
        warn(f"{state_path}: unreadable; starting afresh")
        state = {}
    report = CrawlReport()
    for url in urls:
        _fetch_one(url, out, fetcher, state, report, warn, depth=0)
        _save_state(state_path, state)
    return report


def _fetch_one(url: str, out: Path, fetcher: Fetcher, state: dict, report: CrawlReport, warn: Warn,
               depth: int, meta: dict | None = None) -> None:
    known = state.get(url, {})
    try:
        page = fetcher.get(url, etag=known.get("etag"), last_modified=known.get("last_modified"))
    except DocumentError as exc:
        report.failed.append(exc)
        return
    if page.not_modified:
        report.unchanged += 1
        return
    kind = detect_kind(page.content[:HEAD], url_path(page.url), page.content_type)
    entry = {"etag": page.etag, "last_modified": page.last_modified, "kind": kind}
    settings = fetcher.settings
    if kind == "feed":
        try:
            feed = parse_feed(page.content, url, settings.max_feed_items)
        except DocumentError as exc:
            report.failed.append(exc)
            return
        for item in feed.items:
            if item.key in state:
                report.skipped += 1
            elif item.summary_only and item.url:
                _fetch_one(item.url, out, fetcher, state, report, warn, depth + 1, _item_meta(item))
                state.setdefault(item.key, {"kind": "item"})
            else:
                _write(out, item.key, "text", item.text.encode(), _item_meta(item), report)
                state[item.key] = {"kind": "item"}
    elif kind == "sitemap":
        try:
            sitemap = parse_sitemap(page.content, url, settings.max_items)
        except DocumentError as exc:
            report.failed.append(exc)
            return
        for listed in sitemap.pages:
            if listed.url in state:
                report.skipped += 1
            else:
                _fetch_one(listed.url, out, fetcher, state, report, warn, depth + 1, _entry_meta(listed))
        for nested in sitemap.sitemaps:
            if depth < 2:
                _fetch_one(nested, out, fetcher, state, report, warn, depth + 1)
    else:
        entry["file"] = _write(out, url, kind, page.content, {"id": url, "url": page.url, **(meta or {})}, report)
    state[url] = entry


def _item_meta(item: FeedItem) -> dict:
    return {k: v for k, v in (("id", item.key), ("url", item.url), ("title", item.title),
                              ("published", item.published.isoformat() if item.published else None)) if v}


def _entry_meta(entry: SitemapEntry) -> dict:
    return {k: v for k, v in (("id", entry.url), ("url", entry.url), ("title", entry.title),
                              ("published", entry.published.isoformat() if entry.published else None)) if v}


def _write(out: Path, key: str, kind: str, content: bytes, meta: dict, report: CrawlReport) -> str:
    host = re.sub(r"[^a-z0-9.-]", "_", (hostname(key) or "page").lower())[:60]
    name = f"{host}-{hashlib.sha1(key.encode()).hexdigest()[:16]}"
    (out / (name + SUFFIX.get(kind, ".bin"))).write_bytes(content)
    if kind in ("html", "text"):
        (out / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    report.saved += 1
    return name + SUFFIX.get(kind, ".bin")


def _save_state(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=0), encoding="utf-8")
    os.replace(tmp, path)


# -- dyad watch --------------------------------------------------------------------------------------
def poll(store, urls: list[str], fetcher: Fetcher, kb: KnowledgeBase, settings: Settings,
         warn: Warn = lambda m: None) -> CrawlReport:
    """One round over the feeds (or sitemaps): what is new is read, extracted and ingested."""
    from dyad.store.core import ingest
    from dyad.store.feeds import FeedState, feed_state, mark_seen, now, save_feed_state, seen_items

    report = CrawlReport()
    for url in urls:
        state = feed_state(store, url)
        try:
            page = fetcher.get(url, etag=state.etag, last_modified=state.last_modified)
        except DocumentError as exc:
            report.failed.append(exc)
            save_feed_state(store, FeedState(url, state.etag, state.last_modified, now(), state.changed_at, str(exc)))
            continue
        if page.not_modified:
            report.unchanged += 1
            save_feed_state(store, FeedState(url, state.etag, state.last_modified, now(), state.changed_at))
            continue
        seen = seen_items(store, url)
        read: list[str] = []
        ctx = WebContext(settings=settings, fetcher=fetcher, warn=warn, language=settings.language)

        result = ingest(store, extract_all(_new_documents(page, url, ctx, seen, read, report), kb, settings),
                        kb.version)
        mark_seen(store, url, read)
        report.failed += result.failed
        report.added += result.added
        report.events += result.events
        error = next((str(f) for f in result.failed if f.doc == url), None)
        save_feed_state(store, FeedState(url, page.etag, page.last_modified, now(), now(), error))
    return report


def _new_documents(page: Page, url: str, ctx: WebContext, seen: set[str], read: list[str],
                   report: CrawlReport) -> Iterator[Document | DocumentError]:
    for key, make in _listing(page, url, ctx):
        if key in seen:
            report.skipped += 1
            continue
        doc = make()
        if not (isinstance(doc, DocumentError) and doc.stage == "fetch"):
            read.append(key)  # a page that could not be fetched is tried again next round
        if isinstance(doc, Document):
            report.saved += 1
        yield doc


def _given(problem: DocumentError) -> DocumentError:
    return problem


def _listing(page: Page, url: str, ctx: WebContext) -> Iterator[tuple[str, Callable[[], Document | DocumentError]]]:
    """(key, reader) of each item of a feed or page of a sitemap; the reader fetches only when called."""
    kind = detect_kind(page.content[:HEAD], url_path(page.url), page.content_type)
    try:
        if kind == "feed":
            feed = parse_feed(page.content, url, ctx.settings.max_feed_items)
            for number, item in enumerate(feed.items, 1):
                yield item.key, partial(item_document, item, f"{url} item {number}", ctx)
            return
        if kind == "sitemap":
            sitemap = parse_sitemap(page.content, url, ctx.settings.max_items)
            for entry in sitemap.pages:
                item = FeedItem(entry.url, entry.url, entry.title, entry.published, "", summary_only=True)
                yield entry.url, partial(item_document, item, item.key, ctx)
            return
    except DocumentError as exc:
        yield url, partial(_given, exc)
        return
    yield url, lambda: DocumentError(url, "read", f"not a feed or sitemap but {kind}")


def parse_every(value: str) -> float:
    """Seconds in '15m', '1h', '30s' or a plain number of seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
    if not match:
        raise ValueError(f"not a duration: {value!r} (try 15m, 1h, 30s)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def since_timestamp(value: str) -> str:
    """A user's --since (date or date-time, UTC unless it says otherwise) as stored ingest times are written."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not a timestamp: {value!r} (try 2024-05-01 or 2024-05-01T12:00:00Z)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
