"""Export figures: time and peak memory of `dyad export` in each format, on an existing store.

    python bench/store.py --events 1000000 --db /tmp/dyad-bench.db   # builds the store
    python bench/export.py --db /tmp/dyad-bench.db [--formats parquet,csv,jsonl,gdelt,plover]

Each export runs in its own process, which reports its own peak (VmHWM; see bench/store.py).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

SUFFIX = {"parquet": ".parquet", "csv": ".csv", "jsonl": ".jsonl", "gdelt": ".export.tsv", "plover": ".plover.jsonl"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/dyad-bench.db")
    parser.add_argument("--formats", default="parquet,csv,jsonl,gdelt,plover")
    args = parser.parse_args()
    for fmt in args.formats.split(","):
        out = Path(args.db).with_suffix(SUFFIX[fmt])
        code = ("from pathlib import Path; from dyad.cli import main; "
                f"main(['export', '--db', {args.db!r}, '--format', {fmt!r}, '-o', {str(out)!r}]); "
                "print([l.split()[1] for l in Path('/proc/self/status').read_text().splitlines() "
                "if l.startswith('VmHWM:')][0])")
        t, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        seconds, cpu = time.perf_counter() - t, _children_cpu() - cpu
        rows = done.stderr.strip().splitlines()[-1]
        files = [out] + ([out.with_name(out.name.replace(".export", ".mentions")),
                          out.with_name(out.name.replace(".export", ".dyad"))] if fmt == "gdelt" else [])
        size = sum(f.stat().st_size for f in files) / 1e6
        peak = int(done.stdout.split()[-1]) / 1024
        print(f"export --format {fmt}: {seconds:.1f} s ({cpu:.1f} s of CPU), peak memory {peak:,.0f} MB, "
              f"{rows}, {size:,.1f} MB written", flush=True)


def _children_cpu() -> float:
    """CPU seconds of finished child processes: on a shared machine, less noisy than the wall clock."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
