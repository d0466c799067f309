"""Extracted events as a Parquet dataset partitioned by month, for pandas, DuckDB and Spark.

One row per event, with its article's fields, in the hive layout ``DIR/month=2023-09/part-....parquet``
(the month of the event's date, as fusion groups it: ``2023`` for a date known to the year only,
``undated`` for none). Each batch of articles writes its own files, named by the batch's first
input position, written whole under a temporary name and then renamed: workers write in parallel,
a killed run leaves no half file, and a rerun of the same input writes the same files again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

EVENT_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("source", pa.string()), ("url", pa.string()), ("title", pa.string()),
    ("published", pa.string()), ("language", pa.string()), ("dyad_version", pa.string()),
    ("kb_version", pa.string()), ("event_id", pa.string()), ("type", pa.string()), ("cameo", pa.string()),
    ("status", pa.string()), ("mode", pa.string()), ("host", pa.string()), ("date", pa.string()),
    ("date_precision", pa.string()), ("date_basis", pa.string()), ("countries", pa.list_(pa.string())),
    ("participants", pa.string()),  # JSON list, as in the output contract
    ("city", pa.string()), ("country", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()),
    ("geonames_id", pa.int64()), ("series", pa.string()), ("round", pa.int64()), ("topics", pa.list_(pa.string())),
    ("confidence", pa.float64()), ("evidence_text", pa.string()), ("evidence_start", pa.int64()),
    ("evidence_end", pa.int64()),
])


def month_of(date: str | None) -> str:
    return date[:7] if date else "undated"


def event_rows(article: dict[str, Any]) -> list[dict[str, Any]]:
    """The article (as the output contract has it) as one flat row per event."""
    rows = []
    for event in article["events"]:
        location = event["location"] or {}
        rows.append({
            "article_id": article["id"], "source": article.get("source"), "url": article.get("url"),
            "title": article.get("title"), "published": article["published"], "language": article["language"],
            "dyad_version": article["dyad_version"], "kb_version": article["kb_version"],
            "event_id": event["id"], "type": event["type"], "cameo": event["cameo"], "status": event["status"],
            "mode": event["mode"], "host": event["host"], "date": event["date"],
            "date_precision": event["date_precision"], "date_basis": event["date_basis"],
            "countries": sorted({p["country"] for p in event["participants"] if p["country"]}),
            "participants": json.dumps(event["participants"], ensure_ascii=False),
            "city": location.get("city"), "country": location.get("country"), "lat": location.get("lat"),
            "lon": location.get("lon"), "geonames_id": location.get("geonames_id"), "series": event["series"],
            "round": event["round"], "topics": event["topics"], "confidence": event["confidence"],
            "evidence_text": event["evidence"]["text"], "evidence_start": event["evidence"]["start"],
            "evidence_end": event["evidence"]["end"],
        })
    return rows


def write_part(articles: Iterable[dict[str, Any]], root: str | Path, part: int) -> int:
    """Write the events of a batch of articles (``part``: its first input position); returns the events written."""
    by_month: dict[str, list[dict[str, Any]]] = {}
    for article in articles:
        for row in event_rows(article):
            by_month.setdefault(month_of(row["date"]), []).append(row)
    for month, rows in sorted(by_month.items()):
        folder = Path(root) / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part-{part:012d}.parquet"
        partial = folder / f".{path.name}.{os.getpid()}.tmp"  # hidden: readers of the dataset skip it
        pq.write_table(pa.Table.from_pylist(rows, schema=EVENT_SCHEMA), partial)
        os.replace(partial, path)
    return sum(len(rows) for rows in by_month.values())


def read_dataset(root: str | Path) -> pa.Table:
    """The whole dataset, with its ``month`` partition column."""
    return pq.read_table(root, partitioning="hive")
