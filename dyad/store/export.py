"""Exports of the fused records: CSV, JSONL, Parquet, GDELT 2.0 event TSV, PLOVER JSON lines.

All exports stream from the database in chunks, so memory stays flat
however large the store is. Dyadic formats (GDELT, PLOVER) split a
record of n sides into its n(n-1)/2 unordered pairs of countries, the same
rule the dyad counts use; see docs/codebook.md.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import combinations
from typing import IO, Any

from sqlalchemy import exists, select

from dyad.store.core import Store
from dyad.store.schema import documents, events, record_actors, records

CHUNK = 5000  # records fetched and written at a time
FORMATS = ("csv", "jsonl", "parquet", "gdelt", "plover")
COLUMNS = ["id", "status", "cameo", "mode", "host", "date", "date_precision", "countries", "actors", "city",
           "country", "lat", "lon", "series", "round", "topics", "n_sources", "announced_by", "evidence_text",
           "source_url"]
GOLDSTEIN = {"036": 4.0, "040": 1.0, "041": 1.0, "042": 1.9, "043": 2.8, "044": 2.5, "045": 5.0, "046": 7.0}
GDELT_COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *[f"Actor{n}{f}" for n in (1, 2) for f in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode",
                                                 "Religion1Code", "Religion2Code", "Type1Code", "Type2Code",
                                                 "Type3Code")],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions",
    "NumSources", "NumArticles", "AvgTone",
    *[f"{g}Geo_{f}" for g in ("Actor1", "Actor2", "Action") for f in ("Type", "FullName", "CountryCode",
                                                                      "ADM1Code", "ADM2Code", "Lat", "Long",
                                                                      "FeatureID")],
    "DATEADDED", "SOURCEURL",
]
assert len(GDELT_COLUMNS) == 61


def export(store: Store, fmt: str, out: IO, path: str | None = None, since: str | None = None) -> int:
    """Write every record in ``fmt`` (only those with a source ingested at or after ``since``, a UTC ISO
    timestamp, when given); returns the number of rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    rows = _records(store, since)
    if fmt == "parquet":
        return _parquet(rows, path or out)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        n = 0
        for row in rows:
            writer.writerow({**row, "countries": "|".join(row["countries"]), "topics": "|".join(row["topics"]),
                             "actors": "|".join(a["name"] or a["actor"] for a in row["actors"])})
            n += 1
        return n
    if fmt == "jsonl":
        n = 0
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        return n
    if fmt == "gdelt":
        n = 0
        for row in rows:
            for line in gdelt_rows(row):
                out.write("\t".join("" if v is None else str(v) for v in line) + "\n")
                n += 1
        return n
    n = 0
    for row in rows:
        for item in plover_rows(row):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            n += 1
    return n


def _records(store: Store, since: str | None = None) -> Iterator[dict[str, Any]]:
    first_url = select(documents.c.url).join(events, events.c.document_id == documents.c.id) \
        .where(events.c.record_id == records.c.id).order_by(documents.c.id).limit(1).scalar_subquery()
    stmt = select(records, first_url.label("source_url")).order_by(records.c.id)
    if since:  # incremental export: records with a source stored since then
        stmt = stmt.where(exists().where(events.c.record_id == records.c.id,
                                         events.c.document_id == documents.c.id, documents.c.ingested_at >= since))
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(stmt).mappings()
        with store.engine.connect() as side:
            while chunk := result.fetchmany(CHUNK):
                ids = [r["id"] for r in chunk]
                actors: dict[str, list] = {}
                for a in side.execute(select(record_actors).where(record_actors.c.record_id.in_(ids))).mappings():
                    actors.setdefault(a["record_id"], []).append(
                        {"actor": a["actor"], "name": a["name"], "country": a["country"]})
                for r in chunk:
                    yield {c: r[c] for c in COLUMNS if c not in ("countries", "topics", "actors")} | {
                        "countries": r["countries"].split("|"), "topics": json.loads(r["topics"] or "[]"),
                        "actors": actors.get(r["id"], [])}


def _parquet(rows: Iterator[dict[str, Any]], target) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.string()) for c in COLUMNS if c not in ("lat", "lon", "round", "n_sources")]
                       + [("lat", pa.float64()), ("lon", pa.float64()), ("round", pa.int64()),
                          ("n_sources", pa.int64())])
    n = 0
    with pq.ParquetWriter(target, schema) as writer:
        batch: list[dict] = []
        for row in rows:
            batch.append({**row, "countries": "|".join(row["countries"]), "topics": "|".join(row["topics"]),
                          "actors": "|".join(a["name"] or a["actor"] for a in row["actors"])})
            if len(batch) >= CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


def _pairs(row: dict[str, Any]) -> list[tuple[str, str]]:
    """The dyads of a record; a visit puts the visitor first and the host second."""
    pairs = list(combinations(sorted(row["countries"]), 2))
    host = row.get("host")
    return [(b, a) if host and a == host else (a, b) for a, b in pairs]


def _names(row: dict[str, Any], country: str) -> str:
    return "; ".join(a["name"] or a["actor"] for a in row["actors"] if a["country"] == country)


def gdelt_rows(row: dict[str, Any]) -> Iterator[list]:
    date = (row["date"] or "").replace("-", "")
    code = "036" if row["status"] == "planned" else (row["cameo"] or "040")
    for k, (a, b) in enumerate(_pairs(row)):
        codes = [(code, 1, a, b)]
        if code == "042" and row.get("host") == b:
            codes.append(("043", 0, b, a))  # the host's side of the visit, not a second root event
        for event_code, root, one, two in codes:
            geo = [4 if row["city"] else 1, row["city"] or "", row["country"] or "", "", "", row["lat"], row["lon"],
                   ""] if row["country"] else [""] * 8
            yield [
                f"{row['id']}-{k}-{event_code}", date if len(date) == 8 else "", date[:6] if len(date) >= 6 else "",
                date[:4], "",
                one, _names(row, one), one, "", "", "", "", "", "", "",
                two, _names(row, two), two, "", "", "", "", "", "", "",
                root, event_code, event_code, event_code[:2], 1, GOLDSTEIN.get(event_code, ""),
                row["n_sources"], row["n_sources"], row["n_sources"], "",
                *([""] * 8), *([""] * 8), *geo,
                "", row["source_url"] or "",
            ]


def plover_rows(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    planned = row["status"] == "planned"
    mode = {"041": "phone", "042": "visit", "044": "third-party"}.get(row["cameo"] or "", "")
    if row["mode"] == "video":
        mode = "phone"
    if len(row["countries"]) > 2:
        mode = "multilateral"
    for k, (a, b) in enumerate(_pairs(row)):
        yield {
            "id": f"{row['id']}-{k}", "date": row["date"], "event_type": "AGREE" if planned else "CONSULT",
            "mode": "" if planned else mode, "context": ["diplomatic"],
            "actor1": _names(row, a) or a, "actor1_country": a, "actor2": _names(row, b) or b, "actor2_country": b,
            "location": {"city": row["city"], "country": row["country"], "lat": row["lat"], "lon": row["lon"]},
            "source": row["source_url"], "text": row["evidence_text"], "dyad_record": row["id"],
        }
