"""One event per real-world meeting inside an article.

The meeting in the title, the lead and the body is one event: candidates
with the same sides, no conflicting named people and compatible dates are
merged, keeping the most precise date and place of their mentions.
"""

from __future__ import annotations

from dataclasses import replace

from dyad.events import Candidate
from dyad.model import DateValue, Location

PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


def merge_candidates(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Groups of candidates that report the same meeting, in order of first mention."""
    groups: list[list[Candidate]] = []
    for cand in candidates:
        joined = next((g for g in groups if cand.joins is not None and any(
            c.sentence_index == cand.joins and {k for k, _ in c.sides} <= {k for k, _ in cand.sides} for c in g)), None)
        if joined is not None:
            joined.append(cand)  # people who joined the meeting just reported
            continue
        for group in groups:
            if all(_same_meeting(cand, other) for other in group):
                group.append(cand)
                break
        else:
            groups.append([cand])
    return groups


def best_date(group: list[Candidate]) -> DateValue | None:
    dates = [c.date for c in group if c.date is not None]
    return min(dates, key=lambda d: PRECISION_RANK[d.precision]) if dates else None


def best_location(group: list[Candidate]) -> Location | None:
    located = [c for c in group if c.location is not None]
    if not located:
        return None
    # a place the sentence itself names beats one read from the context, a city beats a country
    return min(located, key=lambda c: (c.place_from_context, c.location.city is None)).location


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


def _same_meeting(a: Candidate, b: Candidate) -> bool:
    if {c for c, _ in a.sides} != {c for c, _ in b.sides}:
        return False
    if not _people_agree(a, b):
        return False
    if a.status != b.status and (a.date is None or b.date is None):
        return False
    if a.date is not None and b.date is not None and not _dates_agree(a.date, b.date):
        return False
    if a.location and b.location and a.location.country != b.location.country \
            and not (a.place_from_context or b.place_from_context or _headline(a) or _headline(b)):
        return False  # a place guessed from the context, or given by the headline, never splits a meeting
    return True


def _headline(cand: Candidate) -> bool:
    """An undated meeting of the first sentence: the headline of the meeting its lead reports."""
    return cand.sentence_index == 0 and cand.date is None


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
