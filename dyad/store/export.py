"""Exports of the fused records: CSV, JSONL, Parquet, GDELT 2.0 (events, mentions), PLOVER JSON lines.

Every export streams from the database in chunks of records, so memory stays
flat however large the store is. Each record is read once with what the
extractor knew of it: its sides' people with role and actor type, the
GeoNames id of its place, and every source with its evidence offsets.
The formats themselves live in ``dyad.store.tables``, ``dyad.store.gdelt``
and ``dyad.store.plover``; docs/codebook.md describes every column.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from sqlalchemy import exists, func, select

from dyad import __version__
from dyad.store.core import Store
from dyad.store.schema import documents, events, records

CHUNK = 2000  # records fetched at a time, with their events and documents
FORMATS = ("csv", "jsonl", "parquet", "gdelt", "plover")
RECORD_COLUMNS = ["id", "status", "cameo", "mode", "host", "date", "date_precision", "city", "country", "lat", "lon",
                  "series", "round", "topics", "n_sources", "announced_by", "evidence_text", "countries"]


def export(store: Store, fmt: str, out: IO | str | None, path: str | None = None, *, mentions: IO | None = None,
           companion: IO | None = None, since: str | None = None) -> int:
    """Write every record in ``fmt``; returns the number of rows written (of the main table).

    ``out`` is a text stream (a file path or binary stream for parquet, given as ``path`` or ``out``).
    For ``gdelt``, ``mentions`` and ``companion`` receive the Mentions table and dyad's own fields.
    With ``since`` (a UTC ISO timestamp), only records with a source ingested at or after it.
    """
    from dyad.store import gdelt, plover, tables

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        return tables.write_parquet(read_records(store, since=since), path or out, metadata(store))
    if fmt == "csv":
        return tables.write_csv(read_records(store, since=since), out)
    if fmt == "jsonl":
        return tables.write_jsonl(read_records(store, since=since), out)
    if fmt == "gdelt":
        return gdelt.write(read_records(store, with_text=True, since=since), out, mentions, companion)
    return plover.write(read_records(store, since=since), out)


def metadata(store: Store) -> dict[str, str]:
    """What produced the store: dyad's version, the knowledge-base versions its documents were extracted with."""
    with store.engine.connect() as conn:
        kb = sorted(v for (v,) in conn.execute(select(documents.c.kb_version).distinct()) if v)
        extractors = sorted(v for (v,) in conn.execute(select(documents.c.dyad_version).distinct()) if v)
        n = conn.execute(select(func.count()).select_from(records)).scalar_one()
    return {"dyad_version": __version__, "kb_version": ",".join(kb), "extracted_by": ",".join(extractors),
            "records": str(n), "codebook": "docs/codebook.md of dyad " + __version__}


def read_records(store: Store, with_text: bool = False, since: str | None = None) -> Iterator[dict[str, Any]]:
    """Every record, oldest id first, with its participants and its sources (each with evidence offsets).

    With ``with_text`` each source also carries its document's text (for sentence numbers and lengths);
    with ``since``, only the records with a source ingested at or after it (incremental exports).
    """
    stmt = select(*[records.c[c] for c in RECORD_COLUMNS]).order_by(records.c.id)
    if since:
        stmt = stmt.where(exists().where(events.c.record_id == records.c.id,
                                         events.c.document_id == documents.c.id, documents.c.ingested_at >= since))
    source_columns = [events.c.id, events.c.record_id, events.c.evidence_text, events.c.evidence_start,
                      events.c.evidence_end, events.c.participants, events.c.city, events.c.country,
                      events.c.geonames_id, documents.c.id.label("document_id"), documents.c.source,
                      documents.c.doc_key, documents.c.url, documents.c.title, documents.c.published,
                      documents.c.language]
    if with_text:
        source_columns.append(documents.c.text)
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(stmt).mappings()
        with store.engine.connect() as side:
            while chunk := result.fetchmany(CHUNK):
                sources: dict[str, list[dict]] = {}
                ids = [r["id"] for r in chunk]
                for s in side.execute(select(*source_columns).join(documents, documents.c.id == events.c.document_id)
                                      .where(events.c.record_id.in_(ids))).mappings():
                    sources.setdefault(s["record_id"], []).append(dict(s))
                for r in chunk:
                    yield _record(dict(r), sources.get(r["id"], []))


def _record(row: dict[str, Any], found: list[dict]) -> dict[str, Any]:
    found.sort(key=lambda s: (s["published"] or "9999", s["document_id"], s["id"]))
    start, end = date_range(row["date"])
    place = next((s for s in found if s["geonames_id"] and (s["city"], s["country"]) == (row["city"], row["country"])),
                 None)
    sources = [{
        "document_id": s["document_id"], "event_id": s["id"], "url": s["url"], "title": s["title"],
        "source": s["source"], "doc_key": s["doc_key"], "published": _day(s["published"]), "language": s["language"],
        "evidence_text": s["evidence_text"], "evidence_start": s["evidence_start"], "evidence_end": s["evidence_end"],
        "participants": json.loads(s["participants"]), **({"text": s["text"]} if "text" in s else {}),
    } for s in found]
    return {
        "id": row["id"], "status": row["status"], "cameo": row["cameo"], "mode": row["mode"], "host": row["host"],
        "date": row["date"], "date_precision": row["date_precision"], "date_start": start, "date_end": end,
        "countries": row["countries"].split("|"), "sides": _sides(row, sources),
        "participants": _participants(sources), "city": row["city"], "country": row["country"], "lat": row["lat"],
        "lon": row["lon"], "geonames_id": place["geonames_id"] if place else None, "series": row["series"],
        "round": row["round"], "topics": json.loads(row["topics"] or "[]"), "n_sources": row["n_sources"],
        "announced_by": row["announced_by"], "evidence_text": row["evidence_text"],
        "source_url": next((s["url"] for s in sources if s["url"]), None), "sources": sources,
    }


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def date_range(value: str | None) -> tuple[date | None, date | None]:
    """The first and the last day a date of any precision allows (real month lengths, leap years)."""
    if not value:
        return None, None
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def event_day(record: dict[str, Any]) -> tuple[date | None, str]:
    """One day for formats that need one (GDELT's SQLDATE, PLOVER's date), and how it was chosen.

    The record's own day; else the first report's publication day where the record's month or year
    allows it; else the first day the date allows; an undated record takes the first publication day.
    """
    start, end = record["date_start"], record["date_end"]
    if start is not None and start == end:
        return start, "event"
    published = [s["published"] for s in record["sources"] if s["published"]]
    if start is None:
        return (published[0], "published") if published else (None, "none")
    fitting = [p for p in published if start <= p <= end]
    return (fitting[0], "published") if fitting else (start, "first possible day")


def _sides(row: dict[str, Any], sources: list[dict]) -> list[str]:
    """The record's sides in the order its first report names them; a visit's host comes last."""
    order = [p["country"] for s in sources for p in s["participants"] if p["country"]]
    countries = row["countries"].split("|")
    sides = sorted(countries, key=lambda c: (order.index(c) if c in order else len(order), c))
    if row["host"] in sides and row["cameo"] == "042":
        sides = [c for c in sides if c != row["host"]] + [row["host"]]
    return sides


def _participants(sources: list[dict]) -> list[dict[str, Any]]:
    """The people (and offices) of every source, once each: named ones by id, others by country and role."""
    seen: dict[tuple, dict[str, Any]] = {}
    for s in sources:
        for p in s["participants"]:
            actor = p["actor_id"] or p["name"]
            if actor is None and p["role"] is None:
                continue  # the state itself: it is a side, not a person
            key = ("actor", actor) if actor else ("office", p["country"], p["role"])
            if key not in seen:
                seen[key] = {"actor_id": p["actor_id"], "name": p["name"] or p.get("holder"), "country": p["country"],
                             "role": p["role"], "actor_type": p["actor_type"]}
    named_roles = {(p["country"], p["role"]) for k, p in seen.items() if k[0] == "actor"}
    return [p for k, p in seen.items() if k[0] == "actor" or (p["country"], p["role"]) not in named_roles]


__all__ = ["FORMATS", "date_range", "event_day", "export", "metadata", "read_records"]
