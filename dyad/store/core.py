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

BATCH = 200  # documents per transaction: large enough to amortise commits, small enough to lose little on a kill


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
        with store.engine.begin() as conn:
            affected: set[str] = set()
            for result in batch:
                if isinstance(result, DocumentError):
                    report.failed.append(result)
                    continue
                affected |= _store_article(conn, result, kb_version, report)
            refuse(conn, affected)
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


def _store_article(conn: Connection, result: ArticleResult, kb_version: str, report: IngestReport) -> set[str]:
    doc = result.doc
    source, key = doc.source or "", doc.id or doc.url or ""
    digest = content_hash(result)
    row = conn.execute(select(documents.c.id, documents.c.content_hash, documents.c.dyad_version,
                              documents.c.kb_version)
                       .where(documents.c.source == source, documents.c.doc_key == key)).first()
    values = dict(source=source, doc_key=key, content_hash=digest, url=doc.url, title=doc.title,
                  published=doc.published.isoformat() if doc.published else None, language=result.language,
                  text=doc.text, dyad_version=__version__, kb_version=kb_version)
    affected: set[str] = set()
    if row is not None:
        if (row.content_hash, row.dyad_version, row.kb_version) == (digest, __version__, kb_version):
            report.unchanged += 1
            return affected
        affected |= _remove_events(conn, row.id)
        conn.execute(update(documents).where(documents.c.id == row.id).values(**values))
        doc_id = row.id
        report.replaced += 1
    else:
        doc_id = conn.execute(insert(documents).values(**values)).inserted_primary_key[0]
        report.added += 1
    rows = [_event_row(doc_id, source, key, ev) for ev in result.events]
    if rows:
        conn.execute(insert(events), rows)
        if conn.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO evidence_fts (event_id, body) VALUES (:id, :body)"),
                         [{"id": r["id"], "body": r["evidence_text"]} for r in rows])
    report.events += len(rows)
    return affected | {r["group_key"] for r in rows}


def _remove_events(conn: Connection, doc_id: int) -> set[str]:
    old = conn.execute(select(events.c.id, events.c.group_key).where(events.c.document_id == doc_id)).all()
    if old and conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM evidence_fts WHERE event_id = :id"), [{"id": r.id} for r in old])
    conn.execute(delete(events).where(events.c.document_id == doc_id))
    return {r.group_key for r in old}


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
    )


def refuse(conn: Connection, groups: set[str]) -> None:
    """Recompute the records of the affected groups from all their events, in bulk."""
    keys = sorted(groups)
    if not keys:
        return
    rows = []
    for chunk in _chunks(keys, 500):
        rows += conn.execute(select(events, events.c.document_id.label("doc"))
                             .where(events.c.group_key.in_(chunk))).mappings().all()
    by_group: dict[str, list] = {}
    for row in rows:
        by_group.setdefault(row["group_key"], []).append(row)
    old_ids = {r["record_id"] for r in rows if r["record_id"]}
    for chunk in _chunks(keys, 500):
        old_ids |= set(conn.execute(select(records.c.id).where(records.c.group_key.in_(chunk))).scalars())
    _drop_records(conn, old_ids)
    new_of_event: dict[str, str] = {}
    record_rows, actor_rows, dyad_rows = [], [], []
    for key, members_of_group in by_group.items():
        by_id = {r["id"]: r for r in members_of_group}
        for cluster in fuse(_fuse_event(r) for r in members_of_group):
            members = [by_id[i] for i in cluster.event_ids]
            record, actors, dyads = _record_rows(cluster, members, key)
            record_rows.append(record)
            actor_rows += actors
            dyad_rows += dyads
            new_of_event.update({i: cluster.record_id for i in cluster.event_ids})
    for table, batch in ((records, record_rows), (record_actors, actor_rows), (record_dyads, dyad_rows)):
        if batch:
            conn.execute(insert(table), batch)
    changed = [{"eid": r["id"], "rid": new_of_event[r["id"]]}
               for r in rows if r["record_id"] != new_of_event[r["id"]]]
    if changed:
        conn.execute(update(events).where(events.c.id == bindparam("eid")).values(record_id=bindparam("rid")),
                     changed)
    kept = set(new_of_event.values())
    for row in rows:
        old, new = row["record_id"], new_of_event[row["id"]]
        if old and old != new and old not in kept:
            conn.execute(delete(redirects).where(redirects.c.old_id == old))
            conn.execute(insert(redirects).values(old_id=old, new_id=new))
            # ids that pointed to the merged record now point to its successor
            conn.execute(update(redirects).where(redirects.c.new_id == old).values(new_id=new))
    _link_announcements(conn, {key.split(":")[1] for key in keys})


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _fuse_event(row) -> FuseEvent:
    people = json.loads(row["participants"])
    return FuseEvent(
        id=row["id"], countries=frozenset(p["country"] for p in people if p["country"]), status=row["status"],
        date=row["date"], people=frozenset((p["country"], p["actor_id"] or p["name"]) for p in people if p["name"]),
        city=row["city"], place_country=row["country"],
    )


def _drop_records(conn: Connection, ids: set[str]) -> None:
    if not ids:
        return
    conn.execute(delete(records).where(records.c.id.in_(ids)))
    conn.execute(delete(record_actors).where(record_actors.c.record_id.in_(ids)))
    conn.execute(delete(record_dyads).where(record_dyads.c.record_id.in_(ids)))


def _record_rows(cluster: Cluster, members: list, key: str) -> tuple[dict, list[dict], list[dict]]:
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
        for p in json.loads(row["participants"]):
            actor = p["actor_id"] or p["name"]
            if actor:
                actors.setdefault(actor, (p["name"] or p["actor_id"], p["country"]))
    actor_rows = [dict(record_id=cluster.record_id, actor=a, name=n, country=c, date_lo=lo)
                  for a, (n, c) in actors.items()]
    codes = countries.split("|")
    dyad_rows = [dict(record_id=cluster.record_id, a=a, b=b, date_lo=lo, status=best["status"])
                 for a in codes for b in codes if a != b]
    return record, actor_rows, dyad_rows


def _link_announcements(conn: Connection, sides: set[str]) -> None:
    """A planned meeting later reported as held: the held record points to the announcement."""
    for countries in sorted(sides):
        rows = conn.execute(select(records.c.id, records.c.date, records.c.status, records.c.announced_by)
                            .where(records.c.countries == countries).order_by(records.c.id)).all()
        planned = [r for r in rows if r.status == "planned" and r.date]
        for record in rows:
            if record.status != "occurred":
                continue
            match = next((p.id for p in planned if dates_fit(p.date, record.date)), None)
            if match != record.announced_by:
                conn.execute(update(records).where(records.c.id == record.id).values(announced_by=match))


def date_bounds(value: str | None) -> tuple[str | None, str | None]:
    """First and last day a date of any precision allows."""
    if not value:
        return None, None
    if len(value) == 10:
        return value, value
    if len(value) == 7:
        return f"{value}-01", f"{value}-31"
    return f"{value}-01-01", f"{value}-12-31"
