"""Fill an event's missing place and date from the article around it.

Wire reports say where they were filed in the dateline ("Berlin (dpa) -",
"VILNIUS, July 12 -"), and a meeting "on the sidelines" happened where and
when the summit did. Only these two readings are made: a place is never
guessed from a background paragraph about another date.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import NamedTuple

from dyad.kb.loader import KnowledgeBase
from dyad.lexicon import Lexicon
from dyad.model import Candidate, DateValue, Location

DATELINE_CHARS = 400  # a dateline opens the story: look no further than the first lines
RECENT_DAYS = 7  # an event this close to publication happened where the report was filed
HEADLINE_SENTENCES = 2  # a headline and a teaser may stand before the dateline
SENTENCE_BREAK = re.compile(r"[.!?][\"“”»']?\s+")


class NamedDay(NamedTuple):
    """A day a sentence named, and the cities it named with it."""

    date: DateValue
    cities: frozenset[str]


def find_dateline(text: str, lex: Lexicon, kb: KnowledgeBase) -> Location | None:
    head = text[:DATELINE_CHARS]
    # a page read without its line breaks puts the headline or teaser before the dateline on one line
    starts = [0] + [m.end() for m in SENTENCE_BREAK.finditer(head)][:HEADLINE_SENTENCES]
    for pattern in lex.datelines:
        for match in (m for start in starts for m in pattern.finditer(head[start:])):
            name = match.group(1).strip()
            if name.isupper():
                name = name.title()
            ids = kb.place_names.get(name)
            place = kb.best_place(ids)
            if place is not None:
                return Location(place.name, place.country, place.lat, place.lon, "city", place.geonames_id)
    return None


def fill_from_context(candidates: list[Candidate], dateline: Location | None, published: date | None,
                      places_before: dict[int, list[Location]] | None = None,
                      summit_places: list[tuple[int, Location]] | None = None,
                      days_before: dict[int, NamedDay | None] | None = None) -> list[Candidate]:
    """``places_before[i]``: the cities named in the sentences of the paragraph up to sentence i;
    ``summit_places``: (sentence index, city) of each summit named with its city, in order;
    ``days_before[i]``: the last day named earlier in sentence i's paragraph (None for background)."""
    out: list[Candidate] = []
    for cand in candidates:
        if places_before and (cand.location is None or cand.location.city is None):
            # "Blinken landete in Riad. Am Sonntag traf er den Kronprinzen.": the city just named, in a side's country
            countries = {country for country, _ in cand.sides}
            if cand.location is not None:
                countries = {cand.location.country}
            near = [p for p in places_before.get(cand.sentence_index, []) if p.country in countries]
            if near:
                cand = replace(cand, location=near[-1], place_from_context=True)
        if cand.sideline and (cand.location is None or cand.date is None):
            # the summit reported before it
            summit = next((c for c in reversed(out) if c.location is not None and "summit" in c.kinds), None)
            if summit is not None:
                cand = replace(cand, location=cand.location or summit.location, date=cand.date or summit.date,
                               place_from_context=cand.location is None)
            elif cand.location is None and summit_places:
                # the first summit the article names
                cand = replace(cand, location=summit_places[0][1], place_from_context=True)
        orgs = {country for country, ms in cand.sides if any(m.kind == "org" for m in ms)}
        if cand.location is None and summit_places and (orgs or cand.mode not in ("phone", "video")):
            # "Faramir Ithil and King Theoden Marke attended", "Vorn also met Marke" with no place of its own:
            # the city of the summit the article reported before, not the dateline (a call has no place)
            earlier = [loc for i, loc in summit_places if i <= cand.sentence_index]
            if earlier:
                cand = replace(cand, location=earlier[-1], place_from_context=True)
        if cand.date is None and orgs and cand.status == "occurred":
            # ... and its day, from the last report of that organisation's meeting that has one
            dated = next((c for c in reversed(out)
                          if c.date is not None and orgs & {country for country, _ in c.sides}), None)
            if dated is not None:
                cand = replace(cand, date=dated.date)
        if cand.location is None and cand.date is not None and cand.date.precision == "day":
            same_day = next((c for c in reversed(out) if c.location is not None and c.date is not None
                             and c.date.value == cand.date.value), None)
            if same_day is not None:
                cand = replace(cand, location=same_day.location, place_from_context=True)
        named_day = days_before.get(cand.sentence_index) if days_before else None
        if cand.date is None and cand.status == "occurred" and named_day is not None \
                and not _elsewhere(cand, named_day):
            # "Am Dienstag traf Wadephul in Kyjiw ein. Dort sprach er mit Sybiha.": the day just named
            cand = replace(cand, date=named_day.date, date_from_context=True)
        if dateline is not None and cand.status == "occurred" and _recent(cand, published) \
                and _dateline_fits(cand, dateline, published):
            if cand.location is None or (cand.location.country == dateline.country
                                         and (cand.location.city is None or _guessed(cand))
                                         and cand.location.city != dateline.city):
                cand = replace(cand, location=dateline, place_from_context=True)
        out.append(cand)
    return out


def _elsewhere(cand: Candidate, day: NamedDay) -> bool:
    """A meeting in a city of its own, other than the ones named with the day ("am Donnerstag in Warschau
    ... reiste dann nach Kiew"): the day belongs to another stop."""
    city = cand.location.city if cand.location is not None and not cand.place_from_context else None
    return bool(city and day.cities and city not in day.cities)


def _guessed(cand: Candidate) -> bool:
    """A city no sentence named and no context gave: the host's capital, taken for where a head of government
    receives."""
    assert cand.location is not None
    return cand.location.start < 0 and not cand.place_from_context


def _dateline_fits(cand: Candidate, dateline: Location, published: date | None) -> bool:
    """A dateline places meetings of its own country, and any not held by phone or video on the publication day
    or the day before ("SEOUL, March 26 -- Hu and Obama met Monday": at the summit there)."""
    if dateline.country in {country for country, _ in cand.sides}:
        return True
    return cand.mode not in ("phone", "video") and published is not None and cand.date is not None \
        and cand.date.precision == "day" and 0 <= (published - date.fromisoformat(cand.date.value)).days <= 1


def _recent(cand: Candidate, published: date | None) -> bool:
    if cand.date is None:
        return True
    if published is None or cand.date.precision != "day":
        return False
    return abs((date.fromisoformat(cand.date.value) - published).days) <= RECENT_DAYS
