"""Exports load where analysts work: GDELT 2.0 (events, mentions), PLOVER, Parquet, CSV, each with its codebook's types.

Records are built by hand (invented people, real state codes: GDELT's columns need FIPS codes) and
ingested into a SQLite store; each test reads an export back with pandas or pyarrow.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from dyad.model import ArticleResult, DateValue, Document, Event, Evidence, Location, Participant
from dyad.store import ingest, open_store
from dyad.store.export import export
from dyad.store.gdelt import COMPANION_COLUMNS, EVENT_COLUMNS, MENTION_COLUMNS, TYPES
from dyad.store.geo import COUNTRIES, build_countries, countries
from dyad.store.schema import documents, events, records
from dyad.store.tables import CSV_DTYPES

PANDAS = {"INTEGER": "Int64", "FLOAT": "float64", "STRING": "string"}
ARROW = {"INTEGER": pa.int64(), "FLOAT": pa.float64(), "STRING": pa.string()}


def person(text, name, country, role="foreign minister", kind="GOV", actor_id=None):
    start = text.index(name)
    return Participant(name, country, role, actor_id or name.lower().replace(" ", "-"), kind, start, start + len(name))


def article(doc_id, text, sentence, people, *, cameo="040", status="occurred", mode="in_person", host=None,
            day=None, precision="day", place=None, published=date(2024, 3, 15), url=True, confidence=1.0):
    start = text.index(sentence)
    event = Event(id="e1", type="CONSULT", cameo=cameo, status=status, mode=mode,
                  participants=tuple(person(text, *p) for p in people),
                  evidence=Evidence(sentence, start, start + len(sentence)),
                  date=DateValue(day, precision, "explicit") if day else None, location=place, host=host,
                  confidence=confidence)
    doc = Document(doc_id, text, published, "en", url=f"https://www.news.example/{doc_id}" if url else None,
                   title=f"Title {doc_id}", source="wire")
    return ArticleResult(doc, "en", (event,))


VISIT = "Lead paragraph about something else.\nIvan Petrov met Li Wei in Moscow on Tuesday. They talked."
CALL = "Li Wei telephoned Ivan Petrov on Monday."
SUMMIT = "Ivan Petrov, Li Wei and Jane Roe met in Washington in March."
UN_TALK = "Ivan Petrov met the UN envoy Ana Lopes."
PLANNED = "Jane Roe will travel to Russia in 2024 to meet Ivan Petrov."


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(str(tmp_path_factory.mktemp("export") / "dyad.db"))
    moscow = Location("Moscow", "RUS", 55.75, 37.62, "city", 524901)
    washington = Location("Washington", "USA", 38.9, -77.04, "city", 4140963)
    ingest(s, [
        article("visit", VISIT, "Ivan Petrov met Li Wei in Moscow on Tuesday.",
                [("Ivan Petrov", "RUS"), ("Li Wei", "CHN")], cameo="042", host="RUS", day="2024-03-12",
                place=moscow, confidence=0.8),
        article("visit-copy", "Li Wei was in Moscow. " + VISIT, "Ivan Petrov met Li Wei in Moscow on Tuesday.",
                [("Ivan Petrov", "RUS"), ("Li Wei", "CHN")], cameo="042", host="RUS", day="2024-03-12",
                place=moscow, published=date(2024, 3, 16), url=False, confidence=0.934),
        article("call", CALL, CALL, [("Li Wei", "CHN"), ("Ivan Petrov", "RUS")], cameo="041", mode="phone",
                day="2024-03-11"),
        article("summit", SUMMIT, SUMMIT, [("Ivan Petrov", "RUS"), ("Li Wei", "CHN"), ("Jane Roe", "USA")],
                day="2024-03", precision="month", place=washington),
        article("un", UN_TALK, UN_TALK, [("Ivan Petrov", "RUS"), ("Ana Lopes", "UN", "envoy", "IGO")],
                place=Location(None, "RUS", precision="country")),
        article("planned", PLANNED, PLANNED, [("Jane Roe", "USA"), ("Ivan Petrov", "RUS")], cameo="042",
                status="planned", host="RUS", day="2024", precision="year", published=date(2023, 12, 1)),
    ], "kb-test")
    with s.engine.begin() as conn:  # the UN talk as stored before confidences existed (migration 9): none
        un = select(events.c.record_id).join(documents, documents.c.id == events.c.document_id) \
            .where(documents.c.doc_key == "un").scalar_subquery()
        conn.execute(records.update().where(records.c.id == un).values(confidence=None))
        conn.execute(events.update().where(events.c.record_id == un).values(confidence=None))
    return s


@pytest.fixture(scope="module")
def gdelt(store):
    out, mentions, companion = io.StringIO(), io.StringIO(), io.StringIO()
    n = export(store, "gdelt", out, mentions=mentions, companion=companion)
    assert n == len(out.getvalue().splitlines())
    read = lambda text, names: pd.read_csv(io.StringIO(text), sep="\t", header=None, names=names,  # noqa: E731
                                           dtype={c: PANDAS[TYPES[c]] for c in names}, quoting=3)
    events = read(out.getvalue(), EVENT_COLUMNS)
    return events, read(mentions.getvalue(), MENTION_COLUMNS), \
        pd.read_csv(io.StringIO(companion.getvalue()), sep="\t", dtype={"GLOBALEVENTID": "Int64"}), out.getvalue()


def rows(events, code, one=None):
    found = events[events.EventCode == code]
    return found[found.Actor1CountryCode == one] if one else found


def test_gdelt_loads_with_the_codebook_types_in_pandas_and_pyarrow(gdelt):
    events, mentions, _, text = gdelt
    assert list(events.columns) == EVENT_COLUMNS and len(EVENT_COLUMNS) == 61
    assert events.GLOBALEVENTID.dtype == "Int64" and events.GLOBALEVENTID.is_unique
    table = pacsv.read_csv(io.BytesIO(text.encode()), read_options=pacsv.ReadOptions(column_names=EVENT_COLUMNS),
                           parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
                           convert_options=pacsv.ConvertOptions(column_types={c: ARROW[TYPES[c]]
                                                                              for c in EVENT_COLUMNS}))
    assert table.num_rows == len(events)
    assert table.schema.field("SQLDATE").type == pa.int64() and table.schema.field("EventCode").type == pa.string()
    # GDELT always dates a row
    assert events.SQLDATE.notna().all() and events.Year.notna().all() and events.DATEADDED.notna().all()
    assert events.FractionDate.notna().all()


def test_gdelt_codes_and_dates(gdelt):
    events, _, companion, _ = gdelt
    visit = rows(events, "042").iloc[0]
    assert (visit.Actor1CountryCode, visit.Actor2CountryCode, visit.Actor1Type1Code) == ("CHN", "RUS", "GOV")
    assert (visit.Actor1Code, visit.Actor1Name, visit.EventRootCode, visit.QuadClass) == ("CHNGOV", "Li Wei", "04", 1)
    assert (visit.SQLDATE, visit.MonthYear, visit.Year, visit.GoldsteinScale) == (20240312, 202403, 2024, 1.9)
    assert (visit.NumArticles, visit.NumMentions, visit.IsRootEvent) == (2, 2, 0)
    host = rows(events, "043").iloc[0]
    assert (host.Actor1CountryCode, host.Actor2CountryCode) == ("RUS", "CHN")
    # who called whom: the caller is Actor1
    call = rows(events, "041").iloc[0]
    assert (call.Actor1Name, call.Actor2Name) == ("Li Wei", "Ivan Petrov")
    # a month-precision meeting takes the publication day, as GDELT would; the companion keeps dyad's date
    summit = rows(events, "040").loc[lambda e: e.Actor2CountryCode == "USA"].iloc[0]
    assert summit.SQLDATE == 20240315
    extra = companion.set_index("GLOBALEVENTID").loc[summit.GLOBALEVENTID]
    assert (extra.date, extra.date_precision, extra.sqldate_basis) == ("2024-03", "month", "published")
    assert (extra.date_start, extra.date_end) == ("2024-03-01", "2024-03-31")
    assert list(companion.columns) == COMPANION_COLUMNS
    planned = rows(events, "036").iloc[0]
    assert (planned.SQLDATE, planned.GoldsteinScale, planned.EventRootCode) == (20240101, 4.0, "03")


def test_gdelt_geography_uses_fips_codes(gdelt):
    events, *_ = gdelt
    visit = rows(events, "042").iloc[0]
    assert (visit.ActionGeo_Type, visit.ActionGeo_CountryCode, visit.ActionGeo_FullName) == (4, "RS", "Moscow, Russia")
    assert visit.Actor1Geo_CountryCode == "RS"  # both sides were in Moscow
    summit = rows(events, "040").loc[lambda e: e.Actor2CountryCode == "USA"].iloc[0]
    assert (summit.ActionGeo_Type, summit.ActionGeo_CountryCode) == (3, "US")  # a US city
    call = rows(events, "041").iloc[0]
    assert pd.isna(call.ActionGeo_Type)  # a call has no place; each side stays at home
    assert (call.Actor1Geo_Type, call.Actor1Geo_CountryCode, call.Actor2Geo_CountryCode) == (1, "CH", "RS")
    un = events[events.Actor2KnownGroupCode == "UNO"].iloc[0]
    assert (un.ActionGeo_Type, un.ActionGeo_FullName, un.ActionGeo_FeatureID) == (1, "Russia", "RS")
    assert un.ActionGeo_Lat == countries()["RUS"].lat and pd.notna(un.ActionGeo_Long)
    assert (un.Actor2Code, un.Actor2Type1Code, un.Actor2Name) == ("IGOUNO", "IGO", "Ana Lopes")
    assert pd.isna(un.Actor2CountryCode)


def test_gdelt_mentions_one_row_per_source_with_offsets(gdelt):
    events, mentions, *_ = gdelt
    visit = rows(events, "042").iloc[0]
    found = mentions[mentions.GLOBALEVENTID == visit.GLOBALEVENTID].sort_values("MentionTimeDate")
    assert len(found) == 2 and (found.EventTimeDate == visit.DATEADDED).all()
    web, cited = found.iloc[0], found.iloc[1]
    assert (web.MentionType, web.MentionSourceName, web.MentionIdentifier) == \
        (1, "news.example", "https://www.news.example/visit")
    assert web.ActionCharOffset == VISIT.index("Ivan Petrov met") and web.SentenceID == 2
    assert web.Actor1CharOffset == VISIT.index("Li Wei") and web.Actor2CharOffset == VISIT.index("Ivan Petrov")
    assert web.MentionDocLen == len(VISIT)
    assert (cited.MentionType, cited.MentionIdentifier, cited.SentenceID) == (2, "wire Title visit-copy", 3)
    # the codebook's Confidence: an integer percentage, each mention its own event's
    assert mentions.Confidence.dtype == "Int64" and (web.Confidence, cited.Confidence) == (80, 93)
    un = rows(events, "040", "RUS").loc[lambda f: f.Actor2Code.str.startswith("IGO")]
    assert len(un) == 1 and mentions[mentions.GLOBALEVENTID == un.iloc[0].GLOBALEVENTID].Confidence.isna().all()
    assert set(mentions.Confidence.dropna()) == {80, 93, 100}
    assert set(mentions.GLOBALEVENTID) == set(events.GLOBALEVENTID)


def test_plover_follows_the_manual(store):
    out = io.StringIO()
    export(store, "plover", out)
    items = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(items) == 5  # one event per meeting, never one per pair
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", i["date"]) for i in items)
    assert all(i["quad_code"] == 1 and isinstance(i["source"], list) and i["source"] for i in items)
    by_mode = {tuple(i["mode"]): i for i in items}
    summit = next(i for i in items if len(i["source"]) == 3)
    assert summit["mode"] == ["multilateral"]
    assert {a["code"] for a in summit["source"]} == {"RUS", "CHN", "USA"} and "recipient" not in summit
    visit = by_mode[("visit",)]
    assert [a["code"] for a in visit["source"]] == ["CHN"] and [a["code"] for a in visit["recipient"]] == ["RUS"]
    assert visit["source"][0]["sector"] == "GOV"
    assert visit["source"][0]["office"] == "foreign minister"
    assert visit["event_loc"] == {"geonameid": 524901, "name": "Moscow", "latitude": 55.75, "longitude": 37.62,
                                  "feature class": "P", "country code": "RU", "cc3": "RUS"}
    assert visit["cite_info"]["url"] == "https://www.news.example/visit" and visit["event_scale"] == 2.1
    assert [(s["evidence_start"], s["evidence_end"]) for s in visit["sources"]][0] == \
        (VISIT.index("Ivan Petrov met"), VISIT.index(" They"))
    planned = next(i for i in items if i["event"] == ["AGREE"])
    assert planned["mode"] == [] and "future" in planned["context"] and planned["event_scale"] == 4.2
    assert (planned["date"], planned["dyad_date"], planned["date_precision"]) == ("2024-01-01", "2024", "year")
    un = next(i for i in items if any(a["code"] == "IGO" for a in i["source"]))
    assert un["mode"] == ["multilateral"]
    assert {"code": "IGO", "identifier_id": "ana-lopes", "identifier_text": "Ana Lopes", "actor_text": "Ana Lopes",
            "office": "envoy", "side": "UN"} in un["source"]


def test_parquet_is_typed_and_carries_versions(store, tmp_path):
    path = tmp_path / "records.parquet"
    assert export(store, "parquet", None, str(path)) == 5
    table = pq.read_table(path)
    schema = table.schema
    assert schema.field("date_start").type == pa.date32() and schema.field("countries").type == pa.list_(pa.string())
    assert pa.types.is_struct(schema.field("participants").type.value_type)
    assert schema.metadata[b"kb_version"] == b"kb-test" and schema.metadata[b"dyad_version"]
    frame = pd.read_parquet(path)
    summit = frame[frame.date_precision == "month"].iloc[0]
    assert (summit.date_start, summit.date_end) == (date(2024, 3, 1), date(2024, 3, 31))
    assert sorted(summit.countries) == ["CHN", "RUS", "USA"]
    visit = frame[frame.cameo == "042"].loc[lambda f: f.status == "occurred"].iloc[0]
    assert visit.geonames_id == 524901 and len(visit.sources) == 2
    assert {p["role"] for p in visit.participants} == {"foreign minister"}
    source = visit.sources[0]
    assert VISIT[source["evidence_start"]:source["evidence_end"]] == source["evidence_text"]
    # a record's confidence is its best report's; a record stored before confidences has none
    assert schema.field("confidence").type == pa.float64() and visit.confidence == 0.934
    assert sorted(frame.confidence.fillna(-1)) == [-1, 0.934, 1.0, 1.0, 1.0]


def test_csv_dates_and_codes_survive_pandas(store):
    out = io.StringIO()
    export(store, "csv", out)
    plain = pd.read_csv(io.StringIO(out.getvalue()), parse_dates=["date_start", "date_end"])
    assert str(plain.date_start.dtype).startswith("datetime64") and plain.date_start.notna().sum() == 4
    typed = pd.read_csv(io.StringIO(out.getvalue()), dtype=CSV_DTYPES, parse_dates=["date_start", "date_end"])
    assert set(typed.cameo) == {"040", "041", "042"}
    visit = typed[(typed.cameo == "042") & (typed.status == "occurred")].iloc[0]
    assert (visit.actor_types, visit.actor_roles, visit.geonames_id) == \
        ("GOV|GOV", "foreign minister|foreign minister", 524901)
    assert typed.columns[-1] == "confidence" and typed.confidence.dtype == "float64"
    assert visit.confidence == 0.934 and typed.confidence.isna().sum() == 1


def test_jsonl_carries_every_source_with_offsets(store):
    out = io.StringIO()
    export(store, "jsonl", out)
    items = [json.loads(line) for line in out.getvalue().splitlines()]
    visit = next(i for i in items if i["cameo"] == "042" and i["status"] == "occurred")
    assert [s["doc_key"] for s in visit["sources"]] == ["visit", "visit-copy"]
    assert all(s["evidence_text"] == "Ivan Petrov met Li Wei in Moscow on Tuesday." for s in visit["sources"])
    assert visit["confidence"] == 0.934 and all("confidence" not in s for s in visit["sources"])
    assert sorted(i["confidence"] for i in items if i["confidence"] is not None) == [0.934, 1.0, 1.0, 1.0]
    assert sum(i["confidence"] is None for i in items) == 1 and all("confidence" in i for i in items)


def test_shipped_country_table_is_what_the_build_gives():
    assert COUNTRIES.read_text(encoding="utf-8") == build_countries()


@pytest.mark.parametrize("iso3, fips, iso2", [("DEU", "GM", "DE"), ("RUS", "RS", "RU"), ("CHN", "CH", "CN"),
                                              ("GBR", "UK", "GB"), ("XKX", "KV", "XK"), ("USA", "US", "US")])
def test_fips_codes(iso3, fips, iso2):
    assert (countries()[iso3].fips, countries()[iso3].iso2) == (fips, iso2)


def test_cameo_known_groups_name_known_organisations_with_cameos_type():
    from dyad.store.geo import CAMEO_GROUPS, organisations

    listed = [line.split("\t")[0] for line in CAMEO_GROUPS.read_text(encoding="utf-8").splitlines()
              if line and not line.startswith("#")]
    assert set(listed) <= set(organisations()) and len(listed) == len(set(listed))
    red_cross, nato = organisations()["ICRC"], organisations()["NATO"]
    assert (red_cross.type, red_cross.cameo, nato.type, nato.cameo) == ("NGO", "IRC", "IGO", "NAT")


def test_progress_counts_every_record(store):
    calls = []
    n = export(store, "jsonl", io.StringIO(), progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, n) and calls[-1] == (n, n) and n == 5


def test_records_come_in_id_order_however_they_are_chunked(store, monkeypatch):
    from dyad.store import export as export_module

    monkeypatch.setattr(export_module, "CHUNK", 2)  # several chunks from five records
    whole = list(export_module._chunks(store, True))  # the plain path: one query per chunk
    records = export_module.read_records(store, with_text=True)
    first = next(records)
    records.close()  # stopped early: files and connection are let go
    again = list(export_module.read_records(store, with_text=True))
    assert again[0]["id"] == first["id"] and len(again) == 5
    assert [r["id"] for r in again] == sorted(r["id"] for r in again)
    assert [export_module._record(row, found.get(row[0], [])) for chunk, found in whole for row in chunk] == again
