"""Open a store and ingest extracted articles into it, fusing events into records.

SQLite by default (one file, WAL), PostgreSQL by URL, through one SQLAlchemy
Core layer. A document is identified by its source and id (or URL); its
content hash is its version. Ingest is transactional per batch, so a killed
run followed by the same command leaves exactly the result of one clean run.

Any number of processes may write at once: writers take turns, one batch
transaction at a time (SQLite ``BEGIN IMMEDIATE`` with a busy timeout,
PostgreSQL a transaction-level advisory lock), so fusion always reads the
groups it rewrites as the last writer left them. Extraction, the costly
part, runs outside the turn. A document the store cannot hold is reported
and skipped; should a batch fail anyway, its documents are written one by
one so that only the failing one is lost.
"""

from __future__ import annotations

import gc
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, String, bindparam, create_engine, delete, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from dyad import __version__
from dyad.errors import DocumentError, DyadError
from dyad.fuse import group_key, wording_key
from dyad.model import ArticleResult, Document
from dyad.output import participant_json
from dyad.sources import UNSTORABLE
from dyad.store import migrations
from dyad.store.fusion import _chunks, _insert, _mark, adopt_undated, fuse_key, refuse
from dyad.store.schema import documents, events, record_actors, records

BATCH = 1000  # documents per transaction: each touched group is re-clustered once per batch (bench/store.py)
# How long a SQLite writer waits for another's turn: a batch of 1,000 documents into a large store takes
# well under a minute (bench/store.py); ten minutes of waiting means something is stuck
BUSY_TIMEOUT = 600
STORE_CACHE_KB = 65536  # SQLite's page cache per connection (see _sqlite_pragmas)
WRITE_LOCK = 0x64796164  # "dyad": the PostgreSQL advisory lock writers take turns with


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction, taken in turn with every other writer of this store, in any process."""
        with self.engine.connect().execution_options(dyad_write=True) as conn, conn.begin():
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
            yield conn


def open_store(url: str) -> Store:
    """A store at a SQLite path or a database URL, migrated to the current schema."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    try:
        parsed = make_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        engine = create_engine(parsed, future=True, **({"connect_args": {"timeout": BUSY_TIMEOUT}} if sqlite else {}))
    except Exception as exc:  # a malformed URL or a missing driver
        raise DyadError(f"cannot open store {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    store = Store(engine)
    try:
        with engine.connect() as conn:
            current = not migrations.pending(conn)
        if not current:
            with store.writing() as conn:  # two first writers must not both create the tables
                migrations.migrate(conn)
    except OperationalError as exc:
        raise DyadError(f"cannot open store {url!r}: {_first_line(exc)}") from exc
    return store


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun by _sqlite_begin, not by the driver
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
    _wal(cur)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    # a 64 MB page cache per connection keeps index updates fast in a store of millions of rows while
    # a streaming export stays far below 500 MB (no mmap: mapped pages would count as the process's memory)
    cur.execute(f"PRAGMA cache_size=-{STORE_CACHE_KB}")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def _wal(cur) -> None:
    """Write-ahead logging, once per database. Switching to it takes a lock the busy timeout does not
    wait for: connections opening a new store at the same moment try again for a few seconds."""
    for attempt in range(200):
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 199:
                raise
            time.sleep(0.02)


def _sqlite_begin(conn: Connection) -> None:
    """A writer takes the database's write lock when it begins, not at its first write: two writers that
    both read before writing would otherwise deadlock, and one of them fail."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("dyad_write") else "BEGIN")


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: list[DocumentError] = field(default_factory=list)
    events: int = 0

    def add(self, other: IngestReport) -> None:
        self.added += other.added
        self.replaced += other.replaced
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.events += other.events


def ingest(store: Store, results: Iterable[ArticleResult | DocumentError], kb_version: str,
           batch_size: int = BATCH) -> IngestReport:
    return ingest_rows(store, (rows_or_problem(result, kb_version) for result in results), batch_size)


def ingest_rows(store: Store, rows: Iterable[ArticleRows | DocumentError], batch_size: int = BATCH) -> IngestReport:
    """Store articles given as rows (``article_rows``), a batch per transaction; failures are reported."""
    report = IngestReport()
    for batch in _batches(rows, batch_size):
        articles = []
        for item in batch:
            if isinstance(item, DocumentError):
                report.failed.append(item)
            else:
                articles.append(item)
        with collector_paused():
            _write(store, articles, report)
    if store.dialect == "sqlite":
        # fold the write-ahead log back into the database: readers of a large log need far more memory
        # (on the driver's connection, outside any transaction; a busy database just skips it)
        with store.engine.connect() as conn:
            driver: Any = conn.connection.driver_connection
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return report


@dataclass(frozen=True, slots=True)
class ArticleRows:
    """An extracted article as the rows the store holds: plain values, cheap to send between processes.

    ``events`` have ``document_id`` 0 until stored; ``people``, when given, holds each event's participants
    (as in its ``participants`` JSON), so that fusion need not parse them again.
    """

    document: dict
    events: tuple[dict, ...]
    origin: str  # where the document came from, for messages
    people: dict[str, list[dict]] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.document["source"], self.document["doc_key"]


def article_rows(result: ArticleResult, kb_version: str, with_people: bool = True) -> ArticleRows:
    return _article_rows(result, kb_version, _event_rows(result), with_people)


def _article_rows(result: ArticleResult, kb_version: str, event_rows: list[tuple[dict, list[dict]]],
                  with_people: bool) -> ArticleRows:
    source, key = result.doc.source or "", result.doc.id or result.doc.url or ""
    return ArticleRows(_document_row(result, source, key, kb_version), tuple(row for row, _ in event_rows),
                       result.doc.origin or result.doc.id,
                       {row["id"]: participants for row, participants in event_rows} if with_people else None)


def _event_rows(result: ArticleResult) -> list[tuple[dict, list[dict]]]:
    """Each event's row and its participants (as in the row's JSON)."""
    source, key = result.doc.source or "", result.doc.id or result.doc.url or ""
    return [_event_row(0, source, key, ev) for ev in result.events]


def rows_or_problem(result: ArticleResult | DocumentError, kb_version: str,
                    with_people: bool = True) -> ArticleRows | DocumentError:
    """The article's rows, or why the store cannot hold it."""
    if isinstance(result, DocumentError):
        return result
    reason, event_rows = _problem_and_rows(result)
    if reason is not None:
        return DocumentError(result.doc.origin or result.doc.id, "store", reason)
    return _article_rows(result, kb_version, event_rows, with_people)


def _write(store: Store, articles: list[ArticleRows], report: IngestReport) -> None:
    """The batch in one transaction; if the database refuses it, each document in its own."""
    if not articles:
        return
    step = IngestReport()
    try:
        with store.writing() as conn:
            _store_batch(conn, articles, step)
    except OperationalError as exc:  # the database itself is unavailable: no document would fare better
        raise DyadError(f"store: {_first_line(exc)}") from exc
    except Exception as exc:  # a row the checks of unstorable() did not foresee
        if len(articles) > 1:
            for article in articles:
                _write(store, [article], report)
            return
        report.failed.append(DocumentError(articles[0].origin, "store", _first_line(exc)))
        return
    report.add(step)


def _first_line(exc: Exception) -> str:
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {lines[0] if lines else ''}"[:300]


def unstorable(result: ArticleResult) -> str | None:
    """Why the store cannot hold this article as it is (the same answer on SQLite and PostgreSQL), or None."""
    return _problem_and_rows(result)[0]


def _problem_and_rows(result: ArticleResult) -> tuple[str | None, list[tuple[dict, list[dict]]]]:
    """``unstorable``'s answer and, when it is None, the events' rows it checked: built once, not again for the
    store (they cost more than the checks)."""
    doc = result.doc
    key, source = doc.id or doc.url or "", doc.source or ""
    for name, value, column in (("id", key, documents.c.doc_key), ("source", source, documents.c.source)):
        if _too_long(column, value):
            return f"{name} of {len(value):,} characters exceeds the store's limit of {_length(column)}", []
    for name, given in (("id", key), ("source", source), ("url", doc.url), ("title", doc.title), ("text", doc.text)):
        if given and UNSTORABLE.search(given):
            return f"'{name}' holds a NUL or a lone surrogate, which the store cannot hold", []
    event_rows = _event_rows(result)  # after the checks of the key: a lone surrogate in it cannot be hashed
    for ev, (row, participants) in zip(result.events, event_rows, strict=True):
        for name, limit in _EVENT_LIMITS:
            value = row[name]
            if isinstance(value, str) and len(value) > limit:
                return f"event {ev.id}: '{name}' longer than the store's limit of {limit}", []
        for p in participants:
            for value, (name, limit) in zip((p["actor_id"] or p["name"], p["name"], p["country"]),
                                            _PARTICIPANT_LIMITS, strict=True):
                if isinstance(value, str) and limit is not None and len(value) > limit:
                    return f"event {ev.id}: participant '{name}' longer than the store's limit", []
        sides = "|".join(sorted({p["country"] for p in participants if p["country"]}))
        if _SIDES_LIMIT is not None and len(sides) > _SIDES_LIMIT:
            return f"event {ev.id}: too many sides for the store", []
    return None, event_rows


def _length(column) -> int | None:
    return column.type.length if isinstance(column.type, String) else None


def _too_long(column, value) -> bool:
    limit = _length(column)
    return isinstance(value, str) and limit is not None and len(value) > limit


# the events' columns of limited length, and their limits (looked up once: the checks run for every event)
_EVENT_LIMITS = tuple((c.name, limit) for c in events.columns if (limit := _length(c)))
# a participant's actor (its id, or its name), name and country, as record_actors holds them
_PARTICIPANT_LIMITS = tuple((c.name, _length(c)) for c in (record_actors.c.actor, record_actors.c.name,
                                                           record_actors.c.country))
_SIDES_LIMIT = _length(records.c.countries)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch runs.

    A batch allocates millions of rows, tuples and sets that form no cycles; the collector would
    walk the whole growing heap again and again (a third of the fusion time on a large store).
    The switch is process-wide: under ``dyad serve`` the API threads go without it for a batch too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def content_hash(result: ArticleResult) -> str:
    return document_hash(result.doc)


def document_hash(doc: Document) -> str:
    parts = [doc.text, doc.published.isoformat() if doc.published else "", doc.title or "", doc.url or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def new_or_changed(store: Store, docs: Iterable[Document | DocumentError], kb_version: str,
                   report: IngestReport, chunk: int = BATCH) -> Iterator[Document | DocumentError]:
    """The documents the store does not hold as they are (by content hash and versions), before any
    extraction; the others are counted unchanged in ``report``. A document whose key this run already
    passed on is always passed on: a later copy must supersede an earlier one."""
    passed: set[tuple[str, str]] = set()
    columns = (documents.c.source, documents.c.doc_key, documents.c.content_hash, documents.c.dyad_version,
               documents.c.kb_version)
    for batch in _batches(docs, chunk):
        keys = {(d.source or "", d.id or d.url or "") for d in batch if isinstance(d, Document)}
        with store.engine.connect() as conn:
            stored = {(r.source, r.doc_key): (r.content_hash, r.dyad_version, r.kb_version)
                      for r in _documents(conn, sorted(keys), columns)}
        for doc in batch:
            if isinstance(doc, Document):
                key = (doc.source or "", doc.id or doc.url or "")
                if key not in passed and stored.get(key) == (document_hash(doc), __version__, kb_version):
                    report.unchanged += 1
                    continue
                passed.add(key)
            yield doc


def _store_batch(conn: Connection, articles: list[ArticleRows], report: IngestReport) -> None:
    """Write a batch's documents, then its events fused into records, with a handful of statements."""
    latest: dict[tuple[str, str], ArticleRows] = {}
    for article in articles:
        if article.key in latest:
            report.replaced += 1  # a later copy in the same batch supersedes it
        latest[article.key] = article
    existing = {(row.source, row.doc_key): row for row in _documents(conn, list(latest), (
        documents.c.id, documents.c.source, documents.c.doc_key, documents.c.content_hash, documents.c.dyad_version,
        documents.c.kb_version))}
    new, replaced, stored = [], [], []
    for key, article in latest.items():
        values = article.document
        row = existing.get(key)
        if row is None:
            new.append(article)
        elif (row.content_hash, row.dyad_version, row.kb_version) == (values["content_hash"], values["dyad_version"],
                                                                       values["kb_version"]):
            report.unchanged += 1
        else:
            replaced.append((row.id, article))
    affected, stale, reworded = _remove_events(conn, [doc_id for doc_id, _ in replaced])
    if replaced:
        conn.execute(update(documents).where(documents.c.id == bindparam("doc_id")),
                     [{**article.document, "doc_id": doc_id} for doc_id, article in replaced])
        stored += replaced
        report.replaced += len(replaced)
    if new:
        _insert(conn, documents, [article.document for article in new])
        ids = {(row.source, row.doc_key): row.id
               for row in _documents(conn, [a.key for a in new], (documents.c.id, documents.c.source,
                                                                   documents.c.doc_key))}
        stored += [(ids[article.key], article) for article in new]
        report.added += len(new)
    rows, people = [], {}
    for doc_id, article in stored:
        for event_row in article.events:
            rows.append({**event_row, "document_id": doc_id})
        people.update(article.people or {})
    report.events += len(rows)
    affected |= adopt_undated(conn, rows, reworded, stale)
    # the new events are written by refuse, already in their records: no second pass over them
    refuse(conn, affected | {r["group_key"] for r in rows}, rows, stale, people)


def _documents(conn: Connection, keys: list[tuple[str, str]], columns: tuple) -> Iterator:
    """Stored documents by (source, key); the source leads the unique index, so it is always given."""
    by_source: dict[str, list[str]] = {}
    for source, key in keys:
        by_source.setdefault(source, []).append(key)
    for source, doc_keys in sorted(by_source.items()):
        for chunk in _chunks(sorted(doc_keys), 500):
            yield from conn.execute(select(*columns).where(documents.c.source == source,
                                                           documents.c.doc_key.in_(chunk)))


def _document_row(result: ArticleResult, source: str, key: str, kb_version: str) -> dict:
    doc = result.doc
    return dict(source=source, doc_key=key, content_hash=content_hash(result), url=doc.url, title=doc.title,
                published=doc.published.isoformat() if doc.published else None, language=result.language,
                text=doc.text, dyad_version=__version__, kb_version=kb_version, author=doc.author,
                extractor=doc.extractor, ingested_at=datetime.now(UTC).isoformat(timespec="microseconds"))


def _remove_events(conn: Connection, doc_ids: list[int]) -> tuple[set[str], set[str], set[str]]:
    """Delete the events of these documents; returns their groups, their records and the wordings of those
    dated (an undated twin may have to leave their month)."""
    affected: set[str] = set()
    stale: set[str] = set()
    reworded: set[str] = set()
    for chunk in _chunks(doc_ids, 500):
        old = conn.execute(select(events.c.id, events.c.group_key, events.c.record_id, events.c.date,
                                  events.c.wording).where(events.c.document_id.in_(chunk))).all()
        stale |= {r.record_id for r in old if r.record_id}
        reworded |= {r.wording for r in old if r.wording and r.date}
        if old and conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"DELETE FROM evidence_fts WHERE event_id = {_mark(conn)}", [(r.id,) for r in old])
        conn.execute(delete(events).where(events.c.document_id.in_(chunk)))
        affected |= {r.group_key for r in old}
    return affected, stale, reworded


def _event_row(doc_id: int, source: str, key: str, ev) -> tuple[dict, list[dict]]:
    """The event's row, and its participants as stored in it (JSON), so records need not parse them again."""
    participants = [participant_json(p) for p in ev.participants]
    countries = sorted({p.country for p in ev.participants if p.country})
    loc = ev.location
    return dict(
        id=hashlib.sha1(f"{source}\x1f{key}\x1f{ev.id}".encode()).hexdigest()[:24],
        document_id=doc_id, record_id=None,
        group_key=group_key(countries, ev.status, ev.date.value if ev.date else None), type=ev.type,
        wording=wording_key(countries, ev.status, ev.evidence.text),
        cameo=ev.cameo, status=ev.status, mode=ev.mode, host=ev.host,
        date=ev.date.value if ev.date else None, date_precision=ev.date.precision if ev.date else None,
        city=loc.city if loc else None, country=loc.country if loc else None, lat=loc.lat if loc else None,
        lon=loc.lon if loc else None, geonames_id=loc.geonames_id if loc else None, series=ev.series,
        round=ev.round, topics=json.dumps(list(ev.topics)), evidence_text=ev.evidence.text,
        evidence_start=ev.evidence.start, evidence_end=ev.evidence.end,
        participants=json.dumps(participants, ensure_ascii=False), fuse_key=fuse_key(participants),
        confidence=ev.confidence,
    ), participants

