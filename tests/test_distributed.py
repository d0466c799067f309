"""Extraction and ingest on a Dask cluster, and fusion partitioned by (sides, year), against one process."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from dyad.errors import DocumentError, DyadError
from dyad.kb.loader import load_kb
from dyad.model import ArticleResult, DateValue, Document, Event, Evidence, Location, Participant
from dyad.output import article_json
from dyad.pipeline import extract_all
from dyad.settings import Settings
from dyad.sources import read_sources
from dyad.store import article_rows, bulk, ingest, open_store
from dyad.store.check import check
from dyad.store.schema import month_counts, record_actors, record_dyads, records

from . import pg

distributed = pytest.importorskip("distributed")  # the `distributed` extra, part of `dev`

from dyad.read import shards  # noqa: E402
from dyad.read.shards import ReadOptions, Shards  # noqa: E402
from dyad.scale import bulk_load, extract_lines, ingest_on_cluster  # noqa: E402
from dyad.scale.cluster import connect, install  # noqa: E402
from dyad.scale.run import _extract_task, _run  # noqa: E402

FANTASY = str(Path(__file__).parent / "data" / "fantasy_kb.yaml")
SETTINGS = Settings(kb_extra=FANTASY)
TEXTS = [
    "Der arnorische Außenminister Elendil Vorn traf am Dienstag in Minas Tirith den gondorischen Außenminister.",
    "Vorn und Ithil berieten am 19. September in Minas Tirith über Handel.",
    "Elendil Vorn telefonierte am Montag mit Faramir Ithil.",
    "Vorn soll im Oktober nach Edoras reisen, um König Theoden Marke zu treffen.",
    "Vorn traf am 17. Oktober in Edoras König Theoden Marke.",
    "Vorn und Ithil trafen sich im September in Minas Tirith.",
    "Vorn und Ithil trafen sich 2023 in Minas Tirith.",
    "Vorn und Ithil berieten am 19. September in Annuminas.",
]
PUBLISHED = ["2023-09-20", "2023-10-18", "2022-09-21", "2024-01-10"]


def documents(n=40):
    """Reports of a handful of meetings in several wordings, years and sources; a few copies of one id."""
    return [Document(f"d{k % (n - 4)}", TEXTS[k % len(TEXTS)] + f" ({k})", date.fromisoformat(PUBLISHED[k % 4]), "de",
                     source=f"feed{k % 3}", origin=f"input.jsonl:{k + 1}") for k in range(n)]


@pytest.fixture(scope="module")
def client():
    with connect(workers=2) as client:
        yield client


@pytest.fixture(scope="module")
def fantasy():
    return load_kb(FANTASY)


@pytest.fixture(scope="module")
def pg_url():
    pg.require_binaries()
    with pg.postgres_server() as (url, _, _):
        yield url


@contextmanager
def database(request, tmp_path, backend):
    """The URL of a new, empty store: a SQLite file, or a database on the test server."""
    if backend == "sqlite":
        yield str(tmp_path / f"{uuid.uuid4().hex[:8]}.db")
        return
    with pg.pg_database(request.getfixturevalue("pg_url")) as url:
        yield url


def snapshot(url):
    store = open_store(url)
    with store.engine.connect() as conn:
        found = (sorted(conn.execute(text("SELECT source, doc_key, content_hash FROM documents")).all()),
                 sorted(conn.execute(text("SELECT id, record_id, group_key FROM events")).all()),
                 sorted(conn.execute(text("SELECT id, date, city, n_sources, announced_by, countries "
                                          "FROM records")).all()),
                 sorted(conn.execute(text("SELECT record_id, actor, country FROM record_actors")).all()),
                 sorted(conn.execute(text("SELECT record_id, a, b FROM record_dyads")).all()))
    assert check(store).ok
    store.engine.dispose()
    return found


def clean_run(url, docs, kb):
    ingest(open_store(url), extract_all(docs, kb, SETTINGS), kb.version)
    return snapshot(url)


def test_extract_on_two_workers_gives_one_process_output_in_input_order(client, fantasy):
    docs = [*documents(30), DocumentError("broken.jsonl:3", "read", "not JSON"), Document("empty", " ")]
    expected = [r if isinstance(r, DocumentError) else json.dumps(article_json(r, fantasy.version), ensure_ascii=False)
                for r in extract_all(docs, fantasy, SETTINGS)]
    seen = []
    lines = list(extract_lines(client, docs, SETTINGS, fantasy.version, lambda done, events: seen.append(done),
                               batch=4))
    assert [str(x) for x in lines] == [str(x) for x in expected]
    assert [x.stage for x in lines if isinstance(x, DocumentError)] == ["read", "read"]
    assert seen == sorted(seen) and seen[-1] == len(docs)  # one count over all workers, up to every document


def test_each_worker_loads_the_knowledge_base_once_and_a_different_version_is_an_error(client, fantasy):
    install(client, SETTINGS)
    versions = client.run(lambda dask_worker: dask_worker.plugins["dyad"].kb.version)
    assert set(versions.values()) == {fantasy.version} and len(versions) == 2
    loaded = client.run(lambda dask_worker: id(dask_worker.plugins["dyad"].kb))
    list(extract_lines(client, documents(12), SETTINGS, fantasy.version, batch=2))
    assert client.run(lambda dask_worker: id(dask_worker.plugins["dyad"].kb)) == loaded  # not loaded again per task
    items = [("doc", 0, ("x", TEXTS[0], "2023-09-20", "de", None, None, "wire", "", None, None))]
    with pytest.raises(DyadError, match=r"with dyad \S+ with knowledge base sha256:\w+, this run has .*sha256:other"):
        list(_run(client, items, _extract_task, "sha256:other", None, 1, None, options=None))


def test_workers_write_a_parquet_dataset_by_month_equal_to_one_process(client, fantasy, tmp_path):
    import pandas as pd  # type: ignore[import-untyped]

    from dyad.scale import extract_to_dataset
    from dyad.store.dataset import write_part

    docs = documents()
    single = [article_json(r, fantasy.version) for r in extract_all(docs, fantasy, SETTINGS)]
    write_part(single, tmp_path / "one", 0)
    written = list(extract_to_dataset(client, docs, SETTINGS, fantasy.version, str(tmp_path / "two"), batch=6))
    assert sum(written) == sum(len(a["events"]) for a in single) > 0
    assert len(list((tmp_path / "two").glob("month=*/part-*.parquet"))) > len(list((tmp_path / "one").glob("*")))
    one, two = (pd.read_parquet(tmp_path / name).sort_values("event_id", ignore_index=True) for name in ("one", "two"))
    pd.testing.assert_frame_equal(one, two)
    assert (two["month"].astype(str) == two["date"].fillna("undated").str[:7]).all()
    assert two["month"].nunique() >= 3
    assert not list(tmp_path.rglob(".*.tmp"))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ingest_on_the_cluster_equals_one_process(client, fantasy, request, tmp_path, backend):
    docs = documents()
    with database(request, tmp_path, backend) as clean, database(request, tmp_path, backend) as target:
        expected = clean_run(clean, docs, fantasy)
        store = open_store(target)
        report = ingest_on_cluster(client, store, docs, SETTINGS, fantasy.version, batch_size=7, batch=3)
        assert snapshot(target) == expected
        assert (report.added, len(report.failed)) == (len(expected[0]), 0)
        again = ingest_on_cluster(client, store, docs, SETTINGS, fantasy.version, batch=3)
        # known by content hash, not extracted again; the four ids given twice, with two texts, are replaced
        # (the later copy supersedes the earlier, as in one process)
        assert (again.added, again.unchanged, again.replaced) == (0, len(docs) - 4, 4)
        assert snapshot(target) == expected
        store.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bulk_load_with_a_killed_worker_and_a_stopped_run_equals_one_process(client, fantasy, request, tmp_path,
                                                                             backend):
    """A worker killed after the first batch: its batches run again elsewhere. Then a run stopped half-way
    is run again: it goes on with what is staged. Both stores equal one clean run of the single writer."""
    docs = documents()
    with database(request, tmp_path, backend) as clean, database(request, tmp_path, backend) as killed, \
            database(request, tmp_path, backend) as stopped:
        expected = clean_run(clean, docs, fantasy)
        victims = []

        def kill_one(done, events):
            if not victims:
                victims.append(next(iter(client.run(os.getpid).values())))
                os.kill(victims[0], 9)

        report = bulk_load(client, killed, docs, SETTINGS, fantasy.version, kill_one, batch=3)
        assert victims and snapshot(killed) == expected and report.added == len(expected[0])

        def stop_half_way(done, events):
            if done >= 12:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            bulk_load(client, stopped, docs, SETTINGS, fantasy.version, stop_half_way, batch=3)
        again = bulk_load(client, stopped, docs, SETTINGS, fantasy.version, batch=3)
        assert again.unchanged >= 12  # the batches written before the stop are not extracted again
        assert snapshot(stopped) == expected
        with pytest.raises(DyadError, match="empty store"):
            bulk_load(client, stopped, docs[:3], SETTINGS, fantasy.version)
        client.wait_for_workers(2)


def write_shards(folder, docs, per_file=10, broken=True):
    """The documents as JSONL shards of ``per_file`` lines (and a broken line in the second); their glob."""
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(docs), per_file):
        lines = [json.dumps({"id": d.id, "text": d.text, "published": d.published.isoformat(), "language": "de",
                             "source": d.source}, ensure_ascii=False) for d in docs[start:start + per_file]]
        if broken and start == per_file:
            lines.insert(3, '{"id": "bad", "text": ')
        (folder / f"part-{start // per_file:03d}.jsonl").write_text("\n".join(lines) + "\n")
    return str(folder / "part-*.jsonl")


@pytest.fixture
def small_blocks(monkeypatch):
    """JSONL files cut into byte ranges of a few lines, so that every test reads some in pieces."""
    monkeypatch.setattr(shards, "BLOCK", 700)


def test_workers_reading_their_own_shards_give_one_process_output(client, fantasy, tmp_path, small_blocks):
    pattern = write_shards(tmp_path / "in", documents(40))
    expected = [str(r) if isinstance(r, DocumentError) else json.dumps(article_json(r, fantasy.version),
                                                                       ensure_ascii=False)
                for r in extract_all(read_sources([pattern, str(tmp_path / "none.jsonl")]), fantasy, SETTINGS)]
    seen: list[int] = []
    lines = list(extract_lines(client, Shards((pattern, str(tmp_path / "none.jsonl"))), SETTINGS, fantasy.version,
                               lambda done, events: seen.append(done)))
    assert [str(x) for x in lines] == expected
    errors = [x for x in lines if isinstance(x, DocumentError)]
    assert [e.doc for e in errors] == [f"{tmp_path}/in/part-001.jsonl:4", f"{tmp_path}/none.jsonl"]  # by name
    assert seen[-1] == 42 and seen == sorted(seen)


def test_workers_read_an_fsspec_file_system_of_their_own(client, fantasy, tmp_path, small_blocks):
    """The memory file system of each process holds the same files: listed here, read on the workers."""
    pattern = write_shards(tmp_path, documents(24), per_file=8)
    files = {path.name: path.read_bytes() for path in sorted(tmp_path.glob("part-*.jsonl"))}

    def put() -> None:
        import fsspec

        for name, content in files.items():
            fsspec.filesystem("memory").pipe(f"/t14/{name}", content)

    put()
    client.run(put)
    warned: list[str] = []
    options = ReadOptions(language="de")
    lines = list(extract_lines(client, Shards(("memory://t14/part-*.jsonl",), options), SETTINGS, fantasy.version,
                               warn=warned.append))
    expected = list(extract_lines(client, Shards((pattern,), options), SETTINGS, fantasy.version))
    assert [str(x).replace("memory:///t14/", f"{tmp_path}/") for x in lines] == [str(x) for x in expected]
    assert "memory:///t14/part-001.jsonl:4" in [x.doc for x in lines if isinstance(x, DocumentError)]
    assert len(lines) == 25 and not warned


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_ingest_and_bulk_load_from_shards_equal_one_process(client, fantasy, request, tmp_path, backend,
                                                           small_blocks):
    """The later copies of four documents sit in another shard than the earlier ones: on a rerun the workers
    find them stored as they are, but their earlier copies replace them first, so they are sent again."""
    docs = documents(40)
    pattern = write_shards(tmp_path / "in", docs, broken=False)
    with database(request, tmp_path, backend) as clean, database(request, tmp_path, backend) as single, \
            database(request, tmp_path, backend) as loaded:
        expected = clean_run(clean, docs, fantasy)
        store = open_store(single)
        report = ingest_on_cluster(client, store, Shards((pattern,)), SETTINGS, fantasy.version, batch_size=7)
        assert snapshot(single) == expected and report.added == len(expected[0])
        again = ingest_on_cluster(client, store, Shards((pattern,)), SETTINGS, fantasy.version)
        assert (again.added, again.unchanged, again.replaced) == (0, len(docs) - 4, 4)  # as in one process
        assert snapshot(single) == expected  # the later copies were sent again: the store holds them
        store.engine.dispose()
        report = bulk_load(client, loaded, Shards((pattern,)), SETTINGS, fantasy.version)
        assert snapshot(loaded) == expected and report.added == len(expected[0])


def test_a_stopped_bulk_load_from_shards_goes_on_with_what_is_staged(client, fantasy, request, tmp_path,
                                                                     small_blocks):
    docs = documents(40)
    pattern = write_shards(tmp_path / "in", docs, broken=False)
    with database(request, tmp_path, "sqlite") as clean, database(request, tmp_path, "sqlite") as stopped:
        expected = clean_run(clean, docs, fantasy)

        def stop_half_way(done, events):
            if done >= 12:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            bulk_load(client, stopped, Shards((pattern,)), SETTINGS, fantasy.version, stop_half_way)
        again = bulk_load(client, stopped, Shards((pattern,)), SETTINGS, fantasy.version)
        assert again.unchanged >= 12  # known by content hash on the workers, not extracted again
        assert snapshot(stopped) == expected


def synthetic(doc_id, specs):
    """An extracted article made directly, events as (sides, date, person, city, status)."""
    events = []
    for k, (sides, value, person, city, status) in enumerate(specs):
        parts = tuple(Participant(person if c == sides[0] else None, c, "minister", person if c == sides[0] else None,
                                  "GOV", 0, 2) for c in sides)
        precision = {10: "day", 7: "month", 4: "year"}[len(value)] if value else None
        events.append(Event(id=f"ev{k}", type="CONSULT", cameo="040", status=status, mode="in_person",
                            participants=parts, evidence=Evidence(f"talks {doc_id} {k}", 0, 5),
                            date=DateValue(value, precision, "explicit") if value else None,
                            location=Location(city, sides[1]) if city else None, topics=("trade",)))
    return ArticleResult(Document(doc_id, f"{doc_id} text", date(2023, 9, 20), "en", source="wire"), "en",
                         tuple(events))


def synthetic_articles(n, rng):
    sides = [("XAR", "XGO"), ("XGO", "XAR"), ("XAR", "XRO"), ("XGO", "XRO")]
    dates = ["2022-12-30", "2023-01-02", "2023-09-18", "2023-09-19", "2023-09", "2023-10-17", "2023-10", "2023",
             "2024", None]
    return [synthetic(f"s{k}", [(rng.choice(sides), rng.choice(dates), rng.choice(["vorn", "amrod", "ithil"]),
                                 rng.choice([None, "Minas Tirith", "Edoras"]),
                                 rng.choice(["occurred", "occurred", "planned"])) for _ in range(rng.randint(1, 4))])
            for k in range(n)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_partitioned_fusion_in_any_order_equals_single_process_fusion(request, tmp_path, backend):
    """Articles staged in shuffled batches, buckets fused in shuffled groups: the records of the single writer."""
    rng = random.Random(14)
    articles = synthetic_articles(120, rng)
    with database(request, tmp_path, backend) as clean:
        ingest(open_store(clean), articles, "kb")
        expected = snapshot(clean)
    for trial in range(3):
        with database(request, tmp_path, backend) as url:
            store = open_store(url)
            bulk.prepare(store)
            positions = list(enumerate(articles))
            rng.shuffle(positions)
            for start in range(0, len(positions), 17):
                bulk.stage(store, [(seq, article_rows(a, "kb", with_people=False))
                                   for seq, a in positions[start:start + 17]])
            buckets = [b for b, _ in bulk.settle(store)]
            assert len(buckets) > 10 and {b.split(":")[1] for b in buckets} == {"2022", "2023", "2024", "undated"}
            ranges = [(b, b) for b in buckets] if trial == 0 else \
                bulk.bucket_ranges([(b, 1) for b in buckets], 2 + trial * 3)
            rng.shuffle(ranges)
            for first, last in ranges:
                bulk.fuse_buckets(store, first, last)
            bulk.swap_in(store)
            assert snapshot(url) == expected
            assert not bulk.has_stage(store)
            store.engine.dispose()


def undated_copy(article: ArticleResult, doc_id: str) -> ArticleResult:
    """A syndicated copy of an article whose dates were lost: the same sides and wording, no date."""
    events = tuple(replace(e, date=None) for e in article.events)
    return replace(article, doc=replace(article.doc, id=doc_id), events=events)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_undated_copy_fuses_with_its_dated_original_in_the_bulk_load_as_in_one_writer(request, tmp_path,
                                                                                          backend):
    rng = random.Random(16)
    originals = synthetic_articles(30, rng)
    articles = originals + [undated_copy(a, f"copy-{a.doc.id}") for a in originals[::3]]
    rng.shuffle(articles)
    with database(request, tmp_path, backend) as clean:
        ingest(open_store(clean), articles, "kb")
        expected = snapshot(clean)
    with database(request, tmp_path, backend) as url:
        store = open_store(url)
        bulk.prepare(store)
        bulk.stage(store, list(enumerate(article_rows(a, "kb", with_people=False) for a in articles)))
        for bucket, _ in bulk.settle(store):
            bulk.fuse_buckets(store, bucket, bucket)
        bulk.swap_in(store)
        assert snapshot(url) == expected
        store.engine.dispose()


def every_column(url):
    """Every fused table, every column (record ids and sources included), sorted: what a reader of the store sees."""
    store = open_store(url)
    with store.engine.connect() as conn:
        found = {table.name: sorted(tuple(row) for row in conn.execute(select(*table.columns)))
                 for table in (records, record_actors, record_dyads, month_counts)}
        found["events"] = sorted(tuple(row) for row in conn.execute(text(
            "SELECT e.id, e.record_id, e.group_key, e.topics, e.mode, e.confidence, e.participants, d.doc_key "
            "FROM events e JOIN documents d ON d.id = e.document_id")))
    store.engine.dispose()
    return found


def varied(article: ArticleResult, rng: random.Random) -> ArticleResult:
    """The article with topics in any order (repeated, or none), modes and confidences of its own per event."""
    topics = ["trade", "security", "energy", "grain"]
    events = tuple(replace(e, topics=tuple(rng.choice(topics) for _ in range(rng.randint(0, 3))),
                           mode=rng.choice(["in_person", "telephone", "unspecified"]),
                           confidence=rng.choice([0.5, 0.9, 0.7])) for e in article.events)
    return replace(article, events=events)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_bulk_load_writes_every_column_of_every_record_as_one_writer_does(request, tmp_path, backend):
    """Records of one report and of many (their best date, place, topics, modes, confidence, sources), their
    actors, dyads and month counts: the same rows from the bulk path as from the single writer."""
    rng = random.Random(41)
    articles = [varied(a, rng) for a in synthetic_articles(80, rng)]
    articles += [undated_copy(a, f"copy-{a.doc.id}") for a in articles[::5]]
    with database(request, tmp_path, backend) as clean:
        ingest(open_store(clean), articles, "kb")
        expected = every_column(clean)
    assert max(Counter(e[1] for e in expected["events"]).values()) > 1  # records of several reports, too
    for record in expected["records"]:  # what a record says of its reports, from the reports themselves
        reports = [e for e in expected["events"] if e[1] == record[0]]
        modes = [e[4] for e in reports if e[4] and e[4] != "unspecified"]
        confidences = [e[5] for e in reports if e[5] is not None]
        fields = dict(zip((c.name for c in records.columns), record, strict=True))
        assert fields["topics"] == json.dumps(sorted({t for e in reports for t in json.loads(e[3])}))
        assert fields["mode"] == (min(modes) if modes else "unspecified")
        assert fields["confidence"] == (max(confidences) if confidences else None)
        assert fields["n_sources"] == len({e[7] for e in reports})
    with database(request, tmp_path, backend) as url:
        store = open_store(url)
        bulk.prepare(store)
        rows = list(enumerate(article_rows(a, "kb", with_people=False) for a in articles))
        rng.shuffle(rows)
        for start in range(0, len(rows), 23):
            bulk.stage(store, rows[start:start + 23])
        for first, last in bulk.bucket_ranges(bulk.settle(store), 3):
            bulk.fuse_buckets(store, first, last)
        bulk.swap_in(store)
        assert every_column(url) == expected
        store.engine.dispose()


@pytest.mark.parametrize("key, bucket", [
    ("occurred:XAR|XGO:2023-09", "XAR|XGO:2023"),
    ("planned:XAR|XGO:2023", "XAR|XGO:2023"),
    ("occurred:XAR|XGO:undated", "XAR|XGO:undated"),
    ("planned:XGO:2024-01", "XGO:2024"),
])
def test_an_event_is_fused_in_the_bucket_of_its_sides_and_year(key, bucket):
    assert bulk.bucket_of(key) == bucket


@pytest.mark.parametrize("parts", [1, 2, 3, 7, 50])
def test_bucket_ranges_cover_every_bucket_once_in_runs_of_about_equal_events(parts):
    buckets = [(f"X{k:02d}:2023", 1 + (k * 7) % 5) for k in range(20)]
    ranges = bulk.bucket_ranges(buckets, parts)
    covered = [b for b, _ in buckets for first, last in ranges if first <= b <= last]
    assert sorted(covered) == sorted(b for b, _ in buckets) and len(ranges) <= parts
    sizes = [sum(n for b, n in buckets if first <= b <= last) for first, last in ranges]
    assert max(sizes) <= sum(sizes) / len(ranges) + 5  # no run longer than a fair share and one bucket


def test_without_workers_dask_is_not_imported_and_with_them_the_store_is_the_same(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": d.id, "text": d.text, "published": d.published.isoformat(),
                                       "language": "de", "source": d.source}) + "\n" for d in documents(16)))
    one, two = str(tmp_path / "one.db"), str(tmp_path / "two.db")
    script = ("import sys; from dyad.cli import main; "
              f"main(['extract', {str(src)!r}, '--format', 'jsonl', '--kb-extra', {FANTASY!r}]); "
              f"main(['ingest', {str(src)!r}, '--db', {one!r}, '-q', '--kb-extra', {FANTASY!r}]); "
              "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')], 'dask imported'")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 16 and json.loads(done.stdout.splitlines()[0])["events"]
    done = subprocess.run([sys.executable, "-m", "dyad.cli", "ingest", str(src), "--kb-extra", FANTASY, "--db", two,
                           "--workers", "1", "--bulk"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "12 added" in done.stderr and "Dask dashboard at http" in done.stderr  # 16 documents, 4 ids twice
    assert snapshot(two) == snapshot(one)


def test_extract_writes_the_parquet_dataset_in_one_process_too(tmp_path, capsys):
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    from dyad.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": d.id, "text": d.text, "published": d.published.isoformat(),
                                       "language": "de"}) + "\n" for d in documents(12)))
    assert main(["extract", str(src), "--format", "parquet", "-o", str(tmp_path / "events"),
                 "--kb-extra", FANTASY]) == 0
    table = pq.read_table(tmp_path / "events", partitioning="hive")
    assert f"{table.num_rows} events written" in capsys.readouterr().err and table.num_rows >= 10
    assert set(table.column("kb_version").to_pylist()) == {load_kb(FANTASY).version}
    assert main(["extract", str(src), "--format", "parquet"]) == 2  # a dataset is a folder: -o is needed
    assert main(["ingest", str(src), "--db", str(tmp_path / "x.db"), "--bulk"]) == 2  # bulk needs a cluster
    assert "needs --workers" in capsys.readouterr().err
