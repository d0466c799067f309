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
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, String, Table, bindparam, create_engine, delete, event, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from dyad import __version__
from dyad.errors import DocumentError, DyadError
from dyad.fuse import (
    Cluster,
    FuseEvent,
    adopted_group,
    dates_fit,
    fuse_ids,
    group_key,
    record_id_of,
    wording_key,
)
from dyad.model import ArticleResult, Document
from dyad.output import participant_json
from dyad.sources import UNSTORABLE
from dyad.store import actor_counts, monthly, schema
from dyad.store.schema import documents, events, record_actors, record_dyads, records, redirects

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
            current = not schema.pending(conn)
        if not current:
            with store.writing() as conn:  # two first writers must not both create the tables
                schema.migrate(conn)
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


def adopt_undated(conn: Connection, new_rows: list[dict], reworded: set[str], stale: set[str]) -> set[str]:
    """Put each undated event of the wordings this batch touches into its dated twins' group
    (dyad.fuse.adopted_group): the new rows before they are stored, the stored ones moved.

    ``reworded``: wordings of dated events removed by this batch. Returns the groups stored events left or
    joined (to fuse again); the records they left are added to ``stale``.
    """
    twins: dict[str, set[str]] = {}
    for row in new_rows:
        if row["wording"] and row["date"]:
            twins.setdefault(row["wording"], set()).add(row["group_key"])
    undated = [row for row in new_rows if row["wording"] and not row["date"]]
    wordings = sorted(set(twins) | reworded | {row["wording"] for row in undated})
    stored_undated = []
    for chunk in _chunks(wordings, 500):
        for eid, key, rid, date, wording in conn.execute(
                select(events.c.id, events.c.group_key, events.c.record_id, events.c.date, events.c.wording)
                .where(events.c.wording.in_(chunk))):
            if date:
                twins.setdefault(wording, set()).add(key)
            else:
                stored_undated.append((eid, key, rid, wording))
    for row in undated:
        row["group_key"] = adopted_group(row["group_key"], twins.get(row["wording"], ()))
    moves, changed = [], set()
    for eid, key, rid, wording in stored_undated:
        target = adopted_group(key, twins.get(wording, ()))
        if target != key:
            moves.append((target, eid))
            changed |= {key, target}
            if rid:
                stale.add(rid)
    if moves:
        conn.exec_driver_sql(f"UPDATE events SET group_key = {_mark(conn)} WHERE id = {_mark(conn)}", moves)
    return changed


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


def refuse(conn: Connection, groups: set[str], new_rows: list[dict] | None = None,
           stale: set[str] | None = None, people: dict[str, list[dict]] | None = None) -> None:
    """Recompute the records of the affected groups from all their events, in bulk, and store the new events.

    Clustering always covers whole groups (so the result cannot depend on the
    order of ingestion), but only records whose members changed are rewritten:
    ``new_rows`` are events not stored yet (``people``: their participants), ``stale`` records that lost events.
    """
    new_rows, stale = new_rows or [], stale or set()
    keys = sorted(groups)
    if not keys:
        return
    previous: dict[str, str | None] = {}  # stored event -> its record before this batch
    by_group: dict[str, list[FuseEvent]] = {}
    parsed: dict[str, tuple] = {}
    for eid, rid, key, date, city, country, fkey in _group_members(conn, keys):
        previous[eid] = rid
        by_group.setdefault(key, []).append(_fuse_event(eid, key, date, city, country, fkey, parsed))
    for row in new_rows:
        by_group.setdefault(row["group_key"], []).append(
            _fuse_event(row["id"], row["group_key"], row["date"], row["city"], row["country"], row["fuse_key"], parsed))
    changed, assigned, kept = _recluster(by_group, previous, stale)
    for row in new_rows:
        row["record_id"] = assigned[row["id"]]
    _insert(conn, events, new_rows)
    if new_rows and conn.dialect.name == "sqlite":
        _insert(conn, "evidence_fts", [{"event_id": r["id"], "body": r["evidence_text"]} for r in new_rows])
    moves = [(rid, eid) for eid, rid in assigned.items() if eid in previous and previous[eid] != rid]
    if moves:
        conn.exec_driver_sql(f"UPDATE events SET record_id = {_mark(conn)} WHERE id = {_mark(conn)}", moves)
    # a record that no longer stands had a member among the events of changed records, or lost one
    existing = {rid for eid in assigned if (rid := previous.get(eid))} | stale
    written = _write_records(conn, changed, new_rows, existing, kept, people or {})
    _redirect(conn, previous, assigned, kept, {r["id"] for r in written}, existing - kept)
    _link_announcements(conn, keys, written)


def _recluster(by_group: dict[str, list[FuseEvent]], previous: dict[str, str | None],
               stale: set[str]) -> tuple[list[tuple[Cluster, str]], dict[str, str], set[str]]:
    """Fuse each group; returns the records that changed, their events' new records, and all records now."""
    members_of = Counter(previous.values())  # stored events per record
    assigned: dict[str, str] = {}  # event -> its new record, for the events of records that changed
    kept: set[str] = set()
    changed: list[tuple[Cluster, str]] = []
    for key, members_of_group in by_group.items():
        for ids in fuse_ids(members_of_group):
            rid = previous.get(ids[0])
            if rid and rid not in stale and members_of[rid] == len(ids) and all(previous.get(i) == rid for i in ids):
                kept.add(rid)  # the same stored events as before: the stored record (its id from ids[0]) stands
                continue
            rid = record_id_of(ids[0])
            kept.add(rid)
            changed.append((Cluster(rid, ids), key))
            assigned.update(dict.fromkeys(ids, rid))
    return changed, assigned, kept


def _group_members(conn: Connection, keys: list[str]) -> list[tuple]:
    """What fusion compares of the stored events of these groups, read off the covering fusion index.

    Through the driver's cursor: plain tuples, as a result object's rows cost more than the read.
    """
    rows: list[tuple] = []
    cursor = conn.connection.cursor()
    try:
        for chunk in _chunks(keys, 500):
            cursor.execute("SELECT id, record_id, group_key, date, city, country, fuse_key FROM events "
                           f"WHERE group_key IN ({', '.join([_mark(conn)] * len(chunk))})", tuple(chunk))
            rows += cursor.fetchall()
    finally:
        cursor.close()
    return rows


def _write_records(conn: Connection, changed: list[tuple[Cluster, str]], new_rows: list[dict],
                   existing: set[str], kept: set[str], people: dict[str, list[dict]]) -> list[dict]:
    """Replace the records whose members changed and drop those left without events; returns those written."""
    full: dict[str, Any] = {r["id"]: r for r in new_rows}  # every column, only for the events of records to rewrite
    wanted = sorted(i for c, _ in changed for i in c.event_ids if i not in full)
    for chunk in _chunks(wanted, 500):
        for row in conn.execute(select(events).where(events.c.id.in_(chunk))).mappings():
            full[row["id"]] = row
    record_rows, actor_rows, dyad_rows = [], [], []
    for cluster, key in changed:
        record, actors, dyads = _record_rows(cluster, [full[i] for i in cluster.event_ids], key, people)
        record_rows.append(record)
        actor_rows += actors
        dyad_rows += dyads
    counted, per_actor = _drop_records(conn, (existing & {r["id"] for r in record_rows}) | (existing - kept))
    for table, batch in ((records, record_rows), (record_actors, actor_rows), (record_dyads, dyad_rows)):
        _insert(conn, table, batch)
    monthly.tally(counted, record_rows, 1)
    monthly.apply(conn, counted)
    actor_counts.tally(per_actor, actor_rows, 1)
    actor_counts.apply(conn, per_actor)
    return record_rows


def _redirect(conn: Connection, previous: dict[str, str | None], assigned: dict[str, str], kept: set[str],
              written: set[str], gone: set[str]) -> None:
    """Ids of records merged into another now point to it, as do ids that pointed to them.

    A record written under an id that once redirected stands for itself again, and redirects to a
    record that is gone without a successor are dropped: every redirect leads to a record.
    """
    for chunk in _chunks(sorted(written), 500):
        conn.execute(delete(redirects).where(redirects.c.old_id.in_(chunk)))
    moved: dict[str, str] = {}
    for eid in sorted(assigned):
        old = previous.get(eid)
        if old and old != assigned[eid] and old not in kept:
            moved.setdefault(old, assigned[eid])  # a record split apart follows its first remaining event
    for chunk in _chunks(sorted(gone - set(moved)), 500):
        conn.execute(delete(redirects).where(redirects.c.new_id.in_(chunk)))
    if not moved:
        return
    for chunk in _chunks(sorted(moved), 500):
        conn.execute(delete(redirects).where(redirects.c.old_id.in_(chunk)))
    _insert(conn, redirects, [{"old_id": o, "new_id": n} for o, n in sorted(moved.items())])
    conn.exec_driver_sql(f"UPDATE record_redirects SET new_id = {_mark(conn)} WHERE new_id = {_mark(conn)}",
                         [(n, o) for o, n in sorted(moved.items())])


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _insert(conn: Connection, table: Table | str, rows: list[dict]) -> None:
    """Many rows through the driver's own executemany: compiling each row's parameters costs more than the write."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    name = table if isinstance(table, str) else table.name
    columns = list(rows[0])
    conn.exec_driver_sql(f"INSERT INTO {quote(name)} ({', '.join(quote(c) for c in columns)}) "
                         f"VALUES ({', '.join([_mark(conn)] * len(columns))})",
                         [tuple(r[c] for c in columns) for r in rows])


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def fuse_key(participants: list[dict]) -> str:
    """Sides and named people of an event in one string: "CHN|RUS;CHN=wang-yi;RUS=sergey-lavrov"."""
    countries = "|".join(sorted({p["country"] for p in participants if p["country"]}))
    people = sorted({f"{p['country']}={p['actor_id'] or p['name']}" for p in participants if p["name"]})
    return ";".join([countries, *people])


def _fuse_event(eid: str, key: str, date: str | None, city: str | None, country: str | None, fkey: str,
                parsed: dict[str, tuple]) -> FuseEvent:
    if fkey not in parsed:  # the same sides and people recur across many events: parse each key once a batch
        countries, *people = fkey.split(";")
        parsed[fkey] = (frozenset(countries.split("|")) if countries else frozenset(),
                        frozenset(tuple(p.split("=", 1)) for p in people))
    countries, people = parsed[fkey]
    # the status is the first part of the group key (dyad.fuse.group_key)
    return FuseEvent(eid, countries, key.split(":", 1)[0], date, people, city, country)


def _drop_records(conn: Connection, ids: set[str]) -> tuple[Counter, Counter]:
    """Delete these records with their rows; returns the month counts and the actor counts to take away (not
    yet written)."""
    counted: Counter = Counter()
    per_actor: Counter = Counter()
    for chunk in _chunks(sorted(ids), 500):
        monthly.tally(counted, conn.execute(select(records.c.date_lo, records.c.date_hi, records.c.status,
                                                   records.c.countries).where(records.c.id.in_(chunk))).mappings(), -1)
        actor_counts.tally(per_actor, conn.execute(select(
            record_actors.c.record_id, record_actors.c.actor, record_actors.c.name, record_actors.c.date_lo)
            .where(record_actors.c.record_id.in_(chunk))).mappings(), -1)
        conn.execute(delete(records).where(records.c.id.in_(chunk)))
        conn.execute(delete(record_actors).where(record_actors.c.record_id.in_(chunk)))
        conn.execute(delete(record_dyads).where(record_dyads.c.record_id.in_(chunk)))
    return counted, per_actor


_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, None: 3}


@lru_cache(maxsize=4096)
def _topic_set(stored: str | None) -> frozenset[str]:
    """An event's topics (JSON) as a set: the same few lists recur in every batch, parsed once."""
    return frozenset(json.loads(stored or "[]"))


@lru_cache(maxsize=4096)
def _topics_json(topics: frozenset[str]) -> str:
    return json.dumps(sorted(topics))


def _record_rows(cluster: Cluster, members: list, key: str,
                 people: dict[str, list[dict]]) -> tuple[dict, list[dict], list[dict]]:
    if len(members) == 1:  # most records have one report (bulk loads: 80 % and more); min() would say the same
        best = placed = members[0]
        topics = _topics_json(_topic_set(best["topics"]))
    else:
        best = min(members, key=lambda r: (_PRECISION_RANK[r["date_precision"]], r["city"] is None, r["id"]))
        placed = min(members, key=lambda r: (r["city"] is None, r["country"] is None, r["id"]))
        topics = _topics_json(frozenset().union(*(_topic_set(r["topics"]) for r in members)))
    countries = key.split(":")[1]
    lo, hi = date_bounds(best["date"])
    modes = [r["mode"] for r in members if r["mode"] and r["mode"] != "unspecified"]
    record = dict(
        id=cluster.record_id, group_key=key, countries=countries, status=best["status"],
        mode=min(modes) if modes else "unspecified", cameo=best["cameo"], host=best["host"], date=best["date"],
        date_precision=best["date_precision"], date_lo=lo, date_hi=hi, city=placed["city"],
        country=placed["country"], lat=placed["lat"], lon=placed["lon"],
        series=next((r["series"] for r in members if r["series"]), None),
        round=next((r["round"] for r in members if r["round"]), None), topics=topics,
        evidence_text=best["evidence_text"], n_sources=len({r["document_id"] for r in members}), announced_by=None,
        confidence=max((r["confidence"] for r in members if r.get("confidence") is not None), default=None),
    )
    actors: dict[str, tuple] = {}
    for row in members:
        for p in people.get(row["id"]) or json.loads(row["participants"]):
            actor = p["actor_id"] or p["name"]
            if actor:
                actors.setdefault(actor, (p["name"] or p.get("holder") or p["actor_id"], p["country"]))
    actor_rows = [dict(record_id=cluster.record_id, actor=a, name=n, country=c, date_lo=lo)
                  for a, (n, c) in actors.items()]
    codes = countries.split("|")
    dyad_rows = [dict(record_id=cluster.record_id, a=a, b=b, date_lo=lo, status=best["status"])
                 for a in codes for b in codes if a != b]
    return record, actor_rows, dyad_rows


def _link_announcements(conn: Connection, keys: list[str], written: list[dict]) -> None:
    """A planned meeting later reported as held: the held record points to the announcement.

    An announcement for October (or for the year) fits meetings held in that October. A link can
    change only for a held record just written (stored unlinked), or for every held record of a
    month or year whose announcements changed; no other record is looked at.
    """
    recheck: set[str] = set()  # held groups whose announcements changed
    for key in keys:
        status, countries, period = key.split(":")
        if status == "planned" and period != "undated":
            recheck.add(f"occurred:{countries}:{period}")
            if len(period) == 4:
                recheck |= {f"occurred:{countries}:{period}-{month:02d}" for month in range(1, 13)}
    held = [(r["id"], r["group_key"], r["date"], None) for r in written
            if r["status"] == "occurred" and r["date"] and r["group_key"] not in recheck]
    for chunk in _chunks(sorted(recheck), 500):
        held += conn.exec_driver_sql("SELECT id, group_key, date, announced_by FROM records "
                                     f"WHERE group_key IN ({', '.join([_mark(conn)] * len(chunk))})",
                                     tuple(chunk)).all()
    planned = _announcements(conn, {k for _, key, _, _ in held for k in _announcing(key)})
    changes = []
    for rid, key, date, current in held:
        match = _first_fitting(planned, key, date) if planned else None
        if match != current:
            changes.append((match, rid))
    if changes:
        conn.exec_driver_sql(f"UPDATE records SET announced_by = {_mark(conn)} WHERE id = {_mark(conn)}", changes)


def _first_fitting(planned: dict[str, list[tuple[str, str]]], held_key: str, date: str) -> str | None:
    options = sorted(p for k in _announcing(held_key) for p in planned.get(k, ()))  # by id: deterministic
    return next((pid for pid, pdate in options if dates_fit(pdate, date)), None)


def _announcing(held_key: str) -> tuple[str, ...]:
    """The groups of announcements a held record of this group may fulfil: its month's and its year's."""
    _, countries, period = held_key.split(":")
    return tuple(dict.fromkeys((f"planned:{countries}:{period}", f"planned:{countries}:{period[:4]}")))


def _announcements(conn: Connection, keys: set[str]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for chunk in _chunks(sorted(keys), 500):
        for rid, key, date in conn.exec_driver_sql(
                "SELECT id, group_key, date FROM records "
                f"WHERE group_key IN ({', '.join([_mark(conn)] * len(chunk))})", tuple(chunk)):
            if date:
                found.setdefault(key, []).append((rid, date))
    return found


def date_bounds(value: str | None) -> tuple[str | None, str | None]:
    """First and last day a date of any precision allows."""
    if not value:
        return None, None
    if len(value) == 10:
        return value, value
    if len(value) == 7:
        return f"{value}-01", f"{value}-31"
    return f"{value}-01-01", f"{value}-12-31"
