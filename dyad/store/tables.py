"""Records as tables: CSV (flat, typed by its codebook), JSON lines and Parquet (nested, typed).

Parquet keeps dates as date32 (with the precision and the first and last day the
date allows), lists as list<string>, participants and sources as lists of structs,
and the dyad and knowledge-base versions in the file's metadata. CSV cannot nest:
its lists are ``|``-joined, participants are parallel ``|``-joined columns, and
``CSV_DTYPES`` tells pandas the types (``cameo`` is a string: 042 keeps its zero).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from typing import IO, Any

CSV_COLUMNS = ["id", "status", "cameo", "mode", "host", "date", "date_precision", "date_start", "date_end",
               "countries", "actors", "actor_ids", "actor_countries", "actor_roles", "actor_types", "city", "country",
               "lat", "lon", "geonames_id", "series", "round", "topics", "n_sources", "announced_by", "evidence_text",
               "source_url"]
# how to read the CSV with pandas: pd.read_csv(path, dtype=CSV_DTYPES, parse_dates=["date_start", "date_end"])
CSV_DTYPES = {c: "string" for c in CSV_COLUMNS if c not in ("date_start", "date_end")} | {
    "lat": "float64", "lon": "float64", "geonames_id": "Int64", "round": "Int64", "n_sources": "Int64"}
BATCH = 2000  # rows per Parquet row group write


def _joined(values: Iterable[Any]) -> str:
    return "|".join("" if v is None else str(v) for v in values)


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    people = record["participants"]
    return {c: record.get(c) for c in CSV_COLUMNS} | {
        "date_start": record["date_start"].isoformat() if record["date_start"] else None,
        "date_end": record["date_end"].isoformat() if record["date_end"] else None,
        "countries": _joined(record["countries"]), "topics": _joined(record["topics"]),
        "actors": _joined(p["name"] for p in people), "actor_ids": _joined(p["actor_id"] for p in people),
        "actor_countries": _joined(p["country"] for p in people), "actor_roles": _joined(p["role"] for p in people),
        "actor_types": _joined(p["actor_type"] for p in people)}


def write_csv(records: Iterable[dict[str, Any]], out: IO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    n = 0
    for record in records:
        writer.writerow(csv_row(record))
        n += 1
    return n


def json_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record as JSON: dates as ISO strings, sources without their documents' text."""
    plain = {k: v for k, v in record.items() if k not in ("sides", "sources")}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in plain.items()} \
        | {"sources": [_source(s) for s in record["sources"]]}


def _source(s: dict[str, Any]) -> dict[str, Any]:
    return {"url": s["url"], "title": s["title"], "source": s["source"], "doc_key": s["doc_key"],
            "published": s["published"].isoformat() if s["published"] else None, "language": s["language"],
            "evidence_text": s["evidence_text"], "evidence_start": s["evidence_start"],
            "evidence_end": s["evidence_end"]}


def write_jsonl(records: Iterable[dict[str, Any]], out: IO) -> int:
    n = 0
    for record in records:
        out.write(json.dumps(json_row(record), ensure_ascii=False) + "\n")
        n += 1
    return n


def parquet_schema(meta: dict[str, str] | None = None):
    import pyarrow as pa

    person = pa.struct([("actor_id", pa.string()), ("name", pa.string()), ("country", pa.string()),
                        ("role", pa.string()), ("actor_type", pa.string())])
    source = pa.struct([("url", pa.string()), ("title", pa.string()), ("source", pa.string()),
                        ("doc_key", pa.string()), ("published", pa.date32()), ("language", pa.string()),
                        ("evidence_text", pa.string()), ("evidence_start", pa.int64()), ("evidence_end", pa.int64())])
    fields = [("id", pa.string()), ("status", pa.string()), ("cameo", pa.string()), ("mode", pa.string()),
              ("host", pa.string()), ("date", pa.string()), ("date_precision", pa.string()),
              ("date_start", pa.date32()), ("date_end", pa.date32()), ("countries", pa.list_(pa.string())),
              ("participants", pa.list_(person)), ("city", pa.string()), ("country", pa.string()),
              ("lat", pa.float64()), ("lon", pa.float64()), ("geonames_id", pa.int64()), ("series", pa.string()),
              ("round", pa.int64()), ("topics", pa.list_(pa.string())), ("n_sources", pa.int64()),
              ("announced_by", pa.string()), ("evidence_text", pa.string()), ("source_url", pa.string()),
              ("sources", pa.list_(source))]
    return pa.schema(fields, metadata={k.encode(): v.encode() for k, v in (meta or {}).items()})


def write_parquet(records: Iterable[dict[str, Any]], target, meta: dict[str, str]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(meta)
    names = schema.names
    n = 0
    with pq.ParquetWriter(target, schema) as writer:
        batch: list[dict] = []
        for record in records:
            batch.append({k: record[k] for k in names if k != "sources"}
                         | {"sources": [{k: s[k] for k in schema.field("sources").type.value_type.names}
                                        for s in record["sources"]]})
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


__all__ = ["CSV_COLUMNS", "CSV_DTYPES", "csv_row", "json_row", "parquet_schema", "write_csv", "write_jsonl",
           "write_parquet"]
