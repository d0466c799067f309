"""What `dyad kb stats` and `dyad kb lookup` show."""

from __future__ import annotations

from datetime import date
from typing import Any

from dyad.kb.loader import KnowledgeBase


def kb_stats(kb: KnowledgeBase) -> dict[str, Any]:
    offices = sum(len(p.offices) for p in kb.people.values())
    return {
        "version": kb.version,
        "states": len(kb.states),
        "organisations": len(kb.organisations),
        "people": len(kb.people),
        "offices": offices,
        "places": len(kb.places),
        "curated place names": len(kb.curated_places),
        "role forms (de)": len(kb.roles["de"]),
        "role forms (en)": len(kb.roles["en"]),
        "actor aliases": len(kb.actors),
        "ambiguous aliases": len(kb.ambiguous_aliases()),
    }


def lookup(kb: KnowledgeBase, name: str, day: date | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for target in kb.actors.get(name):
        if target.kind == "person":
            person = kb.people[target.key]
            office = person.office_on(day) if day else person.office_on(None)
            rows.append({"kind": "person", "id": person.id, "name": person.name, "alias": target.use,
                         "country": office.country if office else None, "role": office.role if office else None,
                         "office": f"{office.start}..{office.end or ''}" if office else
                         ("no office on that date" if day else None), "source": person.source})
        else:
            rows.append({"kind": target.kind, "code": target.key, "name": kb.country_name(target.key),
                         "as": target.use})
    for lang, roles in kb.roles.items():
        for key in roles.get(name):
            row = {"kind": "role", "language": lang, "office": key}
            if key != "counterpart":
                row["role"] = kb.offices[key].role
            rows.append(row)
    for gid in kb.place_names.get(name)[:3]:
        place = kb.places[gid]
        rows.append({"kind": "place", "name": place.name, "country": place.country, "lat": place.lat,
                     "lon": place.lon, "geonames_id": gid})
    return rows
