"""Extraction off the request path: POSTed articles wait in a queue that one worker thread ingests.

A request only validates and enqueues, so a large article costs its sender a
queue slot, not every other client its share of the server. One worker keeps
the server a single writer; the store lets other processes write meanwhile.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain

from dyad.errors import DocumentError
from dyad.kb.loader import KnowledgeBase, load_kb
from dyad.model import Document
from dyad.pipeline import extract_all
from dyad.settings import Settings
from dyad.store.core import IngestReport, Store, ingest

MAX_WAITING = 1000  # requests queued at most; a full queue answers 503 rather than grow without bound
FAILURES_KEPT = 100  # the latest failures shown by GET /ingest
Fetch = Callable[[], Iterable[Document | DocumentError]]  # articles downloaded by the worker (POST with a url)


@dataclass
class IngestStatus:
    waiting: int = 0  # documents accepted, not yet stored
    done: IngestReport = field(default_factory=IngestReport)
    failed: deque = field(default_factory=lambda: deque(maxlen=FAILURES_KEPT))


class IngestQueue:
    def __init__(self, store: Store, kb: KnowledgeBase | None = None, settings: Settings | None = None) -> None:
        self.store = store
        self.kb = kb
        self.settings = settings or Settings()
        self.status = IngestStatus()
        self._queue: queue.Queue[tuple[list[Document], Fetch | None, int]] = queue.Queue(MAX_WAITING)
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def put(self, docs: list[Document], fetch: Fetch | None = None, fetching: int = 0) -> bool:
        """Enqueue documents, and maybe ``fetching`` more that ``fetch`` downloads (in the worker, off the
        request path); False if the queue is full."""
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="dyad-ingest", daemon=True)
                self._worker.start()
            try:
                self._queue.put_nowait((docs, fetch, len(docs) + fetching))
            except queue.Full:
                return False
            self.status.waiting += len(docs) + fetching
        return True

    def join(self) -> None:
        """Wait until every document enqueued so far is stored (tests, benchmarks)."""
        self._queue.join()

    def _run(self) -> None:
        kb = self.kb or load_kb(self.settings.kb_extra)
        while True:
            docs, fetch, count = self._queue.get()
            try:
                report = ingest(self.store, extract_all(chain(docs, fetch() if fetch else ()), kb, self.settings),
                                kb.version)
            except Exception as exc:  # the store is unreachable: these documents are lost, the worker goes on
                report = IngestReport()
                self.status.failed.append(f"{count} document(s): store: {type(exc).__name__}: {exc}"[:500])
            with self._lock:
                self.status.waiting -= count
                self.status.failed.extend(str(f) for f in report.failed)
                report.failed = []  # counted, and kept above only as the latest few
                self.status.done.add(report)
            self._queue.task_done()
