"""Meeting words, and what the words around them say: negation, status, date, place, round, topics.

Which words those are, and how far a cue reaches, lives in the language's patterns.yaml
(dyad/patterns.py); the clause a cue must share with its meeting word is the sentence's (dyad.clauses).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from dyad.clauses import clause_around
from dyad.dates import DateMention, names_weekday
from dyad.kb.loader import KnowledgeBase
from dyad.lexicon import Lexicon
from dyad.mentions import PlaceMention
from dyad.model import DateValue, Location, Mention, Sentence

AGENT_NAME_REACH = 4  # "by the crown prince": the agent's preposition to the name
TODAY_REACH = 6  # "will meet Macron in Paris today": the day word this close to its meeting word
SAID_REACH = 3  # "told reporters today": a speech verb this close before the day word is what the day dates
REPORT_TAIL = 4  # ", the ministry said on Tuesday in a statement": words a closing report may add after its verb
# What a status cue (dyad/lang/<iso>/patterns.yaml) says about the meeting word in its scope
NOT_HELD = ("offer", "wish", "negation")
PLAN_CUES = ("invitation", "prospect")


@dataclass(frozen=True, slots=True)
class Trigger:
    token: int
    size: int
    kind: str


def find_triggers(sent: Sentence, lex: Lexicon) -> list[Trigger]:
    """The meeting words of a sentence (the language's meeting-word patterns)."""
    words = [t.text for t in sent.tokens]
    found = lex.patterns.meeting_words.find(words, [t.lemma for t in sent.tokens])
    return [Trigger(token, size, kind) for token, size, kind in found]


def _cue(sent: Sentence, words: list[str], trigger: Trigger, lex: Lexicon, yields: tuple[str, ...]) -> int | None:
    """Where the first status cue yielding one of ``yields`` stands in its scope around the meeting word."""
    return lex.patterns.status.first(yields, sent, words, trigger.token, trigger.size)


def is_negated(sent: Sentence, words: list[str], trigger: Trigger, lex: Lexicon) -> bool:
    """An offer, a wish, or a negation or modal not hedging a prospect: no meeting held."""
    return _cue(sent, words, trigger, lex, NOT_HELD) is not None


def is_denied(sent: Sentence, words: list[str], trigger: Trigger, lex: Lexicon) -> bool:
    """A refusal anywhere in the sentence, or "keine Pläne" before the meeting word."""
    return _cue(sent, words, trigger, lex, ("denial",)) is not None


def plan_cue(sent: Sentence, words: list[str], trigger: Trigger, lex: Lexicon) -> int | None:
    """Where what makes a meeting word a plan begins: the invitation it is the object of ("inviting him to
    visit Australia", the invitation itself) or the prospect it opens ("den Weg für ein Treffen ebnen")."""
    return _cue(sent, words, trigger, lex, PLAN_CUES)


def planned_by_cue(sent: Sentence, words: list[str], trigger: Trigger, lex: Lexicon) -> bool:
    return plan_cue(sent, words, trigger, lex) is not None


def prospect_cue(words: list[str], k: int, lex: Lexicon) -> bool:
    """Whether the cue at k opens a prospect ("pave the way for") rather than inviting."""
    return lex.patterns.status.at(("prospect",), words, k)


def read_status(sent: Sentence, words: list[str], triggers: list[Trigger], dates: list[DateMention],
                lex: Lexicon) -> str:
    """Occurred when a meeting word's clause reports it in the past ("wie X mitteilte, wird ..." is planned)."""
    first = min(triggers, key=lambda t: t.token)
    if planned_by_cue(sent, words, first, lex):
        # "nahm eine Einladung nach Wien an", "accepted an invitation to visit Nigeria": a plan, whatever the tense
        return "planned"
    if any(_cue(sent, words, t, lex, ("past",)) is not None for t in triggers):
        return "occurred"
    if any(_today(sent, t, dates, lex) for t in triggers):
        # the guidelines date a meeting "heute"/"today" on the publication day, and count it as held whatever
        # the tense: where the page gives no date to resolve the word against, the word alone says so
        return "occurred"
    nearest = _nearest_date(dates, triggers, sent)
    if nearest is not None and nearest.past is None and nearest.future is not None:
        return "planned"
    if any(_coming_day(sent, words, t, dates, lex) for t in triggers):
        return "planned"
    if any(_cue(sent, words, t, lex, ("planned",)) is not None for t in triggers):
        return "planned"
    return "occurred"


def _today(sent: Sentence, trigger: Trigger, dates: list[DateMention], lex: Lexicon) -> bool:
    """A word for the publication day ("heute", "today") on a page without a date, near the meeting word in its
    clause: on a dated page the word is a date, and the pipeline counts a meeting on the publication day as held.
    Not in a name ("USA Today": lower case unless first), not the day something was said ("said today"), and
    with no other day named in the clause ("tomorrow", "Friday" or "June 20" give no date on such a page)."""
    clause = clause_around(sent, trigger.token, trigger.size, 0, len(sent.tokens))
    lower = sent.lower
    days = [k for k in clause if lex.day_offsets.get(lower[k]) == 0 and (k == 0 or sent.tokens[k].text.islower())
            and abs(k - trigger.token) <= TODAY_REACH
            and not any(lower[j] in lex.speech_verbs for j in range(max(0, k - SAID_REACH), k))]
    if not days or any(d.start <= sent.tokens[k].start < d.end for d in dates for k in days):
        return False
    # a month name is capitalised, unlike the modal "may"
    return not any(lex.day_offsets.get(lower[k], 0) != 0 or lower[k] in lex.weekdays or lower[k] in lex.next_words
                   or (lower[k] in lex.months and sent.tokens[k].text[:1].isupper()) for k in clause)


def _coming_day(sent: Sentence, words: list[str], trigger: Trigger, dates: list[DateMention], lex: Lexicon) -> bool:
    """ "Am Dienstag trifft Merkel X": a meeting verb in the present tense with a day of the week in its clause
    speaks of the coming day, unless that day is the publication day or a day past ("seit Montag")."""
    if _cue(sent, words, trigger, lex, ("present",)) is None:
        return False
    clause = clause_around(sent, trigger.token, trigger.size, 0, len(sent.tokens))
    if not any(names_weekday(sent.lower[k], lex) for k in clause):
        return False
    first, last = sent.tokens[clause[0]].start, sent.tokens[clause[-1]].end
    return not any(first <= d.start < last and d.past is not None and (d.future is None or d.past == d.future)
                   for d in dates)


def _nearest_date(dates: list[DateMention], triggers: list[Trigger], sent: Sentence) -> DateMention | None:
    if not dates:
        return None
    anchors = [sent.tokens[t.token].start for t in triggers]
    return min(dates, key=lambda d: min(abs(d.start - a) for a in anchors))


def pick_date(dates: list[DateMention], triggers: list[Trigger], sent: Sentence, planned: bool,
              lex: Lexicon) -> DateValue | None:
    """The reading of the date expression nearest to a meeting word, not counting the day a report was made."""
    starts = [t.start for t in sent.tokens] if dates else []
    readings = [r for d in dates if (r := d.reading(planned)) is not None
                and not _reported_on(d, bisect_left(starts, d.start), triggers, sent, lex)]
    if not readings:
        return None
    anchors = [sent.tokens[t.token].start for t in triggers]
    # a bare year is background ("im Jahr 2018") more often than the date of the meeting
    finer = [r for r in readings if r.precision != "year"] or readings
    return min(finer, key=lambda r: min(abs(r.start - a) for a in anchors))


def _reported_on(date_: DateMention, token: int, triggers: list[Trigger], sent: Sentence, lex: Lexicon) -> bool:
    """ ", wie das Außenamt am Mittwoch mitteilte", ", the ministry said on Tuesday.": a date in the speech verb's
    clause that closes the sentence after the meeting word's is when the meeting was reported. ("After talks with
    X, Y said on Tuesday that ...": the saying goes on, and its day is the talks' too.) ``token``: where the date
    begins."""
    if token >= len(sent.tokens):
        return False
    clause = clause_around(sent, token, 1, 0, len(sent.tokens))
    said = [k for k in clause if sent.lower[k] in lex.speech_verbs]
    if not said or any(t.token >= clause[0] for t in triggers):
        return False
    # what follows the verb of saying: its date, a few words ("in a statement"), the end of the sentence
    rest = [k for k in range(said[-1] + 1, len(sent.tokens))
            if sent.tokens[k].text[:1].isalnum() and not date_.start <= sent.tokens[k].start < date_.end]
    return len(rest) <= REPORT_TAIL


def read_location(places: tuple[PlaceMention, ...], triggers: list[Trigger], actors: list[Mention],
              kinds: frozenset[str], kb: KnowledgeBase, token_of: dict[int, int], sent: Sentence,
              lex: Lexicon) -> tuple[Location | None, str | None]:
    """Where the meeting took place, and which side hosted it (the subject of "empfing")."""
    nearest = _nearest_place(places, triggers)
    side_countries = [a.country for a in actors]
    location = _in_side_country(nearest, side_countries, kb) if nearest else None
    host = None
    named = [a for a in actors if a.start in token_of]
    subject = min(named, key=lambda a: token_of[a.start]) if named else (actors[0] if actors else None)
    agent = _agent(named, triggers, sent, token_of, lex)
    side = agent or subject
    if "host" in kinds and side is not None:
        host = side.country
        if location is None and host in kb.states and (seat := kb.states[host].capital):
            # "empfing ... den Gast": a head of government receives in the capital
            capital = kb.city(seat, host)
            location = Location(capital.name, host, capital.lat, capital.lon, "city", capital.geonames_id) \
                if capital else Location(None, host)
    elif location is not None and location.country in side_countries and kinds & {"visit", "meet", "talks"}:
        host = location.country
    return location, host


def _agent(actors: list[Mention], triggers: list[Trigger], sent: Sentence, token_of: dict[int, int],
           lex: Lexicon) -> Mention | None:
    """ "was received by the crown prince", "vom Kanzler empfangen": the host is the agent (the language's
    agent frame, patterns.yaml), named within a few words after its preposition."""
    words = [t.text for t in sent.tokens]
    cues = sorted({k for t in triggers if t.kind == "host"
                   for k in lex.patterns.frames.where("agent", sent, words, t.token, t.size)})
    for k in cues:
        after = [a for a in actors if 0 < token_of[a.start] - k <= AGENT_NAME_REACH]
        if after:
            return min(after, key=lambda a: token_of[a.start])
    return None


def _in_side_country(place: PlaceMention, countries: list[str | None], kb: KnowledgeBase) -> Location:
    """A place name shared by towns of several countries: the one in a side's country, if any ("Goa")."""
    if place.location.country in countries or not place.alternatives:
        return place.location
    better = kb.best_place(i for i in place.alternatives if kb.places[i].country in countries)
    if better is None:
        return place.location
    loc = place.location
    return Location(better.name, better.country, better.lat, better.lon, "city", better.geonames_id, loc.start, loc.end)


def _nearest_place(places: tuple[PlaceMention, ...], triggers: list[Trigger]) -> PlaceMention | None:
    """The place closest to a meeting word; travel words count only when nothing else does.

    A place after the trigger is preferred by half a token ("traf ... in Moskau"
    is the usual order).
    """
    if not places:
        return None
    anchors = [t for t in triggers if t.kind != "visit"] or triggers
    if anchors is not triggers:
        # "in Amman gesprochen, bevor er nach Doha weiterreiste": where one travels to is not where one met
        places = tuple(p for p in places if not p.destination) or places

    def distance(place: PlaceMention) -> float:
        return min(abs(place.token - t.token) + (0.5 if place.token < t.token else 0) for t in anchors)

    return min(places, key=distance)


def read_round(lower: Sequence[str], lex: Lexicon) -> int | None:
    """The number of the round the sentence's words (in lower case) name: "siebte Runde", "18. Runde", "3rd round"."""
    if lex.round_words.isdisjoint(lower):
        return None  # most sentences name no round
    for k, w in enumerate(lower[:-1]):
        nxt = lower[k + 1]
        if w in lex.ordinals and nxt in lex.round_words:
            return lex.ordinals[w]
        if w.isdecimal() and len(w) <= 3 and k + 2 < len(lower) and nxt == "." and lower[k + 2] in lex.round_words:
            return int(w)
        if w.isdecimal() and len(w) <= 3 and nxt in ("st", "nd", "rd", "th") and k + 2 < len(lower) \
                and lower[k + 2] in lex.round_words:
            return int(w)
    return None


def read_topics(lower: Sequence[str], lex: Lexicon) -> tuple[str, ...]:
    text = " " + " ".join(lower)
    return tuple(label for label, keywords in lex.topics if keywords.search(text))
