"""Who takes part in the summit an article reports, where the sentence does not name the summit.

"King Hamad opened the summit", "X, Y and Z attended in person", "The UAE and Oman were represented by
senior delegations", "joined the leaders by video link", "traf die Staats- und Regierungschefs der AU":
each is one event between that side and the organisation whose summit it is. The organisation is the
one the sentence attaches to the gathering ("CARICOM leaders"), else the summit the article is about:
named with its organisation in the title or lead, and no other meeting reported since it was last named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dyad.clauses import clause_around, in_quote
from dyad.dates import DateMention
from dyad.lexicon import Lexicon
from dyad.mentions import GENITIVE, SentenceMentions
from dyad.model import Candidate, DateValue, Mention, Sentence
from dyad.sides import in_date
from dyad.trigger import Trigger

LEAD_SENTENCES = 3  # the title and the first sentences: where an article names the summit it reports
GATHERING_GAP = 5  # "Leaders of the six-member GCC": words between a gathering noun and its organisation
GREETING_GAP = 3  # "welcoming his fellow rulers", "met CARICOM leaders": a meeting word to its participants
ATTACHING = frozenset({")", "-"}) | GENITIVE  # "(CARICOM) heads of government", "NATO's leaders"
GATHERING_KINDS = frozenset({"host", "meet", "join", "video"})  # "welcomed leaders", "joined the leaders"


@dataclass(frozen=True, slots=True)
class SummitTopic:
    """The summit an article reports: its organisation, where it was last named, and its day."""

    org: Mention
    sentence: int
    day: DateValue | None


@dataclass(frozen=True, slots=True)
class Summits:
    """What the sentences so far said of the article's summits, passed from each sentence to the next."""

    org: Mention | None = None  # the organisation whose summit the article reports ("am Rande des Gipfels der SOZ")
    sentence: int = -1  # where it was last named
    topic: SummitTopic | None = None  # the summit the title or lead reports


@dataclass(frozen=True, slots=True)
class Attendance:
    org: Mention
    near: list[Trigger]  # the meeting words that belong to the summit, not to a meeting beside it
    day: DateValue | None  # the summit's day, for a sentence that names none


def summit_attended(found: Mention | None, orgs: tuple[Mention, ...], triggers: list[Trigger], sent: Sentence,
                    mentions: SentenceMentions, lex: Lexicon, topic: SummitTopic | None, index: int,
                    before: list[Candidate], dates: list[DateMention],
                    day: DateValue | None) -> tuple[Attendance | None, SummitTopic | None]:
    """The organisation whose summit the sentence's side takes part in, where the wording says so.

    ``found`` is the organisation the sentence names next to a summit word, if any; ``day`` the
    sentence's own reading of the meeting's date.
    """
    words = [t.text for t in sent.tokens]
    kinds = {t.kind for t in triggers}
    gatherings = _gatherings(words, lex)
    attached = _attached_org(orgs, gatherings, words, mentions, lex)
    topic = _noted_topic(topic, found or attached, kinds, words, index, lex, dates, day)
    greeting = _greeting(sent, triggers, gatherings, mentions, dates, lex)
    cue = greeting or _opening(sent, words, triggers, lex)
    if attached is not None and greeting is None:
        return None, topic  # "CARICOM heads of government opened their meeting": the summit itself, no side of it
    if cue is None:
        if "join" not in kinds or found is not None or _joins_something_else(words, triggers, lex):
            return None, topic
        open_topic = _open_topic(topic, before, words, day, lex)
        return (Attendance(open_topic.org, triggers, open_topic.day) if open_topic is not None else None), topic
    if not any(a.country for a in mentions.actors) and not mentions.weak_states:
        return None, topic  # "kommen die Staats- und Regierungschefs der ECOWAS zusammen": the summit itself
    clause = clause_around(sent, cue.token, cue.size, 0, len(words))
    near = [t for t in triggers if t.token in clause
            or in_quote(sent, t.token)]  # '"speak with one voice"' is no meeting beside it
    if found is not None:
        return Attendance(found, near, None), topic  # "met CARICOM leaders in Kingston"
    open_topic = _open_topic(topic, before, words, day, lex)
    if open_topic is not None:
        return Attendance(open_topic.org, near, open_topic.day), topic
    return None, topic


def listed_states(states: tuple[Mention, ...], mentions: SentenceMentions, words: list[str],
                  lex: Lexicon) -> list[Mention]:
    """The state a sentence names first, and those listed with it as subjects
    ("The UAE and Oman were represented", "Äthiopien war ... vertreten, Südsudan durch ...")."""
    out: list[Mention] = []
    for state in states:
        token = mentions.token_of.get(state.start)
        if token is None or state.use != "name":
            continue
        previous = next((w for w in reversed(words[:token]) if w.lower() not in lex.articles), None)
        if not out or previous in (",", None) or (previous or "").lower() in lex.list_conjunctions:
            if all(s.country != state.country for s in out):
                out.append(state)
    return out or list(states[:1])


def _gatherings(words: list[str], lex: Lexicon) -> list[tuple[int, int]]:
    """(start, end) of the words naming a summit's participants ("leaders", "Staats- und Regierungschefs"): the
    language's gathering frame."""
    return lex.patterns.frames.spans("gathering", words)


def _attached_org(orgs: tuple[Mention, ...], gatherings: list[tuple[int, int]], words: list[str],
                  mentions: SentenceMentions, lex: Lexicon) -> Mention | None:
    """ "CARICOM leaders", "Leaders of the GCC", "Staats- und Regierungschefs der AU": the participants' body."""
    for org in orgs:
        token = mentions.token_of.get(org.start)
        if token is None:
            continue
        end = token + len(org.text.split())
        for start, stop in gatherings:
            gap = words[stop:token]
            after = start >= end and all(w in ATTACHING for w in words[end:start])  # "CARICOM leaders"
            if after or (0 < len(gap) <= GATHERING_GAP and gap[0] in lex.role_links):  # "Leaders of the GCC"
                return org
    return None


def _opening(sent: Sentence, words: list[str], triggers: list[Trigger], lex: Lexicon) -> Trigger | None:
    """ "opened the summit", "eröffnete das Treffen" (the language's opening frame, within its reach before the
    summit word): the host of the gathering takes part in it. Of several, the one the first opening verb opens."""
    frames = lex.patterns.frames
    opened = [(hits[0], n) for n, t in enumerate(triggers) if t.kind in ("summit", "meet")
              and (hits := frames.where("opening", sent, words, t.token, t.size))]
    return triggers[min(opened)[1]] if opened else None


def _greeting(sent: Sentence, triggers: list[Trigger], gatherings: list[tuple[int, int]],
              mentions: SentenceMentions, dates: list[DateMention], lex: Lexicon) -> Trigger | None:
    """ "welcomed leaders", "joined the leaders", "met CARICOM leaders", "traf am selben Tag mit den Staats- und
    Regierungschefs": a meeting word whose object is the summit's participants ("the two leaders" are a pair)."""
    words = [t.text for t in sent.tokens]
    org_tokens = {k for o in mentions.orgs if (t := mentions.token_of.get(o.start)) is not None
                  for k in range(t, t + len(o.text.split()))}
    withs = lex.patterns.frames.anywhere("with", words)  # "met with the leaders"

    def aside(k: int) -> bool:  # "traf am Dienstag die Staats- und Regierungschefs": when
        start = sent.tokens[k].start
        return in_date(start, dates)

    for t in triggers:
        if t.kind not in GATHERING_KINDS:
            continue
        for start, _end in gatherings:
            between = range(t.token + t.size, start)
            if start < t.token + t.size or len(between) > GREETING_GAP + 4:
                continue
            if all(words[k].lower() in lex.articles or k in withs
                   or words[k].lower() in lex.location_preps or k in org_tokens or aside(k) for k in between):
                return t
    return None


def _joins_something_else(words: list[str], triggers: list[Trigger], lex: Lexicon) -> bool:
    """ "attended a memorial service", "nahm an einer Gedenkfeier teil": what is joined is named, and no meeting."""
    for t in triggers:
        if t.kind != "join":
            continue
        start = t.token + t.size
        article = next((k for k in range(start, min(len(words), start + 3)) if words[k].lower() in lex.articles), None)
        if article is None:
            continue
        obj = []
        for k in range(article + 1, min(len(words), article + 5)):
            if not words[k][:1].isalnum() or words[k].lower() in lex.location_preps:
                break
            obj.append(k)
        if obj and not any(lex.triggers.match_at(words, k) or words[k].lower() in lex.session_nouns for k in obj):
            return True
    return False


def _noted_topic(topic: SummitTopic | None, org: Mention | None, kinds: set[str], words: list[str], index: int,
                 lex: Lexicon, dates: list[DateMention], day: DateValue | None) -> SummitTopic | None:
    """The summit of the title or lead ("Leaders of the GCC gathered ... for their annual summit"), as this
    sentence leaves it: a summit named again moves where it was last named."""
    summit = bool(kinds & {"summit", "meet"})
    if topic is not None:
        if org is not None and org.country == topic.org.country and _same_time(day, topic.day):
            return replace(topic, sentence=index, day=topic.day or day)
        if org is None and summit and topic.day is None and day is not None \
                and not any(w.lower() in lex.background_words for w in words):
            return replace(topic, day=day)  # "beim Gipfel am Mittwoch": the summit of the title, now dated
        return topic
    if index > LEAD_SENTENCES or any(w.lower() in lex.background_words for w in words) \
            or any(d.past is not None and d.past.precision == "year" for d in dates):
        return None  # "Er lobte die Ausrichtung des BRICS-Gipfels im vergangenen Jahr": no report of it
    if org is not None and summit:
        return SummitTopic(org, index, day)
    return None


def _open_topic(topic: SummitTopic | None, before: list[Candidate], words: list[str], day: DateValue | None,
                lex: Lexicon) -> SummitTopic | None:
    """The article's summit, unless a meeting of other sides has been reported since it was last named, or the
    sentence speaks of another time ("Last year, X attended ...")."""
    if topic is None:
        return None
    if day is not None and not _same_time(day, topic.day):
        return None
    for cand in before:
        if cand.sentence_index > topic.sentence and not cand.sideline \
                and not any(m.kind == "org" for _, ms in cand.sides for m in ms):
            return None
    return topic


def _same_time(day: DateValue | None, other: DateValue | None) -> bool:
    """Whether two readings may be the same day ("2026-02" and "2026-02-17" may; a missing one may)."""
    return day is None or other is None or day.value.startswith(other.value) or other.value.startswith(day.value)
