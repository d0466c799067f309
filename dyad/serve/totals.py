"""Answers of /events kept for as long as the store does not change: totals per filter, whole pages as sent.

Counting what a filter selects reads up to ten thousand index entries, more
than the page itself costs; the dashboard and its users ask for the same
filters again and again (paging, going back, many users opening the same
view). A total, and a page as the bytes sent, are kept until the store
changes: SQLite's ``PRAGMA data_version``, read on a connection of its own,
changes whenever any other connection, in any process, commits. A
PostgreSQL store has no such cheap signal, so there every total is counted
and no page is kept.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Generic, TypeVar

from dyad.store.core import Store
from dyad.store.query import RecordQuery, count_records

KEPT = 10_000  # filters whose totals are kept (a few hundred kilobytes), the least recently asked go first
# bytes of pages kept per server process: 2,000 pages of 50 records (16 kB each, compressed by nothing);
# the least recently asked go first
KEPT_PAGE_BYTES = 32_000_000
LARGEST_KEPT_PAGE = 1_000_000  # a page over this is sent, not kept (a few of them would push out hundreds)


class StoreVersion:
    """A number that changes whenever anyone commits to the store (None: no such number, nothing can be kept)."""

    def __init__(self, store: Store) -> None:
        self._lock = threading.Lock()
        database = store.engine.url.database if store.dialect == "sqlite" else None
        # a store in memory is one connection's alone: nothing to watch, nothing kept
        self._watch = (sqlite3.connect(f"file:{database}?mode=ro", uri=True, check_same_thread=False)
                       if database and database != ":memory:" else None)

    def current(self) -> int | None:
        if self._watch is None:
            return None
        with self._lock:
            return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()


V = TypeVar("V")


class _Kept(Generic[V]):
    """Values by key, all dropped at once when the store's version changes, the least recently used first
    when over ``size`` (the sum of ``weight`` over the values)."""

    def __init__(self, version: StoreVersion, size: int, weight: Callable[[V], int]) -> None:
        self.version = version
        self.size = size
        self.weight = weight
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, V] = OrderedDict()
        self._used = 0
        self._state: int | None = None

    def get(self, key: Hashable) -> tuple[V | None, int | None]:
        """The kept value (None if none), and the store's version to give ``put`` with a value made now."""
        state = self.version.current()
        if state is None:
            return None, None
        with self._lock:
            if state != self._state:
                self._kept.clear()
                self._used = 0
                self._state = state
                return None, state
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found, state

    def put(self, key: Hashable, value: V, state: int | None) -> None:
        if state is None or self.weight(value) > self.size:
            return
        with self._lock:
            if state != self._state or key in self._kept:  # the store has changed since the value was read
                return
            self._kept[key] = value
            self._used += self.weight(value)
            while self._used > self.size:
                _, dropped = self._kept.popitem(last=False)
                self._used -= self.weight(dropped)


class Totals:
    def __init__(self, store: Store, cap: int, version: StoreVersion | None = None) -> None:
        self.store = store
        self.cap = cap
        self._version = version or StoreVersion(store)
        self._kept: _Kept[int] = _Kept(self._version, KEPT, lambda _: 1)

    def count(self, q: RecordQuery) -> int:
        """How many records ``q`` selects, up to ``cap`` + 1 (which means "more than cap")."""
        # what the total depends on: not the page, nor its order
        key = replace(q, limit=0, offset=0, oldest_first=False, sort="date", after=None)
        total, state = self._kept.get(key)
        if total is None:
            total = count_records(self.store, q, cap=self.cap)
            self._kept.put(key, total, state)
        return total

    def close(self) -> None:
        self._version.close()


class Pages:
    """Whole answers as the bytes sent, by the request's parameters."""

    def __init__(self, version: StoreVersion, size: int = KEPT_PAGE_BYTES) -> None:
        self._kept: _Kept[bytes] = _Kept(version, size, len)
        self._asked: _Kept[Hashable] = _Kept(version, KEPT, lambda _: 1)  # the words of a request, to its key
        self.largest = min(size, LARGEST_KEPT_PAGE)

    def get(self, key: Hashable) -> tuple[bytes | None, int | None]:
        """The kept answer, if any, and the version of the store to give ``put`` with an answer made now."""
        return self._kept.get(key)

    def put(self, key: Hashable, body: bytes, state: int | None) -> None:
        if len(body) <= self.largest:
            self._kept.put(key, body, state)

    def asked(self, words: Hashable) -> bytes | None:
        """The kept answer to a request in these very words (its path and query string), if any."""
        key, _ = self._asked.get(words)
        return None if key is None else self._kept.get(key)[0]

    def put_asked(self, words: Hashable, key: Hashable, state: int | None) -> None:
        """Remember that a request in these words asks for the answer kept under ``key``."""
        self._asked.put(words, key, state)
