"""Where one sentence reports two meetings: the parts each is read from.

"Albanese spoke with Prabowo, inviting him to visit Australia" (a call, and a visit invited to);
"He and Maduro had spoken by phone in August, and their foreign ministers, Leyva and Faria, met that
month" (two coordinated clauses, each with its own sides). Each part keeps the sentence's words and
offsets but only its own meeting words, dates and, where they make two sides, actors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dyad.clauses import of_kind
from dyad.dates import DateMention
from dyad.lexicon import Lexicon
from dyad.mentions import SentenceMentions, pronoun_subject
from dyad.model import Mention, Sentence
from dyad.trigger import Trigger, plan_cue, planned_by_cue, prospect_cue


@dataclass(frozen=True, slots=True)
class Part:
    mentions: SentenceMentions
    dates: list[DateMention]
    triggers: list[Trigger]


def sentence_parts(sent: Sentence, mentions: SentenceMentions, dates: list[DateMention], live: list[Trigger],
                   lex: Lexicon, earlier: Mention | None) -> list[Part] | None:
    """The parts of a sentence that report meetings of their own, or None where it reports one."""
    return _invitation_parts(sent, mentions, dates, live, lex) or _clause_parts(sent, mentions, dates, live, lex,
                                                                                 earlier)


def _invitation_parts(sent: Sentence, mentions: SentenceMentions, dates: list[DateMention], live: list[Trigger],
                      lex: Lexicon) -> list[Part] | None:
    """A meeting, and the visit an invitation in the same sentence leads to (or the meeting a prospect opens).

    All that follows the cue belongs to what it leads to ("an einem Forum teilzunehmen, das nächsten Monat
    stattfinden wird"), and so do the dates and places after it.
    """
    words = [t.text for t in sent.tokens]
    led = [t for t in live if planned_by_cue(sent, words, t, lex)]
    if not led:
        return None
    cue = min(plan_cue(sent, words, t, lex) or 0 for t in led)
    if not any(t.token < cue for t in live):
        return None
    cut = sent.tokens[cue].start
    before = [a for a in mentions.actors if a.country and a.start < cut]
    after = [a for a in mentions.actors if a.country and a.start >= cut]
    # "Während eines Gipfeltreffens im März lud Xi Putin ein, ...": the inviting verb's sides may follow it;
    # "Talks in Riyadh paved the way for a meeting of Putin and Trump": those are not the talks' sides
    borrow = not prospect_cue(words, cue, lex)
    # "inviting him to visit Australia": who is invited may be named before the cue
    return [_part(mentions, before + after if borrow else before, dates, live, cue, cut, ahead=False),
            _part(mentions, after if _two_sides(after) else before + after, dates, live, cue, cut, ahead=True)]


def _clause_parts(sent: Sentence, mentions: SentenceMentions, dates: list[DateMention], live: list[Trigger],
                  lex: Lexicon, earlier: Mention | None) -> list[Part] | None:
    """Coordinated clauses (", and", "; ", ", während") that each name a meeting and two sides of it."""
    mains = of_kind(sent, "main")
    if len(mains) < 2:
        return None
    words = [t.text for t in sent.tokens]
    parts: list[Part] = []
    starts: list[int] = []
    for clause in mains:
        lo, hi = clause.start, clause.end
        triggers = [t for t in live if lo <= t.token < hi]
        if not triggers:
            continue
        starts.append(lo)
        own = [a for a in mentions.actors if a.country and lo <= mentions.token_of.get(a.start, -1) < hi]
        countries = {a.country for a in own}
        # "He and Maduro had spoken by phone": the pronoun is the subject named before; in a later clause,
        # the one its sentence named first ("Xi hatte ... getroffen; im Februar empfing er Raisi")
        named = [a for a in mentions.actors if a.kind == "person" and a.country
                 and mentions.token_of.get(a.start, len(words)) < lo]
        subject = min(named, key=lambda a: mentions.token_of[a.start]) if named else earlier
        if subject is not None and subject.country and subject.country not in countries \
                and pronoun_subject(words[lo:hi], lex):
            countries.add(subject.country)
            if lo:
                own.append(subject)  # the pronoun of a later clause: its subject is a side of that clause
        if len(countries) < 2:
            return None
        first, last = sent.tokens[lo].start, sent.tokens[hi - 1].end
        parts.append(Part(replace(mentions, actors=tuple(own),
                                  places=tuple(p for p in mentions.places if lo <= p.token < hi),
                                  weak_states=tuple(m for m in mentions.weak_states if first <= m.start < last)),
                          [d for d in dates if first <= d.start < last], triggers))
    # "verkündete Trump, was spekuliert worden war: Am Freitag wollen sich Trump und Putin treffen": what
    # follows a colon is read alone
    after_colon = len(parts) == 1 and words[starts[0]] == ":" and parts[0].mentions.actors != mentions.actors
    return parts if len(parts) >= 2 or after_colon else None


def _part(mentions: SentenceMentions, actors: list[Mention], dates: list[DateMention], live: list[Trigger],
          cue: int, cut: int, ahead: bool) -> Part:
    """The part before the cue (ahead=False) or from it on, with its meeting words, dates and places."""
    def mine(offset: int) -> bool:
        return (offset >= cut) == ahead

    return Part(replace(mentions, actors=tuple(actors),
                        places=tuple(p for p in mentions.places if (p.token >= cue) == ahead),
                        weak_states=tuple(m for m in mentions.weak_states if mine(m.start))),
                [d for d in dates if mine(d.start)], [t for t in live if (t.token >= cue) == ahead])


def _two_sides(actors: list[Mention]) -> bool:
    return len({a.country for a in actors}) >= 2
