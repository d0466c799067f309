"""Pages of records: every filter's pages, by offset and by cursor, are slices of one ordering worked out here
from the stored records alone; counts agree; a cursor goes on where it was however the store grows."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text

from dyad.model import ArticleResult, DateValue, Document, Event, Evidence, Location, Participant
from dyad.store import actor_counts, ingest, open_store
from dyad.store.fusion import date_bounds
from dyad.store.query import (
    BadCursor,
    RecordQuery,
    count_records,
    cursor_after,
    find_records,
    iter_records,
    next_cursor,
)

from . import pg
from .test_store import pg_server, store  # noqa: F401, F811 (fixtures: each test runs on SQLite and PostgreSQL)

SIDES = [("XAR", "XGO"), ("XAR", "XRO"), ("XGO", "XRO"), ("XAR", "XGO", "XRO"), ("XMO", "XAR")]
# few days, so that many records share one (pages must break ties alike); months, years and no date too
DATES = ["2023-09-18", "2023-09-18", "2023-09-19", "2023-10-02", "2022-05-07", "2023-09", "2023", None]
WORDS = ["grain", "harbour", "treaty", "ferry"]


def article(doc_id: str, rng: random.Random) -> ArticleResult:
    events = []
    for k in range(rng.randint(1, 3)):
        sides = rng.choice(SIDES)
        person = f"p{rng.randrange(4)}"
        parts = tuple(Participant(f"Person {person}" if c == sides[0] else None, c, "minister",
                                  person if c == sides[0] else None, "GOV", 0, 2) for c in sides)
        value = rng.choice(DATES)
        words = " ".join(rng.sample(WORDS, 2))
        events.append(Event(
            id=f"ev{k}", type="CONSULT", cameo="040", status=rng.choice(["occurred", "occurred", "planned"]),
            mode=rng.choice(["in_person", "phone", "video"]), participants=parts,
            evidence=Evidence(f"talks on {words} in {doc_id}", 0, 5),
            date=DateValue(value, {10: "day", 7: "month", 4: "year"}[len(value)], "explicit") if value else None,
            location=Location(rng.choice(["Edoras", "Annuminas"]), sides[1]) if rng.random() < 0.6 else None))
    return ArticleResult(Document(doc_id, doc_id, date(2023, 9, 20), "en", source="wire"), "en", tuple(events))


def fill(db, n: int, seed: int = 3, first: int = 0) -> None:
    rng = random.Random(seed)
    ingest(db, [article(f"d{i}", rng) for i in range(first, first + n)], "kb")


def stored(db) -> list[dict]:
    """Every record with what the filters look at, read from the tables directly."""
    with db.engine.connect() as conn:
        found = {r.id: dict(r._mapping, actors=set(), evidence=[]) for r in conn.execute(text(
            "SELECT id, countries, status, mode, date_lo, date_hi, city, country, n_sources FROM records"))}
        for rid, actor, name in conn.execute(text("SELECT record_id, actor, name FROM record_actors")):
            found[rid]["actors"] |= {actor, name}
        for rid, evidence in conn.execute(text("SELECT record_id, evidence_text FROM events")):
            found[rid]["evidence"].append(evidence.lower())
    return list(found.values())


def ordered(records: list[dict], q: RecordQuery, dialect: str) -> list[str]:
    """The ids in the order of a page: date (newest or oldest first), then id; by sources first if so sorted;
    records without a date where the database puts them (SQLite: the smallest; PostgreSQL: the largest)."""
    by_id = sorted(records, key=lambda r: r["id"])
    dated = sorted((r for r in by_id if r["date_lo"]), key=lambda r: r["date_lo"], reverse=not q.oldest_first)
    undated = [r for r in by_id if not r["date_lo"]]
    nulls_first = q.oldest_first == (dialect == "sqlite")
    rows = undated + dated if nulls_first else dated + undated
    if q.sort == "sources":
        rows = sorted(rows, key=lambda r: r["n_sources"], reverse=not q.oldest_first)  # stable: ties keep order
    return [r["id"] for r in rows]


def selects(q: RecordQuery, r: dict) -> bool:
    lo, hi = date_bounds(q.date_from)[0], date_bounds(q.date_to)[1]
    sides = r["countries"].split("|")
    others = (q.status, q.mode, q.location, q.words)
    one_side = q.sort == "date" and (q.country or q.counterpart) and not any(others)
    if (lo or hi) and (q.actor or one_side):
        # an actor, or one country or pair by date, is read off its own index, which holds a record's first
        # possible day alone: there a range selects the records whose first day falls in it (a record dated
        # "2023" is not found from 2023-09 on, as it is without them; a country's count is of these)
        first_day = r["date_lo"]
        return selects(replace(q, date_from=None, date_to=None), r) and \
            (not lo or (first_day is not None and first_day >= lo)) and (not hi or (first_day is not None
                                                                                  and first_day <= hi))
    return all((
        not q.country or q.country in sides, not q.counterpart or q.counterpart in sides,
        not q.status or r["status"] == q.status, not q.mode or r["mode"] == q.mode,
        not lo or (r["date_hi"] is not None and r["date_hi"] >= lo), not hi or (r["date_lo"] is not None
                                                                               and r["date_lo"] <= hi),
        not q.actor or q.actor in r["actors"], not q.location or q.location in (r["city"], r["country"]),
        not q.words or any(q.words in e.split() for e in r["evidence"])))


FILTERS = [
    {}, {"country": "XAR"}, {"country": "XGO", "counterpart": "XRO"}, {"counterpart": "XMO"},
    {"date_from": "2023", "status": "occurred"}, {"date_from": "2023-09", "date_to": "2023-09"},
    {"country": "XAR", "date_from": "2023-09-18", "date_to": "2023"}, {"actor": "p1"}, {"actor": "Person p2"},
    {"actor": "p0", "date_from": "2023-09"}, {"words": "harbour"}, {"location": "Edoras"}, {"location": "XRO"},
    {"mode": "phone"}, {"mode": "video", "date_from": "2023-01"}, {"status": "planned", "country": "XRO"},
    {"country": "XAR", "date_from": "2023", "date_to": "2023-09"}, {"status": "occurred", "counterpart": "XGO",
                                                                    "date_from": "2023-09"},
    {"date_to": "2022-12"}, {"status": "planned"},
]
ORDERS = [{"oldest_first": False}, {"oldest_first": True}, {"sort": "sources"},
          {"sort": "sources", "oldest_first": True}]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled(request, tmp_path_factory):
    """One store per database for every filter (read only)."""
    if request.param == "sqlite":
        db = open_store(str(tmp_path_factory.mktemp("query") / "dyad.db"))
        fill(db, 40)
        yield db
        return
    with pg.pg_database(request.getfixturevalue("pg_server")[0]) as url:
        db = open_store(url)
        fill(db, 40)
        yield db
        db.engine.dispose()


@pytest.mark.parametrize("shape", FILTERS, ids=lambda shape: ",".join(shape) or "all")
def test_every_filter_pages_by_offset_and_by_cursor_as_slices_of_one_ordering(filled, shape):
    records = stored(filled)
    assert len(records) > 30
    for order in ORDERS:
        q = RecordQuery(**shape, **order)
        expected = ordered([r for r in records if selects(q, r)], q, filled.dialect)
        assert expected, (shape, order)  # every filter selects something in the data
        assert [r["id"] for r in find_records(filled, RecordQuery(**shape, **order, limit=1000))] == expected
        for offset in (0, 2, 5):
            page = find_records(filled, RecordQuery(**shape, **order, limit=3, offset=offset))
            assert [r["id"] for r in page] == expected[offset:offset + 3], (shape, order, offset)
        assert [r["id"] for r in iter_records(filled, RecordQuery(**shape, **order), cap=1000)] == expected
        # page by page through the cursors the API hands out
        got, page_q = [], RecordQuery(**shape, **order, limit=4)
        while True:
            page = find_records(filled, page_q)
            got += [r["id"] for r in page]
            token = next_cursor(page_q, page)
            if token is None:
                break
            page_q = RecordQuery(**shape, **order, limit=4, after=cursor_after(token, page_q))
        assert got == expected, (shape, order)
    selected = sum(selects(RecordQuery(**shape), r) for r in records)
    assert count_records(filled, RecordQuery(**shape)) == selected
    assert count_records(filled, RecordQuery(**shape), cap=2) == min(selected, 3)


def test_a_cursor_goes_on_after_its_record_however_the_store_grows(store):  # noqa: F811
    fill(store, 20)
    for q in (RecordQuery(limit=6), RecordQuery(limit=6, oldest_first=True, sort="sources")):
        first = find_records(store, q)
        token = next_cursor(q, first)
        assert token is not None
        fill(store, 10, seed=len(stored(store)), first=len(stored(store)) * 100)  # new records all over the order
        key = cursor_after(token, q)
        mark = {"id": key.id, "date_lo": key.date_lo, "n_sources": first[-1]["n_sources"]}
        # where the cursor's record stood (the record itself may since have merged with a new report)
        everything = ordered([r for r in stored(store) if r["id"] != key.id] + [mark], q, store.dialect)
        at = everything.index(key.id)
        after = find_records(store, replace(q, after=key))
        assert [r["id"] for r in after] == everything[at + 1:at + 7]


@pytest.mark.parametrize("token, q, problem", [
    ("bm90IGpzb24", RecordQuery(), "not one this server gave"),
    ("!!", RecordQuery(), "not one this server gave"),
    (next_cursor(RecordQuery(limit=1), [{"date_lo": "2023-01-01", "id": "r1", "n_sources": 2}]),
     RecordQuery(oldest_first=True), "belongs to the order newest by date"),
    (next_cursor(RecordQuery(limit=1), [{"date_lo": "2023-01-01", "id": "r1", "n_sources": 2}]),
     RecordQuery(sort="sources"), "belongs to the order newest by date"),
])
def test_a_foreign_or_broken_cursor_is_refused(token, q, problem):
    with pytest.raises(BadCursor, match=problem):
        cursor_after(token, q)


def test_the_last_page_has_no_cursor_and_an_undated_record_can_carry_one():
    q = RecordQuery(limit=2)
    assert next_cursor(q, [{"date_lo": "2023-01-01", "id": "r1", "n_sources": 1}]) is None
    token = next_cursor(q, [{"date_lo": "2023-01-01", "id": "r1", "n_sources": 1},
                            {"date_lo": None, "id": "r2", "n_sources": 1}])
    assert token is not None and cursor_after(token, q).date_lo is None


def test_a_mode_or_status_filter_reads_its_own_index(tmp_path):
    sqlite = open_store(str(tmp_path / "m.db"))
    fill(sqlite, 5)
    with sqlite.engine.connect() as conn:
        for column, index in (("mode", "ix_records_mode"), ("status", "ix_records_status")):
            plan = " ".join(str(row) for row in conn.execute(text(
                f"EXPLAIN QUERY PLAN SELECT count(*) FROM records WHERE {column} = 'phone' AND date_lo >= '2023'")))
            assert index in plan


def crossed_article(doc_id: str, rng: random.Random) -> ArticleResult:
    """An article whose people are named as others are known (Person p1's name is "p2"): an actor filter then
    selects one record by id and another by name, and some records by both."""
    found = article(doc_id, rng)
    return replace(found, events=tuple(replace(ev, participants=tuple(
        replace(p, name=f"p{(int(p.actor_id[1:]) + 1) % 4}") if p.actor_id else p for p in ev.participants))
        for ev in found.events))


def test_the_kept_actor_counts_answer_as_the_actor_rows_do(store):  # noqa: F811
    rng = random.Random(5)
    docs = [crossed_article(f"d{i}", rng) for i in range(40)]
    ingest(store, docs[:25], "kb")
    ingest(store, docs[15:], "kb")
    # the same articles told again with other facts: records merge, split and go, their counts with them
    ingest(store, [crossed_article(f"d{i}", rng) for i in range(0, 40, 3)], "kb")
    with store.engine.connect() as conn:
        assert actor_counts.stored(conn) == actor_counts.from_scratch(conn)
        assert actor_counts.stored(conn)
    records = stored(store)
    assert any({"p1", "p2"} <= r["actors"] for r in records)  # one record by id and by name: counted once
    for actor in ("p0", "p1", "p2", "p3", "Person p0", "nobody"):
        for date_from, date_to in ((None, None), ("2023-09", "2023-09"), ("2023", None), (None, "2022-12"),
                                   ("2023-09-19", None)):
            q = RecordQuery(actor=actor, date_from=date_from, date_to=date_to)
            expected = sum(selects(q, r) for r in records)
            assert count_records(store, q) == expected, (actor, date_from, date_to)
            assert count_records(store, q, cap=1) == min(expected, 2)
