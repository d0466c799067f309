"""What `dyad kb stats` and `dyad kb lookup` show."""

from __future__ import annotations

from datetime import date
from typing import Any

from dyad.kb.loader import KnowledgeBase
from dyad.nlp import token_texts


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


class ActorNames:
    """Any name the knowledge base knows for a person, in any case, to the person's id (for queries)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._folded: dict[str, set[str]] | None = None

    def resolve(self, name: str) -> str | None:
        """The id of the one person this name or alias means, else None."""
        ids = {t.key for t in self.kb.actors.get(name) if t.kind == "person"}
        if not ids:
            ids = self._by_folded().get(_folded(name), set())
        if not ids and name in self.kb.people:  # an id already
            ids = {name}
        return next(iter(ids)) if len(ids) == 1 else None

    def _by_folded(self) -> dict[str, set[str]]:
        if self._folded is None:
            self._folded = {}
            for words, targets in self.kb.actors.items():
                self._folded.setdefault(_folded(" ".join(words)), set()).update(
                    t.key for t in targets if t.kind == "person")
            for pid, person in self.kb.people.items():
                self._folded.setdefault(_folded(person.name), set()).add(pid)
        return self._folded


def _folded(name: str) -> str:
    return " ".join(token_texts(name.casefold()))
