"""The output contract of DESIGN.md: one JSON object per article."""

from __future__ import annotations

from typing import Any

from dyad import __version__
from dyad.model import ArticleResult, Event, Location, Participant


def article_json(result: ArticleResult, kb_version: str) -> dict[str, Any]:
    doc = result.doc
    return {
        "id": doc.id,
        "published": doc.published.isoformat() if doc.published else None,
        "language": result.language,
        "title": doc.title,
        "url": doc.url,
        "source": doc.source,
        "dyad_version": __version__,
        "kb_version": kb_version,
        "events": [event_json(e) for e in result.events],
    }


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "cameo": event.cameo,
        "status": event.status,
        "mode": event.mode,
        "host": event.host,
        "participants": [participant_json(p) for p in event.participants],
        "date": event.date.value if event.date else None,
        "date_precision": event.date.precision if event.date else None,
        "date_basis": event.date.basis if event.date else None,
        "location": location_json(event.location),
        "series": event.series,
        "round": event.round,
        "topics": list(event.topics),
        "confidence": round(event.confidence, 3),
        "evidence": {"text": event.evidence.text, "start": event.evidence.start, "end": event.evidence.end},
    }


def participant_json(p: Participant) -> dict[str, Any]:
    return {
        "name": p.name, "country": p.country, "role": p.role, "actor_id": p.actor_id,
        "actor_type": p.actor_type, "holder": p.holder, "evidence": {"start": p.start, "end": p.end},
    }


def location_json(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {
        "city": loc.city, "country": loc.country, "lat": loc.lat, "lon": loc.lon,
        "precision": loc.precision if loc.city else "country", "geonames_id": loc.geonames_id,
    }
