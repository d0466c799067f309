"""One record per real-world meeting across articles.

Events that describe the same meeting (same sides, dates compatible at
their precision, compatible places, no conflicting named people) become
one record. Compatibility is not transitive ("2023-09" fits both 09-18
and 09-19), so fusion is a deterministic clustering over a canonical order
of the events, never a greedy merge in arrival order: the same events
always give the same records, whatever order they were ingested in.
A record's id derives from the smallest event id in it, so it is stable
while the record keeps that event.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


@dataclass(frozen=True, slots=True)
class FuseEvent:
    """What fusion needs to know of one extracted event."""

    id: str
    countries: frozenset[str]
    status: str
    date: str | None
    people: frozenset[tuple[str, str]]  # (country, actor key) of named participants
    city: str | None = None
    place_country: str | None = None


@dataclass(frozen=True, slots=True)
class Cluster:
    record_id: str
    event_ids: tuple[str, ...]


def group_key(countries: Iterable[str], status: str, date: str | None) -> str:
    """Events can only fuse within a group: the same status, the same sides and the same month.

    A report dated only to a year, or not at all, fuses only with reports of
    the same precision: binding it to one of many dated meetings would be a
    guess. Groups of one month keep re-clustering cheap however large the
    store grows (a batch re-clusters only the months it touches).
    """
    return f"{status}:{'|'.join(sorted(countries))}:{date[:7] if date else 'undated'}"


def wording_key(countries: Iterable[str], status: str, evidence: str) -> str | None:
    """The same sides, in the same words (case and spacing aside): copies of one report of a meeting held.

    An undated copy of a dated report (the wire text under another headline, a
    page that lost its date line) reads the same; it can only be the meeting
    its dated twins report, and joins their month (``adopted_group``). Only
    meetings held: an announcement in the same words may be a later trip.
    """
    if status != "occurred":
        return None
    words = " ".join(evidence.casefold().split())
    return hashlib.sha1(f"{'|'.join(sorted(countries))}\x1f{words}".encode()).hexdigest()[:20]


def adopted_group(key: str, dated_twins: Iterable[str]) -> str:
    """The group of an undated event (its own ``key``): the one group of its dated twins (same ``wording_key``),
    or its own while they have none or fall in several months (which of them it is would be a guess).

    A function of the stored events alone, whatever order they came in: fusion stays independent of it.
    """
    groups = set(dated_twins)
    return groups.pop() if len(groups) == 1 else undated_group(key)


def undated_group(key: str) -> str:
    """The group an event of ``key``'s status and sides has without a date."""
    return key.rsplit(":", 1)[0] + ":undated"


def fuse(events: Iterable[FuseEvent]) -> list[Cluster]:
    """Cluster the events of one group; the result does not depend on their order."""
    return [Cluster(record_id_of(ids[0]), ids) for ids in fuse_ids(events)]


def fuse_ids(events: Iterable[FuseEvent]) -> list[tuple[str, ...]]:
    """The clusters of ``fuse``, as the sorted ids of their events (a record's id is ``record_id_of(ids[0])``)."""
    ordered = sorted(events, key=_canonical)
    clusters: list[list[FuseEvent]] = []
    of_day: dict[str, list[int]] = {}  # positions of day-precise clusters by their day
    named: _NamedSides | None = None  # built at the first coarser event: a group of days alone never needs it
    for event in ordered:
        day = event.date if event.date and len(event.date) == 10 else None
        # day-precise events come first in the canonical order, and two different days never fit:
        # a day-precise event need only be tried against the clusters of its own day
        if day:
            candidates = of_day.get(day, [])
        else:
            if named is None:
                named = _NamedSides(clusters)
            candidates = named.candidates(event, len(clusters))
        for position in candidates:
            if _fits(event, clusters[position]):
                clusters[position].append(event)
                break
        else:
            position = len(clusters)
            clusters.append([event])
            if day:
                of_day.setdefault(day, []).append(position)
        if named is not None:
            named.add(position, event)
    return [tuple(sorted(e.id for e in members)) for members in clusters]


class _NamedSides:
    """Who is named on each side of each cluster, so that a coarser event is tried only where it could fit.

    A cluster where someone is named on a side the event also names, but nobody shares one of the
    event's names for that side, has a conflicting member: trying it would fail. What remains is
    tried in order as before, so the result is the plain first-fit clustering, only faster.
    """

    def __init__(self, clusters: list[list[FuseEvent]]) -> None:
        self.named: defaultdict[str, set[int]] = defaultdict(set)  # side -> clusters naming someone on it
        self.naming: defaultdict[tuple[str, str], set[int]] = defaultdict(set)  # (side, person) -> clusters
        for position, members in enumerate(clusters):
            for event in members:
                self.add(position, event)

    def add(self, position: int, event: FuseEvent) -> None:
        for side, person in event.people:
            self.named[side].add(position)
            self.naming[side, person].add(position)

    def candidates(self, event: FuseEvent, n: int) -> list[int]:
        excluded: set[int] = set()
        for side, persons in _by_country(event.people).items():
            named = self.named.get(side)
            if named:
                excluded |= named.difference(*(self.naming.get((side, p), ()) for p in persons))
        return [i for i in range(n) if i not in excluded] if excluded else list(range(n))


def record_id_of(first_event: str) -> str:
    return "r" + hashlib.sha1(first_event.encode()).hexdigest()[:15]


def compatible(a: FuseEvent, b: FuseEvent) -> bool:
    if a.countries != b.countries or a.status != b.status:
        return False
    if a.date and b.date:
        short, long = sorted((a.date, b.date), key=len)
        if not long.startswith(short):
            return False
    elif a.status == "planned" and (a.date or b.date):
        return False  # an undated announcement may be another trip
    if a.place_country and b.place_country and a.place_country != b.place_country:
        return False
    if a.city and b.city and a.city != b.city:
        return False
    return _people_agree(a.people, b.people)


def dates_fit(planned: str | None, held: str | None) -> bool:
    """Whether a meeting held on ``held`` can be the one announced for ``planned``."""
    if not planned or not held:
        return planned is None
    short, long = sorted((planned, held), key=len)
    return long.startswith(short)


def _fits(event: FuseEvent, members: list[FuseEvent]) -> bool:
    for other in members:
        if not compatible(event, other):
            return False
    return True


def _people_agree(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> bool:
    if not a or not b:
        return True
    sides_b = _by_country(b)
    for country, keys in _by_country(a).items():
        other = sides_b.get(country)
        if other is not None and keys.isdisjoint(other):
            return False
    return True


@lru_cache(maxsize=1 << 16)
def _by_country(people: frozenset[tuple[str, str]]) -> Mapping[str, frozenset[str]]:
    # the people of one event, by side; cached (read-only, shared) since the month pass compares
    # each event many times
    sides: dict[str, set[str]] = {}
    for country, key in people:
        sides.setdefault(country, set()).add(key)
    return MappingProxyType({country: frozenset(keys) for country, keys in sides.items()})


def _canonical(event: FuseEvent) -> tuple:
    # day-precise events first, so coarser ones join the day they fit; then by content-derived id
    return _RANK_OF_LENGTH.get(len(event.date or ""), 3), event.date or "", event.id


_RANK_OF_LENGTH = {10: PRECISION_RANK["day"], 7: PRECISION_RANK["month"], 4: PRECISION_RANK["year"]}
