"""A Dask cluster to run on, and what each of its workers loads once: the knowledge base, the settings, stores.

Only ``dyad extract`` and ``dyad ingest`` with ``--workers`` or ``--scheduler`` import this module, and so Dask.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import dask
from distributed import Client, LocalCluster, WorkerPlugin, get_worker

from dyad.errors import DyadError
from dyad.kb.loader import KnowledgeBase, load_kb
from dyad.settings import Settings

PLUGIN = "dyad"


@contextmanager
def connect(workers: int | None = None, scheduler: str | None = None) -> Iterator[Client]:
    """A client of a new local cluster of ``workers`` processes, or of the running cluster at ``scheduler``."""
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise DyadError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    # one thread per process: extraction is pure Python and holds the interpreter lock;
    # the dashboard on any free port, as another run may hold the usual one; no statistical profiler
    # in the workers: sampling the deep stacks of extraction every 10 ms cost about 10 % of their CPU
    # (300 articles on 1 worker, 2.3-2.4 against 2.4-2.7 CPU s, bench/scale.py's articles)
    with dask.config.set({"distributed.worker.profile.enabled": False}), \
            LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True, dashboard_address=":0",
                         silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
        yield client


class Knowledge(WorkerPlugin):
    """Set up on every worker, before its first task and again after a restart: the knowledge base is loaded
    once per worker, never per task. The user's own KB file travels as its content, for workers elsewhere."""

    name = PLUGIN

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.extra = Path(settings.kb_extra).read_bytes() if settings.kb_extra else None
        self.extra_name = Path(settings.kb_extra).name if settings.kb_extra else ""
        self.kb: KnowledgeBase | None = None
        self.stores: dict[str, Any] = {}
        self.crawler: Any = None

    def setup(self, worker) -> None:
        if self.extra is not None:
            # one path per content: a later run with the same file finds it loaded (load_kb caches per path)
            folder = Path(tempfile.gettempdir()) / f"dyad-kb-{hashlib.sha256(self.extra).hexdigest()[:16]}"
            folder.mkdir(exist_ok=True)
            path = folder / self.extra_name
            if not path.exists() or path.read_bytes() != self.extra:
                path.write_bytes(self.extra)
            self.settings = replace(self.settings, kb_extra=str(path))
        self.kb = load_kb(self.settings.kb_extra)

    def store(self, url: str):
        """One store (one connection pool) per worker and database."""
        if url not in self.stores:
            from dyad.store import open_store

            self.stores[url] = open_store(url)
        return self.stores[url]

    def fetcher(self):
        """One crawler per worker, for feeds' summary-only items and sitemaps' pages in the shards it reads."""
        if self.crawler is None:
            from dyad.fetch import Fetcher

            self.crawler = Fetcher(self.settings)
        return self.crawler

    def teardown(self, worker) -> None:
        for store in self.stores.values():
            store.engine.dispose()
        if self.crawler is not None:
            self.crawler.close()


def install(client: Client, settings: Settings) -> None:
    """Every worker of the cluster, present and future, loads the knowledge base of ``settings``."""
    client.register_plugin(Knowledge(settings), name=PLUGIN)


def knowledge() -> Knowledge:
    """This worker's knowledge (inside a task)."""
    plugin = get_worker().plugins.get(PLUGIN)
    if not isinstance(plugin, Knowledge) or plugin.kb is None:
        raise DyadError("this Dask worker has no dyad knowledge base: the run must install it first")
    return plugin
