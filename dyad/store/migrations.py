"""The store's named, versioned migrations.

Each migration is recorded in ``dyad_migrations``; opening a store applies
the missing ones in order, inside a transaction. A migration that fills in
what older stores lack (fusion keys, wordings, counts) does so with the same
code that keeps new rows (``dyad.store.fusion``, ``dyad.store.monthly``,
``dyad.store.actor_counts``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, inspect, select, text

from dyad.fuse import wording_key
from dyad.store import actor_counts, monthly
from dyad.store.fusion import adopt_undated, fuse_key, refuse
from dyad.store.schema import actor_counts as actor_counts_table
from dyad.store.schema import (
    documents,
    events,
    feed_items,
    feeds,
    metadata,
    migrations_table,
    month_counts,
    record_actors,
    record_dyads,
    records,
    redirects,
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
    metadata.create_all(conn, tables=[actor_counts_table])
    actor_counts.rebuild(conn)


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


__all__ = ["MIGRATIONS", "migrate", "pending"]
