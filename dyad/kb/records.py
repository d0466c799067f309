"""Typed, frozen records of the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class State:
    code: str
    name: str
    capital: str | None
    names: tuple[str, ...]  # all languages
    adjectives: tuple[str, ...]  # every inflected form, all languages
    metonyms: tuple[str, ...]
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    name: str
    type: str
    names: tuple[str, ...]
    abbreviations: tuple[str, ...]
    seat: str | None = None
    part_of: str | None = None  # the organisation this body is coded as ("EP" is "EU")


@dataclass(frozen=True, slots=True)
class Movement:
    """An armed or political movement that negotiates as a party: a side coded with its country, the movement
    named in the role (the guidelines)."""

    code: str
    name: str
    country: str
    type: str  # CAMEO actor type: REB, INS, OPP ...
    names: tuple[str, ...]  # all languages


@dataclass(frozen=True, slots=True)
class Office:
    office: str  # key of offices.yaml
    role: str  # English title written in output
    country: str  # state or organisation code
    type: str  # CAMEO actor type: GOV, MIL, IGO ...
    start: date
    end: date | None
    start_precision: str = "day"

    def held_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    source: str
    aliases: tuple[str, ...]
    offices: tuple[Office, ...]
    family_name_first: bool = False

    def office_on(self, day: date | None, rank: dict[str, int] | None = None) -> Office | None:
        """The office held on ``day`` (the highest by ``rank`` if several); without a day, the most recent."""
        if not self.offices:
            return None
        if day is not None:
            held = [o for o in self.offices if o.held_on(day)]
            if held:
                return min(held, key=lambda o: (rank or {}).get(o.office, 0))
            return None
        return max(self.offices, key=lambda o: o.start)


@dataclass(frozen=True, slots=True)
class Place:
    geonames_id: int
    name: str
    country: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True)
class OfficeKind:
    key: str
    role: str
    single_holder: bool
    organisation: bool = False  # an office that organisations have
    is_a: str | None = None  # the general office this is a form of
    posted: bool = False  # serves somewhere named after it ("Ambassador to Kuwait", "Special Envoy for Syria")


@dataclass(frozen=True, slots=True)
class AliasTarget:
    kind: str  # state, org, movement, person, place, role, counterpart
    key: str
    use: str  # name, adjective, metonym, prefix, abbreviation, short
