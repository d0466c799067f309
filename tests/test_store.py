"""The store against SQLite and a real PostgreSQL server: idempotent ingest, fusion, queries, exports."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
import threading
import uuid
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from dyad.model import ArticleResult, DateValue, Document, Event, Evidence, Location, Participant
from dyad.pipeline import extract_all
from dyad.settings import Settings
from dyad.store import ingest, open_store
from dyad.store.check import check, repair
from dyad.store.core import _event_rows
from dyad.store.export import export
from dyad.store.gdelt import EVENT_COLUMNS as GDELT_COLUMNS
from dyad.store.query import RecordQuery, count_records, counts, dyad_counts, find_records, get_record, top_actors

from . import pg

FANTASY = str(Path(__file__).parent / "data" / "fantasy_kb.yaml")


@pytest.fixture(scope="session")
def pg_server():
    pg.require_binaries()
    with pg.postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield open_store(str(tmp_path / "dyad.db"))
        return
    url, _, _ = request.getfixturevalue("pg_server")
    with pg.pg_database(url) as db:
        store = open_store(db)
        yield store
        store.engine.dispose()


def two_databases(stack, tmp_path, request, backend):
    """URLs of two new stores on one backend: a clean run's and the shared writers'."""
    if backend == "sqlite":
        return str(tmp_path / "clean.db"), str(tmp_path / "shared.db")
    server = request.getfixturevalue("pg_server")[0]
    return stack.enter_context(pg.pg_database(server)), stack.enter_context(pg.pg_database(server))


def doc(doc_id, text_, published="2023-09-20", source="wire"):
    return Document(doc_id, text_, date.fromisoformat(published) if published else None, "de", source=source,
                    url=f"https://example.test/{source}/{doc_id}")


MEETING = "Der arnorische Außenminister Elendil Vorn traf am Dienstag in Minas Tirith den gondorischen Außenminister."
SAME_MEETING = "Vorn und Ithil berieten am 19. September in Minas Tirith über Handel."
PHONE = "Elendil Vorn telefonierte am Montag mit Faramir Ithil."
PLANNED = "Vorn soll im Oktober nach Edoras reisen, um König Theoden Marke zu treffen."
HELD = "Vorn traf am 17. Oktober in Edoras König Theoden Marke."


def put(store, fantasy_kb, docs):
    return ingest(store, extract_all(docs, fantasy_kb, Settings()), fantasy_kb.version)


def snapshot(store):
    with store.engine.connect() as conn:
        return (
            sorted(conn.execute(text("SELECT source, doc_key, content_hash FROM documents")).all()),
            sorted(conn.execute(text("SELECT id, record_id FROM events")).all()),
            sorted(conn.execute(text("SELECT id, date, city, n_sources, announced_by FROM records")).all()),
            sorted(conn.execute(text("SELECT old_id, new_id FROM record_redirects")).all()),
            sorted(conn.execute(text("SELECT a, b, status, month, last, meetings FROM month_counts")).all()),
        )


def test_same_input_twice_changes_nothing(store, fantasy_kb):
    docs = [doc("a", MEETING), doc("b", SAME_MEETING), doc("c", PHONE)]
    first = put(store, fantasy_kb, docs)
    before = snapshot(store)
    again = put(store, fantasy_kb, docs)
    assert (first.added, again.added, again.unchanged) == (3, 0, 3)
    assert snapshot(store) == before


def test_reports_of_one_meeting_fuse_and_copies_add_sources(store, fantasy_kb):
    put(store, fantasy_kb, [doc("a", MEETING), doc("b", SAME_MEETING), doc("a", MEETING, source="copy"),
                            doc("c", PHONE)])
    assert counts(store) == {"documents": 4, "events": 4, "records": 2}
    [meeting] = find_records(store, RecordQuery(mode="in_person"))
    assert meeting["n_sources"] == 3 and meeting["date"] == "2023-09-19" and meeting["city"] == "Minas Tirith"
    record = get_record(store, meeting["id"])
    assert {s["source"] for s in record["sources"]} == {"wire", "copy"}
    for source in record["sources"]:
        original = {"a": MEETING, "b": SAME_MEETING}[source["doc_key"]]
        assert original[source["evidence_start"]:source["evidence_end"]] == source["evidence_text"]


def test_changed_document_replaces_its_own_events_only(store, fantasy_kb):
    put(store, fantasy_kb, [doc("a", MEETING), doc("c", PHONE)])
    phone = find_records(store, RecordQuery(mode="phone"))[0]["id"]
    report = put(store, fantasy_kb, [doc("a", HELD)])
    assert report.replaced == 1
    assert counts(store)["events"] == 2
    assert find_records(store, RecordQuery(mode="phone"))[0]["id"] == phone
    assert [r["countries"] for r in find_records(store, RecordQuery(country="XRO"))] == [["XAR", "XRO"]]


def test_fusion_does_not_depend_on_ingestion_order(tmp_path, fantasy_kb):
    texts = [MEETING, SAME_MEETING, PHONE, PLANNED, HELD,
             "Vorn und Ithil trafen sich im September in Minas Tirith.",
             "Vorn und Ithil trafen sich am 18. September in Minas Tirith.",
             "Vorn und Ithil berieten am 19. September in Annuminas."]
    docs = [doc(f"d{i}", t) for i, t in enumerate(texts)]
    results = []
    for seed in range(4):
        order = docs[:]
        random.Random(seed).shuffle(order)
        store = open_store(str(tmp_path / f"s{seed}.db"))
        for d in order:  # one document per batch: the worst case for order effects
            put(store, fantasy_kb, [d])
        state = snapshot(store)
        results.append((state[1], state[2]))
    assert all(r == results[0] for r in results)


def test_a_merged_record_id_redirects(store, fantasy_kb):
    put(store, fantasy_kb, [doc("x1", "Vorn und Ithil trafen sich im September in Minas Tirith.")])
    [old] = find_records(store, RecordQuery())
    # add reports until one gives an event id that sorts before the first one, renaming the record
    for n in range(40):
        put(store, fantasy_kb, [doc(f"y{n}", SAME_MEETING)])
        [current] = find_records(store, RecordQuery())
        if current["id"] != old["id"]:
            break
    else:
        pytest.fail("no report renamed the record")
    assert get_record(store, old["id"])["id"] == current["id"]
    assert get_record(store, old["id"])["redirected_from"] == old["id"]


def test_planned_meeting_later_held_is_linked(store, fantasy_kb):
    put(store, fantasy_kb, [doc("p", PLANNED, "2023-09-20"), doc("h", HELD, "2023-10-18")])
    held = find_records(store, RecordQuery(status="occurred"))[0]
    planned = find_records(store, RecordQuery(status="planned"))[0]
    assert held["announced_by"] == planned["id"] and held["date"] == "2023-10-17"


def test_queries(store, fantasy_kb):
    put(store, fantasy_kb, [doc("a", MEETING), doc("c", PHONE), doc("h", HELD, "2023-10-18")])
    assert {r["date"] for r in find_records(store, RecordQuery(actor="Elendil Vorn"))} == \
        {"2023-09-19", "2023-09-18", "2023-10-17"}
    assert len(find_records(store, RecordQuery(actor="elendil-vorn", counterpart="XRO"))) == 1
    assert len(find_records(store, RecordQuery(country="XAR", counterpart="XGO", date_from="2023-09-19"))) == 1
    assert len(find_records(store, RecordQuery(date_from="2023-10", date_to="2023-10"))) == 1
    assert count_records(store, RecordQuery(words="telefonierte")) == 1
    assert count_records(store, RecordQuery(location="Edoras")) == 1
    assert top_actors(store, country="XAR")[0]["meetings"] == 3
    assert dyad_counts(store) == [{"a": "XAR", "b": "XGO", "meetings": 2}, {"a": "XAR", "b": "XRO", "meetings": 1}]


def test_records_keep_the_best_confidence_of_their_reports_and_queries_filter_on_it(store, fantasy_kb):
    put(store, fantasy_kb, [doc("a", MEETING), doc("b", SAME_MEETING), doc("c", PHONE)])
    with store.engine.connect() as conn:
        reports = dict(conn.execute(text("SELECT record_id, MAX(confidence) FROM events GROUP BY record_id")).all())
    found = find_records(store, RecordQuery())
    assert {r["id"]: r["confidence"] for r in found} == pytest.approx(reports)
    assert all(0 < c < 1 for c in reports.values())
    lowest = min(reports.values())
    assert len(find_records(store, RecordQuery(min_confidence=lowest))) == 2
    assert len(find_records(store, RecordQuery(min_confidence=lowest + 1e-6))) == 1


def test_exports(store, fantasy_kb, tmp_path):
    put(store, fantasy_kb, [doc("a", MEETING), doc("c", PHONE), doc("p", PLANNED)])
    out = io.StringIO()
    assert export(store, "gdelt", out) == 4  # a visit gives a 042 row and its 043 host row
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert all(len(r) == len(GDELT_COLUMNS) == 61 for r in rows)
    codes = sorted(r[GDELT_COLUMNS.index("EventCode")] for r in rows)
    assert codes == ["036", "041", "042", "043"]
    out = io.StringIO()
    export(store, "csv", out)
    assert len(list(csv.DictReader(io.StringIO(out.getvalue())))) == 3
    out = io.StringIO()
    export(store, "plover", out)
    assert {json.loads(line)["event"][0] for line in out.getvalue().splitlines()} == {"CONSULT", "AGREE"}
    import pyarrow.parquet as pq

    export(store, "parquet", None, str(tmp_path / "out.parquet"))
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 3


def test_killed_ingest_run_again_equals_one_clean_run(tmp_path):
    """Kill `dyad ingest` at random moments, run it again, compare with a clean run."""
    lines = []
    root = Path(__file__).resolve().parents[1]
    base = [json.loads(x) for x in (root / "eval" / "dev" / "input.jsonl").read_text().splitlines() if x.strip()]
    for k in range(6):
        for art in base:
            lines.append(json.dumps({**art, "id": f"{art['id']}-{k}", "source": f"feed{k % 2}"}))
    src = tmp_path / "feed.jsonl"
    src.write_text("\n".join(lines) + "\n")
    command = [sys.executable, "-m", "dyad.cli", "ingest", str(src), "--batch", "25", "--db"]
    clean = tmp_path / "clean.db"
    subprocess.run([*command, str(clean)], check=True, capture_output=True)
    expected = snapshot(open_store(str(clean)))
    rng = random.Random(11)
    for attempt in range(3):
        target = tmp_path / f"killed{attempt}.db"
        for _ in range(2):
            proc = subprocess.Popen([*command, str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                proc.wait(timeout=rng.uniform(0.8, 3.0))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        subprocess.run([*command, str(target)], check=True, capture_output=True)
        assert snapshot(open_store(str(target))) == expected


def synthetic_article(doc_id, version, specs):
    """An extracted article made directly (no extraction), with events given as (sides, date, person, city, status)."""
    events = []
    for k, (sides, value, person, city, status) in enumerate(specs):
        parts = tuple(Participant(person if c == sides[0] else None, c, "minister", person if c == sides[0] else None,
                                  "GOV", 0, 2) for c in sides)
        precision = {10: "day", 7: "month", 4: "year"}[len(value)] if value else None
        events.append(Event(
            id=f"ev{k}", type="CONSULT", cameo="040", status=status, mode="in_person", participants=parts,
            evidence=Evidence(f"talks {doc_id} {version} {k}", 0, 5),
            date=DateValue(value, precision, "explicit") if value else None,
            location=Location(city, sides[1]) if city else None, topics=("trade",)))
    text_ = f"{doc_id} version {version}"
    return ArticleResult(Document(doc_id, text_, date(2023, 9, 20), "en", source="wire"), "en", tuple(events))


event_specs = st.lists(st.tuples(
    st.sampled_from([("XAR", "XGO"), ("XGO", "XAR"), ("XAR", "XRO")]),
    st.sampled_from(["2023-09-18", "2023-09-19", "2023-10-17", "2023-09", "2023-10", "2023", None]),
    st.sampled_from(["vorn", "amon"]), st.sampled_from([None, "Minas Tirith", "Edoras"]),
    st.sampled_from(["occurred", "occurred", "planned"])), min_size=1, max_size=4)


def ingested_in_steps_and_clean(tmp_path, articles, rng, most: int, most_per_batch: int):
    """Two stores: the articles ingested in random steps (at most ``most`` per call, in batches of at most
    ``most_per_batch``), and one ingest of the last version of each document."""
    name = uuid.uuid4().hex
    clean = open_store(str(tmp_path / f"clean-{name}.db"))
    ingest(clean, list({a.doc.id: a for a in articles}.values()), "kb")
    store = open_store(str(tmp_path / f"steps-{name}.db"))
    i = 0
    while i < len(articles):
        size = rng.randint(1, most)
        ingest(store, articles[i:i + size], "kb", batch_size=rng.randint(1, most_per_batch))
        i += size
    return store, clean


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 7), event_specs), min_size=1, max_size=14), st.randoms(use_true_random=False))
def test_ingest_in_any_batches_with_replacements_equals_one_clean_run(tmp_path, versions, rng):
    """Documents arrive in random batches, some several times with changed events: the store ends as one
    ingest of their last versions would make it (fusion of whole groups from scratch)."""
    articles = [synthetic_article(f"d{n}", i, specs) for i, (n, specs) in enumerate(versions)]
    store, clean = ingested_in_steps_and_clean(tmp_path, articles, rng, most=4, most_per_batch=3)
    assert snapshot(store)[1:3] == snapshot(clean)[1:3]
    assert snapshot(store)[4] == snapshot(clean)[4]  # the month counts, kept batch by batch


def test_counts_per_month_read_from_the_kept_counts_equal_those_counted_from_the_records(tmp_path):
    from dyad.store.query import _counted, _kept_counts, counts_over_time

    specs = [(("XAR", "XGO"), "2023-09-18", "vorn", None, "occurred"),
             (("XAR", "XGO", "XRO"), "2023-10", "amon", "Edoras", "occurred"),
             (("XRO", "XAR"), "2023", "vorn", None, "planned"),
             (("XGO", "XRO"), "2022-12-30", "amon", None, "occurred"),
             (("XAR", "XGO"), None, "vorn", None, "occurred")]
    store = open_store(str(tmp_path / "c.db"))
    ingest(store, [synthetic_article(f"d{i}", 0, [spec]) for i, spec in enumerate(specs)], "kb")
    shapes = [{}, {"status": "occurred"}, {"country": "XAR"}, {"counterpart": "XRO"}, {"date_from": "2023"},
              {"date_from": "2023-10", "date_to": "2023-12"}, {"date_to": "2023-02", "country": "XGO"}]
    for by in (None, "country", "dyad"):
        for shape in shapes + ([{"country": "XAR", "counterpart": "XGO"}] if by is None else []):
            q = RecordQuery(**shape)
            assert _kept_counts(store, q, by, 8) == _counted(store, q, by, 8), (by, shape)
    # the year-dated record counts in January, as the date's first month, and in a range of October
    assert counts_over_time(store, RecordQuery(date_from="2023-10", date_to="2023-10"), None) == [
        {"month": "2023-01", "key": "all", "meetings": 1}, {"month": "2023-10", "key": "all", "meetings": 1}]
    # given a country, the pairs are its own: the trilateral's XGO-XRO is not one of XAR's
    assert {r["key"] for r in counts_over_time(store, RecordQuery(country="XAR"), "dyad")} == {
        "XAR–XGO", "XAR–XRO"}


@pytest.mark.parametrize("bad, message", [
    (doc("nul", MEETING.replace("traf", "traf\x00")), "'text' holds a NUL or a lone surrogate"),
    (doc("t" * 501, MEETING), "id of 501 characters exceeds the store's limit of 500"),
    (doc("s", MEETING, source="s" * 201), "source of 201 characters exceeds the store's limit of 200"),
    (Document("sur", MEETING, date(2023, 9, 20), "de", title="\ud83d"), "'title' holds a NUL or a lone surrogate"),
])
def test_a_document_the_store_cannot_hold_is_reported_and_the_batch_is_stored(store, fantasy_kb, bad, message):
    report = put(store, fantasy_kb, [doc("a", MEETING), bad, doc("c", PHONE)])
    [failure] = report.failed
    assert failure.stage == "store" and message in failure.reason and failure.doc.startswith(bad.id[:20])
    assert report.added == 2 and counts(store) == {"documents": 2, "events": 2, "records": 2}


def test_a_document_the_database_refuses_costs_only_itself(store, fantasy_kb, monkeypatch):
    """Should the checks miss a problem, the batch is written again one document at a time."""
    monkeypatch.setattr("dyad.store.core._problem_and_rows", lambda result: (None, _event_rows(result)))
    bad = Document("sur", MEETING, date(2023, 9, 20), "de", title="\ud83d", source="wire")
    report = put(store, fantasy_kb, [doc("a", MEETING), bad, doc("b", SAME_MEETING), doc("c", PHONE)])
    [failure] = report.failed
    assert failure.doc == "sur" and failure.stage == "store"
    assert (report.added, report.events) == (3, 3)
    assert counts(store) == {"documents": 3, "events": 3, "records": 2}


def writer_input(n_docs=24):
    """Reports of a handful of meetings in several wordings, dates of every precision and sources."""
    texts = [MEETING, SAME_MEETING, PHONE, PLANNED, HELD,
             "Vorn und Ithil trafen sich im September in Minas Tirith.",
             "Vorn und Ithil trafen sich am 18. September in Minas Tirith.",
             "Vorn und Ithil berieten am 19. September in Annuminas.",
             "Vorn und Ithil trafen sich 2023 in Minas Tirith."]
    return [{"id": f"d{n}", "text": texts[n % len(texts)], "published": "2023-09-20" if n % 4 else "2023-10-18",
             "language": "de", "source": f"feed{n % 3}"} for n in range(n_docs)]


def ingest_command(path, db, batch):
    return [sys.executable, "-m", "dyad.cli", "ingest", str(path), "--db", db, "--kb-extra", FANTASY,
            "--batch", str(batch)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_writers_on_shuffled_overlapping_input_equal_one_clean_run(tmp_path, request, backend):
    """Four `dyad ingest` at once into a new store, each with a shuffled two thirds of the documents (every
    document goes to two or three writers), in batches of two: the store ends as one clean run leaves it."""
    docs = writer_input()
    rng = random.Random(5)
    shares = [[] for _ in range(4)]
    for d in docs:
        for w in rng.sample(range(4), rng.choice([2, 3])):
            shares[w].append(d)
    with ExitStack() as stack:
        clean_db, shared_db = two_databases(stack, tmp_path, request, backend)
        everything = tmp_path / "all.jsonl"
        everything.write_text("".join(json.dumps(d) + "\n" for d in docs))
        subprocess.run(ingest_command(everything, clean_db, 1000), check=True, capture_output=True)
        writers = []
        for w, share in enumerate(shares):
            rng.shuffle(share)
            path = tmp_path / f"w{w}.jsonl"
            path.write_text("".join(json.dumps(d) + "\n" for d in share))
            writers.append(subprocess.Popen(ingest_command(path, shared_db, 2), stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE))
        for proc in writers:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err.decode()
        clean, shared = open_store(clean_db), open_store(shared_db)
        assert snapshot(shared)[:3] == snapshot(clean)[:3]
        assert counts(shared)["documents"] == len(docs)
        assert check(shared).ok
        clean.engine.dispose()
        shared.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_writer_threads_in_tight_turns_equal_one_clean_run(tmp_path, request, fantasy_kb, backend):
    """Extracted beforehand, so that the writers do nothing but write: six at once, one or two documents
    per transaction, each its own store object (its own connections) on the same new database."""
    results = list(extract_all([Document(d["id"], d["text"], date.fromisoformat(d["published"]), "de",
                                         source=d["source"]) for d in writer_input(60)], fantasy_kb, Settings()))
    rng = random.Random(3)
    shares = [[] for _ in range(6)]
    for r in results:
        for w in rng.sample(range(6), 3):
            shares[w].append(r)
    for share in shares:
        rng.shuffle(share)
    with ExitStack() as stack:
        clean_db, shared_db = two_databases(stack, tmp_path, request, backend)
        clean = open_store(clean_db)
        ingest(clean, results, fantasy_kb.version)
        start = threading.Barrier(len(shares))
        failures = []

        def write(share, size):
            start.wait()
            try:
                store = open_store(shared_db)
                ingest(store, share, fantasy_kb.version, batch_size=size)
                store.engine.dispose()
            except Exception as exc:  # noqa: BLE001 - reported below, with the writer's error
                failures.append(repr(exc))

        threads = [threading.Thread(target=write, args=(share, 1 + w % 2)) for w, share in enumerate(shares)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == []
        shared = open_store(shared_db)
        assert snapshot(shared)[:3] == snapshot(clean)[:3]
        assert check(shared).ok
        clean.engine.dispose()
        shared.engine.dispose()


CORRUPTIONS = {  # what a crashed or racing writer could leave, each as statements; the problems check names
    "event of a missing record": (["UPDATE events SET record_id = 'rmissing' WHERE id = (SELECT min(id) FROM events)"],
                                  {"events of no record"}),
    "record lost": (["DELETE FROM records WHERE id = (SELECT max(id) FROM records)"],
                    {"events of no record", "records unlike their events' fusion", "actor rows of no record",
                     "pair rows of no record", "month counts unlike the records"}),
    "month count off": (["UPDATE month_counts SET meetings = meetings + 1 WHERE a = '' AND month = ''",
                         "DELETE FROM month_counts WHERE a = (SELECT max(a) FROM month_counts)"],
                        {"month counts unlike the records"}),
    "duplicate record": (["INSERT INTO records (id, group_key, countries, status, n_sources) "
                          "SELECT 'rdup', group_key, countries, status, n_sources FROM records "
                          "WHERE id = (SELECT min(id) FROM records)"], {"records unlike their events' fusion"}),
    "count off": (["UPDATE records SET n_sources = n_sources + 1"], {"records unlike their events' fusion"}),
    "actor missing": (["DELETE FROM record_actors WHERE record_id = (SELECT min(record_id) FROM record_actors)"],
                      {"records with wrong actors or pairs", "actor counts unlike the actor rows"}),
    "actor count off": (["UPDATE actor_counts SET meetings = meetings + 1 WHERE month = ''",
                         "DELETE FROM actor_counts WHERE key = (SELECT max(key) FROM actor_counts)"],
                        {"actor counts unlike the actor rows"}),
    "bad redirects": (["INSERT INTO record_redirects VALUES ('rgone', 'rnowhere')",
                       "INSERT INTO record_redirects SELECT id, id FROM records "
                       "WHERE id = (SELECT min(id) FROM records)"],
                      {"redirects to no record", "redirects from a standing record"}),
    "link lost": (["UPDATE records SET announced_by = NULL"], {"wrong announcement links"}),
    "record of no group": (["INSERT INTO records (id, group_key, countries, status, n_sources) "
                            "VALUES ('rstray', 'occurred:XAR|XZZ:2020-01', 'XAR|XZZ', 'occurred', 1)"],
                           {"records unlike their events' fusion"}),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_check_names_each_broken_invariant_and_repair_restores_a_clean_run(store, fantasy_kb, corruption):
    statements, expected = CORRUPTIONS[corruption]
    docs = [Document(d["id"], d["text"], date.fromisoformat(d["published"]), "de", source=d["source"])
            for d in writer_input(18)]
    put(store, fantasy_kb, docs)
    clean = snapshot(store)
    assert check(store).ok and clean[3] == []
    with store.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    health = check(store)
    assert set(health.problems) == expected
    before, after = repair(store)
    assert set(before.problems) == expected and after.ok
    assert snapshot(store) == clean


def test_check_and_repair_commands(tmp_path, fantasy_kb, capsys):
    from dyad.cli import main

    db = str(tmp_path / "s.db")
    put(open_store(db), fantasy_kb, [doc("a", MEETING), doc("c", PHONE)])
    assert main(["check", "--db", db]) == 0
    assert "2 documents, 2 events, 2 records checked: no problems" in capsys.readouterr().err
    with open_store(db).engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM records WHERE id = (SELECT min(id) FROM records)")
    assert main(["check", "--db", db]) == 1
    err = capsys.readouterr().err
    assert "dyad: problem: 1 events of no record (e.g. " in err and "`dyad repair` fixes them" in err
    assert main(["repair", "--db", db]) == 0
    assert "1 fusion group(s) rebuilt" in capsys.readouterr().err
    assert main(["check", "--db", db]) == 0


def test_export_since_reads_only_records_with_a_source_ingested_since(store, monkeypatch):
    """The chunked (PostgreSQL) and sorted (SQLite) readers both honour --since: a record with one new
    source comes whole, with its older sources; a record of old sources only stays out."""
    from dyad.crawl import since_timestamp
    from dyad.store import export as export_module
    from dyad.store.schema import documents

    from .test_export import CALL, SUMMIT, VISIT, article

    moscow = Location("Moscow", "RUS", 55.75, 37.62, "city", 524901)
    visit = ("Ivan Petrov met Li Wei in Moscow on Tuesday.", [("Ivan Petrov", "RUS"), ("Li Wei", "CHN")])
    ingest(store, [article("visit", VISIT, *visit, cameo="042", host="RUS", day="2024-03-12", place=moscow),
                   article("call", CALL, CALL, [("Li Wei", "CHN"), ("Ivan Petrov", "RUS")], cameo="041",
                           mode="phone", day="2024-03-11")], "kb-test")
    with store.engine.begin() as conn:
        conn.execute(documents.update().values(ingested_at="2024-01-01T00:00:00.000000+00:00"))
    ingest(store, [article("visit-copy", "Li Wei was in Moscow. " + VISIT, *visit, cameo="042", host="RUS",
                           day="2024-03-12", place=moscow, published=date(2024, 3, 16), url=False),
                   article("summit", SUMMIT, SUMMIT, [("Ivan Petrov", "RUS"), ("Li Wei", "CHN"), ("Jane Roe", "USA")],
                           day="2024-03", precision="month")], "kb-test")
    since = since_timestamp("2024-06-01")
    monkeypatch.setattr(export_module, "CHUNK", 1)  # a chunk per record: the range query spans excluded ones
    everything = list(export_module.read_records(store, with_text=True))
    got = list(export_module.read_records(store, with_text=True, since=since))
    assert len(everything) == 3 and sorted(r["cameo"] for r in got) == ["040", "042"]
    assert got == [r for r in everything if r["cameo"] != "041"]
    assert [s["doc_key"] for s in next(r for r in got if r["cameo"] == "042")["sources"]] == ["visit", "visit-copy"]
    plain = export_module._chunks(store, True, since)  # the PostgreSQL path, on either store
    assert [export_module._record(row, found.get(row[0], [])) for chunk, found in plain for row in chunk] == got
    calls = []
    out = io.StringIO()
    assert export(store, "jsonl", out, since=since, progress=lambda done, total: calls.append((done, total))) == 2
    assert calls[0] == (0, 2) and calls[-1] == (2, 2)
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [r["id"] for r in got]
    assert list(export_module.read_records(store, since=since_timestamp("2999-01-01"))) == []


def test_a_date_range_finds_records_dated_by_month_or_year_and_counts_agree(store):
    # a record dated "2022" may have been any day of it: a range from June 2022 on still finds it
    specs = [(("XAR", "XGO"), "2022", "a", None, "occurred"), (("XAR", "XRO"), "2022-05", "b", None, "occurred"),
             (("XGO", "XRO"), "2021-12-31", "c", None, "occurred"), (("XAR", "XGO"), "2023-01-02", "d", "Edoras",
                                                                      "occurred")]
    ingest(store, [synthetic_article("y", 1, specs)], "kb")
    for date_from, date_to, expected in [("2022-06", None, {"2022", "2023-01-02"}), ("2022-05-31", "2022-12",
                                         {"2022", "2022-05"}), ("2022", "2022", {"2022", "2022-05"}),
                                         (None, "2021", {"2021-12-31"}), ("2023-01-03", None, set())]:
        q = RecordQuery(date_from=date_from, date_to=date_to)
        assert {r["date"] for r in find_records(store, q)} == expected, (date_from, date_to)
        assert count_records(store, q) == count_records(store, q, cap=100) == len(expected)
        by_country = RecordQuery(country="XAR", date_from=date_from, date_to=date_to)
        assert count_records(store, by_country, cap=100) == len(find_records(store, by_country))


@pytest.mark.parametrize("above", ["Wire report\n", "UPDATE 2-\nWire report\n", "Exklusiv \r\n\n"])
def test_a_syndicated_copy_with_lines_added_on_top_adds_a_source_not_records(tmp_path, fantasy_kb, above):
    # the headline places the meeting elsewhere than the lead: only a headline may do so without splitting it
    original = ("Vorn trifft Ithil in Edoras\nDer arnorische Außenminister Elendil Vorn ist am Dienstag in Minas "
                "Tirith mit dem gondorischen Außenminister Faramir Ithil zusammengetroffen. Sie sprachen über Handel.")
    store = open_store(str(tmp_path / "dyad.db"))
    put(store, fantasy_kb, [doc("a", original, source="herald")])
    alone = snapshot(store)[2]
    put(store, fantasy_kb, [doc("a", above + original, source="wire")])
    records = snapshot(store)[2]
    assert [(r.date, r.city) for r in records] == [(r.date, r.city) for r in alone]  # the id may change
    assert [r.n_sources for r in records] == [2]


def test_pages_of_one_place_and_by_sources_are_the_pages_of_the_whole_ordering(store):
    rng = random.Random(4)
    sides = [("XAR", "XGO"), ("XAR", "XRO"), ("XGO", "XRO")]
    for d in range(12):
        specs = [(rng.choice(sides), f"2023-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", f"p{k}",
                  rng.choice(["Edoras", "Annuminas", None]), "occurred") for k in range(3)]
        ingest(store, [synthetic_article(f"d{d}", 1, specs)], "kb")
    everything = find_records(store, RecordQuery(limit=1000))
    for place in ("Edoras", "XRO", "XAR", "Nowhere"):
        for oldest in (False, True):
            expected = [r["id"] for r in everything if place in (r["city"], r["country"])]
            if oldest:
                expected = [r["id"] for r in sorted(everything, key=lambda r: (r["date_lo"], r["id"]))
                            if place in (r["city"], r["country"])]
            for offset, limit in ((0, 5), (3, 4), (0, 1000)):
                page = find_records(store, RecordQuery(location=place, oldest_first=oldest, offset=offset, limit=limit))
                assert [r["id"] for r in page] == expected[offset:offset + limit], (place, oldest, offset)
            assert count_records(store, RecordQuery(location=place), cap=100) == len(expected)
    by_sources = sorted(everything, key=lambda r: (-r["n_sources"], -int(r["date_lo"].replace("-", "")), r["id"]))
    assert [r["id"] for r in find_records(store, RecordQuery(sort="sources", limit=1000))] == \
        [r["id"] for r in by_sources]


def test_an_undated_copy_joins_the_dated_report_in_the_same_words_in_any_order(tmp_path, fantasy_kb):
    # the copy has lost its publication date: "am Dienstag" dates nothing, its event is undated
    dated, undated = doc("a", MEETING), doc("a", MEETING, published=None, source="copy")
    states = []
    for n, batches in enumerate(([[dated], [undated]], [[undated], [dated]], [[undated, dated]])):
        store = open_store(str(tmp_path / f"o{n}.db"))
        for batch in batches:
            put(store, fantasy_kb, batch)
        [record] = find_records(store, RecordQuery())
        assert record["n_sources"] == 2 and record["date"] == "2023-09-19"
        assert {e["date"] for e in get_record(store, record["id"])["sources"]} == {"2023-09-19", None}
        assert check(store).ok
        state = snapshot(store)
        states.append((state[:3], state[4]))  # the redirects tell the order: the undated copy's record merged
    assert states[0] == states[1] == states[2]
    put(store, fantasy_kb, [doc("a", PHONE)])  # the dated report changes its words: the copy stands alone again
    assert {(r["date"], r["n_sources"]) for r in find_records(store, RecordQuery())} == \
        {("2023-09-18", 1), (None, 1)} and check(store).ok


def twin_article(doc_id, version, specs):
    """An article whose events are (wording, date) of one pair of sides: the same wording is the same words."""
    parts = tuple(Participant(None, c, "minister", None, "GOV", 0, 2) for c in ("XAR", "XGO"))
    events = tuple(Event(
        id=f"ev{k}", type="CONSULT", cameo="040", status="occurred", mode="in_person", participants=parts,
        evidence=Evidence(f"Arnor and Gondor held talks on {wording}.", 0, 5),
        date=DateValue(value, "day", "explicit") if value else None) for k, (wording, value) in enumerate(specs))
    return ArticleResult(Document(doc_id, f"{doc_id} {version}", date(2023, 9, 20), "en", source="wire"), "en", events)


twin_specs = st.lists(st.tuples(st.sampled_from(["grain", "ferries", "the harbour"]),
                                st.sampled_from(["2023-09-18", "2023-10-02", None, None])), min_size=1, max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 5), twin_specs), min_size=1, max_size=10), st.randoms(use_true_random=False))
def test_undated_twins_in_any_batches_with_replacements_equal_one_clean_run(tmp_path, versions, rng):
    """Dated and undated reports in the same words come, change and go in random batches: the store ends as
    one ingest of the last versions makes it, and each undated report is with its twins when they agree on
    a month."""
    articles = [twin_article(f"d{n}", i, specs) for i, (n, specs) in enumerate(versions)]
    store, clean = ingested_in_steps_and_clean(tmp_path, articles, rng, most=3, most_per_batch=2)
    assert snapshot(store)[1:3] == snapshot(clean)[1:3]
    assert snapshot(store)[4] == snapshot(clean)[4]
    assert check(store).ok
    months: dict[str, set] = {}
    for article in {a.doc.id: a for a in articles}.values():  # the last version of each
        for e in article.events:
            if e.date:
                months.setdefault(e.evidence.text, set()).add(e.date.value[:7])
    with clean.engine.connect() as conn:
        for evidence, key in conn.execute(text("SELECT evidence_text, group_key FROM events WHERE date IS NULL")):
            twins = sorted(months.get(evidence, ()))
            assert key.endswith(f":{twins[0]}" if len(twins) == 1 else ":undated"), (evidence, key)


def test_a_store_from_before_wordings_fuses_its_undated_copies_when_migrated(tmp_path, fantasy_kb):
    from dyad.store.fusion import refuse

    path = str(tmp_path / "old.db")
    store = open_store(path)
    put(store, fantasy_kb, [doc("a", MEETING), doc("a", MEETING, published=None, source="copy")])
    with store.writing() as conn:  # as migration 11 left it: no wordings, the copy in the undated group
        groups = set(conn.execute(text("SELECT group_key FROM events")).scalars())
        conn.execute(text("UPDATE events SET wording = NULL, group_key = 'occurred:XAR|XGO:undated' "
                          "WHERE date IS NULL"))
        refuse(conn, groups | {"occurred:XAR|XGO:undated"}, stale=set(conn.execute(
            text("SELECT record_id FROM events")).scalars()))
        conn.execute(text("DELETE FROM dyad_migrations WHERE version = 12"))
    assert sorted(r["n_sources"] for r in find_records(store, RecordQuery())) == [1, 1]
    migrated = open_store(path)
    assert [r["n_sources"] for r in find_records(migrated, RecordQuery())] == [2] and check(migrated).ok


def test_check_finds_an_undated_copy_apart_from_its_dated_twin_and_repair_fuses_it(tmp_path, fantasy_kb):
    from dyad.store.fusion import refuse

    copies = [doc("a", MEETING), doc("a", MEETING, published=None, source="copy")]
    clean = open_store(str(tmp_path / "clean.db"))
    put(clean, fantasy_kb, copies)
    store = open_store(str(tmp_path / "apart.db"))
    put(store, fantasy_kb, copies)
    with store.writing() as conn:  # the copy in the undated group, fused there: every record fits its events
        groups = set(conn.execute(text("SELECT group_key FROM events")).scalars())
        conn.execute(text("UPDATE events SET group_key = 'occurred:XAR|XGO:undated' WHERE date IS NULL"))
        refuse(conn, groups | {"occurred:XAR|XGO:undated"}, stale=set(conn.execute(
            text("SELECT record_id FROM events")).scalars()))
    assert sorted(r["n_sources"] for r in find_records(store, RecordQuery())) == [1, 1]
    health = check(store)
    assert set(health.problems) == {"undated copies apart from their dated twins"}
    before, after = repair(store)
    assert set(before.problems) == {"undated copies apart from their dated twins"} and after.ok
    assert [r["n_sources"] for r in find_records(store, RecordQuery())] == [2]
    assert snapshot(store)[:3] == snapshot(clean)[:3]


def test_migration_13_counts_the_actors_of_a_store_made_before_it(store, fantasy_kb):
    from dyad.store import actor_counts

    put(store, fantasy_kb, [Document(d["id"], d["text"], date.fromisoformat(d["published"]), "de",
                                     source=d["source"]) for d in writer_input(18)])
    with store.engine.begin() as conn:
        kept = actor_counts.stored(conn)
        conn.exec_driver_sql("DROP TABLE actor_counts")
        conn.exec_driver_sql("DELETE FROM dyad_migrations WHERE version = 13")
    migrated = open_store(store.engine.url.render_as_string(hide_password=False))
    with migrated.engine.connect() as conn:
        assert kept and actor_counts.stored(conn) == kept == actor_counts.from_scratch(conn)
    assert check(migrated).ok
    migrated.engine.dispose()
