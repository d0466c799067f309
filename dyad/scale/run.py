"""Extraction and ingest mapped over batches of documents, or over shards of the input, on a Dask cluster.

Given paths (``Shards``), this process only lists the files they name and sends the workers pieces of
them (``dyad.read.shards``): each worker reads its own, as it streams, so no one process reads the whole
input. Given documents (standard input, fetched pages), it sends batches of them. Either way a bounded
number of tasks is in flight, so that memory stays flat however large the input is, and only plain rows
cross process borders: a piece's path and byte range, a document's fields, an article's JSON line, its
store rows. Results come back in input order, so the output equals a single process's. Every task comes
back with the version of the knowledge base its worker extracted with; one that differs from this
run's is an error.

A worker that dies takes nothing with it: its tasks are run again elsewhere (they write nothing,
or write in one transaction), and a rerun skips what is stored (by content hash).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

from distributed import Client

from dyad import __version__
from dyad.errors import DocumentError, DyadError
from dyad.kb.loader import KnowledgeBase
from dyad.model import Document
from dyad.pipeline import extract_all
from dyad.read import shards
from dyad.read.shards import Piece, ReadOptions, Shards, blocks, count_newlines, list_shards, split
from dyad.scale.cluster import install, knowledge
from dyad.settings import Settings
from dyad.sources import read_piece

# Documents per task: a task costs the scheduler about a millisecond and a news article 5 ms of extraction
# (bench/extract.py); 50 keeps the overhead under 1 % and a batch's rows under a megabyte
BATCH = 50
IN_FLIGHT = 3  # tasks queued per worker thread: enough that none waits, few enough that memory stays flat
PIECE = 1 << 32  # a document's input position: its piece's times this, plus its place in the piece

Progress = Callable[[int, int], None]  # (documents done, events found) after each task
Warn = Callable[[str], None]
Item = tuple  # ("doc", seq, fields), ("error", seq, (doc, stage, reason)) or ("piece", seq, Piece)
Inputs = Iterable[Document | DocumentError] | Shards


def document_row(doc: Document) -> tuple:
    return (doc.id, doc.text, doc.published.isoformat() if doc.published else None, doc.language, doc.url,
            doc.title, doc.source, doc.origin, doc.author, doc.extractor)


def document_of(row: tuple) -> Document:
    doc_id, text, published, language, url, title, source, origin, author, extractor = row
    return Document(doc_id, text, date.fromisoformat(published) if published else None, language, url, title,
                    source, origin, author, extractor)


def extract_lines(client: Client, docs: Inputs, settings: Settings, kb_version: str,
                  progress: Progress | None = None, batch: int = BATCH,
                  warn: Warn | None = None) -> Iterator[str | DocumentError]:
    """Each article's JSON line (the output contract), or its failure, in input order."""
    install(client, settings)
    for kind, _, value in _run(client, _inputs(client, docs), _extract_task, kb_version, progress, batch, warn,
                               options=_options(docs)):
        yield value if kind == "json" else DocumentError(*value)


def extract_to_dataset(client: Client, docs: Inputs, settings: Settings, kb_version: str, root: str,
                       progress: Progress | None = None, batch: int = BATCH,
                       warn: Warn | None = None) -> Iterator[int | DocumentError]:
    """Each worker writes its batches' events into the Parquet dataset at ``root`` (``dyad.store.dataset``);
    yields the failures, and the events each batch wrote."""
    install(client, settings)
    for kind, _, value in _run(client, _inputs(client, docs), _dataset_task, kb_version, progress, batch, warn,
                               root=root, options=_options(docs)):
        yield value if kind == "written" else DocumentError(*value)


def ingest_on_cluster(client: Client, store, docs: Inputs, settings: Settings, kb_version: str,
                      progress: Progress | None = None, batch_size: int | None = None, batch: int = BATCH,
                      warn: Warn | None = None):
    """Extraction on the cluster, the store written by this process (the single writer, batch by batch).

    Documents the store holds as they are are not extracted again: this process skips them before
    sending them; workers reading shards skip them as they read. A later copy of a document must still
    supersede an earlier one, so a skipped copy whose key an earlier copy of this run passed on is sent
    again, alone.
    """
    from dyad.store import IngestReport, ingest_rows
    from dyad.store.core import new_or_changed

    install(client, settings)
    skipped = IngestReport()
    options = _options(docs)
    url = store.engine.url.render_as_string(hide_password=False)
    if isinstance(docs, Shards):
        items = _inputs(client, docs)
    else:
        items = _items(new_or_changed(store, docs, kb_version, skipped))

    def rows() -> Iterator:
        passed: set[tuple[str, str]] = set()
        for kind, seq, value in _run(client, items, _rows_task, kb_version, _plus(progress, skipped), batch, warn,
                                     options=options, url=url if options else None):
            if kind == "unchanged":
                key, piece = value
                if key not in passed:
                    skipped.unchanged += 1
                    continue
                # an earlier copy of this run replaces the stored one: this copy must come after it again
                kind, seq, value = _rerun(client, seq // PIECE, piece, kb_version, _rows_task, options=options)
            if kind == "rows":
                passed.add(value.key)
            yield value if kind == "rows" else DocumentError(*value)

    report = ingest_rows(store, rows(), **({"batch_size": batch_size} if batch_size else {}))
    report.add(skipped)
    return report


def bulk_load(client: Client, url: str, docs: Inputs, settings: Settings, kb_version: str,
              progress: Progress | None = None, batch: int = BATCH, warn: Warn | None = None):
    """A first load into an empty store: workers stage their batches in parallel, fusion runs per (sides, year)
    bucket on the workers, one step swaps the result in (``dyad.store.bulk``). A rerun after a kill goes on
    with what is staged: the workers skip the documents staged as they are (by content hash)."""
    from dyad.store import IngestReport, bulk, open_store

    store = open_store(url)
    bulk.prepare(store)
    install(client, settings)
    report = IngestReport()
    for kind, _, value in _run(client, _inputs(client, docs), _stage_task, kb_version, _plus(progress, report), batch,
                               warn, url=url, options=_options(docs)):
        if kind == "error":
            report.failed.append(DocumentError(*value))
        elif kind == "unchanged":
            report.unchanged += 1
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


def _inputs(client: Client, docs: Inputs) -> Iterator[Item]:
    return _pieces(client, docs) if isinstance(docs, Shards) else _items(docs)


def _options(docs: Inputs) -> ReadOptions | None:
    return docs.options if isinstance(docs, Shards) else None


def _items(docs: Iterable[Document | DocumentError]) -> Iterator[Item]:
    for seq, doc in enumerate(docs):
        if isinstance(doc, DocumentError):
            yield ("error", seq, (doc.doc, doc.stage, doc.reason))
        else:
            yield ("doc", seq, document_row(doc))


def _pieces(client: Client, inputs: Shards) -> Iterator[Item]:
    """The pieces of every file the shards name, in input order. The newlines of large JSONL files are
    counted on the workers, all files at once, ahead of their pieces (so their lines keep their numbers)."""
    listed = list(list_shards(inputs.paths, inputs.options.kind))
    counting: dict[int, tuple[list[tuple[int, int]], Any]] = {}
    for k, piece in enumerate(listed):
        if isinstance(piece, Piece) and (ranges := blocks(piece, inputs.options.kind)):
            counting[k] = (ranges, client.submit(count_newlines, piece.url, ranges, pure=False))
    seq = 0
    for k, piece in enumerate(listed):
        if isinstance(piece, DocumentError):
            parts: list[Item] = [("error", seq, (piece.doc, piece.stage, piece.reason))]
        elif k in counting:
            ranges, newlines = counting.pop(k)
            parts = [("piece", seq + n, part) for n, part in enumerate(split(piece, ranges, newlines.result()))]
        else:
            parts = [("piece", seq, piece)]
        yield from parts
        seq += len(parts)


def _run(client: Client, items: Iterable[Item], task: Callable, kb_version: str, progress: Progress | None,
         batch: int, warn: Warn | None, **extra: Any) -> Iterator[tuple]:
    """Tasks of items through ``task`` on the cluster, a bounded number at a time; results in input order,
    the readers' warnings given to ``warn``."""
    window = max(2, IN_FLIGHT * len(_threads(client)))
    pending: deque = deque()
    done = events = 0

    def collect() -> Iterator[tuple]:
        nonlocal done, events
        version, worker, results, documents = _checked(pending.popleft().result(), kb_version)
        for result in results:
            if result[0] == "warning":
                if warn is not None:
                    warn(result[2])
                continue
            events += result[3]
            yield result[:3]
        done += documents
        if progress is not None:
            progress(done, events)

    for chunk in _chunked(items, batch):
        pending.append(client.submit(task, chunk, pure=False, **extra))
        while len(pending) >= window:
            yield from collect()
    while pending:
        yield from collect()


def _rerun(client: Client, seq: int, piece: Piece, kb_version: str, task: Callable, **extra: Any) -> tuple:
    """The one document of a piece (``only``) through ``task`` again: its one result."""
    _, _, results, _ = _checked(client.submit(task, [("piece", seq, piece)], pure=False, **extra).result(), kb_version)
    return next(result[:3] for result in results if result[0] != "warning")


def _checked(returned: tuple, kb_version: str) -> tuple:
    version, worker, _, _ = returned
    if version != _versions(kb_version):
        raise DyadError(f"Dask worker {worker} extracted with {version}, this run has {_versions(kb_version)}: "
                        "every worker must run the same dyad and knowledge base (and the same --kb-extra)")
    return returned


def _threads(client: Client) -> dict:
    return client.nthreads() or {"": 1}


def _chunked(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Tasks: ``size`` documents, or pieces of up to ``size`` files and about ``shards.BLOCK`` bytes."""
    chunk: list[Item] = []
    weight = 0
    for item in items:
        chunk.append(item)
        if item[0] == "piece":
            piece = item[2]
            weight += (piece.end - piece.start) if piece.end is not None else piece.size
        if len(chunk) == size or weight >= shards.BLOCK:
            yield chunk
            chunk, weight = [], 0
    if chunk:
        yield chunk


def _plus(progress: Progress | None, report) -> Progress | None:
    """Progress that counts the documents skipped before extraction as done."""
    if progress is None:
        return None
    return lambda done, events: progress(done + report.unchanged, events)


# tasks: run on the workers, with the worker's knowledge base; each returns (versions, worker, results,
# documents read) where a result is (kind, seq, value, events)


def _extract_task(chunk: list[Item], options: ReadOptions | None) -> tuple:
    from dyad.output import article_json

    plugin, kb = _worker_knowledge()
    out: list[tuple] = []
    for batch in _batches(chunk, plugin, options, out):
        for (seq, _, _), result in zip(batch, _extracted(batch, plugin), strict=True):
            if isinstance(result, DocumentError):
                out.append(_problem(seq, result))
            else:
                out.append(("json", seq, json.dumps(article_json(result, kb.version), ensure_ascii=False),
                            len(result.events)))
    return _returned(kb, out)


def _dataset_task(chunk: list[Item], root: str, options: ReadOptions | None) -> tuple:
    from dyad.output import article_json
    from dyad.store.dataset import write_part

    plugin, kb = _worker_knowledge()
    out: list[tuple] = []
    for batch in _batches(chunk, plugin, options, out):
        articles = []
        for (seq, _, _), result in zip(batch, _extracted(batch, plugin), strict=True):
            if isinstance(result, DocumentError):
                out.append(_problem(seq, result))
            else:
                articles.append(article_json(result, kb.version))
        written = write_part(articles, root, batch[0][0])
        out.append(("written", -1, written, written))
    return _returned(kb, out)


def _rows_task(chunk: list[Item], options: ReadOptions | None, url: str | None = None) -> tuple:
    """Store rows; reading shards (``url`` given), without the documents the store holds as they are."""
    from dyad.store.core import rows_or_problem

    plugin, kb = _worker_knowledge()
    out: list[tuple] = []
    for batch in _batches(chunk, plugin, options, out):
        if url is not None:
            batch = _unstored(batch, plugin.store(url), kb.version, out)
        for (seq, _, _), result in zip(batch, _extracted(batch, plugin), strict=True):
            rows = rows_or_problem(result, kb.version, with_people=False)
            if isinstance(rows, DocumentError):
                out.append(_problem(seq, rows))
            else:
                out.append(("rows", seq, rows, len(rows.events)))
    return _returned(kb, out)


def _stage_task(chunk: list[Item], url: str, options: ReadOptions | None) -> tuple:
    from dyad.store import bulk
    from dyad.store.core import rows_or_problem

    plugin, kb = _worker_knowledge()
    store = plugin.store(url)
    out: list[tuple] = []
    for batch in _batches(chunk, plugin, options, out):
        batch = _unstaged(batch, store, out)
        staged = []
        for (seq, _, _), result in zip(batch, _extracted(batch, plugin), strict=True):
            rows = rows_or_problem(result, kb.version, with_people=False)
            if isinstance(rows, DocumentError):
                out.append(_problem(seq, rows))
            else:
                staged.append((seq, rows))
        if staged:
            report = bulk.stage(store, staged)
            out.append(("staged", -1, (report.staged, report.events), report.events))
    return _returned(kb, out)


def _fuse_task(bucket_range: tuple[str, str], url: str) -> int:
    from dyad.store import bulk

    return bulk.fuse_buckets(knowledge().store(url), *bucket_range)


Read = tuple[int, Document | DocumentError, Piece | None]  # input position, document, the piece to read it again


def _batches(chunk: list[Item], plugin, options: ReadOptions | None, out: list[tuple]) -> Iterator[list[Read]]:
    """The task's documents in batches of ``BATCH``: its own, or read from its pieces as they stream (the
    readers' warnings go to ``out``)."""
    batch: list[Read] = []
    for read in _documents(chunk, plugin, options or ReadOptions(), out):
        batch.append(read)
        if len(batch) == BATCH:
            out.append(("read", -1, len(batch), 0))
            yield batch
            batch = []
    if batch:
        out.append(("read", -1, len(batch), 0))
        yield batch


def _documents(chunk: list[Item], plugin, options: ReadOptions, out: list[tuple]) -> Iterator[Read]:
    from dyad.read.web import WebContext

    def warn(message: str) -> None:
        out.append(("warning", -1, message, 0))

    for kind, seq, value in chunk:
        if kind == "doc":
            yield seq, document_of(value), None
        elif kind == "error":
            yield seq, DocumentError(*value), None
        else:
            ctx = WebContext(settings=plugin.settings, fetcher=plugin.fetcher() if options.fetch else None,
                             warn=warn, language=options.language)
            for k, doc in enumerate(read_piece(value, options, ctx), value.only or 0):
                yield seq * PIECE + k, doc, replace(value, only=k)


def _unstaged(batch: list[Read], store, out: list[tuple]) -> list[Read]:
    """The batch without the documents staged as they are (by content hash): a rerun goes on where it stopped."""
    from dyad.store import bulk
    from dyad.store.core import document_hash

    staged = bulk.staged_hashes(store, [_key(doc) for _, doc, _ in batch if isinstance(doc, Document)])
    fresh = []
    for seq, doc, piece in batch:
        if isinstance(doc, Document) and (*_key(doc), document_hash(doc)) in staged:
            out.append(("unchanged", seq, None, 0))
        else:
            fresh.append((seq, doc, piece))
    return fresh


def _unstored(batch: list[Read], store, kb_version: str, out: list[tuple]) -> list[Read]:
    """The batch without the documents the store holds as they are (by content hash and versions)."""
    from dyad.store.core import _documents as stored_documents
    from dyad.store.core import document_hash
    from dyad.store.schema import documents

    keys = sorted({_key(doc) for _, doc, _ in batch if isinstance(doc, Document)})
    columns = (documents.c.source, documents.c.doc_key, documents.c.content_hash, documents.c.dyad_version,
               documents.c.kb_version)
    with store.engine.connect() as conn:
        stored = {(r.source, r.doc_key): (r.content_hash, r.dyad_version, r.kb_version)
                  for r in stored_documents(conn, keys, columns)}
    fresh = []
    for seq, doc, piece in batch:
        if isinstance(doc, Document) and stored.get(_key(doc)) == (document_hash(doc), __version__, kb_version):
            out.append(("unchanged", seq, (_key(doc), piece), 0))
        else:
            fresh.append((seq, doc, piece))
    return fresh


def _key(doc: Document) -> tuple[str, str]:
    """A document's key in the store: (source, id or URL)."""
    return doc.source or "", doc.id or doc.url or ""


def _worker_knowledge() -> tuple[Any, KnowledgeBase]:
    """This worker's plugin and its knowledge base, loaded once by the plugin."""
    plugin = knowledge()
    assert plugin.kb is not None
    return plugin, plugin.kb


def _returned(kb: KnowledgeBase, out: list[tuple]) -> tuple:
    """What a task returns: the versions it ran with, its worker, its results and the documents it read."""
    results = [result for result in out if result[0] != "read"]
    return _versions(kb.version), _address(), results, sum(result[2] for result in out if result[0] == "read")


def _problem(seq: int, problem: DocumentError) -> tuple:
    return ("error", seq, (problem.doc, problem.stage, problem.reason), 0)


def _versions(kb_version: str) -> str:
    return f"dyad {__version__} with knowledge base {kb_version}"


def _extracted(batch: list[Read], plugin) -> list:
    return list(extract_all([doc for _, doc, _ in batch], plugin.kb, plugin.settings))


def _address() -> str:
    from distributed import get_worker

    return get_worker().address
