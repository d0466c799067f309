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
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO, Any

CSV_COLUMNS = ["id", "status", "cameo", "mode", "host", "date", "date_precision", "date_start", "date_end",
               "countries", "actors", "actor_ids", "actor_countries", "actor_roles", "actor_types", "city", "country",
               "lat", "lon", "geonames_id", "series", "round", "topics", "n_sources", "announced_by", "evidence_text",
               "source_url", "confidence"]
# how to read the CSV with pandas: pd.read_csv(path, dtype=CSV_DTYPES, parse_dates=["date_start", "date_end"])
CSV_DTYPES = {c: "string" for c in CSV_COLUMNS if c not in ("date_start", "date_end")} | {
    "lat": "float64", "lon": "float64", "geonames_id": "Int64", "round": "Int64", "n_sources": "Int64",
    "confidence": "float64"}
BATCH = 2000  # rows per Parquet row group write


def _joined(values: Iterable[Any]) -> str:
    return "|".join("" if v is None else str(v) for v in values)


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    return dict(zip(CSV_COLUMNS, csv_values(record), strict=True))


def csv_values(record: dict[str, Any]) -> list[Any]:
    """A record's CSV cells, in the order of ``CSV_COLUMNS``."""
    people = record["participants"]
    start, end = record["date_start"], record["date_end"]
    return [record["id"], record["status"], record["cameo"], record["mode"], record["host"], record["date"],
            record["date_precision"], start.isoformat() if start else None, end.isoformat() if end else None,
            _joined(record["countries"]), _joined(p["name"] for p in people),
            _joined(p["actor_id"] for p in people), _joined(p["country"] for p in people),
            _joined(p["role"] for p in people), _joined(p["actor_type"] for p in people), record["city"],
            record["country"], record["lat"], record["lon"], record["geonames_id"], record["series"], record["round"],
            _joined(record["topics"]), record["n_sources"], record["announced_by"], record["evidence_text"],
            record["source_url"], record["confidence"]]


def write_csv(records: Iterable[dict[str, Any]], out: IO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")  # DictWriter's dialect, without its per-row key checks
    writer.writerow(CSV_COLUMNS)
    n = 0
    for record in records:
        writer.writerow(csv_values(record))
        n += 1
    return n


def json_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record as JSON: dates as ISO strings, sources without their documents' text."""
    plain = {k: v for k, v in record.items() if k != "sources"}
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in plain.items()} \
        | {"sources": [_source(s) for s in record["sources"]]}


def _source(s: dict[str, Any]) -> dict[str, Any]:
    return {"url": s["url"], "title": s["title"], "source": s["source"], "doc_key": s["doc_key"],
            "published": s["published"].isoformat() if s["published"] else None, "language": s["language"],
            "evidence_text": s["evidence_text"], "evidence_start": s["evidence_start"],
            "evidence_end": s["evidence_end"]}


def write_jsonl(records: Iterable[dict[str, Any]], out: IO,
                as_json: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> int:
    """One JSON object a line: ``json_row`` of each record, or what ``as_json`` makes of it (PLOVER)."""
    as_json = as_json or json_row
    n = 0
    for record in records:
        out.write(json.dumps(as_json(record), ensure_ascii=False) + "\n")
        n += 1
    return n


def parquet_schema(meta: dict[str, str] | None = None):
    import pyarrow as pa  # type: ignore[import-untyped]

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
              ("confidence", pa.float64()), ("sources", pa.list_(source))]
    return pa.schema(fields, metadata={k.encode(): v.encode() for k, v in (meta or {}).items()})


def write_parquet(records: Iterable[dict[str, Any]], target, meta: dict[str, str]) -> int:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    schema = parquet_schema(meta)
    n = 0
    with pq.ParquetWriter(target, schema) as writer:
        for batch in _batches(records, BATCH):
            # column by column: each struct takes the fields of its type from a record's dicts, ignoring others
            columns = [pa.array([r[name] for r in batch], type=schema.field(name).type) for name in schema.names]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
            n += len(batch)
    return n


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


__all__ = ["CSV_COLUMNS", "CSV_DTYPES", "csv_row", "csv_values", "json_row", "parquet_schema", "write_csv",
           "write_jsonl", "write_parquet"]
