"""Records kept fused in the store as events come and go.

Each group an ingest touches is fused again whole (``dyad.fuse``), so its
records cannot depend on the order of ingestion; only the records whose
members changed are rewritten, with their actor and dyad rows, the month
and actor counts, redirects from the ids merged away and the links from
held meetings to their announcements. An undated report first joins its
dated twins' group. Ingest (``dyad.store.core``), the bulk path, the
store checks and the migrations that fill older stores all fuse here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, delete, select

from dyad.fuse import Cluster, FuseEvent, adopted_group, dates_fit, fuse_ids, record_id_of
from dyad.store import actor_counts, monthly
from dyad.store.schema import events, record_actors, record_dyads, records, redirects


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


__all__ = ["adopt_undated", "date_bounds", "fuse_key", "refuse"]
