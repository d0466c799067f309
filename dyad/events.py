"""Turn the mentions of a sentence into meeting events.

A sentence gives an event when it holds a meeting word (a trigger) and
actors of at least two states or organisations. Status, mode, date and
place come from the words around the trigger; the knowledge about which
words those are lives in the language's lexicon.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from dyad.attendance import Summits, listed_states, summit_attended
from dyad.clauses import in_quote, next_break, of_kind, tokens_in
from dyad.counterparts import (
    BILATERAL_KINDS,
    counterparts_apart,
    listed_compatriots,
    met_apart,
    split_by_place,
    trip_stops,
)
from dyad.dates import DateMention
from dyad.kb.loader import KnowledgeBase
from dyad.lexicon import Lexicon
from dyad.mentions import DocContext, PlaceMention, SentenceMentions, pronoun_subject
from dyad.model import Candidate, Evidence, Location, Mention, Sentence
from dyad.parts import sentence_parts
from dyad.sides import (
    group_all,
    group_phrase,
    group_referent,
    group_subject,
    leaders_meant,
    leaders_of,
    main_meeting,
    no_subject_before_with,
    plural_subject,
    points_back,
    speaks_outside,
)
from dyad.trigger import (
    Trigger,
    is_denied,
    is_negated,
    pick_date,
    planned_by_cue,
    read_location,
    read_round,
    read_status,
    read_topics,
)

SUMMIT_REACH = 3  # "X, Y and Z attended": the summit named in the last few sentences
SERIES_REACH = 3  # "Der nächste Gipfel", "Next year's summit": the series word just before its meeting word
WAR_REACH = 3  # "the war in Ukraine": the war's place follows it closely
TOPIC_REACH = 5  # "über die Verhandlungen mit den USA": a state this close after "über" is a topic
TOPIC_OF_MEETING = 4  # "talks on the border between": a between this close after a meeting word is its own
WEAK_STATE_WINDOW = 3  # a bare state adjective counts as a side this close before a trigger
IN_PERSON_KINDS = frozenset({"meet", "visit", "host", "summit", "join"})
JOIN_KINDS = frozenset({"join", "host"})
JOIN_REACH = 2  # "X joined the talks": the meeting reported at most this many sentences before
JOIN_NOUN_REACH = 4  # "joined the talks", "An den Gesprächen nahm ... teil": the join verb and its meeting noun
HOST_PREP_REACH = 4  # "bei dem jordanischen König Abdullah": the person visited follows "bei" and a title
ORG_WINDOW = 4  # tokens between an organisation's name and its summit word ("meeting of the new NATO")
# meeting words of which a movement opening the sentence is the subject ("The Taliban met"; not "The Taliban
# welcomed the visit of ...", where "welcomed" hosts nothing)
MOVEMENT_SUBJECT_KINDS = frozenset({"meet", "talks", "call", "video"})
OBJECT_REACH = 4  # words of a host verb's object after its determiner ("received a warm welcome")


def sentence_events(sent: Sentence, index: int, mentions: SentenceMentions, dates: list[DateMention],
                    triggers: list[Trigger], lex: Lexicon, kb: KnowledgeBase, evidence: Evidence,
                    earlier: tuple[Mention | None, Mention | None], day: date | None, ctx: DocContext,
                    before: list[Candidate], summits: Summits) -> tuple[list[Candidate], Summits]:
    """The meetings a sentence reports, and the article's summits as the sentence leaves them (``summits``:
    as the sentences before it left them)."""
    if not triggers:
        return [], summits
    words = [t.text for t in sent.tokens]
    live = [t for t in triggers if not is_negated(sent, words, t, lex) and not is_denied(sent, words, t, lex)
            and not _hosts_a_thing(t, triggers, sent, mentions, dates, words, lex, kb)]
    live = _without_relative_clauses(live, sent, mentions)
    if not live:
        return [], summits
    parts = sentence_parts(sent, mentions, dates, live, lex, earlier[0])
    if parts:
        out: list[Candidate] = []
        for part in parts:
            found, summits = sentence_events(sent, index, part.mentions, part.dates, part.triggers, lex, kb, evidence,
                                             earlier, day, ctx, before, summits)
            out += found
        return out, summits
    # a spokesperson reports the meeting: no side, nor a side's country that keeps the subject from being found
    actors = _without_reporters([a for a in mentions.actors if a.country and not _excluded(a, mentions, words, lex)])
    if of_kind(sent, "quote") and not any(in_quote(sent, t.token) for t in live):
        # '"If the leaders of Russia and the US ...", Blinken said as the meeting began':
        # people named in a quotation are not the sides of a meeting reported outside it
        def outside(m: Mention) -> bool:
            token = mentions.token_of.get(m.start)
            return token is None or not in_quote(sent, token)

        actors = [a for a in actors if outside(a)]
    aside = tokens_in(sent, "parenthesis")
    in_aside = [a for a in actors if mentions.token_of.get(a.start) in aside]
    if in_aside and len({a.country for a in actors if a not in in_aside}) >= 2:
        # "Das Treffen – Teil einer Reise von Wang nach Russland – fand statt, als Han Zheng Blinken traf":
        # who an aside names is no side of the meeting the sentence reports around it
        actors = [a for a in actors if a not in in_aside]
    speakers = [a for a in actors if speaks_outside(a, sent, mentions, words, live, lex)]
    if speakers and len({a.country for a in actors if a not in speakers}) >= 2:
        # "Vorn met the king in Edoras, Ithil said": who reports the meeting is not a side of it
        actors = [a for a in actors if a not in speakers]
    frame = _between_frame(sent, words, live, lex)
    if frame is not None:
        # "ein Treffen zwischen Putin und Kim": the sides are named inside the frame;
        # what stays outside it may report a meeting of its own.
        lo, hi = frame
        frames = lex.patterns.frames
        if hi + 2 < len(words) and words[hi] == "," and hi + 1 in frames.anywhere("mediation", words) \
                and hi + 2 in frames.anywhere("agent", words):
            # "talks between Shamkhani and Al-Aiban, hosted by China's top diplomat Wang Yi": the host too
            hi = next_break(sent, hi + 3)
        position = mentions.token_of
        inside = [a for a in actors if lo <= position.get(a.start, -1) < hi]
        # "talks between U.S. and Ukrainian delegations": states named for the sides inside the frame
        weak_inside = tuple(m for m in mentions.weak_states if lo <= position.get(m.start, -1) < hi
                            and _weak_side(m, mentions, live, words, lex, sent))
        if len({a.country for a in inside} | {m.country for m in weak_inside}) >= 2 and not inside:
            # "Oman mediated indirect talks between Iran and the United States": and who mediated them
            mediation = frames.anywhere("mediation", words)
            inside = list(weak_inside) + [m for m in (*actors, *mentions.weak_states)
                                          if any(0 < k - position.get(m.start, 0) < 3 for k in mediation)]
        if len({a.country for a in inside}) >= 2:
            # date and place may follow the named sides, up to the next meeting word
            reach = min((t.token for t in live if t.token >= hi), default=len(words))
            first, last = sent.tokens[max(0, lo - 4)].start, sent.tokens[reach - 1].end
            near = [t for t in live if lo <= t.token < hi]
            framed = _View(inside, near, [d for d in dates if first <= d.start < last],
                           tuple(p for p in mentions.places if lo - 4 <= p.token < reach), (), (), False)
            rest = _View([a for a in actors if a not in inside], [t for t in live if t not in near], dates,
                         mentions.places, (), (), False)
            views = [framed] + ([rest] if rest.triggers else [])
            out = []
            for view in views:
                found, summits = _events(view, sent, index, mentions, words, lex, kb, evidence, (None, None), day,
                                         ctx, [], summits)
                out += found
            return out, summits
    view = _View(actors, live, dates, mentions.places, mentions.weak_states, mentions.orgs, True)
    return _events(view, sent, index, mentions, words, lex, kb, evidence, earlier, day, ctx, before, summits)


@dataclass(frozen=True, slots=True)
class _View:
    """The part of a sentence one event is read from."""

    actors: list[Mention]
    triggers: list[Trigger]
    dates: list[DateMention]
    places: tuple[PlaceMention, ...]
    weak_states: tuple[Mention, ...]
    orgs: tuple[Mention, ...]
    whole_sentence: bool


def _events(view: _View, sent: Sentence, index: int, mentions: SentenceMentions, words: list[str], lex: Lexicon,
            kb: KnowledgeBase, evidence: Evidence, earlier: tuple[Mention | None, Mention | None],
            day: date | None, ctx: DocContext, before: list[Candidate],
            summits: Summits) -> tuple[list[Candidate], Summits]:
    """The meetings of one view of a sentence, and the article's summits as this sentence leaves them."""
    live = view.triggers
    kinds = frozenset(t.kind for t in live)
    status = read_status(sent, words, live, view.dates, lex)
    actors = list(view.actors)
    countries = {a.country for a in actors}
    joined = _joins_last_meeting(live, actors, view.orgs, words, index, before, lex, sent)
    if joined is not None:
        return [joined], summits
    referred: tuple[tuple[str, tuple[Mention, ...]], ...] | None = None
    if before and len(countries) < 2 and not view.orgs:
        size = group_phrase(words, lex)
        if size or group_subject(sent, words, view.triggers, lex):
            referred = group_referent(before, index, ctx, size or 2)
            if leaders_meant(words, lex):
                referred = leaders_of(referred, kb, ctx, day)
        elif plural_subject(words, lex) and before[-1].sentence_index >= index - 1 \
                and (actors or "host" not in kinds):
            # "Dort wurden sie von Selenskyj empfangen": who travelled together ("They welcomed the
            # agreement" welcomes nobody)
            referred = before[-1].sides
        elif not _organisation_summit(kinds, summits) and _series_named(sent.lower, live, lex, status) \
                and _includes_named(countries, series := main_meeting(before)):
            # "Die siebte Runde soll in Kars stattfinden": the article's series, if the side named is in it
            # (but "the next summit" of an organisation is the organisation's)
            referred = series.sides
        elif not lex.again_words.isdisjoint(sent.lower) and _includes_named(countries, before[-1]):
            # "Ein weiteres Treffen ist für März geplant": the meeting just reported, if the side named is in it
            referred = before[-1].sides
    own = list(actors)
    if referred is not None:
        for country, mentions_of_side in referred:
            if country not in countries:
                actors.extend(m for m in mentions_of_side if m.kind in ("person", "role", "state"))
                countries.add(country)
        if own and met_apart(sent, words, live, lex):
            # "Borrell hatte beide Politiker getrennt empfangen": one meeting with each of them
            out: list[Candidate] = []
            for _country, side in referred:
                found, summits = _events(replace(view, actors=own + [m for m in side if m.kind in
                                                                     ("person", "role", "state")]),
                                         sent, index, mentions, words, lex, kb, evidence, (None, None), day, ctx, [],
                                         summits)
                out += found
            return out, summits
    # a side the sentence does not name: "er", "sie", "Gespräche mit X", "empfangen worden"
    # a movement opening the sentence as its meeting verb's subject ("The Taliban met ... with Khalilzad")
    opening = [w for w in view.weak_states if w.use == "movement" and _movement_opens(w, mentions, live, sent, lex)]
    refers_back = (pronoun_subject(words, lex) and not plural_subject(words, lex)) \
        or no_subject_before_with(actors + opening, mentions, words, lex) \
        or (len(countries) < 2 and points_back(words, lex))
    # "Xi reiste an": a visit whose other side is the article's protagonist, unless the place visited
    # is named ("Bourita is expected to visit Niamey": Niger is the other side)
    implicit = len(countries) == 1 and kinds & {"host", "visit"} \
        and not (kinds <= {"visit"} and any(p.location.country not in countries for p in view.places))
    added = None
    if refers_back or implicit:
        last, protagonist = earlier
        for person in ((last, protagonist) if refers_back else (protagonist,)):
            if person is not None and person.country and person.country not in countries:
                added = person
                actors.insert(0, person)
                countries.add(person.country)
                break
    if len(countries) < 2:
        for state in view.weak_states:
            if state.country not in countries and _weak_side(state, mentions, live, words, lex, sent):
                actors.append(state)
                countries.add(state.country)
    met = [org for org in view.orgs if _organisation_met(org, sent, mentions, live, words, lex)]
    for org in met:
        if org.country not in countries:
            actors.append(org)  # "met with the International Monetary Fund": the organisation is a side
            countries.add(org.country)
    # again: a person borrowed from a sentence before may be a spokesperson
    actors = _without_reporters(_resolve_counterparts(actors, kb, day))
    sideline = bool(lex.patterns.frames.anywhere("sideline", words))  # "on the sidelines of"
    org, near_org = _summit_org(tuple(o for o in view.orgs if o not in met), live, mentions)  # met, no summit
    if org is not None:
        summits = replace(summits, org=org, sentence=index)  # "am Rande des Gipfels der SOZ": later ones attend it
    joining = org is not None and _membership(near_org, mentions.token_of[org.start], sent, lex)
    date = pick_date(view.dates, live, sent, status == "planned", lex)
    attended = None
    if not sideline:
        attended, topic = summit_attended(org, view.orgs, live, sent, mentions, lex, summits.topic, index,
                                          before, view.dates, date)
        summits = replace(summits, topic=topic)
    invited_to_summit = any(t.kind == "summit" and planned_by_cue(sent, words, t, lex) for t in live)
    if sideline or joining:
        # a meeting beside the summit, not taking part in it; becoming a member ("Sweden's bid to join NATO")
        org, near_org = None, []
    elif org is None and summits.org is not None \
            and (kinds & JOIN_KINDS or invited_to_summit) \
            and (kinds & {"summit", "meet"} or (kinds == {"join"} and index - summits.sentence <= SUMMIT_REACH)):
        # "nahmen an der Hauptsitzung des Gipfels teil", "have been invited to the summit": the summit named
        # earlier in the article; "X, Y and Z attended": the summit named just before
        org, near_org = summits.org, live
    elif attended is not None:
        org, near_org = attended.org, [*near_org, *attended.near]  # "opened the summit", "welcomed leaders", "attended"
    bilateral_words = [t for t in live if t.kind in BILATERAL_KINDS and t not in near_org]
    location, host = read_location(view.places, live, actors, kinds, kb, mentions.token_of, sent, lex)
    if location is not None and location.city is None and location.country not in countries \
            and _after_topic_word(location, sent, words, live, lex):
        location = None  # "sprachen über den Krieg in der Ukraine": what they discussed, not where
    unplaced = [a for a in mentions.actors if a.use == "unplaced"] if view.whole_sentence else []
    leading = {a.country: a for a in actors if a.kind == "state" and a.use == "adjective"}
    if unplaced and len(leading) == 1:
        # "eine eritreische Delegation unter Außenminister Osman Saleh": the delegation's country is its head's
        (country, delegation), = leading.items()
        led = [replace(a, country=country, use="unknown") for a in unplaced]
        actors = [a for a in actors if a is not delegation] + led
        unplaced = []
    if unplaced and location is not None and location.country not in countries and location.country in kb.states:
        # an office named without a country, met in another country: that country's
        local = [replace(a, country=location.country, use="unknown") for a in unplaced]
        actors += local
        countries.add(location.country)
        unplaced = []
    compatriots = listed_compatriots(unplaced, actors, sent, lex, kb, day) if unplaced else []
    actors += compatriots
    countries.update(a.country for a in compatriots)
    if kinds == {"visit"} and len(countries) >= 2 and not (location and location.country in countries) \
            and lex.side_words.isdisjoint(sent.lower) and lex.visited_object_verbs.isdisjoint(sent.lower) \
            and not _visited_person(actors, mentions, live, sent, lex):
        # people travelling, not meeting each other ("Für China reiste Li an, ..."); but one pays the other
        # a visit ("stattete dem König einen Besuch ab", "zu Besuch beim König")
        return [], summits
    visiting = len(countries) == 1 and kinds & {"visit"}
    stops = trip_stops(view.places, live, countries, kb, sent, lex) if visiting else []
    common = dict(status=status, kinds=kinds, date=date, round=read_round(sent.lower, lex),
                  topics=read_topics(sent.lower, lex), evidence=evidence, sentence_index=index, sideline=sideline,
                  follow_up=_follow_up(sent, lex))
    if len(stops) >= 2:
        # "visited Saudi Arabia, Qatar and the UAE", "nach Bamako und Ouagadougou gereist": one visit per country
        return [_candidate(group_all([*actors, Mention("state", stop.start, stop.end, "", key=stop.country,
                                                         country=stop.country, use="visited")]),
                           stop, stop.country, **common) for stop in stops], summits
    if len(countries) == 1 and kinds & {"visit"} and location and location.country in kb.states:
        # "Vorn reiste nach Minas Tirith": the country visited is the other side
        actors.append(Mention("state", location.start, location.end, "", key=location.country,
                              country=location.country, use="visited"))
        countries.add(location.country)
        host = location.country
    split = split_by_place(actors, view.places)
    if split:
        # "nach Paris und Warschau, wo er Macron und Tusk traf": one meeting in each place
        return [_candidate(group_all(pair), place, place.country, **common) for pair, place in split], summits
    held_in = location.country if location and location.country in kb.states else None
    if org is not None and (kinds & (JOIN_KINDS | {"visit"}) or attended or invited_to_summit
                            or _said_at_summit(near_org, sent, words, lex)
                            or (held_in and not countries)) \
            and not (bilateral_words and len(countries) >= 2 and not invited_to_summit):
        # taking part in, hosting or attending an organisation's summit: one event per side;
        # "the next summit will be held in Washington": the host country's
        # the protagonist guessed for a visit is no attendee; "Danach will er am Apec-Gipfel teilnehmen" is
        present = [a for a in actors if (a is not added or pronoun_subject(words, lex)) and a.country != org.country]
        named = [a for a in present if a.kind in ("person", "role")]
        # "The UAE and Oman were represented", "Arnor war ... vertreten, Rohan durch ...": each state listed
        listed = listed_states(view.weak_states, mentions, words, lex)
        present = named or [*present, *listed]
        if not present and held_in:
            assert location is not None  # the place it is held in
            present = [Mention("state", location.start, location.end, "", key=held_in, country=held_in,
                               use="venue")]
        if attended is not None and common["date"] is None:
            common["date"] = attended.day  # "X attended in person": on the day of the summit reported
        # "chaired by the alliance's secretary general, Jens Stoltenberg": who the text names for the organisation
        body = (org, *(a for a in actors if a.country == org.country))
        return [_candidate([*group, (org.country, body)], location, None, **common)
                for group in _group(present)], summits
    if len(countries) < 2:
        return [], summits
    apart = counterparts_apart(actors, mentions, sent, words, live, lex, kb.organisations)
    if apart:
        # "Blinken sprach mit Abbas und mit König Abdullah": one meeting per counterpart
        return [_candidate(group_all(pair), location, host, **common) for pair in apart], summits
    return [_candidate(group_all(actors), location, host, **common)], summits


def _joins_last_meeting(triggers: list[Trigger], actors: list[Mention], orgs: tuple[Mention, ...], words: list[str],
                        index: int, before: list[Candidate], lex: Lexicon, sent: Sentence) -> Candidate | None:
    """ "The Italian foreign minister, Luigi Di Maio, joined the talks", "An dem Treffen nahm auch X teil":
    who joins the meeting just reported is one of its participants, not a meeting of their own."""
    if not before or index - before[-1].sentence_index > JOIN_REACH:
        return None
    joins = [t for t in triggers if t.kind == "join"]
    meetings = [t for t in triggers if t.kind in ("talks", "meet") and t.token > 0
                and words[t.token - 1].lower() in lex.definite_articles]

    def joined(meeting: Trigger, join: Trigger) -> bool:
        if abs(meeting.token - join.token) <= JOIN_NOUN_REACH:
            return True
        # "An den Gesprächen sollen ... teilnehmen": the meeting named with its preposition, in the verb's clause,
        # no other meeting word between ("erinnerte an die Gespräche ... und will am Gipfel teilnehmen")
        return meeting.token >= 2 and words[meeting.token - 2].lower() in lex.join_preps \
            and meeting.token < join.token and not any(meeting.token < b < join.token for b in sent.breaks) \
            and not any(meeting.token < t.token < join.token for t in triggers)

    if not any(joined(m, j) for j in joins for m in meetings):
        return None
    # the talks or meeting named: not a call reported in between ("... teilte nach einem Telefonat mit"), though
    # people may join a call too where it is the only meeting in reach
    if not actors:
        return None
    reach = [c for c in before if index - c.sentence_index <= JOIN_REACH]  # before[-1] at least, checked above
    last = next((c for c in reversed(reach) if c.mode != "phone"), reach[-1])
    sides = {country: list(ms) for country, ms in last.sides}
    for person in actors:
        assert person.country  # people with a country only
        sides.setdefault(person.country, []).append(person)
    return replace(last, sides=tuple((c, tuple(ms)) for c, ms in sides.items()), sentence_index=index,
                   joins=last.sentence_index)


def _candidate(sides, location, host, *, status, kinds, date, round, topics, evidence, sentence_index, sideline,
               follow_up):
    mode = "phone" if "call" in kinds else "video" if "video" in kinds else \
        "in_person" if kinds & IN_PERSON_KINDS else "unspecified"
    return Candidate(tuple(sides), status, mode, kinds, date, location, host, round, topics, evidence,
                     sentence_index, sideline, follow_up=follow_up)


def _visited_person(actors: list[Mention], mentions: SentenceMentions, triggers: list[Trigger], sent: Sentence,
                    lex: Lexicon) -> bool:
    """A person or office named just after a word for whom a visit is paid to, next to the visit word ("zu
    Besuch bei dem jordanischen König", "beim Präsidenten zu Gast")."""
    preps = [k for k, w in enumerate(sent.lower) if w in lex.host_preps
             and any(t.kind == "visit" and (t.token + t.size == k or 0 < t.token - k <= HOST_PREP_REACH + 2)
                     for t in triggers)]
    return any(a.kind in ("person", "role") and k is not None and any(0 < k - prep <= HOST_PREP_REACH for prep in preps)
               for a in actors for k in (mentions.token_of.get(a.start),))


def _follow_up(sent: Sentence, lex: Lexicon) -> bool:
    """Whether the sentence speaks of a further meeting ("agreed to meet again", "lud ihn zu einem Gegenbesuch
    ein"), not of details of the one the article reports."""
    return not lex.follow_up_words.isdisjoint(sent.lower)


def _organisation_summit(kinds: frozenset[str], summits: Summits) -> bool:
    """A summit word in an article that reports an organisation's summit."""
    return "summit" in kinds and (summits.org is not None or summits.topic is not None)


def _includes_named(countries: set[str | None], meeting: Candidate) -> bool:
    """Whether a meeting referred to includes the side the sentence names, if it names one."""
    return not countries or bool(countries & {c for c, _ in meeting.sides})


def _series_named(lower: Sequence[str], live: list[Trigger], lex: Lexicon, status: str) -> bool:
    """ "Die nächste Runde", "the previous round" just before a meeting word, or a planned round by its number."""
    return any(lower[k] in lex.series_words
               for t in live for k in range(max(0, t.token - SERIES_REACH), t.token)) \
        or (status == "planned" and read_round(lower, lex) is not None)


def _after_topic_word(location: Location, sent: Sentence, words: list[str], triggers: list[Trigger],
                      lex: Lexicon) -> bool:
    """A country named for what was discussed or what a war or ceasefire is about ("sprachen über die Lage in
    Syrien", "the ceasefire in Lebanon"); a city may still be where they met ("a truce in Paris")."""
    place = next((k for k, t in enumerate(sent.tokens) if t.start == location.start), None)
    if place is None:
        return False
    # "the ceasefire talks in Jeddah": a meeting word after the war noun is held at the place
    return _topic_before(sent.lower, 0, place, lex) or any(
        words[j].lower() in lex.war_nouns and not any(j < t.token < place for t in triggers)
        for j in range(max(0, place - WAR_REACH), place))


def _topic_before(lower: Sequence[str], lo: int, hi: int, lex: Lexicon) -> bool:
    """Whether a topic word or phrase ("über", "on the situation") stands within tokens lo..hi (``lower``: the
    sentence's words in lower case)."""
    span = tuple(lower[lo:hi])
    return any(w in lex.topic_words for w in span) or any(
        span[k:k + len(phrase)] == phrase for phrase in _phrases(lex.topic_words)
        for k in range(len(span) - len(phrase) + 1))


@lru_cache(maxsize=8)
def _phrases(words: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    """The entries of a word list that are phrases of several words, split once per list."""
    return tuple(tuple(w.lower().split()) for w in words if " " in w)


def _hosts_a_thing(trigger: Trigger, triggers: list[Trigger], sent: Sentence, mentions: SentenceMentions,
                   dates: list[DateMention], words: list[str], lex: Lexicon, kb: KnowledgeBase) -> bool:
    """A host verb whose object is a thing or a call, neither a guest nor a meeting: "welcomed the agreement",
    "received his education", "received a phone call from X", "begrüßte die Einigung", "hat das Abkommen begrüßt"
    (but "hosted the summit", "begrüßte den Kremlchef")."""
    if trigger.kind != "host":
        return False
    span = _object_span(trigger, sent, words, mentions, dates, lex)
    if span is None:
        return False
    k, limit = span
    stops = lex.location_preps | lex.name_end_words
    frames = lex.patterns.frames
    withs = frames.anywhere("with", words)
    end = next((j for j in range(k + 1, min(limit, k + 1 + OBJECT_REACH))
                if not words[j][0].isalnum() or words[j].lower() in stops or j in withs),
               min(limit, k + 1 + OBJECT_REACH))
    lo, hi = sent.tokens[k].start, sent.tokens[end - 1].end
    if any(d.start < hi and d.end > lo for d in dates):
        return False  # "receives this Wednesday his counterpart": a date, not the object
    people = lex.group_nouns | lex.delegation_nouns | lex.guest_nouns | lex.hosted_nouns
    gathering = frames.anywhere("gathering", words)  # "welcomed the leaders"
    roles = kb.roles.get(lex.language)
    return not any(m.start < hi and m.end > lo for m in (*mentions.actors, *mentions.weak_states, *mentions.orgs)) \
        and not any(k <= p.token < end for p in mentions.places) \
        and not any(k < t.token < end and t.kind != "call" for t in triggers) \
        and not any(words[j] in people or words[j].lower() in people or j in gathering
                    or (roles is not None and roles.match_at(words, j)) for j in range(k + 1, end))


def _object_span(trigger: Trigger, sent: Sentence, words: list[str], mentions: SentenceMentions,
                 dates: list[DateMention], lex: Lexicon) -> tuple[int, int] | None:
    """Where a verb's object may stand: from the determiner that opens it right after the verb, or, where the
    verb ends its clause (German puts the participle last: "hat das Abkommen am Montag begrüßt"), from the first
    determiner after its subject to the next preposition, date or name."""
    determiners = lex.definite_articles | lex.articles | lex.one_words | lex.possessives
    after = trigger.token + trigger.size
    if after < len(words) and words[after][0].isalnum():
        return (after, len(words)) if after + 1 < len(words) and words[after].lower() in determiners else None
    named = [(m.start, m.end) for m in (*mentions.actors, *mentions.weak_states, *mentions.orgs)]

    def covered(j: int, spans: list[tuple[int, int]]) -> bool:
        token = sent.tokens[j]
        return any(lo < token.end and hi > token.start for lo, hi in spans)

    first = None
    for j in range(trigger.token - 1, -1, -1):
        if j in sent.breaks or covered(j, named):
            break  # the subject, or the clause before
        if sent.lower[j] in determiners and (j == 0 or sent.lower[j - 1] not in lex.prepositions):
            first = j  # "in seiner Residenz" opens a place, not the object
    if first is None:
        return None
    spans = named + [(d.start, d.end) for d in dates]
    return first, _object_end(first, trigger.token, words, sent.lower, lambda e: covered(e, spans), lex)


def _object_end(k: int, verb: int, words: list[str], lower: Sequence[str], covered: Callable[[int], bool],
                lex: Lexicon) -> int:
    """Where an object opened by the determiner at k ends before the verb: at a preposition or a date, or at a name
    after its noun ("die Entscheidung der EU"; but "den ukrainischen Präsidenten" is all of it)."""
    noun = False
    for e in range(k + 1, verb):
        if lower[e] in lex.prepositions or (covered(e) and noun):
            return e
        noun = noun or (words[e][:1].isupper() and not covered(e))
    return verb


def _without_relative_clauses(triggers: list[Trigger], sent: Sentence, mentions: SentenceMentions) -> list[Trigger]:
    """ "Modi met Oli and held talks with Min Aung Hlaing, who attended the summit": what a relative clause says
    of one participant does not make the main clause's meetings part of it. Its meeting words go where the main
    clause has meeting words of its own between sides of two states."""
    inside = tokens_in(sent, "relative")
    if not inside:
        return triggers
    outside = [t for t in triggers if t.token not in inside]
    countries = {a.country for a in mentions.actors if a.country and mentions.token_of.get(a.start) not in inside}
    return outside if any(t.kind in BILATERAL_KINDS for t in outside) and len(countries) >= 2 else triggers


def _excluded(actor: Mention, mentions: SentenceMentions, words: list[str], lex: Lexicon) -> bool:
    """ "ohne Vertreter der Bundesregierung", "without the Israeli side": not a side."""
    token = mentions.token_of.get(actor.start)
    return token is not None and any(w.lower() in lex.exclusion_words for w in words[max(0, token - 3):token])


def _without_reporters(actors: list[Mention]) -> list[Mention]:
    """A spokesperson reports a meeting; they are no side of it."""
    return [a for a in actors if a.office != "spokesperson"]


def _group(actors: list[Mention]) -> list[list[tuple[str, tuple[Mention, ...]]]]:
    return [[side] for side in group_all(actors)]


def _said_at_summit(near_org: list[Trigger], sent: Sentence, words: list[str], lex: Lexicon) -> bool:
    """ "sagte X bei einer UN-Konferenz", "spoke at the NATO summit" (the language's attendance frame before the
    summit word): what the side did there is its own part."""
    return any(lex.patterns.frames.where("attendance", sent, words, t.token, t.size) for t in near_org)


def _summit_org(orgs: tuple[Mention, ...], triggers: list[Trigger],
                mentions: SentenceMentions) -> tuple[Mention | None, list[Trigger]]:
    """An organisation whose summit or meeting the sentence names ("NATO-Gipfel", "meeting of the SCO"),
    and the meeting words that belong to it."""
    for org in orgs:
        token = mentions.token_of[org.start]
        summits = [t for t in triggers if (t.kind in ("summit", "meet") and abs(t.token - token) <= ORG_WINDOW)
                   # "hosted his counterparts from the SCO", "attended the SCO council"
                   or (t.kind in ("host", "join") and 0 < token - t.token <= ORG_WINDOW + 2)]
        if summits:
            near = [t for t in triggers if any(abs(t.token - s.token) <= ORG_WINDOW + 1 for s in summits)]
            return org, near
    return None, []


def _membership(near_org: list[Trigger], org_token: int, sent: Sentence, lex: Lexicon) -> bool:
    """An organisation named only as what is joined, right after a verb of becoming a member ("join",
    "beitreten") or its article, with no meeting word of its own ("Sweden's bid to join NATO")."""
    return bool(near_org) and all(
        sent.tokens[t.token].lemma in lex.membership_words and t.token < org_token
        and all(sent.lower[k] in lex.articles for k in range(t.token + t.size, org_token)) for t in near_org)


def _between_frame(sent: Sentence, words: list[str], triggers: list[Trigger], lex: Lexicon) -> tuple[int, int] | None:
    """Token range from "zwischen"/"between" right after a trigger to the end of its clause."""
    for trigger in triggers:
        k = lex.patterns.frames.first(("between",), sent, words, trigger.token, trigger.size)
        if k is not None:
            # an apposition ("der USA, Jake Sullivan, am ...") stays inside
            end = next((b for b in sent.breaks if b > k and not (b + 1 < len(words) and words[b + 1][:1].isupper())),
                       len(words))
            return trigger.token, end
    return None


def _weak_side(state: Mention, mentions: SentenceMentions, triggers: list[Trigger], words: list[str],
               lex: Lexicon, sent: Sentence) -> bool:
    """A state named without a person is a side only where the wording makes it one."""
    token = mentions.token_of[state.start]
    delegation_after = not lex.delegation_nouns.isdisjoint(sent.lower[token + 1:token + 1 + WEAK_STATE_WINDOW])
    if state.use == "adjective":
        # "russisch-chinesische Verhandlungen", "US-Chinese talks": the adjective qualifies the meeting word;
        # "Russian and Ukrainian delegations held talks": or the people who met
        return any(0 < t.token - token <= WEAK_STATE_WINDOW for t in triggers) or delegation_after
    if _topic_before(sent.lower, max(0, token - TOPIC_REACH), token, lex):
        return False  # "sprachen über die Verhandlungen mit den USA": what they discussed
    if state.use == "movement" and (_movement_opens(state, mentions, triggers, sent, lex) or delegation_after):
        return True  # "The Taliban met ...", "met a Taliban delegation", "eine Hamas-Delegation"
    link = sent.lower[max(0, token - 2):token]
    near = [w for w in link if w not in lex.articles and w not in lex.role_links]
    if near and near[-1] in lex.delegation_nouns and (lex.capitalised_nouns or not lex.role_links.isdisjoint(link)):
        return True  # "Delegationen Russlands", "delegations of Russia": the people who met
    before = [k for k in range(max(0, token - 2), token) if words[k].lower() not in lex.articles]
    # the sentence's first word (a movement only as the meeting verb's subject, above: "Hamas said X met Y")
    opening = token == 0 and state.use != "movement"
    if opening or (before and (_own_between(before[-1], sent, words, triggers, lex)
                               or _own_with(before[-1], sent, words, triggers, mentions, lex))):
        return True
    # "zwischen Russland und China": the second of a pair whose first is a side
    if before and words[before[-1]].lower() in lex.side_words:
        earlier = [w for w in mentions.weak_states if mentions.token_of[w.start] < token]
        return bool(earlier) and _weak_side(earlier[-1], mentions, triggers, words, lex, sent)
    return False


def _movement_opens(movement: Mention, mentions: SentenceMentions, triggers: list[Trigger], sent: Sentence,
                    lex: Lexicon) -> bool:
    """A movement opening the sentence (after an article at most) as the subject of a meeting verb right after it
    ("The Taliban met ... with Khalilzad"; not "The Taliban welcomed the visit of ...", "Hamas said X met Y")."""
    token = mentions.token_of[movement.start]
    return all(w in lex.articles for w in sent.lower[:token]) \
        and any(0 < t.token - token <= WEAK_STATE_WINDOW and t.kind in MOVEMENT_SUBJECT_KINDS for t in triggers)


def _own_between(k: int, sent: Sentence, words: list[str], triggers: list[Trigger], lex: Lexicon) -> bool:
    """ "between"/"zwischen" at token k names the sides of a meeting ("talks between", "talks on Monday
    between", "talks on trade between"), not what a noun of relations joins in what was discussed ("... in
    light of the contacts between Tehran and Washington", "um den Zollstreit zwischen ...": German compounds
    end in the noun)."""
    frames = lex.patterns.frames
    if k not in frames.anywhere("between", words):
        return False
    if k == 0 or any(k in frames.where("between", sent, words, t.token, t.size)
                     or 0 < k - t.token <= TOPIC_OF_MEETING for t in triggers):
        return True  # the meeting word's own phrase, or its topic right after it ("Talks on trade between")
    before = sent.lower[k - 1]
    if lex.capitalised_nouns:
        return not any(before.endswith(noun) for noun in lex.relation_nouns)
    return before not in lex.relation_nouns


def _own_with(k: int, sent: Sentence, words: list[str], triggers: list[Trigger], mentions: SentenceMentions,
              lex: Lexicon) -> bool:
    """ "with"/"mit" at token k belongs to the meeting, not to a noun right before it ("das Atomabkommen mit dem
    Iran", "the nuclear deal with Iran"): it opens a meeting word's own with-phrase (the language's with frame),
    or follows a word that is no such noun ("telefonierte am Montag mit Gondor", "met in Edoras with ...")."""
    frames = lex.patterns.frames
    if k not in frames.anywhere("with", words):
        return False
    if any(t.kind in BILATERAL_KINDS and k in frames.where("with", sent, words, t.token, t.size) for t in triggers):
        return True
    return k == 0 or not _common_noun(k - 1, sent, words, triggers, mentions, lex)


def _common_noun(k: int, sent: Sentence, words: list[str], triggers: list[Trigger], mentions: SentenceMentions,
                 lex: Lexicon) -> bool:
    """Whether token k reads as a common noun: no meeting word, name, place, day or month, and written as the
    language writes its nouns (German with a capital, English in lower case)."""
    word, low = words[k], sent.lower[k]
    if not word.isalpha() or any(t.token <= k < t.token + t.size for t in triggers) \
            or low in lex.weekdays or low in lex.months or any(p.token == k for p in mentions.places) \
            or any(sent.tokens[k].start < m.end and m.start < sent.tokens[k].end
                   for m in (*mentions.actors, *mentions.weak_states, *mentions.orgs)):
        return False
    return word[0].isupper() if lex.capitalised_nouns else word.islower()


def _organisation_met(org: Mention, sent: Sentence, mentions: SentenceMentions, triggers: list[Trigger],
                      words: list[str], lex: Lexicon) -> bool:
    """An organisation named on its own right after "with"/"mit" that follows a meeting word ("held talks with
    the IMF on Tuesday"), not as the first word of a longer name ("with NATO allies", "mit EU-Vertretern")."""
    token = mentions.token_of.get(org.start)
    if token is None:
        return False
    before = [k for k in range(max(0, token - 2), token) if words[k].lower() not in lex.articles]
    frames = lex.patterns.frames
    if not before or before[-1] not in frames.anywhere("with", words):
        return False
    # the "with" opens the with-phrase of a meeting word (the language's with frame: right after it)
    if not any(t.kind in BILATERAL_KINDS and before[-1] in frames.where("with", sent, words, t.token, t.size)
               for t in triggers):
        return False  # the with-phrase of the meeting word itself ("Freihandel mit dem Mercosur" is none)
    end = next((k for k in range(token, len(words)) if sent.tokens[k].start >= org.end), len(words))
    after = words[end] if end < len(words) else ""
    if not after[:1].isalpha():
        return after not in ("-", "'s")
    # a noun after it makes the name a modifier: German writes nouns with a capital, English lists what may follow
    return after[:1].islower() if lex.capitalised_nouns else after.lower() in lex.name_end_words


def _resolve_counterparts(actors: list[Mention], kb: KnowledgeBase, day: date | None) -> list[Mention]:
    """ "sein russischer Amtskollege": the same office as the other side, in its own country."""
    office = next((a.office for a in actors if a.office not in (None, "counterpart")), None)
    out = []
    for actor in actors:
        if actor.office == "counterpart":
            if office is None:
                actor = replace(actor, role=None, office=None)
            else:
                holder = kb.holder(office, actor.country, day)
                actor = replace(actor, role=kb.offices[office].role, office=office,
                                actor_id=holder.id if holder else None)
        out.append(actor)
    return out
