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
