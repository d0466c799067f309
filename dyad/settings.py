"""One settings object for a run: typed, frozen, keyword-only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    language: str | None = None  # force a language instead of detecting it
    kb_extra: str | None = None  # the user's own knowledge-base file
    # Longest text accepted; news articles are under 100 kB, so longer input
    # is a scraping accident (a whole site dump) rather than an article.
    max_chars: int = 1_000_000
    strict: bool = False  # stop at the first bad document
    # Seconds one document may take; a longer one is reported and skipped, so that no page becomes the
    # straggler of a batch. Extraction is linear in the text: 1,000,000 characters of dense meeting
    # sentences take about 15 s on one core (bench/long_article.py), a news article well under 1 s.
    time_budget: float | None = 60.0
    # Reading and fetching pages (dyad.read, dyad.fetch). A news page is under 2 MB of HTML; 10 MB leaves
    # room for inline scripts and images while a 50 MB page or a gzip bomb is refused, not buffered.
    max_page_bytes: int = 10_000_000
    # A sitemap lists at most 50,000 URLs (the protocol's own limit); news feeds carry tens to hundreds of
    # items, so 5,000 is room for an archive feed while a feed of 100,000 items is cut, not parsed for a minute.
    max_items: int = 50_000
    max_feed_items: int = 5_000
    user_agent: str = ""  # empty: "dyad/VERSION (news event extraction)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # seconds without a byte
    total_timeout: float = 60.0  # one download, start to end: a page that never ends is cut here
    retries: int = 2  # after the first try, on timeouts, 429 and 5xx, with back-off
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    host_interval: float = 1.0  # seconds between two requests to one host (robots.txt Crawl-delay may raise it)
    max_redirects: int = 5
    allow_private: bool = True  # False refuses URLs that resolve to loopback, private or link-local addresses
    # Events less likely than this to be right are dropped; None takes the shipped model's threshold.
    min_confidence: float | None = None
