"""Open a store and ingest extracted articles into it, fusing events into records.

SQLite by default (one file, WAL), PostgreSQL by URL, through one SQLAlchemy
Core layer. A document is identified by its source and id (or URL); its
content hash is its version. Ingest is transactional per batch, so a killed
run followed by the same command leaves exactly the result of one clean run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, bindparam, create_engine, delete, event, insert, select, text, update
from sqlalchemy.engine import make_url

from dyad import __version__
from dyad.errors import DocumentError, DyadError
from dyad.fuse import Cluster, FuseEvent, dates_fit, fuse, group_key
from dyad.model import ArticleResult
from dyad.output import event_json
from dyad.store import schema
from dyad.store.schema import documents, events, record_actors, record_dyads, records, redirects

BATCH = 1000  # documents per transaction: each touched group is re-clustered once per batch (bench/store.py)


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def open_store(url: str) -> Store:
    """A store at a SQLite path or a database URL, migrated to the current schema."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    try:
        engine = create_engine(make_url(url), future=True)
    except Exception as exc:  # a malformed URL or a missing driver
        raise DyadError(f"cannot open store {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    with engine.begin() as conn:
        schema.migrate(conn)
    return Store(engine)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    # a 64 MB page cache per connection keeps index updates fast in a store of millions of rows while
    # a streaming export stays far below 500 MB (no mmap: mapped pages would count as the process's memory)
    cur.execute("PRAGMA cache_size=-65536")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: list[DocumentError] = field(default_factory=list)
    events: int = 0


def ingest(store: Store, results: Iterable[ArticleResult | DocumentError], kb_version: str,
           batch_size: int = BATCH) -> IngestReport:
    report = IngestReport()
    for batch in _batches(results, batch_size):
        report.failed += [r for r in batch if isinstance(r, DocumentError)]
        articles = [r for r in batch if not isinstance(r, DocumentError)]
        with store.engine.begin() as conn:
            refuse(conn, *_store_batch(conn, articles, kb_version, report))
    if store.dialect == "sqlite":
        # fold the write-ahead log back into the database: readers of a large log need far more memory
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return report


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
    doc = result.doc
    parts = [doc.text, doc.published.isoformat() if doc.published else "", doc.title or "", doc.url or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _store_batch(conn: Connection, articles: list[ArticleResult], kb_version: str,
                 report: IngestReport) -> tuple[set[str], set[str], set[str]]:
    """Write a batch's documents and events with a handful of statements.

    Returns the affected groups, the ids of the events stored, and the records that lost events.
    """
    latest: dict[tuple[str, str], ArticleResult] = {}
    for result in articles:
        key = (result.doc.source or "", result.doc.id or result.doc.url or "")
        if key in latest:
            report.replaced += 1  # a later copy in the same batch supersedes it
        latest[key] = result
    existing = {}
    for chunk in _chunks(sorted({k for _, k in latest}), 500):
        for row in conn.execute(select(documents.c.id, documents.c.source, documents.c.doc_key,
                                       documents.c.content_hash, documents.c.dyad_version, documents.c.kb_version)
                                .where(documents.c.doc_key.in_(chunk))):
            existing[(row.source, row.doc_key)] = row
    new, replaced, stored = [], [], []
    for (source, key), result in latest.items():
        values = _document_row(result, source, key, kb_version)
        row = existing.get((source, key))
        if row is None:
            new.append((values, result))
        elif (row.content_hash, row.dyad_version, row.kb_version) == (values["content_hash"], __version__,
                                                                       kb_version):
            report.unchanged += 1
        else:
            replaced.append((row.id, values, result))
    affected, stale = _remove_events(conn, [doc_id for doc_id, _, _ in replaced])
    if replaced:
        conn.execute(update(documents).where(documents.c.id == bindparam("doc_id")),
                     [{**values, "doc_id": doc_id} for doc_id, values, _ in replaced])
        stored += [(doc_id, result) for doc_id, _, result in replaced]
        report.replaced += len(replaced)
    if new:
        conn.execute(insert(documents), [values for values, _ in new])
        ids = {}
        for chunk in _chunks([values["doc_key"] for values, _ in new], 500):
            for row in conn.execute(select(documents.c.id, documents.c.source, documents.c.doc_key)
                                    .where(documents.c.doc_key.in_(chunk))):
                ids[(row.source, row.doc_key)] = row.id
        stored += [(ids[(values["source"], values["doc_key"])], result) for values, result in new]
        report.added += len(new)
    rows = [_event_row(doc_id, result.doc.source or "", result.doc.id or result.doc.url or "", ev)
            for doc_id, result in stored for ev in result.events]
    if rows:
        conn.execute(insert(events), rows)
        if conn.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO evidence_fts (event_id, body) VALUES (:id, :body)"),
                         [{"id": r["id"], "body": r["evidence_text"]} for r in rows])
    report.events += len(rows)
    return affected | {r["group_key"] for r in rows}, {r["id"] for r in rows}, stale


def _document_row(result: ArticleResult, source: str, key: str, kb_version: str) -> dict:
    doc = result.doc
    return dict(source=source, doc_key=key, content_hash=content_hash(result), url=doc.url, title=doc.title,
                published=doc.published.isoformat() if doc.published else None, language=result.language,
                text=doc.text, dyad_version=__version__, kb_version=kb_version)


def _remove_events(conn: Connection, doc_ids: list[int]) -> tuple[set[str], set[str]]:
    affected: set[str] = set()
    stale: set[str] = set()
    for chunk in _chunks(doc_ids, 500):
        old = conn.execute(select(events.c.id, events.c.group_key, events.c.record_id)
                           .where(events.c.document_id.in_(chunk))).all()
        stale |= {r.record_id for r in old if r.record_id}
        if old and conn.dialect.name == "sqlite":
            conn.execute(text("DELETE FROM evidence_fts WHERE event_id = :id"), [{"id": r.id} for r in old])
        conn.execute(delete(events).where(events.c.document_id.in_(chunk)))
        affected |= {r.group_key for r in old}
    return affected, stale


def _event_row(doc_id: int, source: str, key: str, ev) -> dict:
    data = event_json(ev)
    countries = sorted({p.country for p in ev.participants if p.country})
    loc = ev.location
    return dict(
        id=hashlib.sha1(f"{source}\x1f{key}\x1f{ev.id}".encode()).hexdigest()[:24],
        document_id=doc_id, record_id=None,
        group_key=group_key(countries, ev.status, ev.date.value if ev.date else None), type=ev.type,
        cameo=ev.cameo, status=ev.status, mode=ev.mode, host=ev.host,
        date=ev.date.value if ev.date else None, date_precision=ev.date.precision if ev.date else None,
        city=loc.city if loc else None, country=loc.country if loc else None, lat=loc.lat if loc else None,
        lon=loc.lon if loc else None, geonames_id=loc.geonames_id if loc else None, series=ev.series,
        round=ev.round, topics=json.dumps(list(ev.topics)), evidence_text=ev.evidence.text,
        evidence_start=ev.evidence.start, evidence_end=ev.evidence.end,
        participants=json.dumps(data["participants"], ensure_ascii=False),
        fuse_key=fuse_key(data["participants"]),
    )


def refuse(conn: Connection, groups: set[str], fresh: set[str] | None = None,
           stale: set[str] | None = None) -> None:
    """Recompute the records of the affected groups from all their events, in bulk.

    Clustering always covers whole groups (so the result cannot depend on the
    order of ingestion), but only records whose members changed are rewritten:
    ``fresh`` are events just stored, ``stale`` records that lost events.
    """
    fresh, stale = fresh or set(), stale or set()
    keys = sorted(groups)
    if not keys:
        return
    rows = []
    for chunk in _chunks(keys, 500):
        rows += conn.execute(select(*CLUSTER_COLUMNS).where(events.c.group_key.in_(chunk))).mappings().all()
    by_group: dict[str, list] = {}
    for row in rows:
        by_group.setdefault(row["group_key"], []).append(row)
    old_ids = {r["record_id"] for r in rows if r["record_id"]}
    for chunk in _chunks(keys, 500):
        old_ids |= set(conn.execute(select(records.c.id).where(records.c.group_key.in_(chunk))).scalars())
    old_members: dict[str, set[str]] = {}
    for row in rows:
        if row["record_id"]:
            old_members.setdefault(row["record_id"], set()).add(row["id"])
    new_of_event: dict[str, str] = {}
    record_rows, actor_rows, dyad_rows, rewritten = [], [], [], set()
    changed_clusters = []
    for key, members_of_group in by_group.items():
        for cluster in fuse(_fuse_event(r) for r in members_of_group):
            new_of_event.update({i: cluster.record_id for i in cluster.event_ids})
            if cluster.record_id not in stale and old_members.get(cluster.record_id) == set(cluster.event_ids) \
                    and not fresh.intersection(cluster.event_ids):
                continue  # the same events as before: the stored record stands
            rewritten.add(cluster.record_id)
            changed_clusters.append((cluster, key))
    full = {}  # every column, only for the events of records to rewrite
    for chunk in _chunks(sorted(i for c, _ in changed_clusters for i in c.event_ids), 500):
        for row in conn.execute(select(events, events.c.document_id.label("doc"))
                                .where(events.c.id.in_(chunk))).mappings():
            full[row["id"]] = row
    for cluster, key in changed_clusters:
        members = [full[i] for i in cluster.event_ids]
        people = {r["id"]: json.loads(r["participants"]) for r in members}
        record, actors, dyads = _record_rows(cluster, members, key, people)
        record_rows.append(record)
        actor_rows += actors
        dyad_rows += dyads
    _drop_records(conn, rewritten | (old_ids - set(new_of_event.values())))
    for table, batch in ((records, record_rows), (record_actors, actor_rows), (record_dyads, dyad_rows)):
        if batch:
            conn.execute(insert(table), batch)
    changed = [{"eid": r["id"], "rid": new_of_event[r["id"]]}
               for r in rows if r["record_id"] != new_of_event[r["id"]]]
    if changed:
        conn.execute(update(events).where(events.c.id == bindparam("eid")).values(record_id=bindparam("rid")),
                     changed)
    kept = set(new_of_event.values())
    moved = {row["record_id"]: new_of_event[row["id"]] for row in rows
             if row["record_id"] and row["record_id"] != new_of_event[row["id"]] and row["record_id"] not in kept}
    if moved:
        for chunk in _chunks(sorted(moved), 500):
            conn.execute(delete(redirects).where(redirects.c.old_id.in_(chunk)))
        conn.execute(insert(redirects), [{"old_id": o, "new_id": n} for o, n in sorted(moved.items())])
        # ids that pointed to a merged record now point to its successor
        conn.execute(update(redirects).where(redirects.c.new_id == bindparam("old")).values(new_id=bindparam("new")),
                     [{"old": o, "new": n} for o, n in sorted(moved.items())])
    _link_announcements(conn, keys)


CLUSTER_COLUMNS = (events.c.id, events.c.record_id, events.c.group_key, events.c.status, events.c.date,
                   events.c.city, events.c.country, events.c.fuse_key, events.c.participants)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def fuse_key(participants: list[dict]) -> str:
    """Sides and named people of an event in one string: "CHN|RUS;CHN=wang-yi;RUS=sergey-lavrov"."""
    countries = "|".join(sorted({p["country"] for p in participants if p["country"]}))
    people = sorted({f"{p['country']}={p['actor_id'] or p['name']}" for p in participants if p["name"]})
    return ";".join([countries, *people])


def _fuse_event(row) -> FuseEvent:
    key = row["fuse_key"] or fuse_key(json.loads(row["participants"]))
    countries, *people = key.split(";")
    return FuseEvent(
        id=row["id"], countries=frozenset(countries.split("|")) if countries else frozenset(),
        status=row["status"], date=row["date"],
        people=frozenset(tuple(p.split("=", 1)) for p in people), city=row["city"], place_country=row["country"],
    )


def _drop_records(conn: Connection, ids: set[str]) -> None:
    for chunk in _chunks(sorted(ids), 500):
        conn.execute(delete(records).where(records.c.id.in_(chunk)))
        conn.execute(delete(record_actors).where(record_actors.c.record_id.in_(chunk)))
        conn.execute(delete(record_dyads).where(record_dyads.c.record_id.in_(chunk)))


def _record_rows(cluster: Cluster, members: list, key: str,
                 people: dict[str, list[dict]]) -> tuple[dict, list[dict], list[dict]]:
    rank = {"day": 0, "month": 1, "year": 2, None: 3}
    best = min(members, key=lambda r: (rank[r["date_precision"]], r["city"] is None, r["id"]))
    placed = min(members, key=lambda r: (r["city"] is None, r["country"] is None, r["id"]))
    countries = key.split(":")[1]
    lo, hi = date_bounds(best["date"])
    modes = [r["mode"] for r in members if r["mode"] and r["mode"] != "unspecified"]
    topics = sorted({t for r in members for t in json.loads(r["topics"] or "[]")})
    record = dict(
        id=cluster.record_id, group_key=key, countries=countries, status=best["status"],
        mode=min(modes) if modes else "unspecified", cameo=best["cameo"], host=best["host"], date=best["date"],
        date_precision=best["date_precision"], date_lo=lo, date_hi=hi, city=placed["city"],
        country=placed["country"], lat=placed["lat"], lon=placed["lon"],
        series=next((r["series"] for r in members if r["series"]), None),
        round=next((r["round"] for r in members if r["round"]), None), topics=json.dumps(topics),
        evidence_text=best["evidence_text"], n_sources=len({r["doc"] for r in members}), announced_by=None,
    )
    actors: dict[str, tuple] = {}
    for row in members:
        for p in people[row["id"]]:
            actor = p["actor_id"] or p["name"]
            if actor:
                actors.setdefault(actor, (p["name"] or p.get("holder") or p["actor_id"], p["country"]))
    actor_rows = [dict(record_id=cluster.record_id, actor=a, name=n, country=c, date_lo=lo)
                  for a, (n, c) in actors.items()]
    codes = countries.split("|")
    dyad_rows = [dict(record_id=cluster.record_id, a=a, b=b, date_lo=lo, status=best["status"])
                 for a in codes for b in codes if a != b]
    return record, actor_rows, dyad_rows


def _link_announcements(conn: Connection, keys: list[str]) -> None:
    """A planned meeting later reported as held: the held record points to the announcement.

    Only the months the batch touched are looked at: an announcement for October
    (or for the year) fits meetings held in that October.
    """
    held_keys: set[str] = set()
    for key in keys:
        _, countries, period = key.split(":")
        if period != "undated":
            held_keys.add(f"occurred:{countries}:{period}")
    for chunk in _chunks(sorted(held_keys), 300):
        wanted = set(chunk)
        for key in chunk:
            _, countries, period = key.split(":")
            wanted |= {f"planned:{countries}:{period}", f"planned:{countries}:{period[:4]}"}
        rows = conn.execute(select(records.c.id, records.c.date, records.c.status, records.c.announced_by,
                                   records.c.countries).where(records.c.group_key.in_(sorted(wanted)))).all()
        planned: dict[str, list] = {}
        for r in sorted(rows, key=lambda r: r.id):
            if r.status == "planned" and r.date:
                planned.setdefault(r.countries, []).append(r)
        changes = []
        for record in rows:
            if record.status != "occurred" or (record.announced_by is None and record.countries not in planned):
                continue
            match = next((p.id for p in planned.get(record.countries, []) if dates_fit(p.date, record.date)), None)
            if match != record.announced_by:
                changes.append({"rid": record.id, "planned": match})
        if changes:
            conn.execute(update(records).where(records.c.id == bindparam("rid"))
                         .values(announced_by=bindparam("planned")), changes)


def date_bounds(value: str | None) -> tuple[str | None, str | None]:
    """First and last day a date of any precision allows."""
    if not value:
        return None, None
    if len(value) == 10:
        return value, value
    if len(value) == 7:
        return f"{value}-01", f"{value}-31"
    return f"{value}-01-01", f"{value}-12-31"
