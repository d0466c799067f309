"""Totals of /events, counted once per filter for as long as the store does not change.

Counting what a filter selects reads up to ten thousand index entries, more
than the page itself costs; the dashboard and its users ask for the same
filters again and again (paging, going back). A total is kept until the
store changes: SQLite's ``PRAGMA data_version``, read on a connection of its
own, changes whenever any other connection, in any process, commits. A
PostgreSQL store has no such cheap signal, so there every total is counted.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from dataclasses import replace

from dyad.store.core import Store
from dyad.store.query import RecordQuery, count_records

KEPT = 10_000  # filters whose totals are kept (a few hundred kilobytes), the least recently asked go first


class Totals:
    def __init__(self, store: Store, cap: int) -> None:
        self.store = store
        self.cap = cap
        self._lock = threading.Lock()
        self._kept: OrderedDict[RecordQuery, int] = OrderedDict()
        self._state: int | None = None
        database = store.engine.url.database if store.dialect == "sqlite" else None
        # a store in memory is one connection's alone: nothing to watch, nothing kept
        self._watch = (sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False)
                       if database and database != ":memory:" else None)

    def count(self, q: RecordQuery) -> int:
        """How many records ``q`` selects, up to ``cap`` + 1 (which means "more than cap")."""
        key = replace(q, limit=0, offset=0, oldest_first=False, sort="date")  # what the total depends on
        state = self._current_state()
        if state is not None:
            with self._lock:
                if state != self._state:
                    self._kept.clear()
                    self._state = state
                elif key in self._kept:
                    self._kept.move_to_end(key)
                    return self._kept[key]
        total = count_records(self.store, q, cap=self.cap)
        if state is not None:
            with self._lock:
                if state == self._state:  # the store has not changed under the count since it was read
                    self._kept[key] = total
                    if len(self._kept) > KEPT:
                        self._kept.popitem(last=False)
        return total

    def _current_state(self) -> int | None:
        if self._watch is None:
            return None
        with self._lock:
            return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
