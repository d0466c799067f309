"""Tables of the store and their named, versioned migrations.

One data layer for SQLite and PostgreSQL (SQLAlchemy Core). Each migration
is recorded in ``dyad_migrations``; opening a store applies the missing
ones in order, inside a transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    inspect,
    select,
    text,
)

metadata = MetaData()

migrations_table = Table(
    "dyad_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", String(40), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("doc_key", String(500), nullable=False),  # the document's id, or its URL
    Column("content_hash", String(64), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("published", String(10)),
    Column("language", String(8)),
    Column("text", Text, nullable=False),
    Column("dyad_version", String(20), nullable=False),
    Column("kb_version", String(40), nullable=False),
    UniqueConstraint("source", "doc_key", name="uq_documents_source_key"),
    # added by migration 8 (web input): who wrote it, what extracted its text from a page, when it was stored
    Column("author", Text),
    Column("extractor", String(60)),
    Column("ingested_at", String(32), index=True),  # UTC, ISO 8601: export --since reads it
)

events = Table(
    "events", metadata,
    Column("id", String(40), primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("record_id", String(20), index=True),
    Column("group_key", String(300), nullable=False),  # indexed by ix_events_fusion (migration 6)
    Column("type", String(20), nullable=False),
    Column("cameo", String(4)),
    Column("status", String(10), nullable=False),
    Column("mode", String(12)),
    Column("host", String(12)),
    Column("date", String(10)),
    Column("date_precision", String(5)),
    Column("city", String(200)),
    Column("country", String(12)),
    Column("lat", Float),
    Column("lon", Float),
    Column("geonames_id", Integer),
    Column("series", Text),
    Column("round", Integer),
    Column("topics", Text),  # JSON list
    Column("evidence_text", Text, nullable=False),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Column("participants", Text, nullable=False),  # JSON list, as in the output contract
    Column("fuse_key", Text),  # "CHN|RUS;CHN=wang-yi;RUS=sergey-lavrov": what fusion compares, without parsing JSON
    Column("confidence", Float),  # dyad.decide's, for this report of the meeting (migration 9)
    # dyad.fuse.wording_key: an undated report joins the month of its dated twins (migration 12)
    Column("wording", String(20)),
    Index("ix_events_wording", "wording"),
)

records = Table(
    "records", metadata,
    Column("id", String(20), primary_key=True),
    Column("group_key", String(300), nullable=False, index=True),
    Column("countries", String(300), nullable=False),
    Column("status", String(10), nullable=False),
    Column("mode", String(12)),
    Column("cameo", String(4)),
    Column("host", String(12)),
    Column("date", String(10)),
    Column("date_precision", String(5)),
    Column("date_lo", String(10)),  # first and last day the date allows, for range queries
    Column("date_hi", String(10)),
    Column("city", String(200)),
    Column("country", String(12)),
    Column("lat", Float),
    Column("lon", Float),
    Column("series", Text),
    Column("round", Integer),
    Column("topics", Text),
    Column("evidence_text", Text),
    Column("n_sources", Integer, nullable=False),
    Column("announced_by", String(20)),  # a planned record this meeting fulfils
    Column("confidence", Float),  # the highest of its reports' (migration 9); NULL for events stored before
    Index("ix_records_dates", "date_lo", "date_hi"),  # a date range is counted off the index alone (migration 10)
    Index("ix_records_countries", "countries"),
    Index("ix_records_sources", "n_sources", "date_lo"),  # the most reported first (migration 10)
    Index("ix_records_city", "city", "date_lo"),  # meetings in one place, newest or oldest first
    Index("ix_records_place", "country", "date_lo"),
    # one mode or one status, newest first, and their counts in a date range off the index alone (migration 12)
    Index("ix_records_mode", "mode", "date_lo", "date_hi"),
    Index("ix_records_status", "status", "date_lo", "date_hi"),
)

record_actors = Table(
    "record_actors", metadata,
    Column("record_id", String(20), nullable=False),
    Column("actor", String(200), nullable=False),  # actor id, or the name for unknown people
    Column("name", String(200)),
    Column("country", String(12), nullable=False),
    Column("date_lo", String(10)),
    Index("ix_record_actors_actor", "actor", "date_lo", "record_id"),  # covering: pages need no row lookups
    Index("ix_record_actors_name", "name", "date_lo", "record_id"),
    Index("ix_record_actors_record", "record_id"),
)

record_dyads = Table(
    "record_dyads", metadata,
    Column("record_id", String(20), nullable=False),
    Column("a", String(12), nullable=False),
    Column("b", String(12), nullable=False),
    Column("date_lo", String(10)),
    Column("status", String(10)),
    Index("ix_record_dyads_ab", "a", "b", "date_lo", "record_id"),
    Index("ix_record_dyads_a_date", "a", "date_lo", "record_id"),
    Index("ix_record_dyads_record", "record_id"),
)

month_counts = Table(
    "month_counts", metadata,  # meetings per month, per country and pair: kept by fusion (dyad.store.monthly)
    Column("a", String(12), primary_key=True),  # '' for every record
    Column("b", String(12), primary_key=True),  # '' for every record of a
    Column("status", String(10), primary_key=True),
    Column("month", String(7), primary_key=True),  # the first month the record's date allows
    Column("last", String(7), primary_key=True),  # and the last
    Column("meetings", Integer, nullable=False),
    Index("ix_month_counts_month", "month", "a", "b", "status", "meetings"),  # the totals (month '') alone
    sqlite_with_rowid=False,  # the key is the table: a sum over a range of it reads no other b-tree
)

actor_counts = Table(
    "actor_counts", metadata,  # records per actor id or name and month: kept by fusion (dyad.store.actor_counts)
    Column("key", String(200), primary_key=True),  # an actor id or a name, as the actor filter takes either
    Column("month", String(7), primary_key=True),  # the first month the record's date allows; '' for all records
    Column("meetings", Integer, nullable=False),
    sqlite_with_rowid=False,
)

redirects = Table(
    "record_redirects", metadata,
    Column("old_id", String(20), primary_key=True),
    Column("new_id", String(20), nullable=False),
    Index("ix_record_redirects_new", "new_id"),  # re-pointing ids at a merged record's successor
)


feeds = Table(
    "feeds", metadata,  # what dyad watch knows of each feed it polls, so that a restart goes on where it was
    Column("url", String(2000), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked_at", String(32)),
    Column("changed_at", String(32)),
    Column("error", Text),  # the last poll's failure, if it failed
)

feed_items = Table(
    "feed_items", metadata,  # items already read: not fetched again
    Column("feed_url", String(2000), nullable=False),
    Column("item_key", String(2000), nullable=False),
    Column("seen_at", String(32), nullable=False),
    UniqueConstraint("feed_url", "item_key", name="uq_feed_items"),
)


def _initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=[documents, events, records, record_actors, record_dyads, redirects])


def _full_text(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS evidence_fts USING fts5(event_id UNINDEXED, body)"))
    else:
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_events_evidence_fts ON events "
                          "USING gin (to_tsvector('simple', evidence_text))"))


def _fuse_keys(conn: Connection) -> None:
    columns = {c["name"] for c in inspect(conn).get_columns("events")}
    if "fuse_key" not in columns:  # a store made before this migration; migration 6 fills the keys in
        conn.execute(text("ALTER TABLE events ADD COLUMN fuse_key TEXT"))


def _name_index(conn: Connection) -> None:
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_record_actors_name ON record_actors (name, date_lo, record_id)"))


def _covering_indexes(conn: Connection) -> None:
    for name, table, columns in (("ix_record_actors_actor", "record_actors", "actor, date_lo, record_id"),
                                 ("ix_record_actors_name", "record_actors", "name, date_lo, record_id"),
                                 ("ix_record_dyads_ab", "record_dyads", "a, b, date_lo, record_id")):
        conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        conn.execute(text(f"CREATE INDEX {name} ON {table} ({columns})"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_record_dyads_a_date ON record_dyads (a, date_lo, record_id)"))


def _fusion_index(conn: Connection) -> None:
    # fusion reads what it compares of a whole group off this index alone, without visiting the rows;
    # it replaces the plain group_key index, which is its prefix
    # PostgreSQL limits an index entry to about 2.7 kB, and a fusion key grows with the people named:
    # there the index leaves it out and fusion reads it from the row
    columns = "group_key, date, id, record_id, city, country" + (", fuse_key" if conn.dialect.name == "sqlite" else "")
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS ix_events_fusion ON events ({columns})"))
    conn.execute(text("DROP INDEX IF EXISTS ix_events_group_key"))
    # rows stored before fusion keys existed get theirs, so fusion never parses the participants' JSON
    from dyad.store.core import fuse_key

    old = conn.execute(text("SELECT id, participants FROM events WHERE fuse_key IS NULL")).all()
    if old:
        conn.execute(text("UPDATE events SET fuse_key = :key WHERE id = :id"),
                     [{"key": fuse_key(json.loads(p)), "id": i} for i, p in old])


def _redirect_index(conn: Connection) -> None:
    # without it, every merge scanned all redirects to re-point those aimed at the merged record
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_record_redirects_new ON record_redirects (new_id)"))


def _web_input(conn: Connection) -> None:
    columns = {c["name"] for c in inspect(conn).get_columns("documents")}
    for name, kind in (("author", "TEXT"), ("extractor", "VARCHAR(60)"), ("ingested_at", "VARCHAR(32)")):
        if name not in columns:  # a store made before this migration
            conn.execute(text(f"ALTER TABLE documents ADD COLUMN {name} {kind}"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_documents_ingested_at ON documents (ingested_at)"))
    metadata.create_all(conn, tables=[feeds, feed_items])


def _confidence(conn: Connection) -> None:
    for table in ("events", "records"):
        if "confidence" not in {c["name"] for c in inspect(conn).get_columns(table)}:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN confidence FLOAT"))


def _page_indexes(conn: Connection) -> None:
    # a page of the most reported records, or of one place's, without sorting the whole table; a date range
    # counted without visiting the rows
    for name, columns in (("ix_records_sources", "n_sources, date_lo"), ("ix_records_city", "city, date_lo"),
                          ("ix_records_place", "country, date_lo"), ("ix_records_dates", "date_lo, date_hi")):
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON records ({columns})"))
    conn.execute(text("DROP INDEX IF EXISTS ix_records_date"))  # the prefix of ix_records_dates


def _month_counts(conn: Connection) -> None:
    from dyad.store import monthly

    metadata.create_all(conn, tables=[month_counts])
    monthly.rebuild(conn)


def _filters_and_wordings(conn: Connection) -> None:
    for name, columns in (("ix_records_mode", "mode, date_lo, date_hi"),
                          ("ix_records_status", "status, date_lo, date_hi")):
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON records ({columns})"))
    if "wording" not in {c["name"] for c in inspect(conn).get_columns("events")}:  # a store made before
        conn.execute(text("ALTER TABLE events ADD COLUMN wording VARCHAR(20)"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_events_wording ON events (wording)"))
    # the wordings of stored meetings held; then their undated reports join their dated twins
    from dyad.fuse import wording_key
    from dyad.store.core import adopt_undated, refuse

    undated: set[str] = set()
    last = ""
    while True:  # in slices by id: a million events' evidence at once took a gigabyte
        rows = conn.execute(text("SELECT id, group_key, evidence_text FROM events WHERE status = 'occurred' "
                                 "AND id > :last ORDER BY id LIMIT 20000"), {"last": last}).all()
        if not rows:
            break
        worded = [{"key": wording_key(key.split(":")[1].split("|"), "occurred", evidence), "id": eid}
                  for eid, key, evidence in rows]
        conn.execute(text("UPDATE events SET wording = :key WHERE id = :id"), worded)
        undated |= {r["key"] for r, (_, key, _) in zip(worded, rows, strict=True) if key.endswith(":undated")}
        last = rows[-1][0]
    if not undated:
        return
    stale: set[str] = set()
    moved = adopt_undated(conn, [], undated, stale)
    if moved:
        refuse(conn, moved, stale=stale)


def _actor_counts(conn: Connection) -> None:
    from dyad.store import actor_counts as kept

    metadata.create_all(conn, tables=[actor_counts])
    kept.rebuild(conn)


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "initial tables", _initial),
    (2, "full-text search on evidence", _full_text),
    (3, "fusion keys on events", _fuse_keys),
    (4, "actor names indexed", _name_index),
    (5, "covering indexes for pages of one actor or country", _covering_indexes),
    (6, "covering index for fusion groups; fusion keys for older rows", _fusion_index),
    (7, "redirect targets indexed", _redirect_index),
    (8, "web input: author, extractor and ingest time of documents; state of watched feeds", _web_input),
    (9, "confidence of events and records", _confidence),
    (10, "indexes for pages sorted by sources or of one place, and for counts of a date range", _page_indexes),
    (11, "meetings per month kept for the counts view", _month_counts),
    (12, "indexes for the mode and status filters; wordings of events, undated reports with their dated twins",
     _filters_and_wordings),
    (13, "records per actor and month kept for the totals of the actor filter", _actor_counts),
]


def pending(conn: Connection) -> list[str]:
    """Names of the migrations this database lacks (read only)."""
    if not inspect(conn).has_table(migrations_table.name):
        return [name for _, name, _ in MIGRATIONS]
    done = {row.version for row in conn.execute(select(migrations_table.c.version))}
    return [name for version, name, _ in MIGRATIONS if version not in done]


def migrate(conn: Connection) -> list[str]:
    """Apply the migrations this database lacks; returns their names."""
    metadata.create_all(conn, tables=[migrations_table])
    done = {row.version for row in conn.execute(select(migrations_table.c.version))}
    applied = []
    for version, name, step in MIGRATIONS:
        if version in done:
            continue
        step(conn)
        conn.execute(insert(migrations_table).values(
            version=version, name=name, applied_at=datetime.now(UTC).isoformat()))
        applied.append(name)
    return applied
