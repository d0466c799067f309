"""Extraction and ingest mapped over batches of documents on a Dask cluster.

The driver reads the input as it streams and sends batches of documents to the workers, a bounded
number at a time, so that memory stays flat however large the input is. Only plain rows cross
process borders: a document's fields, an article's JSON line, its store rows. Results come back in
input order, so the output equals a single process's. Every batch comes back with the version of
the knowledge base its worker extracted with; one that differs from this run's is an error.

A worker that dies takes nothing with it: its batches are run again elsewhere (they write nothing,
or write in one transaction), and a rerun skips what is stored (by content hash).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from distributed import Client

from dyad import __version__
from dyad.errors import DocumentError, DyadError
from dyad.kb.loader import KnowledgeBase
from dyad.model import Document
from dyad.pipeline import extract_all
from dyad.scale.cluster import install, knowledge
from dyad.settings import Settings

# Documents per task: a task costs the scheduler about a millisecond and a news article 5 ms of extraction
# (bench/extract.py); 50 keeps the overhead under 1 % and a batch's rows under a megabyte
BATCH = 50
IN_FLIGHT = 3  # batches queued per worker thread: enough that none waits, few enough that memory stays flat

Progress = Callable[[int, int], None]  # (documents done, events found) after each batch
Item = tuple  # ("doc", seq, fields) or ("error", seq, (doc, stage, reason))


def document_row(doc: Document) -> tuple:
    return (doc.id, doc.text, doc.published.isoformat() if doc.published else None, doc.language, doc.url,
            doc.title, doc.source, doc.origin, doc.author, doc.extractor)


def document_of(row: tuple) -> Document:
    doc_id, text, published, language, url, title, source, origin, author, extractor = row
    return Document(doc_id, text, date.fromisoformat(published) if published else None, language, url, title,
                    source, origin, author, extractor)


def extract_lines(client: Client, docs: Iterable[Document | DocumentError], settings: Settings, kb_version: str,
                  progress: Progress | None = None, batch: int = BATCH) -> Iterator[str | DocumentError]:
    """Each article's JSON line (the output contract), or its failure, in input order."""
    install(client, settings)
    for kind, _, value in _run(client, _items(docs), _extract_task, kb_version, progress, batch):
        yield value if kind == "json" else DocumentError(*value)


def extract_to_dataset(client: Client, docs: Iterable[Document | DocumentError], settings: Settings,
                       kb_version: str, root: str, progress: Progress | None = None,
                       batch: int = BATCH) -> Iterator[int | DocumentError]:
    """Each worker writes its batches' events into the Parquet dataset at ``root`` (``dyad.store.dataset``);
    yields the failures, and the events each batch wrote."""
    install(client, settings)
    for kind, _, value in _run(client, _items(docs), _dataset_task, kb_version, progress, batch, root=root):
        yield value if kind == "written" else DocumentError(*value)


def ingest_on_cluster(client: Client, store, docs: Iterable[Document | DocumentError], settings: Settings,
                      kb_version: str, progress: Progress | None = None, batch_size: int | None = None,
                      batch: int = BATCH):
    """Extraction on the cluster, the store written by this process (the single writer, batch by batch)."""
    from dyad.store import IngestReport, ingest_rows
    from dyad.store.core import new_or_changed

    install(client, settings)
    skipped = IngestReport()
    items = _items(new_or_changed(store, docs, kb_version, skipped))

    def rows() -> Iterator:
        for kind, _, value in _run(client, items, _rows_task, kb_version, _plus(progress, skipped), batch):
            yield value if kind == "rows" else DocumentError(*value)

    report = ingest_rows(store, rows(), **({"batch_size": batch_size} if batch_size else {}))
    report.add(skipped)
    return report


def bulk_load(client: Client, url: str, docs: Iterable[Document | DocumentError], settings: Settings,
              kb_version: str, progress: Progress | None = None, batch: int = BATCH):
    """A first load into an empty store: workers stage their batches in parallel, fusion runs per (sides, year)
    bucket on the workers, one step swaps the result in (``dyad.store.bulk``). A rerun after a kill goes on
    with what is staged."""
    from dyad.store import IngestReport, bulk, open_store

    store = open_store(url)
    bulk.prepare(store)
    install(client, settings)
    report = IngestReport()

    def fresh(chunk: list[Item]) -> list[Item]:
        keys = [(f[6] or "", f[0] or f[4] or "") for kind, _, f in chunk if kind == "doc"]
        staged = bulk.staged_hashes(store, keys)
        out = []
        for item in chunk:
            kind, _, f = item
            if kind == "doc" and (f[6] or "", f[0] or f[4] or "", _hash(f)) in staged:
                report.unchanged += 1
                continue
            out.append(item)
        return out

    items = (item for chunk in _chunked(_items(docs), 1000) for item in fresh(chunk))
    for kind, _, value in _run(client, items, _stage_task, kb_version, _plus(progress, report), batch, url=url):
        if kind == "error":
            report.failed.append(DocumentError(*value))
        else:
            report.added += value[0]
            report.events += value[1]
    buckets = bulk.settle(store)
    ranges = bulk.bucket_ranges(buckets, len(_threads(client)) * 4)
    for future in client.map(_fuse_task, ranges, url=url, pure=False):
        future.result()
    counts = bulk.swap_in(store)
    report.added, report.events = counts["documents"], counts["events"]
    store.engine.dispose()
    return report


def worker_figures(client: Client) -> dict[str, dict[str, float]]:
    """CPU seconds and peak memory (MB) of each worker process so far."""
    return client.run(_figures)


def _figures() -> dict[str, float]:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


def _items(docs: Iterable[Document | DocumentError]) -> Iterator[Item]:
    for seq, doc in enumerate(docs):
        if isinstance(doc, DocumentError):
            yield ("error", seq, (doc.doc, doc.stage, doc.reason))
        else:
            yield ("doc", seq, document_row(doc))


def _hash(fields: tuple) -> str:
    from dyad.store.core import document_hash

    return document_hash(document_of(fields))


def _run(client: Client, items: Iterable[Item], task: Callable, kb_version: str, progress: Progress | None,
         batch: int, **extra: Any) -> Iterator[tuple]:
    """Batches of items through ``task`` on the cluster, a bounded number at a time; results in input order."""
    window = max(2, IN_FLIGHT * len(_threads(client)))
    pending: deque = deque()
    done = events = 0

    def collect() -> Iterator[tuple]:
        nonlocal done, events
        future, size = pending.popleft()
        version, worker, results = future.result()
        if version != _versions(kb_version):
            raise DyadError(f"Dask worker {worker} extracted with {version}, this run has {_versions(kb_version)}: "
                            "every worker must run the same dyad and knowledge base (and the same --kb-extra)")
        for result in results:
            events += result[3]
            yield result[:3]
        done += size
        if progress is not None:
            progress(done, events)

    for chunk in _chunked(items, batch):
        pending.append((client.submit(task, chunk, pure=False, **extra), len(chunk)))
        while len(pending) >= window:
            yield from collect()
    while pending:
        yield from collect()


def _threads(client: Client) -> dict:
    return client.nthreads() or {"": 1}


def _chunked(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _plus(progress: Progress | None, report) -> Progress | None:
    """Progress that counts the documents skipped before extraction as done."""
    if progress is None:
        return None
    return lambda done, events: progress(done + report.unchanged, events)


# tasks: run on the workers, with the worker's knowledge base; each returns (versions, worker, results)
# where a result is (kind, seq, value[, events])


def _extract_task(chunk: list[Item]) -> tuple[str, str, list[tuple]]:
    from dyad.output import article_json

    plugin, kb = _worker_knowledge()
    out: list[tuple] = []
    for (_, seq, _), result in zip(chunk, _extracted(chunk, plugin), strict=True):
        if isinstance(result, DocumentError):
            out.append(_problem(seq, result))
        else:
            out.append(("json", seq, json.dumps(article_json(result, kb.version), ensure_ascii=False),
                        len(result.events)))
    return _versions(kb.version), _address(), out


def _dataset_task(chunk: list[Item], root: str) -> tuple[str, str, list[tuple]]:
    from dyad.output import article_json
    from dyad.store.dataset import write_part

    plugin, kb = _worker_knowledge()
    out: list[tuple] = []
    articles = []
    for (_, seq, _), result in zip(chunk, _extracted(chunk, plugin), strict=True):
        if isinstance(result, DocumentError):
            out.append(_problem(seq, result))
        else:
            articles.append(article_json(result, kb.version))
    written = write_part(articles, root, chunk[0][1])
    out.append(("written", -1, written, written))
    return _versions(kb.version), _address(), out


def _rows_task(chunk: list[Item]) -> tuple[str, str, list[tuple]]:
    from dyad.store.core import rows_or_problem

    plugin, kb = _worker_knowledge()
    out: list[tuple] = []
    for (_, seq, _), result in zip(chunk, _extracted(chunk, plugin), strict=True):
        rows = rows_or_problem(result, kb.version, with_people=False)
        if isinstance(rows, DocumentError):
            out.append(_problem(seq, rows))
        else:
            out.append(("rows", seq, rows, len(rows.events)))
    return _versions(kb.version), _address(), out


def _stage_task(chunk: list[Item], url: str) -> tuple[str, str, list[tuple]]:
    from dyad.store import bulk
    from dyad.store.core import rows_or_problem

    plugin, kb = _worker_knowledge()
    out: list[tuple] = []
    staged = []
    for (_, seq, _), result in zip(chunk, _extracted(chunk, plugin), strict=True):
        rows = rows_or_problem(result, kb.version, with_people=False)
        if isinstance(rows, DocumentError):
            out.append(_problem(seq, rows))
        else:
            staged.append((seq, rows))
    report = bulk.stage(plugin.store(url), staged)
    out.append(("staged", -1, (report.staged, report.events), report.events))
    return _versions(kb.version), _address(), out


def _fuse_task(bucket_range: tuple[str, str], url: str) -> int:
    from dyad.store import bulk

    return bulk.fuse_buckets(knowledge().store(url), *bucket_range)


def _worker_knowledge() -> tuple[Any, KnowledgeBase]:
    """This worker's plugin and its knowledge base, loaded once by the plugin."""
    plugin = knowledge()
    assert plugin.kb is not None
    return plugin, plugin.kb


def _problem(seq: int, problem: DocumentError) -> tuple:
    return ("error", seq, (problem.doc, problem.stage, problem.reason), 0)


def _versions(kb_version: str) -> str:
    return f"dyad {__version__} with knowledge base {kb_version}"


def _extracted(chunk: list[Item], plugin) -> list:
    docs: list[Document | DocumentError] = [document_of(value) if kind == "doc" else DocumentError(*value)
                                            for kind, _, value in chunk]
    return list(extract_all(docs, plugin.kb, plugin.settings))


def _address() -> str:
    from distributed import get_worker

    return get_worker().address
