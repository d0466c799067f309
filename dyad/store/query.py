"""Questions an analyst asks of the store; the CLI and the API both call these."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, String, and_, false, func, or_, select, text, tuple_, union

from dyad.store.core import Store, date_bounds
from dyad.store.schema import documents, events, month_counts, record_actors, record_dyads, records, redirects

MAX_PAGE = 1000
CONTROL_OR_QUOTE = re.compile('[\x00-\x1f"]')  # no part of a word searched for (FTS5 syntax, NUL)
TEXT_MATCHES = 2000  # evidence matches considered by a text search (newest first); 40 pages of 50


@dataclass(frozen=True, kw_only=True)
class RecordQuery:
    actor: str | None = None  # actor id or name
    country: str | None = None
    counterpart: str | None = None  # the other side: a country code
    date_from: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    date_to: str | None = None
    status: str | None = None
    mode: str | None = None
    location: str | None = None  # a city or a country code
    series: str | None = None
    topic: str | None = None
    words: str | None = None  # full-text search in the evidence
    limit: int = 50
    offset: int = 0
    oldest_first: bool = False
    sort: str = "date"  # or "sources": the most reported first (then by date)
    min_confidence: float | None = None  # records whose best report is at least this likely right


def find_records(store: Store, q: RecordQuery) -> list[dict[str, Any]]:
    conditions = _conditions(store, q)
    order = [records.c.date_lo.asc(), records.c.id] if q.oldest_first else [records.c.date_lo.desc(), records.c.id]
    if q.sort == "sources":
        order = [records.c.n_sources.asc() if q.oldest_first else records.c.n_sources.desc(), *order]
    limit = min(max(q.limit, 0), MAX_PAGE)  # a negative LIMIT would mean none at all
    q = replace(q, offset=max(q.offset, 0))
    stmt = select(records).where(*conditions).order_by(*order).limit(limit).offset(q.offset)
    others = (q.status, q.mode, q.location, q.series, q.topic, q.words, q.min_confidence)
    if q.sort != "date":
        pass  # the index pages below are in date order only
    elif q.actor and not any((q.country, q.counterpart, *others)):
        # one actor, maybe a date range: the page comes straight off the (actor, date) index
        stmt = select(records).where(records.c.id.in_(_actor_page(q, limit + q.offset))) \
            .order_by(*order).limit(limit).offset(q.offset)
    elif (q.country or q.counterpart) and not any((q.actor, *others)):
        # one country or one pair: straight off the (a, b, date) index of the dyads
        stmt = select(records).where(records.c.id.in_(_dyad_page(q, limit + q.offset))) \
            .order_by(*order).limit(limit).offset(q.offset)
    elif q.location and not any((q.actor, q.country, q.counterpart, q.date_from, q.date_to, q.status, q.mode,
                                 q.series, q.topic, q.words, q.min_confidence)):
        # one place: a page off each of the (city, date) and (country, date) indexes, however common the place
        stmt = select(records).where(records.c.id.in_(_location_page(q, limit + q.offset))) \
            .order_by(*order).limit(limit).offset(q.offset)
    with store.engine.connect() as conn:
        rows = _dicts(conn.execute(stmt))
        ids = [r["id"] for r in rows]
        actors: dict[str, list[dict]] = {}
        if ids:
            people = select(record_actors.c.record_id, record_actors.c.actor, record_actors.c.name,
                            record_actors.c.country).where(record_actors.c.record_id.in_(ids))
            for record_id, actor, name, country in conn.execute(people).all():
                actors.setdefault(record_id, []).append({"actor": actor, "name": name, "country": country})
    for row in rows:
        row["topics"] = json.loads(row["topics"] or "[]")
        row["countries"] = row["countries"].split("|")
        row["actors"] = actors.get(row["id"], [])
    return rows


def _dicts(result) -> list[dict[str, Any]]:
    """Rows as plain dicts, built from tuples: a page of records costs a third of what row mappings do."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def _in_range(stmt, column, date_from: str | None, date_to: str | None):
    """Restrict ``stmt`` to rows whose ``column`` (a first possible day) falls in the range."""
    lo, hi = date_bounds(date_from)[0], date_bounds(date_to)[1]
    if lo:
        stmt = stmt.where(column >= lo)
    if hi:
        stmt = stmt.where(column <= hi)
    return stmt


def _actor_page(q: RecordQuery, n: int):
    pages = []
    for column in (record_actors.c.actor, record_actors.c.name):
        sub = _in_range(select(record_actors.c.record_id, record_actors.c.date_lo).where(column == q.actor),
                        record_actors.c.date_lo, q.date_from, q.date_to)
        order = record_actors.c.date_lo.asc() if q.oldest_first else record_actors.c.date_lo.desc()
        pages.append(select(sub.order_by(order).limit(n).subquery().c.record_id))
    return union(*pages)


def _location_page(q: RecordQuery, n: int):
    pages = []
    for column in (records.c.city, records.c.country):
        order = records.c.date_lo.asc() if q.oldest_first else records.c.date_lo.desc()
        pages.append(select(select(records.c.id).where(column == q.location).order_by(order).limit(n)
                            .subquery().c.id))
    return union(*pages)


def _dyad_page(q: RecordQuery, n: int):
    a, b = q.country or q.counterpart, q.counterpart if q.country else None
    sub = select(record_dyads.c.record_id, record_dyads.c.date_lo).where(record_dyads.c.a == a)
    if b:
        sub = sub.where(record_dyads.c.b == b)
    sub = _in_range(sub, record_dyads.c.date_lo, q.date_from, q.date_to)
    order = record_dyads.c.date_lo.asc() if q.oldest_first else record_dyads.c.date_lo.desc()
    # a record of several sides has one dyad row per counterpart: ask for enough rows to fill the page
    return select(sub.order_by(order).limit(n * 4 if n < 10**12 else n).subquery().c.record_id)


def count_records(store: Store, q: RecordQuery, cap: int | None = None) -> int:
    """How many records match; with ``cap``, counting stops there (cap + 1 means "more than cap")."""
    others = (q.status, q.mode, q.location, q.series, q.topic, q.words, q.min_confidence)
    # one country, one pair or one actor: counted off their index alone, in no particular order
    if (q.country or q.counterpart) and not any((q.actor, *others)):
        a, b = q.country or q.counterpart, q.counterpart if q.country else None
        sides = select(record_dyads.c.record_id).where(record_dyads.c.a == a)
        if b:
            sides = sides.where(record_dyads.c.b == b)
        matching = _in_range(sides, record_dyads.c.date_lo, q.date_from, q.date_to).distinct()
    elif q.actor and not any((q.country, q.counterpart, *others)):
        # an actor has one row per record; a name may be two people's in one record
        by_id, by_name = (_in_range(select(record_actors.c.record_id).where(column == q.actor),
                                    record_actors.c.date_lo, q.date_from, q.date_to)
                          for column in (record_actors.c.actor, record_actors.c.name))
        with store.engine.connect() as conn:
            ids, names = _count(conn, by_id, cap), _count(conn, by_name.distinct(), cap)
            # a query is nearly always an id or a name: only when it is both must the two be merged
            return _count(conn, union(by_id, by_name), cap) if ids and names else ids or names
    else:
        matching = select(records.c.date_lo).where(*_conditions(store, q))
        if cap is not None and (q.date_from or q.date_to):
            # newest first down the date index: the first rows it reaches in a date range match
            matching = matching.order_by(records.c.date_lo.desc())
    with store.engine.connect() as conn:
        return _count(conn, matching, cap)


def _count(conn, matching, cap: int | None) -> int:
    if cap is not None:
        matching = matching.limit(cap + 1)
    return conn.execute(select(func.count()).select_from(matching.subquery())).scalar_one()


def _conditions(store: Store, q: RecordQuery) -> list:
    out: list[ColumnElement[bool]] = []
    lo, hi = date_bounds(q.date_from)[0], date_bounds(q.date_to)[1]
    if q.actor:
        # two index lookups (by id, by name) rather than one OR that no index serves
        by_id = select(record_actors.c.record_id).where(record_actors.c.actor == q.actor)
        by_name = select(record_actors.c.record_id).where(record_actors.c.name == q.actor)
        if lo:
            by_id, by_name = by_id.where(record_actors.c.date_lo >= lo), by_name.where(record_actors.c.date_lo >= lo)
        if hi:
            by_id, by_name = by_id.where(record_actors.c.date_lo <= hi), by_name.where(record_actors.c.date_lo <= hi)
        out.append(records.c.id.in_(union(by_id, by_name)))
    if q.country or q.counterpart:
        a, b = q.country or q.counterpart, q.counterpart if q.country else None
        sub = select(record_dyads.c.record_id).where(record_dyads.c.a == a)
        if b:
            sub = sub.where(record_dyads.c.b == b)
        out.append(records.c.id.in_(sub))
    if lo:
        out.append(records.c.date_hi >= lo)
        # the same condition as a range of the date index: a record's dates span at most a year (a date of
        # year precision), so one that ends on or after ``lo`` begins at most a year before it
        out.append(records.c.date_lo >= _year_before(lo))
    if hi:
        out.append(records.c.date_lo <= hi)
    for column, value in ((records.c.status, q.status), (records.c.mode, q.mode)):
        if value:
            out.append(column == value)
    if q.location:
        out.append(or_(records.c.city == q.location, records.c.country == q.location))
    if q.series:
        out.append(records.c.series.ilike(f"%{q.series}%"))
    if q.topic:
        out.append(records.c.topics.like(f'%"{q.topic}"%'))
    if q.words:
        out.append(records.c.id.in_(_evidence_matches(store, q.words)))
    if q.min_confidence is not None:
        # a record stored before confidences existed has none: it is not held against it
        out.append(or_(records.c.confidence.is_(None), records.c.confidence >= q.min_confidence))
    return out


def _year_before(day: str) -> str:
    """The same day a year earlier, as text (dates compare as text; "2015-02-29" still sorts right)."""
    return f"{max(int(day[:4]) - 1, 0):04d}{day[4:]}"


def _evidence_matches(store: Store, words: str):
    terms = CONTROL_OR_QUOTE.sub(" ", words).split()
    if not terms:  # only quotes, control characters or blanks: no word to find
        return select(events.c.record_id).where(false())
    words = " ".join(terms)
    if store.dialect == "sqlite":
        query = " ".join(f'"{w}"' for w in terms)
        # the newest matches first, and a bounded number of them: a common word must not make
        # the first page of results wait for every match in a large store
        matched = text("SELECT event_id FROM evidence_fts WHERE evidence_fts MATCH :q ORDER BY rowid DESC "
                       "LIMIT :n").bindparams(q=query, n=TEXT_MATCHES).columns(event_id=String).subquery()
        return select(events.c.record_id).where(events.c.id.in_(select(matched.c.event_id)))
    ts = func.to_tsvector("simple", events.c.evidence_text).op("@@")(func.plainto_tsquery("simple", words))
    return select(events.c.record_id).where(ts)


def get_record(store: Store, record_id: str) -> dict[str, Any] | None:
    """A record with every article that reported it (following redirects of merged records)."""
    with store.engine.connect() as conn:
        target = conn.execute(select(redirects.c.new_id).where(redirects.c.old_id == record_id)).scalar()
        rid = target or record_id
        row = conn.execute(select(records).where(records.c.id == rid)).mappings().first()
        if row is None:
            return None
        record = dict(row)
        record["topics"] = json.loads(record["topics"] or "[]")
        record["countries"] = record["countries"].split("|")
        sources = conn.execute(
            select(events.c.id, events.c.evidence_text, events.c.evidence_start, events.c.evidence_end,
                   events.c.participants, events.c.date, events.c.status, documents.c.id.label("document_id"),
                   documents.c.source, documents.c.doc_key, documents.c.url, documents.c.title,
                   documents.c.published)
            .join(documents, documents.c.id == events.c.document_id)
            .where(events.c.record_id == rid).order_by(documents.c.published, events.c.id)).mappings().all()
    record["sources"] = [{**dict(s), "participants": json.loads(s["participants"])} for s in sources]
    record["redirected_from"] = record_id if target else None
    return record


def get_document(store: Store, document_id: int) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(documents).where(documents.c.id == document_id)).mappings().first()
        if row is None:
            return None
        found = conn.execute(select(events.c.id, events.c.record_id, events.c.evidence_start, events.c.evidence_end)
                             .where(events.c.document_id == document_id)).mappings().all()
    return {**dict(row), "events": [dict(e) for e in found]}


def top_actors(store: Store, country: str | None = None, top: int = 20, date_from: str | None = None,
               date_to: str | None = None) -> list[dict[str, Any]]:
    """Who meets most: actors by the number of records they take part in."""
    n = func.count(func.distinct(record_actors.c.record_id)).label("meetings")
    stmt = select(record_actors.c.actor, func.max(record_actors.c.name).label("name"),
                  func.max(record_actors.c.country).label("country"), n).group_by(record_actors.c.actor)
    if country:
        stmt = stmt.where(record_actors.c.country == country)
    stmt = _in_range(stmt, record_actors.c.date_lo, date_from, date_to)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt.order_by(n.desc(), record_actors.c.actor).limit(top)).mappings()]


def dyad_counts(store: Store, country: str | None = None, date_from: str | None = None, date_to: str | None = None,
                status: str | None = "occurred", top: int | None = None) -> list[dict[str, Any]]:
    """Meetings per pair of countries. A record of n sides counts once for each of its n(n-1)/2 pairs."""
    n = func.count().label("meetings")
    stmt = select(record_dyads.c.a, record_dyads.c.b, n).group_by(record_dyads.c.a, record_dyads.c.b)
    stmt = stmt.where(record_dyads.c.a == country) if country else stmt.where(record_dyads.c.a < record_dyads.c.b)
    stmt = _in_range(stmt, record_dyads.c.date_lo, date_from, date_to)
    if status:
        stmt = stmt.where(record_dyads.c.status == status)
    stmt = stmt.order_by(n.desc(), record_dyads.c.a, record_dyads.c.b)
    if top:
        stmt = stmt.limit(top)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def counts_over_time(store: Store, q: RecordQuery, by: str | None = "dyad", top: int = 8) -> list[dict[str, Any]]:
    """Meetings per month of the records ``q`` selects: in all, per country, or per pair of countries (dyad).

    Per dyad, a record counts once for each of its pairs (the rule of ``dyad_counts``); per country once for
    each of its sides. Given a country (or a pair), the countries shown are those met in its records and the
    pairs those it is part of. Only the ``top`` busiest countries or pairs are kept; undated records are left
    out. Filters the kept month counts can answer are read from them (dyad.store.monthly), others counted.
    """
    strings = (q.actor, q.mode, q.location, q.series, q.topic, q.words)
    whole_months = all(not d or len(d) in (4, 7) for d in (q.date_from, q.date_to))
    if not any(strings) and q.min_confidence is None and whole_months and not (
            q.country and q.counterpart and by is not None):
        return _kept_counts(store, q, by, top)
    return _counted(store, q, by, top)


def _kept_counts(store: Store, q: RecordQuery, by: str | None, top: int) -> list[dict[str, Any]]:
    kept = month_counts.c
    side = q.country or q.counterpart
    lo, hi = date_bounds(q.date_from)[0], date_bounds(q.date_to)[1]
    # the months as expressions no index is on (`|| ''`): the month rows of the chosen countries or pairs are read
    # off the table's key (a, b, ...), not by walking the index of months
    month, last = kept.month.op("||")(""), kept.last.op("||")("")
    scope = [kept.status == q.status] if q.status else []
    if lo:
        scope.append(last >= lo[:7])  # the record's dates overlap the range (as records.date_hi >= lo)
    if hi:
        scope.append(month <= hi[:7])
    n = func.sum(kept.meetings).label("meetings")
    with store.engine.connect() as conn:
        if by is None:
            pair = (side or "", q.counterpart if q.country else "")
            stmt = select(kept.month, n).where(*scope, month != "", kept.a == pair[0], kept.b == (pair[1] or "")) \
                .group_by(kept.month).order_by(kept.month)
            return [{"month": r.month, "key": "all", "meetings": int(r.meetings)} for r in conn.execute(stmt)]
        if by == "country":
            # given a country, its own row (b '') and those of the countries it met; else every country's own row
            where = [kept.a == side] if side else [kept.a != "", kept.b == ""]
        else:
            where = [kept.a == side, kept.b != ""] if side else [kept.a < kept.b]
        # the busiest, off the index of months: summed over the range's months, or read from the totals (month '')
        ranked = [kept.status == q.status] if q.status else []
        if lo or hi:
            ranked.append(kept.month != "")
            ranked += ([kept.last >= lo[:7]] if lo else []) + ([kept.month <= hi[:7]] if hi else [])
        else:
            ranked.append(kept.month == "")
        busiest = select(kept.a, kept.b, n).where(*ranked, *where).group_by(kept.a, kept.b) \
            .order_by(n.desc(), kept.a, kept.b).limit(top)
        chosen = [(r.a, r.b) for r in conn.execute(busiest)]
        if not chosen:
            return []
        # one key lookup per chosen row (a list of pairs, `(a, b) IN (...)`, was read by a walk of the whole index)
        one_of = or_(*(and_(kept.a == a, kept.b == b) for a, b in chosen))
        stmt = select(kept.month, kept.a, kept.b, n).where(*scope, month != "", one_of) \
            .group_by(kept.month, kept.a, kept.b)
        found: list[tuple[str, tuple[str, ...], int]] = sorted(
            (r.month, (r.b or r.a,) if by == "country" else (r.a, r.b), int(r.meetings)) for r in conn.execute(stmt))
        return [{"month": month_, "key": "–".join(key), "meetings": meetings} for month_, key, meetings in found]


def _one_of(keys: list, chosen: list[tuple]):
    return keys[0].in_([c[0] for c in chosen]) if len(keys) == 1 else tuple_(*keys).in_(chosen)


def _counted(store: Store, q: RecordQuery, by: str | None, top: int) -> list[dict[str, Any]]:
    """``counts_over_time`` counted from the records the filters select."""
    month = func.substr(records.c.date_lo, 1, 7).label("month")
    selected = select(records.c.id).where(*_conditions(store, q), records.c.date_lo.is_not(None))
    if by is None:
        stmt = select(month, func.count().label("meetings")).where(records.c.id.in_(selected)).group_by(month)
        with store.engine.connect() as conn:
            return [{"month": r.month, "key": "all", "meetings": r.meetings}
                    for r in conn.execute(stmt.order_by(month))]
    keys = [record_dyads.c.a] if by == "country" else [record_dyads.c.a, record_dyads.c.b]
    month = func.substr(record_dyads.c.date_lo, 1, 7).label("month")
    scope = record_dyads.c.record_id.in_(selected)
    n = func.count(func.distinct(record_dyads.c.record_id)).label("meetings")
    side = q.country or q.counterpart
    pair = [] if by == "country" else [record_dyads.c.a == side] if side else [record_dyads.c.a < record_dyads.c.b]
    busiest = select(*keys, n).where(scope, *pair).group_by(*keys).order_by(n.desc(), *keys).limit(top)
    with store.engine.connect() as conn:
        chosen = [tuple(r)[:-1] for r in conn.execute(busiest)]
        if not chosen:
            return []
        stmt = select(month, *keys, n).where(scope, *pair, _one_of(keys, chosen)) \
            .group_by(month, *keys).order_by(month, *keys)
        return [{"month": r.month, "key": "–".join(tuple(r)[1:-1]), "meetings": r.meetings}
                for r in conn.execute(stmt)]


def flat_record(r: dict[str, Any]) -> dict[str, Any]:
    """A record as one flat row (tables, CSV downloads)."""
    return {"id": r["id"], "date": r["date"], "status": r["status"], "mode": r["mode"], "cameo": r["cameo"],
            "sides": "|".join(r["countries"]),
            "actors": "; ".join(f"{a['name'] or a['actor']} [{a['country']}]" for a in r["actors"]),
            "place": ", ".join(x for x in (r["city"], r["country"]) if x), "sources": r["n_sources"],
            "evidence": r["evidence_text"]}


def iter_records(store: Store, q: RecordQuery, cap: int) -> Iterator[dict[str, Any]]:
    """Every record ``q`` selects (up to ``cap``), page by page, in its order."""
    done = 0
    while done < cap:
        wanted = min(MAX_PAGE, cap - done)
        page = find_records(store, replace(q, limit=wanted, offset=q.offset + done))
        yield from page
        done += len(page)
        if len(page) < wanted:
            return


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (("documents", documents), ("events", events), ("records", records))}


__all__ = ["RecordQuery", "count_records", "counts", "counts_over_time", "dyad_counts", "find_records", "flat_record",
           "get_document", "get_record", "iter_records", "top_actors"]
