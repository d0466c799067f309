"""Rows in key order with bounded memory: sorted runs spilled to temporary files, then merged.

An export wants every record with its sources in record-id order. Asking SQLite for that
order walks an index and visits the rows in random order, one page read for each; reading the
tables in their stored order and sorting here (an external merge sort) is several times faster
on a large store, and memory stays at one run however large the store is.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import IO, Any

RUN_ROWS = 50_000  # rows sorted in memory at a time: about 60 MB of event rows (bench/export.py)
BLOCK = 256  # rows per pickled block: the merge holds one block of each run


def sorted_rows(rows: Iterable[tuple], key: Callable[[tuple], Any] = itemgetter(0),
                run_rows: int | None = None) -> Iterator[tuple]:
    """``rows`` in the order of ``key`` (a stable sort). ``rows`` is read in full before the first row comes."""
    run_rows = run_rows or RUN_ROWS
    runs: list[IO[bytes]] = []
    try:
        run: list[tuple] = []
        for row in rows:
            run.append(row)
            if len(run) == run_rows:
                runs.append(_spill(sorted(run, key=key)))
                run = []
        run.sort(key=key)
        if not runs:  # it all fitted in one run: no file
            yield from run
            return
        runs.append(_spill(run))
        del run
        yield from heapq.merge(*(_read(f) for f in runs), key=key)
    finally:
        for f in runs:
            f.close()


def _spill(run: list[tuple]) -> IO[bytes]:
    f = tempfile.TemporaryFile(prefix="dyad-export-")
    for i in range(0, len(run), BLOCK):
        pickle.dump(run[i:i + BLOCK], f, protocol=pickle.HIGHEST_PROTOCOL)
    f.seek(0)
    return f


def _read(f: IO[bytes]) -> Iterator[tuple]:
    while True:
        try:
            block = pickle.load(f)
        except EOFError:
            return
        yield from block


__all__ = ["sorted_rows"]
