"""Bulk load into an empty store: rows staged in parallel, fusion per (sides, year) bucket, one step to swap in.

A first load of millions of articles need not take turns through the single writer of ``dyad.store.core``:

1. ``stage``: any number of processes write their articles' rows, a batch per transaction, into staging
   tables without indexes (PostgreSQL ``COPY``). Each event carries its fusion bucket, so writing it
   is the whole shuffle. A killed batch leaves nothing; a rerun skips what is staged (by content hash).
2. ``fuse_buckets``: fusion from scratch, one bucket at a time, in any number of processes. A bucket
   is the sides and year of an event: records never span sides, and a planned meeting is linked
   only to held ones of its own sides in the month or year it was announced for, so buckets are
   independent and the result equals the single writer's on the same input, in any order.
3. ``swap_in``: in one transaction, copies everything into the (empty) store's tables with their
   indexes dropped, builds the indexes again and drops the staging tables.

Later, daily runs go through the single writer as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Connection, MetaData, String, Table, inspect, text

from dyad.errors import DyadError
from dyad.fuse import Cluster, adopted_group, fuse_ids, record_id_of
from dyad.store import actor_counts, monthly
from dyad.store.core import ArticleRows, Store
from dyad.store.fusion import _chunks, _first_fitting, _fuse_event, _mark, _record_rows
from dyad.store.schema import documents, events, month_counts, record_actors, record_dyads, records

stage_metadata = MetaData()


def _copy_of(table: Table, name: str, leave: tuple[str, ...] = (), *extra: Column) -> Table:
    """The table's columns under another name, without keys or indexes: rows go in as fast as they can."""
    return Table(name, stage_metadata, *(Column(c.name, c.type) for c in table.columns if c.name not in leave),
                 *extra)


# the input position of a document's copy: the latest copy of a document wins, as with the single writer
stage_documents = _copy_of(documents, "stage_documents", ("id",), Column("seq", BigInteger, nullable=False))
# buckets compare by code point, as Python sorts them (fusion tasks read ranges of them), and a
# PostgreSQL database's own collation is slower to index and may order them otherwise
BUCKET = String(300).with_variant(String(300, collation="C"), "postgresql")
stage_events = _copy_of(events, "stage_events", ("document_id", "record_id"), Column("seq", BigInteger, nullable=False),
                        Column("bucket", BUCKET, nullable=False))
stage_records = _copy_of(records, "stage_records")
stage_record_actors = _copy_of(record_actors, "stage_record_actors")
stage_record_dyads = _copy_of(record_dyads, "stage_record_dyads")
stage_event_records = Table("stage_event_records", stage_metadata, Column("event_id", String(40)),
                            Column("record_id", String(20)))
# each fusion task's meetings per month (dyad.store.monthly); the swap adds them up
stage_month_counts = _copy_of(month_counts, "stage_month_counts")
# what fusion reads of a staged event (dyad.store.fusion._record_rows and _fuse_event), not its evidence offsets
FUSION_COLUMNS = frozenset({"id", "seq", "group_key", "status", "mode", "cameo", "host", "date", "date_precision",
                            "city", "country", "lat", "lon", "series", "round", "topics", "evidence_text",
                            "participants", "fuse_key", "confidence"})
FUSED = (stage_records, stage_record_actors, stage_record_dyads, stage_event_records, stage_month_counts)
STAGED = (stage_documents, stage_events, *FUSED)
TARGETS = (documents, events, records, record_actors, record_dyads)
REBUILT = (*TARGETS, month_counts)  # filled by the swap: their indexes and keys are built once it is done


def bucket_of(group_key: str) -> str:
    """Fusion's partition: the sides and year of an event's group (``occurred:CHN|RUS:2023-09`` is ``CHN|RUS:2023``)."""
    _, countries, period = group_key.split(":")
    return f"{countries}:{period if period == 'undated' else period[:4]}"


@dataclass
class StageReport:
    staged: int = 0
    events: int = 0


def prepare(store: Store) -> None:
    """Staging tables, kept from an interrupted run (their rows are what it got done)."""
    with store.writing() as conn:
        _require_empty(conn)
        stage_metadata.create_all(conn, tables=list(STAGED))
        if conn.dialect.name == "postgresql":
            # no write-ahead log for rows that are copied once more in the swap (a crash of the server empties
            # them: a rerun stages again), and no autovacuum: it scanned the growing tables again and again while
            # workers copied into them (the swap analyzes what it reads)
            for table in STAGED:
                conn.execute(text(f"ALTER TABLE {table.name} SET UNLOGGED"))
                conn.execute(text(f"ALTER TABLE {table.name} SET (autovacuum_enabled = false)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_stage_documents_key ON stage_documents (source, doc_key)"))
        # a batch staged twice (its worker died after the commit, before it reported) replaces itself
        conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS ix_stage_documents_seq ON stage_documents (seq)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_stage_events_seq ON stage_events (seq)"))


def staged_hashes(store: Store, keys: list[tuple[str, str]]) -> set[tuple[str, str, str]]:
    """Which of these documents are staged, as (source, key, content hash)."""
    found: set[tuple[str, str, str]] = set()
    with store.engine.connect() as conn:
        for chunk in _chunks(sorted(set(keys)), 400):
            clause = " OR ".join([f"(source = {_mark(conn)} AND doc_key = {_mark(conn)})"] * len(chunk))
            found |= {tuple(r) for r in conn.exec_driver_sql(
                f"SELECT source, doc_key, content_hash FROM stage_documents WHERE {clause}",
                tuple(v for key in chunk for v in key))}
    return found


def stage(store: Store, articles: Iterable[tuple[int, ArticleRows]]) -> StageReport:
    """Write (input position, rows) of articles into the staging tables, in one transaction, in place of
    anything staged before at their positions."""
    # rows as tuples in the tables' column order, built in C (map of dict.get): building a dict per row and
    # then a tuple of it for COPY took about half of staging's CPU (cProfile, bench/scale.py's articles)
    doc_fields, event_fields = _fields(stage_documents, ("seq",)), _fields(stage_events, ("seq", "bucket"))
    doc_rows, event_rows, seqs = [], [], []
    for seq, article in articles:
        doc_rows.append((*map(article.document.get, doc_fields), seq))
        seqs.append(seq)
        for row in article.events:
            event_rows.append((*map(row.get, event_fields), seq, bucket_of(row["group_key"])))
    seqs.sort()
    with _turn(store) as conn:
        for chunk in _chunks(seqs, 500):
            for table in (stage_documents, stage_events):
                conn.execute(table.delete().where(table.c.seq.in_(chunk)))
        _put(conn, stage_documents, doc_rows)
        _put(conn, stage_events, event_rows)
    return StageReport(len(doc_rows), len(event_rows))


def settle(store: Store) -> list[tuple[str, int]]:
    """Keep the latest copy of each staged document, clear any earlier fusion; returns (bucket, events)."""
    with store.writing() as conn:
        conn.execute(text("DELETE FROM stage_documents WHERE EXISTS (SELECT 1 FROM stage_documents later "
                          "WHERE later.source = stage_documents.source AND later.doc_key = stage_documents.doc_key "
                          "AND later.seq > stage_documents.seq)"))
        conn.execute(text("DELETE FROM stage_events WHERE NOT EXISTS "
                          "(SELECT 1 FROM stage_documents d WHERE d.seq = stage_events.seq)"))
        for table in FUSED:
            conn.execute(table.delete())
        _adopt_undated(conn)
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_stage_events_bucket ON stage_events (bucket)"))
        return [(b, n) for b, n in conn.execute(text("SELECT bucket, COUNT(*) FROM stage_events GROUP BY bucket "
                                                     "ORDER BY bucket"))]


def _adopt_undated(conn: Connection) -> None:
    """An undated event with dated twins (the same wording) of one group goes into their group and bucket, as the
    single writer puts it (``dyad.fuse.adopted_group``): a syndicated copy without the date fuses with the original."""
    twins: dict[str, set[str]] = {}
    for wording, key in conn.execute(text(
            "SELECT DISTINCT wording, group_key FROM stage_events WHERE date IS NOT NULL AND wording IN "
            "(SELECT wording FROM stage_events WHERE date IS NULL AND wording IS NOT NULL)")):
        twins.setdefault(wording, set()).add(key)
    moves = []
    for eid, seq, key, wording in conn.execute(text(
            "SELECT id, seq, group_key, wording FROM stage_events WHERE date IS NULL AND wording IS NOT NULL")):
        target = adopted_group(key, twins.get(wording, ()))
        if target != key:
            moves.append({"id": eid, "seq": seq, "group_key": target, "bucket": bucket_of(target)})
    if moves:
        conn.execute(text("UPDATE stage_events SET group_key = :group_key, bucket = :bucket "
                          "WHERE id = :id AND seq = :seq"), moves)


def fuse_buckets(store: Store, first: str, last: str) -> int:
    """Fuse the staged events of the buckets from ``first`` to ``last`` (in their order) from scratch and stage
    their records; returns the records."""
    columns = [c.name for c in stage_events.columns if c.name in FUSION_COLUMNS]
    with store.engine.connect() as conn:
        cursor = conn.connection.cursor()  # plain tuples: a result object's rows cost more than the read
        try:
            cursor.execute(f"SELECT {', '.join(columns)} FROM stage_events WHERE bucket >= {_mark(conn)} "
                           f"AND bucket <= {_mark(conn)}", (first, last))
            members = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()
    record_rows, actor_rows, dyad_rows, links = fused_rows(members)
    counted = month_tally(record_rows)
    with _turn(store) as conn:
        for table, rows in ((stage_records, record_rows), (stage_record_actors, actor_rows),
                            (stage_record_dyads, dyad_rows)):
            fields = _fields(table)
            _put(conn, table, [tuple(map(row.get, fields)) for row in rows])
        _put(conn, stage_event_records, links)
        _put(conn, stage_month_counts, [(*key, n) for key, n in counted.items()])
    return len(record_rows)


def month_tally(record_rows: list[dict]) -> Counter:
    """``monthly.tally`` of these records, each distinct (status, months, sides) counted out once with its weight:
    real news has a few busy pairs of sides, whose records share their keys."""
    combos = Counter((r["status"], r["date_lo"][:7], r["date_hi"][:7], r["countries"])
                     for r in record_rows if r["date_lo"])
    counted: Counter = Counter()
    for (status, lo, hi, countries), n in combos.items():
        for key in monthly.keys_of({"status": status, "date_lo": lo, "date_hi": hi, "countries": countries}):
            counted[key] += n
    return counted


def bucket_ranges(buckets: list[tuple[str, int]], parts: int) -> list[tuple[str, str]]:
    """Sorted (bucket, events) cut into at most ``parts`` runs of about equal events, as (first, last) bucket:
    a fusion task reads its run of the bucket index in one scan."""
    ordered = sorted(buckets)
    total = sum(n for _, n in ordered)
    ranges: list[tuple[str, str]] = []
    start: str | None = None
    size = 0
    for k, (bucket, n) in enumerate(ordered):
        start = start or bucket
        size += n
        if size * parts >= total * (len(ranges) + 1) or k == len(ordered) - 1:
            ranges.append((start, bucket))
            start = None
    return ranges


def fused_rows(members: list[dict]) -> tuple[list[dict], list[dict], list[dict], list[tuple[str, str]]]:
    """Records (with their announcements), actors, dyads and the (event, record) links of whole buckets' events.

    ``seq`` stands for the document: a record's sources are its distinct documents.
    """
    by_group: dict[str, list[dict]] = {}
    for row in members:
        row["document_id"] = row["seq"]
        by_group.setdefault(row["group_key"], []).append(row)
    parsed: dict[str, tuple] = {}
    record_rows, actor_rows, dyad_rows, links = [], [], [], []
    for key in sorted(by_group):
        rows = by_group[key]
        if len(rows) == 1:  # one event is one record (as fuse_ids says), with no comparisons to make
            clusters = [(rows[0]["id"],)]
            full = {rows[0]["id"]: rows[0]}
        else:
            full = {row["id"]: row for row in rows}
            clusters = fuse_ids([_fuse_event(row["id"], key, row["date"], row["city"], row["country"],
                                             row["fuse_key"], parsed) for row in rows])
        for ids in clusters:
            cluster = Cluster(record_id_of(ids[0]), ids)
            record, actors, dyads = _record_rows(cluster, [full[i] for i in ids], key, {})
            record_rows.append(record)
            actor_rows += actors
            dyad_rows += dyads
            links += [(i, cluster.record_id) for i in ids]
    planned: dict[str, list[tuple[str, str]]] = {}
    for record in record_rows:
        if record["status"] == "planned" and record["date"]:
            planned.setdefault(record["group_key"], []).append((record["id"], record["date"]))
    for record in record_rows:
        if record["status"] == "occurred" and record["date"] and planned:
            record["announced_by"] = _first_fitting(planned, record["group_key"], record["date"])
    return record_rows, actor_rows, dyad_rows, links


def swap_in(store: Store) -> dict[str, int]:
    """Move what is staged and fused into the store, which must hold no document yet; returns row counts."""
    with store.writing() as conn:
        _require_empty(conn)
        rebuild = [sql for table in REBUILT for sql in _drop_indexes(conn, table.name)]
        if conn.dialect.name == "postgresql":
            # one sorted build of each key instead of a b-tree insert (and a foreign-key check) per row: the
            # events' insert took 9.8 s of a 200,000-event swap with them; index builds sort in memory
            rebuild = _drop_keys(conn, REBUILT) + rebuild
            conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            # empty already (no documents, so no events, records or counts of them), but emptied in this
            # transaction: on a server with wal_level = minimal the inserts and index builds below then write
            # no write-ahead log, only the finished files
            conn.execute(text(f"TRUNCATE {', '.join(table.name for table in REBUILT)}"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_stage_event_records ON stage_event_records (event_id)"))
        counts: dict[str, int] = {}  # the inserts' row counts: counting the tables again read them once more
        names = [c.name for c in stage_documents.columns if c.name != "seq"]
        counts["documents"] = conn.execute(text(
            f"INSERT INTO documents ({', '.join(names)}) SELECT {', '.join(names)} FROM stage_documents ORDER BY seq"
        )).rowcount
        if conn.dialect.name == "postgresql":  # the planner's sizes for the join below, without keys to go by
            conn.execute(text("ANALYZE documents, stage_documents, stage_events, stage_event_records"))
        names = [c.name for c in stage_events.columns if c.name not in ("seq", "bucket")]
        counts["events"] = conn.execute(text(
            f"INSERT INTO events ({', '.join(names)}, document_id, record_id) "
            f"SELECT {', '.join('e.' + n for n in names)}, d.id, m.record_id FROM stage_events e "
            "JOIN stage_documents s ON s.seq = e.seq "
            "JOIN documents d ON d.source = s.source AND d.doc_key = s.doc_key "
            "JOIN stage_event_records m ON m.event_id = e.id")).rowcount
        for target, staged in ((records, stage_records), (record_actors, stage_record_actors),
                               (record_dyads, stage_record_dyads)):
            names = [c.name for c in target.columns]
            counts[target.name] = conn.execute(text(f"INSERT INTO {target.name} ({', '.join(names)}) "
                                                    f"SELECT {', '.join(names)} FROM {staged.name}")).rowcount
        if conn.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO evidence_fts (event_id, body) SELECT id, evidence_text FROM events"))
        # the meetings per month that fusion keeps: the fusion tasks' counts added up (counting all records
        # again here, in one process, took longer than the rest of the swap)
        conn.execute(text("DELETE FROM month_counts"))
        conn.execute(text("INSERT INTO month_counts (a, b, status, month, last, meetings) "
                          "SELECT a, b, status, month, last, SUM(meetings) FROM stage_month_counts "
                          "GROUP BY a, b, status, month, last"))
        actor_counts.rebuild(conn)  # the records per actor, counted from the actor rows just moved in
        for sql in rebuild:
            conn.exec_driver_sql(sql)
        stage_metadata.drop_all(conn, tables=list(STAGED))
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # the planner's statistics for tables that grew at once
    return counts


def _require_empty(conn: Connection) -> None:
    if conn.execute(text("SELECT 1 FROM documents LIMIT 1")).first():
        raise DyadError("a bulk load goes into an empty store only; this one holds documents "
                        "(ingest into it without --bulk, or give a new --db)")


def has_stage(store: Store) -> bool:
    with store.engine.connect() as conn:
        return inspect(conn).has_table(stage_documents.name)


def _drop_keys(conn: Connection, tables: tuple[Table, ...]) -> list[str]:
    """Drop the primary, unique and foreign keys of these tables, and foreign keys that point to them (PostgreSQL);
    returns the statements that add them again, the keys before the foreign keys that need them."""
    found = conn.execute(text(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c "
        "WHERE c.contype IN ('p', 'u', 'f') AND (c.conrelid = ANY(CAST(:t AS regclass[])) "
        "OR c.confrelid = ANY(CAST(:t AS regclass[])))"), {"t": [t.name for t in tables]}).all()
    order = sorted(found, key=lambda c: c[3] != "f")  # foreign keys go first, and come back last
    for table, name, _, _ in order:
        conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
            for table, name, definition, _ in reversed(order)]


def _drop_indexes(conn: Connection, table: str) -> list[str]:
    """Drop the table's plain indexes (not those of its keys); returns the statements that build them again."""
    if conn.dialect.name == "sqlite":
        found = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                                  "AND sql IS NOT NULL"), {"t": table}).all()
    else:
        found = conn.execute(text("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = :t "
                                  "AND i.schemaname = current_schema() AND NOT EXISTS "
                                  "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"), {"t": table}).all()
    for name, _ in found:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [sql for _, sql in found]


@contextmanager
def _turn(store: Store) -> Iterator[Connection]:
    """A transaction on staging tables: on PostgreSQL without the writers' lock (staged batches and buckets are
    disjoint, and nobody else reads them); SQLite has one writer at a time anyway."""
    if store.dialect == "sqlite":
        with store.writing() as conn:
            yield conn
    else:
        with store.engine.begin() as conn:
            yield conn


def _fields(table: Table, leave: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if c.name not in leave)


def _put(conn: Connection, table: Table, rows: list[tuple]) -> None:
    """Rows (tuples in the table's column order) into a staging table: PostgreSQL's COPY, SQLite's executemany."""
    if not rows:
        return
    columns = ", ".join(_fields(table))
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join('?' * len(rows[0]))})", rows)
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()

