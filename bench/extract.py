"""Throughput of `extract` on one pinned core.

    python bench/extract.py [--docs 2000]

Builds at least 2,000 articles from the seeds, the development set and the
examples, each copy with people, places and the publication date permuted
(so no two copies are the same text), then extracts them in one process.
Prints the knowledge-base load time apart, docs/s and words/s (by the clock and by the
process's CPU time) and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT.parent / "shared" / "corpus" / "seeds" / "input.jsonl", ROOT / "eval" / "dev" / "input.jsonl",
           ROOT / "eval" / "dev2" / "input.jsonl", ROOT / "examples" / "articles_en.jsonl"]


def base_articles(seeds_only: bool = False) -> list[dict]:
    out = []
    for path in SOURCES[:1] if seeds_only else SOURCES:
        if path.exists():
            out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def permuted(articles: list[dict], n: int, kb) -> list:
    from dyad.model import Document

    rng = random.Random(7)
    people = [p for p in kb.people.values() if len(p.name.split()) >= 2]
    cities = [p.name for p in kb.places.values() if p.population > 500_000]
    docs = []
    for k in range(n):
        art = articles[k % len(articles)]
        text = art["text"]
        for person in rng.sample(people, min(3, len(people))):
            other = rng.choice(people)
            text = text.replace(person.name, other.name)
        for city in rng.sample(cities, 3):
            text = text.replace(city, rng.choice(cities))
        published = date(2016, 1, 1) + timedelta(days=rng.randrange(3600))
        docs.append(Document(f"{art['id']}-{k}", text + f"\n\n(#{k})", published, art.get("language")))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seeds-only", action="store_true", help="copies of the seeds only (seed-length articles)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    t0 = time.perf_counter()
    from dyad.kb.loader import load_kb
    from dyad.model import Document
    from dyad.pipeline import extract

    kb = load_kb()
    kb_seconds = time.perf_counter() - t0
    docs = permuted(base_articles(args.seeds_only), args.docs, kb)
    first_of: dict[str | None, Document] = {}
    for doc in docs:
        first_of.setdefault(doc.language, doc)
    for doc in first_of.values():
        extract(doc, kb)  # lexicons and each language's lemma dictionary load once, outside the timing
    words = sum(len(d.text.split()) for d in docs)
    chars = sum(len(d.text) for d in docs)
    t1, c1 = time.perf_counter(), time.process_time()
    events = sum(len(extract(doc, kb).events) for doc in docs)
    seconds, cpu_seconds = time.perf_counter() - t1, time.process_time() - c1
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"knowledge base load: {kb_seconds:.2f} s")
    print(f"articles: {len(docs)} (mean {chars / len(docs):,.0f} characters, {words / len(docs):,.0f} words)")
    print(f"events: {events}")
    print(f"throughput: {len(docs) / seconds:,.1f} docs/s, {words / seconds:,.0f} words/s on one core")
    # the process's own CPU seconds: steadier than the clock when other work shares the core
    print(f"on CPU time: {len(docs) / cpu_seconds:,.1f} docs/s")
    print(f"peak memory: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
