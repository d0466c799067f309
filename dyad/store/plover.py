"""PLOVER JSON lines: one event per record, after the PLOVER manual's JSON data fields.

A meeting is one CONSULT event, never split into pairs: where one side visits
another the visitors are the ``source`` and the host the ``recipient``; otherwise
every side is a source and there is no recipient (the manual's treatment of
CONSULT and of reciprocal actors). A planned meeting is AGREE (CAMEO 036, an
intent to meet) with the ``future`` context. Actors are lists of actor objects
(``code``, ``sector``, ``actor_text``, ``identifier_id``, ``identifier_text``,
``office``); ``event_loc`` follows the manual's GeoNames location object;
``cite_info`` and ``text_info`` describe the first report. Fields beyond the manual
(allowed by it) carry dyad's own date precision, sources and record id.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from dyad import __version__
from dyad.store.dyadic import event_day, ordered_sides
from dyad.store.geo import countries, country_name, is_organisation, organisations
from dyad.store.tables import write_jsonl

CODEBOOK = "PLOVER 0.7b1"
QUAD = {"CONSULT": 1, "AGREE": 1}  # both verbal cooperation
SCALE = {"CONSULT": 2.1, "AGREE": 4.2}  # the manual's numeric conflict-cooperation ("Schrodt") scores


def write(records: Iterable[dict[str, Any]], out: IO) -> int:
    return write_jsonl(records, out, plover_event)


def plover_event(record: dict[str, Any]) -> dict[str, Any]:
    planned = record["status"] == "planned"
    event = "AGREE" if planned else "CONSULT"
    day, basis = event_day(record)
    sides = ordered_sides(record)
    host = record["host"] if record["cameo"] == "042" and record["host"] in sides else None
    sources = [c for c in sides if c != host]
    first = record["sources"][0] if record["sources"] else None
    item: dict[str, Any] = {
        "id": record["id"],
        "date": day.isoformat() if day else None,
        "source": [a for c in sources for a in _actors(record, c)],
    }
    if host:
        item["recipient"] = _actors(record, host)
    item |= {
        "event": [event],
        "mode": [] if planned else _mode(record, sides),
        "context": ["diplomatic", "future"] if planned else ["diplomatic"],
        "event_loc": _location(record),
        "event_text": list(dict.fromkeys(s["evidence_text"] for s in record["sources"])),
        "quad_code": QUAD[event],
        "event_scale": SCALE[event],
        "link": record["series"],
        "text_info": {"start": first["evidence_start"], "end": first["evidence_end"]} if first else None,
        "cite_info": _citation(first) if first else None,
        "coder": f"dyad {__version__}",
        # beyond the manual
        "dyad_record": record["id"], "status": record["status"], "cameo": record["cameo"],
        "date_basis": basis, "dyad_date": record["date"], "date_precision": record["date_precision"],
        "date_start": record["date_start"].isoformat() if record["date_start"] else None,
        "date_end": record["date_end"].isoformat() if record["date_end"] else None,
        "round": record["round"], "topics": record["topics"], "announced_by": record["announced_by"],
        "sources": [{"url": s["url"], "title": s["title"], "published": s["published"].isoformat()
                     if s["published"] else None, "evidence_start": s["evidence_start"],
                     "evidence_end": s["evidence_end"]} for s in record["sources"]],
    }
    return item


def _mode(record: dict[str, Any], sides: list[str]) -> list[str]:
    """CONSULT's modes: visit, third-party, multilateral, phone (calls and video calls)."""
    modes = []
    if record["cameo"] == "042" and record["host"]:
        modes.append("visit")
    if record["cameo"] == "044":
        modes.append("third-party")
    if len(sides) > 2 or any(
            is_organisation(c, [p for p in record["participants"] if p["country"] == c]) for c in sides):
        modes.append("multilateral")
    if record["cameo"] == "041" or record["mode"] in ("phone", "video"):
        modes.append("phone")
    return modes


def _actors(record: dict[str, Any], side: str) -> list[dict[str, Any]]:
    """The actor objects of one side: one per person or office, or the side itself."""
    people = [p for p in record["participants"] if p["country"] == side]
    org = organisations().get(side)
    code = (org.type if org else "IGO") if is_organisation(side, people) else side
    base = {"code": code} if code == side else {"code": code, "identifier_id": side,
                                                 "identifier_text": country_name(side)}
    if not people:
        return [base | {"actor_text": country_name(side)}]
    return [{k: v for k, v in (base | {"sector": p["actor_type"] if p["actor_type"] != code else None,
                                       "actor_text": p["name"] or p["role"], "identifier_id": p["actor_id"],
                                       "identifier_text": p["name"], "office": p["role"],
                                       "side": side}).items() if v is not None}
            for p in people]


def _location(record: dict[str, Any]) -> dict[str, Any] | None:
    country = countries().get(record["country"] or "")
    if country is None and not record["city"]:
        return None
    loc: dict[str, Any] = {}
    if record["city"]:
        loc |= {"geonameid": record["geonames_id"], "name": record["city"], "latitude": record["lat"],
                "longitude": record["lon"], "feature class": "P"}
    elif country is not None:
        loc |= {"geonameid": country.geonames_id, "name": country.name, "latitude": country.lat,
                "longitude": country.lon, "feature class": "A", "feature code": "PCLI"}
    if country is not None:
        loc |= {"country code": country.iso2, "cc3": country.iso3}
    return loc


def _citation(source: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in {"corpus": source["source"], "citation": source["doc_key"], "url": source["url"],
                              "title": source["title"], "language": source["language"],
                              "coder": f"dyad {__version__}", "codebook": CODEBOOK}.items() if v}


__all__ = ["plover_event", "write"]
