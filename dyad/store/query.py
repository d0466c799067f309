"""Questions an analyst asks of the store; the CLI and the API both call these."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, bindparam, false, func, or_, select, text, tuple_, union

from dyad.store.core import Store
from dyad.store.fusion import date_bounds
from dyad.store.prepared import prepared, run
from dyad.store.schema import (
    actor_counts,
    documents,
    events,
    month_counts,
    record_actors,
    record_dyads,
    records,
    redirects,
)

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
    # keyset pagination: the page starts after the record with this sort key (``cursor_after``), in place of
    # an offset; a page read so costs the same however deep it is, and records stored meanwhile shift nothing
    after: SortKey | None = None


@dataclass(frozen=True)
class SortKey:
    """Where a record stands in the order of a page: its date (and sources, when sorted by them), then its id."""

    date_lo: str | None
    id: str
    n_sources: int | None = None  # only when sorted by sources


class BadCursor(ValueError):
    """A page cursor that is not one this server gave, or belongs to another order."""


def next_cursor(q: RecordQuery, page: list[dict[str, Any]]) -> str | None:
    """The token of the page after ``page`` (None when it is the last): the sort key of its last record, with
    the order it belongs to, so that it cannot be read in another."""
    if not page or len(page) < q.limit:
        return None
    last = _sort_key(q, page[-1])
    key: list[str | int | None] = [q.sort, "oldest" if q.oldest_first else "newest", last.date_lo, last.id]
    if last.n_sources is not None:
        key.append(last.n_sources)
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _sort_key(q: RecordQuery, record: dict[str, Any]) -> SortKey:
    return SortKey(record["date_lo"], record["id"], record["n_sources"] if q.sort == "sources" else None)


def cursor_after(token: str, q: RecordQuery) -> SortKey:
    """The sort key a token from ``next_cursor`` stands for, checked against the order of ``q``."""
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        raise BadCursor("the cursor is not one this server gave") from None
    if not isinstance(key, list) or len(key) < 4:
        raise BadCursor("the cursor is not one this server gave")
    if key[:2] != [q.sort, "oldest" if q.oldest_first else "newest"]:
        raise BadCursor(f"the cursor belongs to the order {key[1]} by {key[0]}, not this one")
    shape: list[type | tuple[type, ...]] = [str, str, (str, type(None)), str]
    if q.sort == "sources":
        shape.append(int)
    if len(key) != len(shape) or \
            not all(isinstance(v, t) and not isinstance(v, bool) for v, t in zip(key, shape, strict=True)):
        raise BadCursor("the cursor is not one this server gave")
    return SortKey(key[2], key[3], key[4] if q.sort == "sources" else None)


def find_records(store: Store, q: RecordQuery) -> list[dict[str, Any]]:
    limit = min(max(q.limit, 0), MAX_PAGE)  # a negative LIMIT would mean none at all
    q = replace(q, offset=0 if q.after else max(q.offset, 0))
    shape, values = _shape(store, q), _values(q)
    dialect = store.engine.dialect
    with store.engine.connect() as conn:
        rows: list[dict[str, Any]] = []
        for segment in range(len(_after(shape)) if shape.after else 1):  # a cursor's rest of the order may be
            n = limit - len(rows)                                         # two ranges: see _after
            page = prepared(dialect, _page, shape, segment)
            rows += _dicts(run(conn, page, {**values, "n": n, "depth": n + q.offset}))
            if len(rows) >= limit:
                break
        actors: dict[str, list[dict]] = {}
        if rows:
            mark = "?" if dialect.paramstyle == "qmark" else "%s"
            people = conn.exec_driver_sql(
                "SELECT record_id, actor, name, country FROM record_actors "
                f"WHERE record_id IN ({', '.join([mark] * len(rows))})", tuple(r["id"] for r in rows))
            for record_id, actor, name, country in people.all():
                actors.setdefault(record_id, []).append({"actor": actor, "name": name, "country": country})
    for row in rows:
        row["topics"] = json.loads(row["topics"] or "[]")
        row["countries"] = row["countries"].split("|")
        row["actors"] = actors.get(row["id"], [])
    return rows


@dataclass(frozen=True)
class _Shape:
    """What the SQL of a query depends on: which filters it sets and its order. The values of the filters go in
    as named parameters (``_values``), so that a statement is built once per shape (dyad.store.prepared)."""

    actor: bool
    side: bool  # a country, or a counterpart alone
    pair: bool  # a country and a counterpart
    date_from: bool
    date_to: bool
    status: bool
    mode: bool
    location: bool
    series: bool
    topic: bool
    words: bool  # a text search
    no_words: bool  # ... in which no word is left to find: it finds nothing
    min_confidence: bool
    oldest_first: bool
    sort: str
    sqlite: bool  # where the database sorts records without a date, and how it searches text
    after: tuple[bool, bool] | None  # a cursor: whether its record is dated, whether the order is by sources

    @property
    def others(self) -> bool:
        """Any filter that no index page below serves."""
        return any((self.status, self.mode, self.location, self.series, self.topic, self.words, self.min_confidence))


def _shape(store: Store, q: RecordQuery) -> _Shape:
    after = (q.after.date_lo is not None, q.after.n_sources is not None) if q.after else None
    # (a least confidence of 0 selects every record, as none at all does: confidences lie in [0, 1])
    return _Shape(actor=bool(q.actor), side=bool(q.country or q.counterpart), pair=bool(q.country and q.counterpart),
                  date_from=bool(q.date_from), date_to=bool(q.date_to), status=bool(q.status), mode=bool(q.mode),
                  location=bool(q.location), series=bool(q.series), topic=bool(q.topic), words=bool(q.words),
                  no_words=bool(q.words) and not _terms(q.words), min_confidence=bool(q.min_confidence),
                  oldest_first=q.oldest_first, sort=q.sort, sqlite=store.dialect == "sqlite", after=after)


def _values(q: RecordQuery) -> dict[str, Any]:
    """The values of a query's named parameters."""
    lo, hi = date_bounds(q.date_from)[0], date_bounds(q.date_to)[1]
    terms = _terms(q.words)
    key = q.after
    return {"actor": q.actor, "side": q.country or q.counterpart, "other": q.counterpart if q.country else None,
            "lo": lo, "year_before_lo": _year_before(lo) if lo else None, "hi": hi, "status": q.status,
            "mode": q.mode, "location": q.location, "series": f"%{q.series}%", "topic": f'%"{q.topic}"%',
            "fts_words": " ".join(f'"{w}"' for w in terms), "words": " ".join(terms), "text_matches": TEXT_MATCHES,
            "min_confidence": q.min_confidence, "offset": q.offset, "after_date": key.date_lo if key else None,
            "after_id": key.id if key else None, "after_sources": key.n_sources if key else None}


def _page(shape: _Shape, segment: int):
    """The statement of one range of a page (``segment``: which of a cursor's ranges, see ``_after``)."""
    ascending = shape.oldest_first
    order = [records.c.date_lo.asc() if ascending else records.c.date_lo.desc(), records.c.id]
    if shape.sort == "sources":
        order = [records.c.n_sources.asc() if ascending else records.c.n_sources.desc(), *order]
    within = _after(shape)[segment] if shape.after else _everything
    by_date = shape.sort == "date"  # the index pages below are in date order only
    if by_date and shape.actor and not (shape.side or shape.others):
        # one actor, maybe a date range: the page comes straight off the (actor, date) index
        page = _actor_page(shape, within)
    elif by_date and shape.side and not (shape.actor or shape.others):
        # one country or one pair: straight off the (a, b, date) index of the dyads
        page = _dyad_page(shape, within)
    elif by_date and shape.location and not (shape.actor or shape.side or shape.date_from or shape.date_to or
                                             shape.status or shape.mode or shape.series or shape.topic or
                                             shape.words or shape.min_confidence):
        # one place: a page off each of the (city, date) and (country, date) indexes, however common the place
        page = _location_page(shape, within)
    else:
        here = within(records.c.date_lo, records.c.id, records.c.n_sources)
        return select(records).where(*_conditions(shape), *here) \
            .order_by(*order).limit(bindparam("n")).offset(bindparam("offset"))
    return select(records).where(records.c.id.in_(page)).order_by(*order).limit(bindparam("n")) \
        .offset(bindparam("offset"))


# the conditions of one range of the order, given the date, id and (for the general path) sources columns
Segment = Callable[..., list]


def _everything(*columns) -> list:
    return []


def _after(shape: _Shape) -> list[Segment]:
    """What comes after a cursor's record in the order (n_sources,) date_lo, id (dates and sources ascending or
    descending, ids always ascending, records without a date first or last as the database sorts them), as
    ranges in order; the record's date, id and sources are the parameters after_date, after_id, after_sources.

    The dated records after a dated key are one range of the date index (from the key's date on), read as
    deep as the first page; an OR with the undated records would have made the database walk the index from
    its start, so those are a second range, read when the first runs out.
    """
    assert shape.after is not None
    dated, by_sources = shape.after
    ascending = shape.oldest_first
    nulls_first = ascending == shape.sqlite  # where each database sorts records without a date
    d, i = bindparam("after_date", type_=String), bindparam("after_id", type_=String)
    sources = bindparam("after_sources", type_=Integer)
    if by_sources:  # by sources first: one condition, exact, read from the start of a run of equals
        def in_sources(date_lo, id_, n_sources=None) -> list:
            if not dated:
                later = or_(and_(date_lo.is_(None), id_ > i), *([date_lo.is_not(None)] if nulls_first else []))
            else:
                later = or_(date_lo > d if ascending else date_lo < d, and_(date_lo == d, id_ > i),
                            *([] if nulls_first else [date_lo.is_(None)]))
            beyond = n_sources > sources if ascending else n_sources < sources
            return [or_(beyond, and_(n_sources == sources, later))]
        return [in_sources]
    if not dated:
        segments: list[Segment] = [lambda date_lo, id_, *_: [date_lo.is_(None), id_ > i]]
        return segments + ([lambda date_lo, *_: [date_lo.is_not(None)]] if nulls_first else [])
    segments = [lambda date_lo, id_, *_: [date_lo >= d if ascending else date_lo <= d,
                                          or_(date_lo > d if ascending else date_lo < d, id_ > i)]]
    return segments + ([] if nulls_first else [lambda date_lo, *_: [date_lo.is_(None)]])


def _dicts(result) -> list[dict[str, Any]]:
    """Rows as plain dicts, built from tuples: a page of records costs a third of what row mappings do."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result.all()]


def _in_dates(stmt, column, date_from: str | None, date_to: str | None):
    """Restrict ``stmt`` to rows whose ``column`` (a first possible day) falls in the range."""
    lo, hi = date_bounds(date_from)[0], date_bounds(date_to)[1]
    if lo:
        stmt = stmt.where(column >= lo)
    if hi:
        stmt = stmt.where(column <= hi)
    return stmt


def _in_range(stmt, column, shape: _Shape):
    """Restrict ``stmt`` to rows whose ``column`` (a first possible day) falls in the range (lo, hi)."""
    if shape.date_from:
        stmt = stmt.where(column >= bindparam("lo"))
    if shape.date_to:
        stmt = stmt.where(column <= bindparam("hi"))
    return stmt


def _first(shape: _Shape, sub, date_lo, id_, segment: Segment):
    """The ids (the first column) of the first rows of ``sub`` in the page's order, as deep as the page goes
    (``depth``: its records and those the offset skips), in one range of it (``segment``, from a cursor): by
    date, then id, so that among the records of one day it takes those the whole ordering takes."""
    sub = sub.where(*segment(date_lo, id_))
    order = date_lo.asc() if shape.oldest_first else date_lo.desc()
    return select(sub.order_by(order, id_).limit(bindparam("depth")).subquery().c[0])


def _actor_page(shape: _Shape, segment: Segment):
    ra = record_actors.c
    pages = []
    for column in (ra.actor, ra.name):
        sub = _in_range(select(ra.record_id, ra.date_lo).where(column == bindparam("actor")), ra.date_lo, shape)
        pages.append(_first(shape, sub, ra.date_lo, ra.record_id, segment))
    return union(*pages)


def _location_page(shape: _Shape, segment: Segment):
    r = records.c
    return union(*(_first(shape, select(r.id, r.date_lo).where(column == bindparam("location")), r.date_lo, r.id,
                          segment) for column in (r.city, r.country)))


def _dyad_page(shape: _Shape, segment: Segment):
    rd = record_dyads.c
    sub = select(rd.record_id, rd.date_lo).where(rd.a == bindparam("side"))
    if shape.pair:
        sub = sub.where(rd.b == bindparam("other"))
    else:
        # a record of several sides has one row per counterpart, all of one date: each record once
        sub = sub.distinct()
    return _first(shape, _in_range(sub, rd.date_lo, shape), rd.date_lo, rd.record_id, segment)


def count_records(store: Store, q: RecordQuery, cap: int | None = None) -> int:
    """How many records match; with ``cap``, counting stops there (cap + 1 means "more than cap")."""
    kept = _kept_total(store, q) if not q.actor else _kept_actor_total(store, q)
    if kept is not None:
        return kept if cap is None else min(kept, cap + 1)
    counting = prepared(store.engine.dialect, _matching_count, _shape(store, q), cap is not None)
    with store.engine.connect() as conn:
        return run(conn, counting, {**_values(q), "cap": None if cap is None else cap + 1}).scalar_one()


def _matching_count(shape: _Shape, capped: bool):
    """The statement counting what a query of this shape selects (up to the parameter ``cap`` if ``capped``)."""
    if shape.side and not (shape.actor or shape.others):
        # one country or one pair: counted off its index alone, in no particular order
        rd = record_dyads.c
        sides = select(rd.record_id).where(rd.a == bindparam("side"))
        if shape.pair:
            sides = sides.where(rd.b == bindparam("other"))
        matching = _in_range(sides, rd.date_lo, shape).distinct()
    elif shape.actor and not (shape.side or shape.others):
        # the records of the actor by id and by name, each in the order of its index (date, record): merged as
        # they are read, each record once (all rows of a record carry its date), and counted up to the cap. A
        # union without that order gathered both in a temporary b-tree first (5-10 ms for an actor of 4,000)
        ra = record_actors.c
        by_id, by_name = (_in_range(select(ra.date_lo, ra.record_id).where(column == bindparam("actor")),
                                    ra.date_lo, shape) for column in (ra.actor, ra.name))
        matching = union(by_id, by_name).order_by(ra.date_lo, ra.record_id)
    else:
        matching = select(records.c.date_lo).where(*_conditions(shape))
        if capped and (shape.date_from or shape.date_to):
            # newest first down the date index: the first rows it reaches in a date range match
            matching = matching.order_by(records.c.date_lo.desc())
    if capped:
        matching = matching.limit(bindparam("cap"))
    return select(func.count()).select_from(matching.subquery())


def _kept_total(store: Store, q: RecordQuery) -> int | None:
    """The count of a filter of sides, status and whole months, summed from the kept month counts
    (dyad.store.monthly) and the few undated records; None for any other filter.

    The range means what it means in ``count_records``: one country or pair alone is counted off its own
    index, by the record's first possible day (the first month); everything else by overlap with the range.
    """
    if any((q.actor, q.mode, q.location, q.series, q.topic, q.words)) or q.min_confidence is not None:
        return None
    if not all(not d or len(d) in (4, 7) for d in (q.date_from, q.date_to)):
        return None  # a range of days: counted from the records
    side = q.country or q.counterpart
    other = q.counterpart if q.country else None
    lo, hi = date_bounds(q.date_from)[0], date_bounds(q.date_to)[1]
    shape = (bool(side), bool(other), bool(q.status), bool(lo), bool(hi))
    values = {"kept_a": side or "", "kept_b": other or "", "side": side, "other": other, "status": q.status,
              "first_month": lo[:7] if lo else None, "last_month": hi[:7] if hi else None}
    dialect = store.engine.dialect
    with store.engine.connect() as conn:
        total = run(conn, prepared(dialect, _kept_sum, *shape), values).scalar_one()
        if not (lo or hi):  # undated records count in no month
            total += run(conn, prepared(dialect, _undated_count, *shape[:3]), values).scalar_one()
    return int(total)


def _kept_actor_total(store: Store, q: RecordQuery) -> int | None:
    """The count of one actor (by id or name) alone, over all time or a range of whole months, read from the
    kept counts per actor and month (dyad.store.actor_counts); None for any other filter."""
    if any((q.country, q.counterpart, q.status, q.mode, q.location, q.series, q.topic, q.words, q.min_confidence)):
        return None
    if not all(not d or len(d) in (4, 7) for d in (q.date_from, q.date_to)):
        return None  # a range of days: counted from the actor rows
    lo, hi = date_bounds(q.date_from)[0], date_bounds(q.date_to)[1]
    values = {"actor": q.actor, "first_month": lo[:7] if lo else None, "last_month": hi[:7] if hi else None}
    with store.engine.connect() as conn:
        return int(run(conn, prepared(store.engine.dialect, _actor_sum, bool(lo), bool(hi)), values).scalar_one())


def _actor_sum(lo: bool, hi: bool):
    kept = actor_counts.c
    where = [kept.key == bindparam("actor")]
    if lo or hi:
        where.append(kept.month != "")
        if lo:
            where.append(kept.month >= bindparam("first_month"))
        if hi:
            where.append(kept.month <= bindparam("last_month"))
    else:
        where.append(kept.month == "")
    return select(func.coalesce(func.sum(kept.meetings), 0)).where(*where)


def _kept_sum(side: bool, other: bool, status: bool, lo: bool, hi: bool):
    kept = month_counts.c
    where = [kept.a == bindparam("kept_a"), kept.b == bindparam("kept_b")]
    if status:
        where.append(kept.status == bindparam("status"))
    if lo or hi:
        first_month = side and not status  # the index of sides holds the first day alone
        where.append(kept.month != "")
        if lo:
            where.append((kept.month if first_month else kept.last) >= bindparam("first_month"))
        if hi:
            where.append(kept.month <= bindparam("last_month"))
    else:
        where.append(kept.month == "")
    return select(func.coalesce(func.sum(kept.meetings), 0)).where(*where)


def _undated_count(side: bool, other: bool, status: bool):
    if side:
        rd = record_dyads.c
        return select(func.count(func.distinct(rd.record_id))).where(
            rd.a == bindparam("side"), rd.date_lo.is_(None), *([rd.b == bindparam("other")] if other else []),
            *([rd.status == bindparam("status")] if status else []))
    return select(func.count()).select_from(records).where(
        records.c.date_lo.is_(None), *([records.c.status == bindparam("status")] if status else []))


def _conditions(shape: _Shape) -> list:
    """The conditions on ``records`` of a query of this shape, with its values as named parameters."""
    out: list[ColumnElement[bool]] = []
    if shape.actor:
        # two index lookups (by id, by name) rather than one OR that no index serves
        ra = record_actors.c
        by_id, by_name = (_in_range(select(ra.record_id).where(column == bindparam("actor")), ra.date_lo, shape)
                          for column in (ra.actor, ra.name))
        out.append(records.c.id.in_(union(by_id, by_name)))
    if shape.side:
        sub = select(record_dyads.c.record_id).where(record_dyads.c.a == bindparam("side"))
        if shape.pair:
            sub = sub.where(record_dyads.c.b == bindparam("other"))
        out.append(records.c.id.in_(sub))
    if shape.date_from:
        out.append(records.c.date_hi >= bindparam("lo"))
        # the same condition as a range of the date index: a record's dates span at most a year (a date of
        # year precision), so one that ends on or after ``lo`` begins at most a year before it
        out.append(records.c.date_lo >= bindparam("year_before_lo"))
    if shape.date_to:
        out.append(records.c.date_lo <= bindparam("hi"))
    if shape.status:
        out.append(records.c.status == bindparam("status"))
    if shape.mode:
        out.append(records.c.mode == bindparam("mode"))
    if shape.location:
        out.append(or_(records.c.city == bindparam("location"), records.c.country == bindparam("location")))
    if shape.series:
        out.append(records.c.series.ilike(bindparam("series")))
    if shape.topic:
        out.append(records.c.topics.like(bindparam("topic")))
    if shape.words:
        out.append(records.c.id.in_(_evidence_matches(shape)))
    if shape.min_confidence:
        # a record stored before confidences existed has none: it is not held against it
        out.append(or_(records.c.confidence.is_(None), records.c.confidence >= bindparam("min_confidence")))
    return out


def _year_before(day: str) -> str:
    """The same day a year earlier, as text (dates compare as text; "2015-02-29" still sorts right)."""
    return f"{max(int(day[:4]) - 1, 0):04d}{day[4:]}"


def _terms(words: str | None) -> list[str]:
    return CONTROL_OR_QUOTE.sub(" ", words or "").split()


def _evidence_matches(shape: _Shape):
    if shape.no_words:  # only quotes, control characters or blanks: no word to find
        return select(events.c.record_id).where(false())
    if shape.sqlite:
        # the newest matches first, and a bounded number of them: a common word must not make
        # the first page of results wait for every match in a large store
        matched = text("SELECT event_id FROM evidence_fts WHERE evidence_fts MATCH :fts_words ORDER BY rowid DESC "
                       "LIMIT :text_matches").columns(event_id=String).subquery()
        return select(events.c.record_id).where(events.c.id.in_(select(matched.c.event_id)))
    ts = func.to_tsvector("simple", events.c.evidence_text).op("@@")(
        func.plainto_tsquery("simple", bindparam("words")))
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
    stmt = _in_dates(stmt, record_actors.c.date_lo, date_from, date_to)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt.order_by(n.desc(), record_actors.c.actor).limit(top)).mappings()]


def dyad_counts(store: Store, country: str | None = None, date_from: str | None = None, date_to: str | None = None,
                status: str | None = "occurred", top: int | None = None) -> list[dict[str, Any]]:
    """Meetings per pair of countries. A record of n sides counts once for each of its n(n-1)/2 pairs."""
    n = func.count().label("meetings")
    stmt = select(record_dyads.c.a, record_dyads.c.b, n).group_by(record_dyads.c.a, record_dyads.c.b)
    stmt = stmt.where(record_dyads.c.a == country) if country else stmt.where(record_dyads.c.a < record_dyads.c.b)
    stmt = _in_dates(stmt, record_dyads.c.date_lo, date_from, date_to)
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
    selected = select(records.c.id).where(*_conditions(_shape(store, q)), records.c.date_lo.is_not(None))
    values = _values(q)  # of the conditions' parameters
    if by is None:
        stmt = select(month, func.count().label("meetings")).where(records.c.id.in_(selected)).group_by(month)
        with store.engine.connect() as conn:
            return [{"month": r.month, "key": "all", "meetings": r.meetings}
                    for r in conn.execute(stmt.order_by(month), values)]
    keys = [record_dyads.c.a] if by == "country" else [record_dyads.c.a, record_dyads.c.b]
    month = func.substr(record_dyads.c.date_lo, 1, 7).label("month")
    scope = record_dyads.c.record_id.in_(selected)
    n = func.count(func.distinct(record_dyads.c.record_id)).label("meetings")
    side = q.country or q.counterpart
    pair = [] if by == "country" else [record_dyads.c.a == side] if side else [record_dyads.c.a < record_dyads.c.b]
    busiest = select(*keys, n).where(scope, *pair).group_by(*keys).order_by(n.desc(), *keys).limit(top)
    with store.engine.connect() as conn:
        chosen = [tuple(r)[:-1] for r in conn.execute(busiest, values)]
        if not chosen:
            return []
        stmt = select(month, *keys, n).where(scope, *pair, _one_of(keys, chosen)) \
            .group_by(month, *keys).order_by(month, *keys)
        return [{"month": r.month, "key": "–".join(tuple(r)[1:-1]), "meetings": r.meetings}
                for r in conn.execute(stmt, values)]


def flat_record(r: dict[str, Any]) -> dict[str, Any]:
    """A record as one flat row (tables, CSV downloads)."""
    return {"id": r["id"], "date": r["date"], "status": r["status"], "mode": r["mode"], "cameo": r["cameo"],
            "sides": "|".join(r["countries"]),
            "actors": "; ".join(f"{a['name'] or a['actor']} [{a['country']}]" for a in r["actors"]),
            "place": ", ".join(x for x in (r["city"], r["country"]) if x), "sources": r["n_sources"],
            "evidence": r["evidence_text"]}


def iter_records(store: Store, q: RecordQuery, cap: int) -> Iterator[dict[str, Any]]:
    """Every record ``q`` selects (up to ``cap``), page by page, in its order: each page goes on from the last
    record of the one before (a cursor), so the last page costs what the first did."""
    done = 0
    while done < cap:
        wanted = min(MAX_PAGE, cap - done)
        page = find_records(store, replace(q, limit=wanted))
        yield from page
        done += len(page)
        if len(page) < wanted:
            return
        q = replace(q, offset=0, after=_sort_key(q, page[-1]))


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (("documents", documents), ("events", events), ("records", records))}


__all__ = ["BadCursor", "RecordQuery", "SortKey", "count_records", "counts", "counts_over_time", "cursor_after",
           "dyad_counts", "find_records", "flat_record", "get_document", "get_record", "iter_records", "next_cursor",
           "top_actors"]
