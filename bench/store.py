"""Store figures: ingest speed, query latency on a large store, export memory.

    python bench/store.py [--events 1000000] [--db /tmp/dyad-bench.db]

Builds synthetic extracted articles (extraction excluded), ingests them into
SQLite with fusion, then times the analyst's queries on the warm store
(p50/p95 over repeated random parameters) and the peak memory of
`dyad export --format parquet` in a separate process.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from itertools import islice
from pathlib import Path

from dyad.model import ArticleResult, DateValue, Document, Event, Evidence, Location, Participant
from dyad.store import ingest, open_store
from dyad.store.query import RecordQuery, dyad_counts, find_records

COUNTRIES = [f"C{n:02d}" for n in range(60)]
WORDS = ("talks trade security energy ceasefire border nuclear climate investment migration grain defence "
         "summit visit cooperation sanctions Ukraine Gaza Taiwan Arctic").split()
EVENTS_PER_DOC = 4


def synthetic(n_events: int, seed: int = 5):
    rng = random.Random(seed)
    people = {c: [f"{c.lower()}-person-{k}" for k in range(8)] for c in COUNTRIES}
    start = date(2014, 1, 1)
    for d in range(n_events // EVENTS_PER_DOC):
        published = start + timedelta(days=rng.randrange(4000))
        events = []
        for k in range(EVENTS_PER_DOC):
            a, b = rng.sample(COUNTRIES[:12] if rng.random() < 0.5 else COUNTRIES, 2)
            day = published - timedelta(days=rng.randrange(5))
            precision = rng.choice(("day", "day", "day", "month"))
            value = day.isoformat() if precision == "day" else day.isoformat()[:7]
            words = " ".join(rng.sample(WORDS, 6))
            sentence = f"{a} and {b} held talks on {words}."
            parts = tuple(Participant(rng.choice(people[c]), c, "minister", rng.choice(people[c]), "GOV", 0, 2)
                          for c in (a, b))
            events.append(Event(
                id=f"e{d}-{k}", type="CONSULT", cameo="040", status="occurred", mode="in_person",
                participants=parts, evidence=Evidence(sentence, 0, len(sentence)),
                date=DateValue(value, precision, "explicit"),
                location=Location("Capital", a, 1.0, 2.0, "city", 1), topics=(rng.choice(WORDS),)))
        text = " ".join(e.evidence.text for e in events)
        doc = Document(f"doc{d}", text, published, "en", url=f"https://example.test/{d}", source="bench")
        yield ArticleResult(doc, "en", tuple(events))


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", default="/tmp/dyad-bench.db")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="query an existing store instead of building it")
    parser.add_argument("--batch", type=int, default=5000, help="documents per ingest transaction")
    args = parser.parse_args()
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
    store = open_store(args.db)

    seconds, total, step = 0.0, 0, 0.0
    source = synthetic(0 if args.reuse else args.events)
    while chunk := list(islice(source, args.batch)):  # made apart from the timing, as extraction would be
        t = time.perf_counter()
        added = ingest(store, chunk, "bench", batch_size=args.batch).events
        elapsed = time.perf_counter() - t
        seconds, step = seconds + elapsed, step + elapsed
        if (total + added) // 100_000 > total // 100_000:
            print(f"  {total + added:,} events stored; last 100,000 at {100_000 / step:,.0f} events/s", flush=True)
            step = 0.0
        total += added
    if total:
        print(f"ingest (SQLite, fusion included, extraction excluded): {total:,} events in {seconds:.1f} s "
              f"= {total / seconds:,.0f} events/s")

    rng = random.Random(1)
    queries = {
        "events of one actor in a year": lambda: find_records(store, RecordQuery(
            actor=f"{rng.choice(COUNTRIES).lower()}-person-{rng.randrange(8)}",
            date_from=str(rng.randrange(2014, 2024)), date_to=None, limit=50)),
        "one dyad over all time": lambda: find_records(store, RecordQuery(
            country=rng.choice(COUNTRIES), counterpart=rng.choice(COUNTRIES), limit=50)),
        "a country's top 20 counterparts": lambda: dyad_counts(store, country=rng.choice(COUNTRIES), top=20),
        "a word in the evidence (first 50)": lambda: find_records(store, RecordQuery(words=rng.choice(WORDS),
                                                                                     limit=50)),
    }
    for name, run in queries.items():
        run()  # warm
        samples = []
        for _ in range(args.runs):
            t = time.perf_counter()
            run()
            samples.append(time.perf_counter() - t)
        print(f"{name}: {percentiles(samples)}")

    out = Path(args.db).with_suffix(".parquet")
    # the export runs in a new process that reports its own peak. Not getrusage's ru_maxrss: Linux carries
    # it over exec, so a child spawned by this (large) benchmark process would report the benchmark's peak;
    # VmHWM is the peak of the exported process's own memory
    code = ("import resource; from pathlib import Path; from dyad.cli import main; "
            f"main(['export', '--db', {args.db!r}, '--format', 'parquet', '-o', {str(out)!r}]); "
            "status = Path('/proc/self/status'); "
            "hwm = [line.split()[1] for line in status.read_text().splitlines() if line.startswith('VmHWM:')] "
            "if status.exists() else []; "
            "print(hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                          env={**os.environ})
    peak = int(done.stdout.split()[-1])
    print(f"export --format parquet: {time.perf_counter() - t:.1f} s, peak memory {peak / 1024:,.0f} MB, "
          f"{out.stat().st_size / 1e6:,.1f} MB file")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"benchmark process (ingest and queries): peak memory {own / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
