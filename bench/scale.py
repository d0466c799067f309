"""dyad past one machine: extraction on Dask workers, ingest into PostgreSQL, the bulk path to 1,000,000 events.

    python bench/scale.py extract [--docs 2000] [--pairs 5] [--own-sessions]
    python bench/scale.py shards [--docs 2000] [--files 20] [--pairs 3]
    python bench/scale.py ingest [--docs 1000] [--workers 1,2,4]
    python bench/scale.py bulk [--events 1000000] [--workers 2] [--step 100000]

extract: the same articles (bench/extract.py's permuted copies) extracted in one plain process and on a
local cluster of 2 worker processes, in alternating pairs (plain, 2 workers); prints each pair's seconds
and speed-up, the median, the cluster's start and knowledge-base load apart, CPU seconds and peak memory
of each worker, and whether both outputs are the same bytes. Also one run on a cluster of 1 worker.

shards: the same articles as JSONL files on 2 workers, read by this process and sent as documents, against
listed here and read by the workers themselves (`dyad.read.shards`), in alternating pairs; prints each run's
seconds, this process's CPU seconds per article (what bounds the cores one driver can feed) and whether both
outputs are the same bytes.

ingest: PostgreSQL (a temporary server, Debian's postgresql) from an empty database, with 1, 2 and 4
workers, through the single writer (`dyad ingest --workers`) and the bulk path (`--bulk`); prints
events/s end to end and whether the store equals one clean single-process run.

bulk: the store path alone, without extraction: synthetic articles (about two events each, over 200 sides,
ten years) staged by the workers, in steps of --step events, then fused per (sides, year) bucket and
swapped in; prints events/s of each step (flat or not) and of the whole load.

Every figure is printed with the load average; the machine is shared, so compare pairs, not single runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def articles(n: int):
    from extract import base_articles, permuted

    from dyad.kb.loader import load_kb

    return permuted(base_articles(), n, load_kb())


def bench_extract(args) -> None:
    from dyad.errors import DocumentError
    from dyad.kb.loader import load_kb
    from dyad.output import article_json
    from dyad.pipeline import extract_all
    from dyad.scale import connect, extract_lines, worker_figures
    from dyad.settings import Settings

    settings = Settings()
    kb = load_kb()
    docs = articles(args.docs)
    words = sum(len(d.text.split()) for d in docs)
    list(extract_all(docs[:5], kb, settings))  # lexicons and language model load outside the timing
    print(f"{len(docs)} articles, {words / len(docs):,.0f} words each; {load()}")

    def cpu() -> float:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def plain() -> tuple[float, str]:
        t = time.perf_counter()
        out = [str(r) if isinstance(r, DocumentError) else json.dumps(article_json(r, kb.version), ensure_ascii=False)
               for r in extract_all(docs, kb, settings)]
        return time.perf_counter() - t, hashlib.md5("\n".join(out).encode()).hexdigest()

    def on(client) -> tuple[float, str]:
        t = time.perf_counter()
        out = [str(x) for x in extract_lines(client, docs, settings, kb.version)]
        return time.perf_counter() - t, hashlib.md5("\n".join(out).encode()).hexdigest()

    for workers in (1, 2):
        t = time.perf_counter()
        with connect(workers=workers) as client:
            started = time.perf_counter() - t
            from dyad.scale.cluster import install

            if args.own_sessions:
                # Linux's autogroup shares the CPU fairly between sessions, not processes: under contention the
                # workers, in this session, would split the share of one process (docs/scale.md)
                client.run(os.setsid)
            t = time.perf_counter()
            install(client, settings)
            client.run(lambda: None)
            loaded = time.perf_counter() - t
            on(client)  # warm: each worker's lexicons and language model
            before = worker_figures(client)
            print(f"\n{workers} worker(s): cluster start {started:.2f} s, knowledge base on the workers {loaded:.2f} s")
            if workers == 1:
                seconds, digest = on(client)
                print(f"  1 worker: {seconds:.2f} s ({len(docs) / seconds:,.0f} articles/s); {load()}")
                continue
            ratios = []
            for pair in range(args.pairs):
                c = cpu()
                one, one_digest = plain()
                c_one = cpu() - c
                two, digest = on(client)
                c_driver = cpu() - c - c_one
                ratios.append(one / two)
                print(f"  pair {pair + 1}: plain {one:.2f} s ({len(docs) / one:,.0f}/s, {c_one:.1f} CPU s), "
                      f"2 workers {two:.2f} s ({len(docs) / two:,.0f}/s, driver {c_driver:.1f} CPU s): "
                      f"{one / two:.2f}x; same output: {digest == one_digest}; {load()}")
            after = worker_figures(client)
            print(f"  median speed-up {statistics.median(ratios):.2f}x "
                  f"(pairs {min(ratios):.2f}x to {max(ratios):.2f}x)")
            for address in sorted(after):
                used = after[address]["cpu_seconds"] - before[address]["cpu_seconds"]
                print(f"  worker {address}: {used:.1f} CPU s over {args.pairs} runs "
                      f"({used / args.pairs:.1f} s a run), peak memory {after[address]['peak_mb']:,.0f} MB")
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"driver (and plain runs): {usage.ru_utime + usage.ru_stime:.1f} CPU s, "
          f"peak {usage.ru_maxrss / 1024:,.0f} MB")


def bench_shards(args) -> None:
    from dyad.kb.loader import load_kb
    from dyad.read.shards import Shards
    from dyad.scale import connect, extract_lines, extract_to_dataset
    from dyad.settings import Settings
    from dyad.sources import read_sources

    settings = Settings()
    kb = load_kb()
    docs = articles(args.docs)
    with tempfile.TemporaryDirectory() as folder:
        per_file = -(-len(docs) // args.files)
        for k in range(args.files):
            lines = [json.dumps({"id": d.id, "text": d.text, "published": d.published.isoformat() if d.published
                                 else None, "language": d.language, "title": d.title, "url": d.url,
                                 "source": d.source}, ensure_ascii=False)
                     for d in docs[k * per_file:(k + 1) * per_file]]
            Path(folder, f"part-{k:04d}.jsonl").write_text("\n".join(lines) + "\n")
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
        print(f"{len(docs)} articles in {args.files} JSONL files, {size / 1e6:.1f} MB; {load()}")

        def cpu() -> float:
            import resource

            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime

        def run(client, inputs, dataset: str | None) -> tuple[float, float, str]:
            c, t = cpu(), time.perf_counter()
            if dataset:  # the workers write the events; this process gets counts
                out = [str(x) for x in extract_to_dataset(client, inputs, settings, kb.version, dataset)]
            else:  # the JSON lines come back here, to be printed
                out = [str(x) for x in extract_lines(client, inputs, settings, kb.version)]
            seconds, used = time.perf_counter() - t, cpu() - c
            if dataset:
                import pandas as pd

                events = pd.read_parquet(dataset).drop(columns="month").sort_values("event_id", ignore_index=True)
                return seconds, used, hashlib.md5(events.to_csv().encode()).hexdigest()
            return seconds, used, hashlib.md5("\n".join(out).encode()).hexdigest()

        with connect(workers=2) as client:
            run(client, Shards((folder,)), None)  # warm: each worker's knowledge base, lexicons and language model
            for pair in range(args.pairs):
                for sink in ("JSON lines", "Parquet dataset"):
                    parquet = sink == "Parquet dataset"
                    sent = run(client, read_sources([folder]), f"{folder}-sent-{pair}" if parquet else None)
                    listed = run(client, Shards((folder,)), f"{folder}-listed-{pair}" if parquet else None)
                    for name, (seconds, used, _) in (("documents sent", sent), ("shards read by the workers", listed)):
                        print(f"  pair {pair + 1}, {sink}, {name}: {seconds:.2f} s ({len(docs) / seconds:,.0f} "
                              f"articles/s), this process {used:.2f} CPU s ({used / len(docs) * 1e3:.3f} ms per "
                              f"article); {load()}")
                    print(f"  same output: {sent[2] == listed[2]}")
    import resource

    print(f"this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


def _server():
    from tests import pg

    return pg.postgres_server()


def _database(server: str) -> str:
    from tests import pg

    return pg.new_database(server)


def _snapshot(url: str):
    from sqlalchemy import text

    from dyad.store import open_store

    store = open_store(url)
    with store.engine.connect() as conn:
        found = (sorted(conn.execute(text("SELECT source, doc_key, content_hash FROM documents")).all()),
                 sorted(conn.execute(text("SELECT id, record_id FROM events")).all()),
                 sorted(conn.execute(text("SELECT id, date, city, n_sources, announced_by FROM records")).all()))
    store.engine.dispose()
    return found


def bench_ingest(args) -> None:
    from dyad.kb.loader import load_kb
    from dyad.pipeline import extract_all
    from dyad.scale import bulk_load, connect, ingest_on_cluster
    from dyad.settings import Settings
    from dyad.store import ingest, open_store

    settings = Settings()
    kb = load_kb()
    docs = articles(args.docs)
    with _server() as (server, _, _):
        clean = _database(server)
        results = list(extract_all(docs, kb, settings))
        t = time.perf_counter()
        report = ingest(open_store(clean), results, kb.version)
        seconds = time.perf_counter() - t
        expected = _snapshot(clean)
        print(f"{len(docs)} articles, {report.events} events; one writer, extracted beforehand: {seconds:.1f} s, "
              f"{report.events / seconds:,.0f} events/s; {load()}")
        _sizes(docs, results, kb.version, clean)
        for workers in [int(w) for w in args.workers.split(",")]:
            with connect(workers=workers) as client:
                for path in ("single writer", "bulk"):
                    url = _database(server)
                    t = time.perf_counter()
                    if path == "bulk":
                        report = bulk_load(client, url, docs, settings, kb.version)
                    else:
                        store = open_store(url)
                        report = ingest_on_cluster(client, store, docs, settings, kb.version)
                        store.engine.dispose()
                    seconds = time.perf_counter() - t
                    print(f"{workers} worker(s), {path}: {seconds:.1f} s, {report.events / seconds:,.0f} events/s, "
                          f"{len(docs) / seconds:,.0f} articles/s; equal to the clean run: "
                          f"{_snapshot(url) == expected}; {load()}")


def _sizes(docs, results, kb_version: str, url: str) -> None:
    """Bytes per article: its text, its JSON line, its events in the Parquet dataset, the store it fills."""
    from sqlalchemy import text

    from dyad.output import article_json
    from dyad.store import open_store
    from dyad.store.dataset import write_part

    articles = [article_json(r, kb_version) for r in results if not isinstance(r, Exception)]
    events = sum(len(a["events"]) for a in articles)
    text_bytes = sum(len(d.text.encode()) for d in docs)
    json_bytes = sum(len(json.dumps(a, ensure_ascii=False).encode()) + 1 for a in articles)
    with tempfile.TemporaryDirectory() as folder:
        write_part(articles, folder, 0)
        parquet = sum(p.stat().st_size for p in Path(folder).rglob("*.parquet"))
    store = open_store(url)
    with store.engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        empty = conn.execute(text("SELECT pg_database_size('postgres')")).scalar_one()
    store.engine.dispose()
    n = len(docs)
    print(f"bytes per article: text {text_bytes / n:,.0f}, JSON line {json_bytes / n:,.0f}, Parquet events "
          f"{parquet / n:,.0f} ({parquet / max(events, 1):,.0f} per event), PostgreSQL store about "
          f"{(size - empty) / n:,.0f} (text, events, records, indexes); {events / n:.2f} events per article")


COUNTRIES = [f"X{a}{b}" for a in "ABCDEFGHIJKLMNOPQRST" for b in "ABCDEFGHIJ"]  # 200 invented sides


def synthetic_articles(first: int, n_articles: int) -> list:
    """Articles made directly (no extraction), about two events each, with their input positions."""
    from dyad.model import ArticleResult, DateValue, Document, Event, Evidence, Location, Participant

    out = []
    for seq in range(first, first + n_articles):
        rng = random.Random(seq)
        published = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        events = []
        for k in range(rng.choice((1, 2, 2, 3))):
            a, b = rng.sample(COUNTRIES[:rng.choice((20, 200))], 2)  # a few busy sides, many quiet ones
            day = published - timedelta(days=rng.randrange(3))
            value = rng.choice((day.isoformat(), day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]))
            precision = {10: "day", 7: "month", 4: "year"}[len(value)]
            people = (Participant(f"Person {a}{rng.randrange(3)}", a, "minister", f"p-{a}-{rng.randrange(3)}", "GOV",
                                  0, 5), Participant(None, b, "foreign minister", None, "GOV", 6, 9))
            events.append(Event(
                id=f"e{k}", type="CONSULT", cameo="040", status=rng.choice(("occurred", "occurred", "planned")),
                mode="in_person", participants=people, evidence=Evidence(f"Talks of {a} and {b}, report {seq}.", 0,
                                                                         30),
                date=DateValue(value, precision, "explicit"), location=Location(f"City {b}", b), topics=("trade",),
                confidence=0.8))
        doc = Document(f"a{seq}", f"Report {seq} " + "text " * 300, published, "en", source="wire")
        out.append((seq, ArticleResult(doc, "en", tuple(events))))
    return out


def _stage_synthetic(first: int, n_articles: int, url: str) -> tuple[int, float]:
    """Stage synthetic articles; returns the events and the CPU seconds spent making the articles (what
    extraction would do: not part of the store's path)."""
    from dyad.store import bulk
    from dyad.store.core import ArticleRows, rows_or_problem

    t = time.process_time()
    made = synthetic_articles(first, n_articles)
    making = time.process_time() - t
    rows = []
    for seq, result in made:
        checked = rows_or_problem(result, "bench", with_people=False)
        assert isinstance(checked, ArticleRows), checked  # the synthetic articles all fit the store
        rows.append((seq, checked))
    return bulk.stage(_worker_store(url), rows).events, making


def _worker_store(url: str):
    from dyad.scale.cluster import knowledge

    return knowledge().store(url)  # one per worker


def _fuse(bucket_range: tuple[str, str], url: str) -> int:
    from dyad.store import bulk

    return bulk.fuse_buckets(_worker_store(url), *bucket_range)


def _server_cpu(port: int) -> float:
    """CPU seconds of the PostgreSQL server on ``port`` so far: the postmaster, its live and its ended children."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if f"-p {port}" in cmd and "postgres -D" in cmd:  # the postmaster: its own time and its reaped children's
            total += sum(int(x) for x in fields[11:15]) / tick
            postmaster = pid
    for pid in os.listdir("/proc"):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        if fields[1] == postmaster:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _own_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_bulk(args) -> None:
    from dyad.scale import connect
    from dyad.store import bulk, open_store

    per_task = 500  # articles a task stages in one transaction
    with _server() as (server, _, port), connect(workers=args.workers) as client:
        url = _database(server)
        store = open_store(url)
        bulk.prepare(store)
        from dyad.scale.cluster import install
        from dyad.settings import Settings

        install(client, Settings())  # the workers' stores live beside their knowledge base
        from dyad.scale import worker_figures

        before = worker_figures(client)
        pg_before = _server_cpu(port)
        staged, seq, making, started = 0, 0, 0.0, time.perf_counter()
        print(f"bulk path into PostgreSQL, {args.workers} workers, steps of {args.step:,} events; {load()}")
        while staged < args.events:
            t = time.perf_counter()
            step = 0
            while step < args.step:
                futures = [client.submit(_stage_synthetic, seq + i * per_task, per_task, url, pure=False)
                           for i in range(8)]
                seq += 8 * per_task
                for events, cpu_making in (f.result() for f in futures):
                    step += events
                    making += cpu_making
            staged += step
            seconds = time.perf_counter() - t
            print(f"  staged {staged:>9,} events: this step {step / seconds:>8,.0f} events/s; {load()}")
        after = worker_figures(client)
        cpu = sum(after[w]["cpu_seconds"] - before[w]["cpu_seconds"] for w in after)
        pg_staged = _server_cpu(port)
        print(f"  staging took the workers {cpu:.1f} CPU s, of which {making:.1f} s making the synthetic articles "
              f"(extraction's part, not the store's): {1e6 * (cpu - making) / staged:.0f} µs per event for rows and "
              f"COPY; PostgreSQL {pg_staged - pg_before:.1f} CPU s ({1e6 * (pg_staged - pg_before) / staged:.0f} µs "
              "per event)")
        t = time.perf_counter()
        buckets = bulk.settle(store)
        settle = time.perf_counter() - t
        t = time.perf_counter()
        ranges = bulk.bucket_ranges(buckets, 4 * args.workers)
        records = sum(f.result() for f in client.map(_fuse, ranges, url=url, pure=False))
        fuse = time.perf_counter() - t
        fused = worker_figures(client)
        pg_fused = _server_cpu(port)
        t, here = time.perf_counter(), _own_cpu()
        counts = bulk.swap_in(store)
        swap, here = time.perf_counter() - t, _own_cpu() - here
        fusion_cpu = sum(fused[w]['cpu_seconds'] - after[w]['cpu_seconds'] for w in fused)
        swap_cpu = _server_cpu(port) - pg_fused
        n = counts["events"]
        print(f"  CPU: fusion {fusion_cpu:.1f} s on the workers, settle and fusion {pg_fused - pg_staged:.1f} s in "
              f"PostgreSQL ({1e6 * (fusion_cpu + pg_fused - pg_staged) / n:.0f} µs per event); swap {swap_cpu:.1f} s "
              f"in PostgreSQL and {here:.1f} s in this process ({1e6 * (swap_cpu + here) / n:.0f} µs per event)")
        total = time.perf_counter() - started
        print(f"  settle {settle:.1f} s; fusion of {len(buckets):,} buckets into {records:,} records {fuse:.1f} s; "
              f"swap in with indexes {swap:.1f} s; {load()}")
        print(f"  whole load: {counts['events']:,} events, {counts['documents']:,} documents in {total:.1f} s: "
              f"{counts['events'] / total:,.0f} events/s")
        if args.check:
            from dyad.store.check import check

            t = time.perf_counter()
            print(f"  dyad check: {'no problems' if check(store).ok else 'PROBLEMS'} ({time.perf_counter() - t:.1f} s)")
        store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    ex = sub.add_parser("extract")
    ex.add_argument("--docs", type=int, default=2000)
    ex.add_argument("--pairs", type=int, default=5)
    ex.add_argument("--own-sessions", action="store_true",
                    help="each worker in a session of its own, so that Linux's autogroup gives it a share of its own")
    sh = sub.add_parser("shards")
    sh.add_argument("--docs", type=int, default=2000)
    sh.add_argument("--files", type=int, default=20)
    sh.add_argument("--pairs", type=int, default=3)
    ing = sub.add_parser("ingest")
    ing.add_argument("--docs", type=int, default=1000)
    ing.add_argument("--workers", default="1,2,4")
    bu = sub.add_parser("bulk")
    bu.add_argument("--events", type=int, default=1_000_000)
    bu.add_argument("--workers", type=int, default=2)
    bu.add_argument("--step", type=int, default=100_000)
    bu.add_argument("--check", action="store_true", help="run dyad check on the loaded store (slow at 1 M)")
    args = parser.parse_args()
    tempfile.tempdir = tempfile.gettempdir()
    {"extract": bench_extract, "shards": bench_shards, "ingest": bench_ingest, "bulk": bench_bulk}[args.what](args)


if __name__ == "__main__":
    main()
