"""One meeting or several: a subject's counterparts met apart, and one trip to several places.

"Xi met bin Salman in Riyadh and held talks with Raisi" (two meetings), "held separate talks with
Jaishankar and Modi", "nach Paris und Warschau, wo er Macron und Tusk traf" (one meeting in each place),
"visited Saudi Arabia, Qatar and the UAE" (one visit per country).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from typing import cast

from dyad.clauses import tokens_in
from dyad.kb.loader import KnowledgeBase
from dyad.lexicon import Lexicon
from dyad.mentions import GENITIVE, PlaceMention, SentenceMentions
from dyad.model import Location, Mention, Sentence
from dyad.sides import group_all
from dyad.trigger import Trigger

TRIP_LIST_GAP = 4  # "Saudi Arabia, Qatar and the UAE": the next place of a list follows closely
BILATERAL_KINDS = frozenset({"meet", "talks", "call", "video", "host"})
# one office of up to three states met together: with the subject's own, four sides at most; "met the foreign
# ministers of Singapore, Malaysia, Iran and Turkey" at a forum are talks with each (hosting them stays one)
JOINT_OFFICE_STATES = 3
LIST_GAP = 8  # words between two people of one list: "and", their titles ("and Foreign Minister")
GROUP_REACH = 3  # words before a list where the delegation it belongs to is named ("delegation including")


def trip_stops(places: tuple[PlaceMention, ...], triggers: list[Trigger], countries: set[str | None],
               kb: KnowledgeBase, sent: Sentence, lex: Lexicon) -> list[Location]:
    """The places of one trip listed together ("nach Bamako und Ouagadougou"), one per country visited."""
    listed: list[PlaceMention] = []
    joined = False  # a list ends with "und"/"and"; "in Tokyo, North Korea fired ..." is none
    for place in sorted(places, key=lambda p: p.token):
        between = [t.text.lower() for t in sent.tokens
                   if listed and listed[-1].location.end <= t.start and t.end <= place.location.start]
        if listed and any(w not in lex.list_conjunctions and w != "," and w not in lex.articles for w in between):
            break  # a list of places ("A, B und C"), not places named further on
        joined = joined or any(w in lex.list_conjunctions for w in between)
        if place.destination or any(t.kind == "visit" and 0 < place.token - t.token <= TRIP_LIST_GAP
                                    for t in triggers) or listed:
            listed.append(place)
    stops: dict[str, Location] = {}
    for place in listed if joined else listed[:1]:
        country = place.location.country
        if country in kb.states and country not in countries:  # a stop at home is no visit
            stops[country] = place.location
    return list(stops.values())


def counterparts_apart(actors: list[Mention], mentions: SentenceMentions, sent: Sentence, words: list[str],
                       triggers: list[Trigger], lex: Lexicon, organisations: Collection[str]) -> list[list[Mention]]:
    """One subject meeting counterparts of two or more states, not said to be together.

    The subject is who is named before the first meeting word or "mit"/"with"
    ("Xi met bin Salman ... and held talks with Raisi": two meetings of Xi).
    """
    frames = lex.patterns.frames
    first_with = min(frames.anywhere("with", words), default=len(words))
    boundary = min([first_with, *(t.token for t in triggers)])
    if boundary >= len(words) or frames.anywhere("together", words):  # "jointly", "gemeinsam"
        return []
    position = mentions.token_of
    if boundary < first_with < len(words) and any(t.token == boundary and t.kind in BILATERAL_KINDS for t in triggers) \
            and not any(position.get(a.start, -1) < boundary for a in actors) \
            and any(boundary < position.get(a.start, -1) < first_with for a in actors):
        # "In Kairo traf Kerry mit Schukri ... zusammen": nobody named before the meeting verb, its subject follows
        # it, before "mit"
        boundary = first_with
    first_object = min((position.get(a.start, -1) for a in actors if position.get(a.start, -1) > boundary),
                       default=boundary)
    if any(boundary <= k < first_object for k in frames.anywhere("between", words)):
        return []  # "talks between Iran and the US": the counterparts met each other too
    subjects = [a for a in actors if position.get(a.start, -1) < boundary]
    objects = [a for a in actors if position.get(a.start, -1) > boundary]
    agents = frames.anywhere("agent", words)  # "von", "by"
    if not objects and len(subjects) > 2 and met_apart(sent, words, triggers, lex) \
            and not any(position.get(a.start, -1) - 1 in agents for a in subjects) \
            and not _listed_first(subjects, position, sent, words, lex):
        # the meeting word last ("hat nacheinander die Regierungschefs ... empfangen"): who is named first met
        # each of the others, unless named in a list with them or as the agent of a passive ("von X empfangen")
        ordered = sorted(subjects, key=lambda a: position.get(a.start, -1))
        subjects, objects = [a for a in ordered if a.country == ordered[0].country], \
            [a for a in ordered if a.country != ordered[0].country]
    subject_countries = {a.country for a in subjects}
    object_countries = {a.country for a in objects} - subject_countries
    if len(subject_countries) != 1 and not (subject_countries and len(object_countries) >= 2 and any(
            w.lower() in lex.later_words for w in words[boundary:])):
        return []  # "Macron and Scholz held talks with Vucic and then with Osmani": one meeting each
    if len(object_countries) == 1:
        return _counterparts_by_meeting(subjects, objects, next(iter(object_countries)), position, sent, words,
                                        triggers, lex, organisations)
    if len({a.start for a in objects}) == 1 \
            and (len(object_countries) <= JOINT_OFFICE_STATES or any(t.kind == "host" for t in triggers)) \
            and all(t.kind != "call" for t in triggers) and not met_apart(sent, words, triggers, lex):
        # one office of several states met together ("his counterparts from Czechia and Hungary"), but
        # called one by one ("Telefongespräche mit den Außenministern Irans und Israels"), met one after
        # another ("nacheinander die Regierungschefs Italiens und Polens empfangen") or met by a longer list
        return []
    # the actors compared here are placed: every one has a country
    return [subjects + [a for a in objects if a.country == country]
            for country in sorted(cast(set[str], object_countries))]


def _listed_first(actors: list[Mention], position: dict[int, int], sent: Sentence, words: list[str],
                  lex: Lexicon) -> bool:
    """Whether the first-named actor opens a list of them ("Ithil, Marke und Vorn"): a comma or a list word
    follows its name."""
    first = min(actors, key=lambda a: position.get(a.start, -1))
    after = next((k for k in range(position.get(first.start, 0), len(words)) if sent.tokens[k].start >= first.end),
                 len(words))
    return after < len(words) and (words[after] == "," or words[after].lower() in lex.list_conjunctions)


def _counterparts_by_meeting(subjects: list[Mention], objects: list[Mention], counterpart: str | None,
                             position: dict[int, int], sent: Sentence, words: list[str], triggers: list[Trigger],
                             lex: Lexicon, organisations: Collection[str]) -> list[list[Mention]]:
    """Counterparts of one country met apart: "was received by Macron and also held talks with Barrot" (a
    meeting word each), "held separate talks with Jaishankar and Modi", "met President Thuong and Prime Minister
    Chinh" (one meeting per counterpart the text names as met)."""
    people = [a for a in objects if a.kind == "person"]
    if len(people) < 2:
        return []
    if met_apart(sent, words, triggers, lex):
        return [subjects + [person] for person in people]
    theirs = [a for a in people if a.country == counterpart]
    own = {a.country for a in subjects}
    own_people = {a.key or a.name for a in [*subjects, *objects] if a.kind in ("person", "role") and a.country in own}
    if len(theirs) >= 2 and len(own_people) <= 1 and counterpart not in organisations \
            and all(t.kind not in ("call", "video") for t in triggers):
        # not a team meeting a team ("Rubio and Waltz met Lavrov and Ushakov"), an organisation's delegation or
        # one call with two people
        listed = _listed_people(theirs, sent, lex)
        if len(listed) >= 2:
            return [subjects + [a for a in objects if a not in theirs or a is person] for person in listed]
    starts = sorted(t.token for t in triggers if t.kind in BILATERAL_KINDS)
    if len(starts) < 2:
        return []
    groups = [[a for a in people if lo < position.get(a.start, -1) < hi]
              for lo, hi in zip(starts, [*starts[1:], len(words)], strict=True)]
    groups = [g for g in groups if g]
    return [subjects + g for g in groups] if len(groups) >= 2 else []


def _listed_people(people: list[Mention], sent: Sentence, lex: Lexicon) -> list[Mention]:
    """The different people of one list of counterparts, "X, Y and Z" (with their titles between), closed by
    "and": not a person named in a clause of their own ("Li Qiang, who stood in for Xi"), nor a possessor
    ("Pezeshkian's predecessor, Raisi"), nor one set off by a comma alone ("Parolin, accompanied by Gallagher"),
    nor a person's own staff ("Araghchi and his deputy"); none where a delegation is named first ("a delegation
    including Kuleba and Umerov")."""
    aside = tokens_in(sent, "relative") | tokens_in(sent, "subordinate")
    ordered = sorted(people, key=lambda a: a.start)
    lead = [sent.lower[k] for k, t in enumerate(sent.tokens) if t.end <= ordered[0].start][-GROUP_REACH:]
    if any(w in lex.delegation_nouns or w in lex.inclusion_words for w in lead):
        return ordered[:1]
    chain, closed = [ordered[0]], 1  # closed: the people up to the last "and"
    for person in ordered[1:]:
        if (person.key or person.name) in {a.key or a.name for a in chain}:
            continue
        between = [k for k, t in enumerate(sent.tokens) if chain[-1].end <= t.start and t.end <= person.start]
        gap = {sent.lower[k] for k in between}
        joined = not gap.isdisjoint(lex.list_conjunctions)
        if not between or len(between) > LIST_GAP or not (joined or "," in gap) or not aside.isdisjoint(between) \
                or not gap.isdisjoint(GENITIVE) or not gap.isdisjoint(lex.possessives):
            break
        chain.append(person)
        if joined:
            closed = len(chain)
    return chain[:closed]


def listed_compatriots(unplaced: list[Mention], actors: list[Mention], sent: Sentence, lex: Lexicon,
                       kb: KnowledgeBase, day: date | None) -> list[Mention]:
    """People without a country named in one list with people of a single state, given that state: "met Foreign
    Minister Magno and Finance Minister Gomes" (Gomes, whom the knowledge base does not know, is Magno's
    compatriot). Not in a list of several states' people, nor in an office of one holder that somebody else
    holds there that day."""
    ordered = sorted([*(a for a in actors if a.kind == "person"), *unplaced], key=lambda a: a.start)
    listed_before: set[int] = set()
    for first in range(len(ordered) - 1):
        if ordered[first].start in listed_before:
            continue  # within a list that begins earlier: that whole list decides
        listed = _listed_people(ordered[first:], sent, lex)
        listed_before.update(a.start for a in listed)
        countries = {a.country for a in listed if a.country}
        if len(countries) != 1 or not any(a in unplaced for a in listed):
            continue
        country = next(iter(countries))
        return [replace(a, country=country, use="unknown") for a in listed if a in unplaced
                and not _held_by_another(a.office, country, kb, day)]
    return []


def _held_by_another(office: str | None, country: str, kb: KnowledgeBase, day: date | None) -> bool:
    """Whether an office of one holder is held for ``country`` that day by somebody the knowledge base knows."""
    return office in kb.offices and kb.offices[office].single_holder and kb.holder(office, country, day) is not None


def met_apart(sent: Sentence, words: list[str], triggers: list[Trigger], lex: Lexicon) -> bool:
    """ "held separate talks", "getrennt empfangen": the language's apart frame (patterns.yaml) at a meeting
    word: one meeting with each counterpart."""
    return any(lex.patterns.frames.first(("apart",), sent, words, t.token, t.size) is not None for t in triggers)


def split_by_place(actors: list[Mention], places: tuple[PlaceMention, ...]):
    """Pairs of (visitor and one host, that host's place) when several hosts each have their own city."""
    cities: dict[str | None, Location] = {}
    for place in places:
        if place.location.city:
            cities.setdefault(place.location.country, place.location)
    sides = group_all(actors)
    hosted = [(country, ms) for country, ms in sides if country in cities]
    visitors = [(country, ms) for country, ms in sides if country not in cities]
    if len(hosted) < 2 or len(visitors) != 1:
        return []
    return [([*visitors[0][1], *ms], cities[country]) for country, ms in hosted]
