"""One event per real-world meeting inside an article.

The meeting in the title, the lead and the body is one event: candidates
with the same sides, no conflicting named people and compatible dates are
merged, keeping the most precise date and place of their mentions.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import cast

from dyad.model import Candidate, DateValue, Location

PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
MAX_HEADING = 3  # a kicker, the headline, a subheading
SENTENCE_END = ".!?…"  # a line ending so (maybe before closing quotes) is a sentence of the body, not a heading
CLOSING = " \"'“”»«’)"


def merge_candidates(candidates: list[Candidate], heading: int = 1) -> list[list[Candidate]]:
    """Groups of candidates that report the same meeting, in order of first mention.

    ``heading``: how many sentences open the article as its heading (the headline, and any line above it such
    as a kicker or "Wire report"); see ``heading_sentences``.

    A candidate joins the first group all of whose members report the same meeting (``_same_meeting``).
    Rather than comparing it with every member of every group, which made a long article cost the square
    of its length, each group keeps what its members require of a newcomer (``_Group``), and only groups of
    the same sides whose dates can fit are tried: the same groups result, in time linear in the candidates.
    """
    groups: list[_Group] = []
    by_sides: dict[frozenset[str], _SideGroups] = {}
    by_sentence: dict[int, list[_Group]] = {}  # groups by the sentences of their members, for Candidate.joins
    for cand in candidates:
        key = frozenset(c for c, _ in cand.sides)
        if cand.joins is not None:
            # people who joined the meeting just reported: the first group with a member from that sentence
            # whose countries are among the newcomer's own
            joined = min((g for g in by_sentence.get(cand.joins, ()) if any(
                c.sentence_index == cand.joins and {k for k, _ in c.sides} <= key for c in g.members)),
                key=lambda g: g.position, default=None)
            if joined is not None:
                joined.add(cand)
                if key != joined.sides:
                    joined.closed = True  # no candidate has the same sides as all its members any more
                by_sentence.setdefault(cand.sentence_index, []).append(joined)
                continue
        sides = by_sides.setdefault(key, _SideGroups())
        need = _Need(cand, heading)
        for position in sides.fitting(cand):
            if groups[position].accepts(need):
                sides.add(groups[position], cand)
                by_sentence.setdefault(cand.sentence_index, []).append(groups[position])
                break
        else:
            group = _Group(len(groups), key, heading)
            groups.append(group)
            sides.add(group, cand)
            by_sentence.setdefault(cand.sentence_index, []).append(group)
    return [g.members for g in groups]


class _Need:
    """What a candidate asks of each member of a group (the terms of ``_same_meeting``), computed once."""

    __slots__ = ("cand", "names", "status", "date", "carried", "place")

    def __init__(self, cand: Candidate, heading: int) -> None:
        self.cand = cand
        self.names = [(country, names) for country, ms in cand.sides if (names := _people(ms))]
        self.status = cand.status
        self.date = _merge_date(cand)  # what it is grouped by
        self.carried = cand.date_from_context  # grouped by its month: it joins its own status only
        # a place that splits: named by the sentence itself, outside a headline
        self.place = _splits(cand, heading)


class _Group:
    """A group of candidates and, in summary, what its members require of a newcomer."""

    __slots__ = ("position", "sides", "heading", "closed", "members", "people", "statuses", "undated_statuses",
                 "carried_statuses", "latest", "places")

    def __init__(self, position: int, sides: frozenset[str], heading: int) -> None:
        self.position = position
        self.heading = heading
        self.sides = sides  # the countries of its first member, which every member shares ...
        self.closed = False  # ... unless one joined it with more countries (Candidate.joins): then no one else can
        self.members: list[Candidate] = []
        self.people: set[tuple] = set()  # each member's people per side, as _people_agree compares them
        self.statuses: set[str] = set()
        self.undated_statuses: set[str] = set()  # of members without a date
        self.carried_statuses: set[str] = set()  # of members dated by a day carried over
        # the most precise date of the members: they all agree, so they are prefixes of it, and a date
        # agrees with all of them exactly when it agrees with this one
        self.latest: DateValue | None = None
        self.places: set[str | None] = set()  # countries of the places that split (Need.place)

    def accepts(self, need: _Need) -> bool:
        cand = need.cand
        if self.closed:
            return False
        if (self.statuses if need.date is None or need.carried else self.undated_statuses | self.carried_statuses) \
                - {need.status}:
            return False
        # a dated need has a date, a place that splits a location
        if need.date is not None and self.latest is not None and not _dates_agree(need.date, self.latest):
            return False
        if need.place and self.places - {cast(Location, cand.location).country}:
            return False
        for member in self.people:
            theirs = dict(member)
            if any((names_b := theirs.get(country)) and not names & names_b for country, names in need.names):
                return False
        return True

    def add(self, cand: Candidate) -> None:
        self.members.append(cand)
        self.people.add(tuple({country: frozenset(_people(ms)) for country, ms in cand.sides}.items()))
        self.statuses.add(cand.status)
        date = _merge_date(cand)
        if cand.date_from_context:
            self.carried_statuses.add(cand.status)
        if date is None:
            self.undated_statuses.add(cand.status)
        elif self.latest is None or len(date.value) > len(self.latest.value):
            self.latest = date
        if _splits(cand, self.heading):
            self.places.add(cast(Location, cand.location).country)


class _SideGroups:
    """The groups of one set of sides, indexed by the dates they can take."""

    def __init__(self) -> None:
        self.undated: dict[int, None] = {}  # groups without a dated member
        self.by_date: dict[str, dict[int, None]] = {}  # groups by their most precise date
        self.by_prefix: dict[str, dict[int, None]] = {}  # groups by the year and month of a more precise date
        self.pure: dict[str, dict[int, None]] = {}  # groups whose members all have this status

    def fitting(self, cand: Candidate) -> list[int]:
        """Positions of the groups whose dates and statuses a candidate can fit, in order of creation."""
        date = _merge_date(cand)
        if date is None:  # an undated report joins only a group of its own status
            return list(self.pure.get(cand.status, ()))
        value = date.value
        found = set(self.undated) | set(self.by_prefix.get(value, ()))
        for length in (4, 7, 10):
            if length <= len(value):
                found |= set(self.by_date.get(value[:length], ()))
        return sorted(found)

    def add(self, group: _Group, cand: Candidate) -> None:
        before = group.latest
        statuses = set(group.statuses)
        group.add(cand)
        n = group.position
        if not group.members[1:]:
            self.undated[n] = None
        if group.latest is not None and group.latest is not before:
            self.undated.pop(n, None)
            if before is not None:
                self._index(before.value, n, remove=True)
            assert group.latest is not None  # a group's latest date changes only to another date
            self._index(group.latest.value, n)
        if not statuses:
            self.pure.setdefault(cand.status, {})[n] = None
        elif cand.status not in statuses or len(statuses) > 1:
            for status in statuses:
                self.pure.get(status, {}).pop(n, None)

    def _index(self, value: str, n: int, remove: bool = False) -> None:
        places = [self.by_date.setdefault(value, {})] + \
            [self.by_prefix.setdefault(value[:length], {}) for length in (4, 7) if len(value) > length]
        for place in places:
            if remove:
                place.pop(n, None)
            else:
                place[n] = None


def held_today(candidates: list[Candidate], published: date | None) -> list[Candidate]:
    """An undated plan of a meeting the article dates on its publication day, held the same way, at the same
    place and by the same people, is that meeting ("the talks are expected to centre on trade" beside "receives
    him today"): by the guidelines it took place, and it merges with the report that dates it. A further meeting
    the sentence speaks of ("agreed to meet again", "invited him"), or talks on a summit's sidelines beside a
    meeting of its own, stay a plan."""
    if published is None:
        return candidates
    today = published.isoformat()
    dated = [c for c in candidates if c.date is not None and c.date.value == today]
    if not dated:
        return candidates
    out = []
    for cand in candidates:
        sides = {c for c, _ in cand.sides}
        if cand.status == "planned" and cand.date is None and not cand.follow_up and any(
                {c for c, _ in d.sides} == sides and _people_agree(cand, d) and _same_channel(cand, d)
                and _same_place(cand, d) and cand.sideline == d.sideline for d in dated):
            cand = replace(cand, status="occurred", date=DateValue(today, "day", "publication day"))
        out.append(cand)
    return out


def _same_place(a: Candidate, b: Candidate) -> bool:
    """Whether two reports may be of one meeting by where it is held: a plan for Berlin is no meeting in Paris."""
    if a.location is None or b.location is None:
        return True
    if a.location.country != b.location.country:
        return False
    return a.location.city is None or b.location.city is None or a.location.city == b.location.city


def _same_channel(a: Candidate, b: Candidate) -> bool:
    """Whether two reports may be of one meeting by how it was held: a call is no visit."""
    return a.mode == b.mode or "unspecified" in (a.mode, b.mode)


def best_date(group: list[Candidate]) -> DateValue | None:
    dated = [c for c in group if c.date is not None]
    # a day the sentence itself names beats one carried over from a sentence before
    best = min(dated, key=lambda c: (c.date_from_context, PRECISION_RANK[cast(DateValue, c.date).precision]),
               default=None)
    return best.date if best is not None else None


def best_location(group: list[Candidate]) -> Location | None:
    located = [(c, c.location) for c in group if c.location is not None]
    if not located:
        return None
    # a place the sentence itself names beats one read from the context, a city beats a country
    return min(located, key=lambda pair: (pair[0].place_from_context, pair[1].city is None))[1]


def best_status(group: list[Candidate]) -> str:
    return "occurred" if any(c.status == "occurred" for c in group) else "planned"


def with_best(group: list[Candidate]) -> Candidate:
    """One candidate for the group: the most informative sentence as evidence, all named sides."""
    head = max(group, key=_informative)
    return replace(head, sides=_merged_sides(group), date=best_date(group), location=best_location(group),
                   status=best_status(group),
                   round=next((c.round for c in group if c.round), None),
                   topics=tuple(dict.fromkeys(t for c in group for t in c.topics)),
                   host=next((c.host for c in group if c.host), None),
                   mode=_best_mode(group))


def _informative(cand: Candidate) -> tuple[int, int, int, int]:
    people = sum(1 for _, ms in cand.sides for m in ms if m.kind == "person")
    return people, cand.date is not None, cand.location is not None, -cand.sentence_index


def _merged_sides(group: list[Candidate]):
    sides: dict[str, list] = {}
    for cand in group:
        for country, mentions in cand.sides:
            sides.setdefault(country, []).extend(mentions)
    return tuple((country, tuple(mentions)) for country, mentions in sides.items())


def _best_mode(group: list[Candidate]) -> str:
    modes = [c.mode for c in group if c.mode != "unspecified"]
    return modes[0] if modes else "unspecified"


def _same_meeting(a: Candidate, b: Candidate, heading: int = 1) -> bool:
    if {c for c, _ in a.sides} != {c for c, _ in b.sides}:
        return False
    if not _people_agree(a, b):
        return False
    if a.status != b.status and (a.date is None or b.date is None or a.date_from_context or b.date_from_context):
        return False
    date_a, date_b = _merge_date(a), _merge_date(b)
    if date_a is not None and date_b is not None and not _dates_agree(date_a, date_b):
        return False
    if _splits(a, heading) and _splits(b, heading) \
            and cast(Location, a.location).country != cast(Location, b.location).country:
        return False
    return True


def _splits(cand: Candidate, heading: int) -> bool:
    """Whether the candidate's place can split it from a report placed elsewhere: a city its sentence names.
    A place read from the context, the host's capital taken for where it receives (no words of the text), the
    place of the headline, or a country alone (often a side's home: "the Ethiopian president's visit") never
    splits a meeting."""
    return cand.location is not None and cand.location.start >= 0 and cand.location.city is not None \
        and not (cand.place_from_context or _headline(cand, heading))


def _headline(cand: Candidate, heading: int) -> bool:
    """An undated meeting of the article's heading: the headline of the meeting its lead reports."""
    return cand.sentence_index < heading and cand.date is None


def heading_sentences(text: str, sentences: list[tuple[int, int]]) -> int:
    """How many sentences open the article as its heading: the first, and each line before the body's first
    full sentence that ends without a full stop (a headline, and a line above it: a kicker, "Wire report",
    "UPDATE 2"), at most ``MAX_HEADING``. A syndicated copy with a line added on top thus has the heading
    of the original. ``sentences``: (start, end) of the first sentences in ``text``."""
    heading = 0
    for start, end in sentences[:MAX_HEADING]:
        line_ends = text[end:].lstrip(" \t\r")[:1] in ("\n", "")
        if not line_ends or text[start:end].rstrip(CLOSING)[-1:] in SENTENCE_END:
            break
        heading += 1
    return max(heading, 1)


def _merge_date(cand: Candidate) -> DateValue | None:
    """The date a candidate is grouped by: a day carried over from an earlier sentence only by its month
    ("am Donnerstag in Warschau. Von dort reiste er nach Kiew", received there on Friday: one visit)."""
    date = cand.date
    if date is not None and cand.date_from_context and date.precision == "day":
        return DateValue(date.value[:7], "month", date.basis)
    return date


def _dates_agree(a: DateValue, b: DateValue) -> bool:
    short, long = sorted((a.value, b.value), key=len)
    return long.startswith(short)


def _people_agree(a: Candidate, b: Candidate) -> bool:
    """No side names different people in the two candidates."""
    people_b = {country: _people(ms) for country, ms in b.sides}
    for country, mentions in a.sides:
        names_a = _people(mentions)
        names_b = people_b.get(country, set())
        if names_a and names_b and not names_a & names_b:
            return False
    return True


def _people(mentions) -> set[str]:
    """Who a side is: its named people and the holders of the offices it names."""
    return {m.key or m.name for m in mentions if m.kind == "person"} | \
        {m.actor_id for m in mentions if m.kind == "role" and m.actor_id}
