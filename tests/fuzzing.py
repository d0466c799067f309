"""Mutated documents of every kind, read and extracted end to end: the harness of tests/test_fuzz.py and
bench/fuzz.py. A crash is an exception that escapes the readers or the runner; a hang is one document
that takes longer than the alarm allows."""

from __future__ import annotations

import gzip
import io
import json
import random
import signal
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from dyad.errors import DocumentError
from dyad.pipeline import extract_all
from dyad.settings import Settings
from dyad.sources import read_sources
from tests.webdata import FILLER, MEETING_DE, MEETING_EN, atom, page, rss, sitemap, warc

TOKENS = [b"<", b">", b"</p>", b"<html>", b"<![CDATA[", b"]]>", b"&#0;", b"&amp", b"\x00", b"\xff\xfe", b"\xc3",
          b'"', b"{", b"}", b"\n", b"\r\n\r\n", b"WARC/1.0\r\n", b"Content-Length: 999999999\r\n",
          b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;">]>', b"&b;",
          b"<item>", b"<entry>", b"<url><loc>", b"\x1f\x8b", b"Tue, 99 Foo 2023 25:61:00 +9999"]


def seeds() -> dict[str, list[bytes]]:
    html = page("Macron empfängt Modi", [MEETING_DE, FILLER])
    items = [{"title": "Wang Yi", "link": "https://news.example/1", "pubDate": "Tue, 19 Sep 2023 10:00:00 +0200",
              "description": "Kurz", "content": f"<p>{MEETING_EN}</p>"},
             {"title": "Modi", "link": "https://news.example/2", "pubDate": "Mon, 17 Jul 2023 10:00:00 GMT",
              "description": f"<p>{MEETING_DE}</p>"}]
    return {
        "text": [f"{MEETING_DE}\n\n{FILLER}".encode(), MEETING_EN.encode()],
        "jsonl": ["\n".join(json.dumps({"id": f"j{i}", "text": t, "published": "2023-09-19"})
                            for i, t in enumerate([MEETING_DE, MEETING_EN])).encode()],
        "html": [html, page("Wang Yi in Moskau", [MEETING_EN, FILLER], lang="en", published=None)],
        "warc": [warc([("https://news.example/1", 200, "text/html", html),
                       ("https://news.example/x.png", 200, "image/png", b"\x89PNG")], gzip=g) for g in (True, False)],
        "feed": [rss(items), atom([{"title": "Lavrov", "link": "https://news.example/a",
                                    "updated": "2023-09-19T10:00:00Z", "content": f"<p>{MEETING_EN}</p>"}])],
        "sitemap": [sitemap([("https://news.example/1", "2023-09-19"), ("https://news.example/2", None)])],
    }


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """One to six random edits: flipped, cut, doubled or inserted bytes, hostile tokens, truncation, splices."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(9)
        at = rng.randrange(len(out) + 1)
        if op == 0 and out:
            for _ in range(rng.randint(1, 20)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif op == 1:
            del out[at:at + rng.randint(1, 200)]
        elif op == 2:
            out[at:at] = out[at:at + rng.randint(1, 400)] * rng.randint(2, 50)
        elif op == 3:
            out[at:at] = rng.choice(TOKENS) * rng.randint(1, 30)
        elif op == 4:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif op == 5:
            del out[at:]
        elif op == 6:
            other = rng.choice(others)
            cut = rng.randrange(len(other) + 1)
            out[at:] = other[cut:]
        elif op == 7 and data[:2] == b"\x1f\x8b":  # mutate inside the compression, then compress again
            try:
                inner = bytearray(gzip.decompress(bytes(out)))
                inner[rng.randrange(len(inner) + 1):0] = rng.choice(TOKENS)
                out = bytearray(gzip.compress(bytes(inner), mtime=0))
            except (OSError, EOFError, zlib.error):
                pass
        elif op == 8:
            out = bytearray(gzip.compress(bytes(out), mtime=0))
    return bytes(out)


class Hang(Exception):
    pass


@dataclass
class FuzzReport:
    tried: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    documents: int = 0
    errors: int = 0
    by_stage: Counter = field(default_factory=Counter)  # per-document messages by stage (read, extract)
    by_kind: Counter = field(default_factory=Counter)
    slowest: tuple[float, str] = (0.0, "")


def cases(n: int, seed: int = 13) -> Iterator[tuple[str, bytes, str | None]]:
    """(kind, data, forced kind or None) of each of ``n`` inputs, the same for the same seed."""
    rng = random.Random(seed)
    pool = seeds()
    everything = [d for ds in pool.values() for d in ds]
    for _ in range(n):
        kind = rng.choice(sorted(pool))
        data = mutate(rng.choice(pool[kind]), rng, everything)
        yield kind, data, kind if rng.random() < 0.5 else None


def fuzz(n: int, kb, seed: int = 13, alarm: int = 30, extract: bool = True) -> FuzzReport:
    """Run ``n`` mutated inputs through read_sources (content detection, or the seed's kind forced half the
    time) and, with ``extract``, the whole runner. Needs the main thread (SIGALRM bounds each input)."""
    settings = Settings(max_page_bytes=2_000_000, max_items=1_000, max_feed_items=1_000)
    report = FuzzReport()

    def ring(signum, frame):
        raise Hang()

    previous = signal.signal(signal.SIGALRM, ring)
    try:
        for number, (kind, data, forced) in enumerate(cases(n, seed)):
            label = f"#{number} {kind}{' (forced)' if forced else ''}, {len(data):,} bytes"
            report.tried += 1
            report.by_kind[kind] += 1
            started = time.perf_counter()
            signal.alarm(alarm)
            try:
                docs = read_sources(["-"], stdin=io.BytesIO(data), kind=forced, settings=settings)
                for result in (extract_all(docs, kb, settings) if extract else docs):
                    if isinstance(result, DocumentError):
                        report.errors += 1
                        report.by_stage[result.stage] += 1
                    else:
                        report.documents += 1
            except Hang:
                report.hangs.append(label)
            except Exception as exc:  # what the fuzz run is looking for
                report.crashes.append(f"{label}: {type(exc).__name__}: {exc}")
            finally:
                signal.alarm(0)
            took = time.perf_counter() - started
            if took > report.slowest[0]:
                report.slowest = (took, label)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return report
