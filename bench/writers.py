"""Concurrent writers: trials of several `dyad ingest` at once, each compared with one clean run.

    python bench/writers.py [--trials 6] [--writers 2] [--copies 4] [--db sqlite,postgresql]

The input is the development sets' articles, copied under new ids and two
sources (about 220 articles per copy). Each trial starts the writers at the
same moment on a new store, each with a shuffled share of the input (halves
that overlap by a third, so documents and fusion groups collide), then
compares the store with a clean single run (documents, events and their
records, records) and runs `dyad check`. Prints per database: trials run,
trials equal to the clean run, trials `check` passed, writers that failed.
PostgreSQL runs on a temporary server (Debian's postgresql package).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def snapshot(store):
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return (sorted(conn.execute(text("SELECT source, doc_key, content_hash FROM documents")).all()),
                sorted(conn.execute(text("SELECT id, record_id FROM events")).all()),
                sorted(conn.execute(text("SELECT id, date, city, n_sources, announced_by FROM records")).all()))


def articles(copies: int) -> list[dict]:
    base = []
    for name in ("dev", "dev2", "dev3", "dev4", "dev5"):
        path = ROOT / "eval" / name / "input.jsonl"
        base += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [{**a, "id": f"{a['id']}-{k}", "source": f"feed{k % 2}"} for k in range(copies) for a in base]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()


    from dyad.store import open_store
    from dyad.store.check import check
    from tests import pg

    docs = articles(args.copies)
    tmp = Path(tempfile.mkdtemp(prefix="dyad-writers-"))
    command = [sys.executable, "-m", "dyad.cli", "ingest", "--batch", str(args.batch), "--db"]

    def run(backend: str, server: str | None) -> None:
        def new_db(name: str) -> str:
            if server is None:
                return str(tmp / f"{name}-{uuid.uuid4().hex[:8]}.db")
            return pg.new_database(server)

        everything = tmp / "all.jsonl"
        everything.write_text("".join(json.dumps(d) + "\n" for d in docs))
        clean_db = new_db("clean")
        start = time.perf_counter()
        subprocess.run([*command, clean_db, str(everything)], check=True, capture_output=True)
        clean_time = time.perf_counter() - start
        expected = snapshot(open_store(clean_db))
        equal = checked = crashed = 0
        took = []
        for trial in range(args.trials):
            rng = random.Random(trial)
            share = len(docs) * 2 // (3 * args.writers) + len(docs) // args.writers // 2
            shares = []
            for w in range(args.writers):
                picked = docs[w * len(docs) // args.writers:(w + 1) * len(docs) // args.writers]
                picked += rng.sample(docs, min(len(docs), share - len(picked)) if share > len(picked) else 0)
                rng.shuffle(picked)
                path = tmp / f"{backend}-{trial}-{w}.jsonl"
                path.write_text("".join(json.dumps(d) + "\n" for d in picked))
                shares.append(path)
            db = new_db("shared")
            start = time.perf_counter()
            procs = [subprocess.Popen([*command, db, str(p)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                     for p in shares]
            for proc in procs:
                _, err = proc.communicate()
                if proc.returncode not in (0, 1) or b"Traceback" in err:
                    crashed += 1
            took.append(time.perf_counter() - start)
            store = open_store(db)
            equal += snapshot(store) == expected
            checked += check(store).ok
            store.engine.dispose()
        print(f"{backend}: {len(docs)} documents, {args.writers} writers, batches of {args.batch}: "
              f"{args.trials} trials, {equal} equal to the clean run, {checked} passed check, {crashed} writers "
              f"crashed; clean run {clean_time:.0f} s, concurrent runs {min(took):.0f}-{max(took):.0f} s",
              flush=True)

    for backend in args.db.split(","):
        if backend == "sqlite":
            run("sqlite", None)
        else:
            with pg.postgres_server() as (url, _, _):
                run("postgresql", url)


if __name__ == "__main__":
    main()
