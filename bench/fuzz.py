"""Fuzz the readers and the runner with mutated documents of every kind (text, JSONL, HTML, WARC, feeds,
sitemaps); prints documents tried, crashes, hangs and the slowest document.

    python bench/fuzz.py [--n 10000] [--seed 13] [--alarm 30] [--no-extract]
    python bench/fuzz.py --save 3650 case.bin     # write input #3650 of the run to a file, to replay it

A crash is an exception escaping read_sources or extract_all (each bad document should be one
DocumentError); a hang is a document that takes longer than --alarm seconds.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dyad.kb.loader import load_kb  # noqa: E402
from tests.fuzzing import cases, fuzz  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--alarm", type=int, default=30)
    parser.add_argument("--no-extract", action="store_true", help="read only, do not extract events")
    parser.add_argument("--save", nargs=2, metavar=("NUMBER", "FILE"), help="write one input to FILE and stop")
    args = parser.parse_args()
    if args.save:
        number, path = int(args.save[0]), Path(args.save[1])
        for k, (kind, data, forced) in enumerate(cases(number + 1, args.seed)):
            if k == number:
                path.write_bytes(data)
                print(f"#{number}: {kind}{' (forced: --input-format ' + forced + ')' if forced else ''}, "
                      f"{len(data):,} bytes -> {path}")
        return
    for name in ("warcio", "trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.ERROR)  # as the CLI does: the per-document counts are the output
    kb = load_kb()
    # htmldate hands a date it cannot read to dateparser, whose first call loads every locale (5 to 9 s,
    # once per process): done here, apart, so that the slowest document is the slowest to read
    started = time.perf_counter()
    import dateparser

    dateparser.parse("19 Foo 2023 x")
    print(f"warm-up          {time.perf_counter() - started:.1f} s (dateparser's locales, once per process)")
    started = time.perf_counter()
    report = fuzz(args.n, kb, seed=args.seed, alarm=args.alarm, extract=not args.no_extract)
    took = time.perf_counter() - started
    print(f"documents tried  {report.tried:,} ({', '.join(f'{k} {v:,}' for k, v in sorted(report.by_kind.items()))})")
    print(f"crashes          {len(report.crashes)}")
    print(f"hangs            {len(report.hangs)} (over {args.alarm} s)")
    print(f"read or extracted {report.documents:,} documents, {report.errors:,} per-document messages "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(report.by_stage.items()))})")
    print(f"slowest document {report.slowest[0]:.2f} s ({report.slowest[1]})")
    print(f"total            {took:.1f} s, {report.tried / took:.0f} inputs/s, "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for line in report.crashes[:20] + report.hangs[:20]:
        print("  " + line)


if __name__ == "__main__":
    main()
