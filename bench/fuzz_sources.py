"""Fuzz the reader and the extractor with mutated articles; print crashes, hangs and the slowest document.

    python bench/fuzz_sources.py [--docs 10000] [--seed 1]

Each document is a development-set article as a JSONL line with mutations
drawn at random: odd digits (superscripts, circled, Arabic-Indic, full-width)
and symbols spliced into the text, lone surrogate escapes, NULs, fields of
the wrong JSON type, deep nesting, numbers of thousands of digits, dates at
the ends of the calendar, empty and very long texts. A read error is the
expected answer to bad input; a document that fails inside a later stage
("extract") is a crash, and one that takes over ``--hang`` seconds a hang.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ODD = ["²", "³", "¹", "①", "⑫", "٣", "١٢", "３", "𝟙", "½", "Ⅻ", "\u200b", "\u00ad", "\ufeff", "\u202e", "🇩🇪", "👍🏽",
       "ß", "İ", "ﬁ", "\r", "\t", "\u2028", "…", "„", "“", "«", ".", ":", "-", "–", "0", "31.", "12.", "9999", "0000"]
DATES = ["9999-12-31", "0001-01-01", "2023-02-30", "2023-09-19T25:00", "-1", "", "2023", 20230919, None, {"x": 1}]


def mutate(rng: random.Random, art: dict, n: int) -> str:
    record = {**art, "id": f"{art['id']}-{n}"}
    text = record["text"]
    for _ in range(rng.randint(1, 12)):
        k = rng.randrange(len(text) + 1)
        text = text[:k] + rng.choice(ODD) * rng.randint(1, 3) + text[k:]
    record["text"] = text
    roll = rng.random()
    if roll < 0.05:
        record["published"] = rng.choice(DATES)
    elif roll < 0.08:
        record[rng.choice(["title", "url", "source", "language", "id"])] = rng.choice([{"x": 1}, [1], 7, True, None])
    elif roll < 0.10:
        record["text"] = rng.choice(["", " ", "\x00", "Merkel" * 20_000, "2023 " * 5_000])
    line = json.dumps(record, ensure_ascii=rng.random() < 0.5)
    roll = rng.random()
    if roll < 0.02:
        line = line.replace('"text": "', '"text": "\\ud83d', 1)
    elif roll < 0.03:
        line = '{"id": "deep", "text": "x", "n": ' + "[" * 50_000 + "]" * 50_000 + "}"
    elif roll < 0.04:
        line = '{"id": "digits", "text": "x", "n": ' + "9" * 5_000 + "}"
    elif roll < 0.05:
        line = line[: rng.randrange(len(line))]  # cut off
    return line


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang", type=float, default=10.0)
    args = parser.parse_args()

    from dyad.errors import DocumentError
    from dyad.kb.loader import load_kb
    from dyad.pipeline import extract_all
    from dyad.settings import Settings
    from dyad.sources import read_sources

    base = []
    for name in ("dev", "dev2", "dev3", "dev4"):
        path = ROOT / "eval" / name / "input.jsonl"
        base += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    rng = random.Random(args.seed)
    lines = [mutate(rng, rng.choice(base), n) for n in range(args.docs)]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    kb = load_kb()
    crashes: list[str] = []
    read_errors = ok = hangs = 0
    slowest = (0.0, "")
    warnings: list[str] = []
    results = extract_all(read_sources(["-"], stdin=io.BytesIO(data), warn=warnings.append), kb, Settings())
    start = time.perf_counter()
    last = start
    for result in results:
        now = time.perf_counter()
        took, last = now - last, now
        name = result.doc if isinstance(result, DocumentError) else result.doc.id
        if took > slowest[0]:
            slowest = (took, name)
        hangs += took > args.hang
        if isinstance(result, DocumentError):
            if result.stage == "read":
                read_errors += 1
            else:
                crashes.append(str(result))
        else:
            ok += 1
    total = time.perf_counter() - start
    print(f"documents {args.docs}: extracted {ok}, rejected at reading {read_errors}, warnings {len(warnings)}")
    print(f"crashes {len(crashes)}, hangs (> {args.hang:g} s) {hangs}")
    print(f"slowest document {slowest[0]:.2f} s ({slowest[1]}); total {total:.0f} s")
    for line in crashes[:20]:
        print("  crash:", line[:200])


if __name__ == "__main__":
    main()
