"""Verify a store's invariants (`dyad check`) and restore them (`dyad repair`).

A healthy store is exactly what fusing its events from scratch gives:

- every event belongs to a stored document and to a stored record;
- each group's records are the clusters of ``fuse_ids`` over the group's
  events, with the fields, actors and pairs of sides those events make
  (so ``n_sources`` and every count agree);
- every redirect leads from an id that is no record to one that is;
- a held record points to the announcement that fits it, if any;
- an undated report is in the group of its dated twins (the same sides in
  the same words, dyad.fuse.adopted_group) when they are all of one month;
- the meetings per month (dyad.store.monthly) are those the records make,
  and the records per actor and month (dyad.store.actor_counts) those the
  actor rows make;
- (SQLite) the evidence search index holds each event once.

Repair moves undated reports to their twins' group, re-fuses every group
found wrong from its events, as a clean run would, and fixes redirects,
announcement links, the kept counts and the search index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, delete, select, update

from dyad.fuse import Cluster, adopted_group, fuse_ids, record_id_of
from dyad.store import actor_counts, monthly
from dyad.store.core import Store
from dyad.store.fusion import (
    _announcements,
    _announcing,
    _chunks,
    _first_fitting,
    _fuse_event,
    _link_announcements,
    _record_rows,
    refuse,
)
from dyad.store.schema import documents, events, record_actors, record_dyads, records, redirects

GROUPS_PER_READ = 200  # groups compared at a time: bounded memory on a store of millions of events
EXAMPLES = 5  # ids named per kind of problem


@dataclass
class Health:
    """What a check found: per kind of problem, how many and a few ids."""

    problems: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)  # fusion groups to rebuild
    checked: Counter = field(default_factory=Counter)  # documents, events, records looked at
    moves: dict[str, str] = field(default_factory=dict)  # undated events to move, to the group of their twins

    @property
    def ok(self) -> bool:
        return not self.problems

    def found(self, kind: str, ids, group: str | None = None) -> None:
        ids = list(ids)
        if not ids:
            return
        self.problems[kind] += len(ids)
        shown = self.examples.setdefault(kind, [])
        shown += [str(i) for i in ids[:EXAMPLES - len(shown)]]
        if group is not None:
            self.groups.add(group)


def check(store: Store) -> Health:
    """Every invariant of the store, read in one consistent snapshot."""
    with _snapshot(store) as conn:
        return _check(conn)


def repair(store: Store) -> tuple[Health, Health]:
    """Fix what a check finds, in one write turn; returns the health before and after."""
    with store.writing() as conn:
        before = _check(conn)
        if not before.ok:
            _repair(conn, before)
    return before, check(store)


def _snapshot(store: Store):
    conn = store.engine.connect()
    if store.dialect == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")  # one snapshot for every statement
    return conn


def _check(conn: Connection) -> Health:
    health = Health()
    doc_ids = set(conn.execute(select(documents.c.id)).scalars())
    record_ids = set(conn.execute(select(records.c.id)).scalars())
    health.checked.update(documents=len(doc_ids), records=len(record_ids))
    groups = sorted(set(conn.execute(select(events.c.group_key).distinct()).scalars())
                    | set(conn.execute(select(records.c.group_key).distinct()).scalars()))
    held: list[tuple[str, str, str, str | None]] = []  # (id, group, date, announced_by) of held records
    for chunk in _chunks(groups, GROUPS_PER_READ):
        for key, members, stored, stored_actors, stored_dyads in _read_groups(conn, chunk):
            health.checked["events"] += len(members)
            health.found("events of a missing document", [m["id"] for m in members
                                                          if m["document_id"] not in doc_ids], key)
            health.found("events of no record", [m["id"] for m in members if m["record_id"] not in record_ids], key)
            want, want_actors, want_dyads, assigned = _fused(key, members)
            wrong = [rid for rid in sorted(set(want) | set(stored))
                     if _fields(want.get(rid)) != _fields(stored.get(rid))]
            health.found("records unlike their events' fusion", wrong, key)
            health.found("events in the wrong record", [m["id"] for m in members
                                                        if m["record_id"] in record_ids
                                                        and m["record_id"] != assigned[m["id"]]], key)
            if not wrong and (Counter(want_actors) != Counter(stored_actors)
                              or Counter(want_dyads) != Counter(stored_dyads)):
                health.found("records with wrong actors or pairs", sorted(want), key)
            held += [(r["id"], key, r["date"], r["announced_by"]) for r in stored.values()
                     if r["status"] == "occurred" and r["date"]]
    for eid, (key, group) in _apart_from_twins(conn).items():
        health.found("undated copies apart from their dated twins", [eid], key)
        health.groups.add(group)
        health.moves[eid] = group
    for table, kind in ((record_actors, "actor rows of no record"), (record_dyads, "pair rows of no record")):
        rows = set(conn.execute(select(table.c.record_id).distinct()).scalars())
        health.found(kind, sorted(rows - record_ids))
    moved = dict(conn.execute(select(redirects.c.old_id, redirects.c.new_id)).all())
    health.found("redirects to no record", sorted(o for o, n in moved.items() if n not in record_ids))
    health.found("redirects from a standing record", sorted(o for o in moved if o in record_ids))
    planned = _announcements(conn, {k for _, key, _, _ in held for k in _announcing(key)})
    health.found("wrong announcement links", sorted(rid for rid, key, date, link in held
                                                    if link != _first_fitting(planned, key, date)))
    counted, kept = monthly.from_scratch(conn), monthly.stored(conn)
    health.found("month counts unlike the records", sorted("|".join(key) for key in set(counted) | set(kept)
                                                           if counted[key] != kept[key]))
    counted, kept = actor_counts.from_scratch(conn), actor_counts.stored(conn)
    health.found("actor counts unlike the actor rows", sorted("|".join(key) for key in set(counted) | set(kept)
                                                              if counted[key] != kept[key]))
    if conn.dialect.name == "sqlite":
        indexed = Counter(r[0] for r in conn.exec_driver_sql("SELECT event_id FROM evidence_fts"))
        event_ids = set(conn.execute(select(events.c.id)).scalars())
        health.found("search index entries of no event", sorted(set(indexed) - event_ids))
        health.found("events missing from the search index", sorted(event_ids - set(indexed)))
        health.found("events twice in the search index", sorted(e for e, n in indexed.items() if n > 1))
    return health


def _apart_from_twins(conn: Connection) -> dict[str, tuple[str, str]]:
    """Undated events outside the group their dated twins put them in: their ids, with their group and that one."""
    worded = events.c.wording.in_(select(events.c.wording).where(events.c.date.is_(None),
                                                                  events.c.wording.is_not(None)))
    rows = conn.execute(select(events.c.id, events.c.group_key, events.c.date, events.c.wording).where(worded)).all()
    twins: dict[str, set[str]] = {}
    for _, key, day, wording in rows:
        if day:
            twins.setdefault(wording, set()).add(key)
    wanted = {eid: (key, adopted_group(key, twins.get(wording, ()))) for eid, key, day, wording in rows if not day}
    return {eid: (key, group) for eid, (key, group) in sorted(wanted.items()) if group != key}


def _read_groups(conn: Connection, keys: list[str]) -> Iterator[tuple]:
    """Per group: its events (full rows), its stored records by id, and their actor and pair rows."""
    members: dict[str, list] = {k: [] for k in keys}
    for row in conn.execute(select(events).where(events.c.group_key.in_(keys))).mappings():
        members[row["group_key"]].append(row)
    stored: dict[str, dict[str, dict]] = {k: {} for k in keys}
    for row in conn.execute(select(records).where(records.c.group_key.in_(keys))).mappings():
        stored[row["group_key"]][row["id"]] = dict(row)
    group_of = {rid: k for k, rs in stored.items() for rid in rs}
    actors: dict[str, list] = {k: [] for k in keys}
    dyads: dict[str, list] = {k: [] for k in keys}
    for chunk in _chunks(sorted(group_of), 500):
        for row in conn.execute(select(record_actors).where(record_actors.c.record_id.in_(chunk))).mappings():
            actors[group_of[row["record_id"]]].append(_actor_key(row))
        for row in conn.execute(select(record_dyads).where(record_dyads.c.record_id.in_(chunk))).mappings():
            dyads[group_of[row["record_id"]]].append(_dyad_key(row))
    for key in keys:
        yield key, members[key], stored[key], actors[key], dyads[key]


def _fused(key: str, members: list) -> tuple[dict[str, dict], list, list, dict[str, str]]:
    """The records a clean run makes of a group's events (without announcement links), and their rows."""
    parsed: dict[str, tuple] = {}
    by_id = {m["id"]: m for m in members}
    fuse_events = [_fuse_event(m["id"], key, m["date"], m["city"], m["country"], m["fuse_key"], parsed)
                   for m in members]
    want: dict[str, dict] = {}
    want_actors, want_dyads, assigned = [], [], {}
    for ids in fuse_ids(fuse_events):
        rid = record_id_of(ids[0])
        record, actors, dyads = _record_rows(Cluster(rid, ids), [by_id[i] for i in ids], key, {})
        want[rid] = record
        want_actors += [_actor_key(a) for a in actors]
        want_dyads += [_dyad_key(d) for d in dyads]
        assigned.update(dict.fromkeys(ids, rid))
    return want, want_actors, want_dyads, assigned


def _fields(record: dict | None) -> dict | None:
    """What fusion decides of a record: all but the announcement link, checked on its own."""
    return None if record is None else {k: v for k, v in record.items() if k != "announced_by"}


def _actor_key(row) -> tuple:
    return row["record_id"], row["actor"], row["name"], row["country"], row["date_lo"]


def _dyad_key(row) -> tuple:
    return row["record_id"], row["a"], row["b"], row["date_lo"], row["status"]


def _repair(conn: Connection, health: Health) -> None:
    doc_ids = select(documents.c.id)
    if health.problems["events of a missing document"]:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DELETE FROM evidence_fts WHERE event_id IN "
                                 "(SELECT id FROM events WHERE document_id NOT IN (SELECT id FROM documents))")
        conn.execute(delete(events).where(events.c.document_id.not_in(doc_ids)))
    if health.moves:  # undated copies join their twins' group; both groups are fused again below
        conn.execute(update(events).where(events.c.id == bindparam("eid")).values(group_key=bindparam("group")),
                     [{"eid": e, "group": g} for e, g in sorted(health.moves.items())])
    groups = sorted(health.groups)
    for chunk in _chunks(groups, 500):
        # the group is fused again from its events alone, as a clean run would
        conn.execute(update(events).where(events.c.group_key.in_(chunk)).values(record_id=None))
        conn.execute(delete(records).where(records.c.group_key.in_(chunk)))
    record_ids = select(records.c.id)
    for table in (record_actors, record_dyads):
        conn.execute(delete(table).where(table.c.record_id.not_in(record_ids)))
    for chunk in _chunks(groups, 50):
        refuse(conn, set(chunk))
    # records left without a group: every event of theirs is gone
    live_groups = select(events.c.group_key).distinct()
    gone = list(conn.execute(select(records.c.id).where(records.c.group_key.not_in(live_groups))).scalars())
    for chunk in _chunks(gone, 500):
        for table, column in ((records, records.c.id), (record_actors, record_actors.c.record_id),
                              (record_dyads, record_dyads.c.record_id)):
            conn.execute(delete(table).where(column.in_(chunk)))
    _repair_redirects(conn)
    all_groups = list(conn.execute(select(records.c.group_key).distinct()).scalars())
    held = [dict(r) for r in conn.execute(select(records.c.id, records.c.group_key, records.c.date, records.c.status)
                                          .where(records.c.status == "occurred")).mappings()]
    conn.execute(update(records).values(announced_by=None))
    _link_announcements(conn, all_groups, held)
    monthly.rebuild(conn)
    actor_counts.rebuild(conn)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DELETE FROM evidence_fts")
        conn.exec_driver_sql("INSERT INTO evidence_fts (event_id, body) SELECT id, evidence_text FROM events")


def _repair_redirects(conn: Connection) -> None:
    """Each redirect follows its chain to a standing record; one that leads nowhere, or starts at a standing
    record, is dropped."""
    live = set(conn.execute(select(records.c.id)).scalars())
    moved = dict(conn.execute(select(redirects.c.old_id, redirects.c.new_id)).all())
    fixed: dict[str, str] = {}
    for old in sorted(moved):
        target, seen = moved[old], {old}
        while target not in live and target in moved and target not in seen:
            seen.add(target)
            target = moved[target]
        if old not in live and target in live:
            fixed[old] = target
    conn.execute(delete(redirects))
    if fixed:
        conn.execute(redirects.insert(), [{"old_id": o, "new_id": n} for o, n in sorted(fixed.items())])


def describe(health: Health) -> list[str]:
    """One line per kind of problem, with a few of the ids concerned."""
    return [f"{n:,} {kind} (e.g. {', '.join(health.examples[kind])})" for kind, n in sorted(health.problems.items())]


__all__ = ["Health", "check", "describe", "repair"]
