"""Where one sentence reports two meetings: the parts each is read from.

"Albanese spoke with Prabowo, inviting him to visit Australia" (a call, and a visit invited to);
"He and Maduro had spoken by phone in August, and their foreign ministers, Leyva and Faria, met that
month" (two coordinated clauses, each with its own sides). Each part keeps the sentence's words and
offsets but only its own meeting words, dates and, where they make two sides, actors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dyad.dates import DateMention
from dyad.lexicon import Lexicon
from dyad.mentions import SentenceMentions
from dyad.model import Mention, Sentence
from dyad.sides import pronoun_subject
from dyad.trigger import Trigger, aside_tokens, invitation_cue, invited


@dataclass(frozen=True, slots=True)
class Part:
    mentions: SentenceMentions
    dates: list[DateMention]
    triggers: list[Trigger]
    opening: bool = True  # the part the sentence opens with: a subject pronoun there is its subject


def sentence_parts(sent: Sentence, mentions: SentenceMentions, dates: list[DateMention], live: list[Trigger],
                   lex: Lexicon, earlier: Mention | None) -> list[Part] | None:
    """The parts of a sentence that report meetings of their own, or None where it reports one."""
    return _invitation_parts(sent, mentions, dates, live, lex) or _clause_parts(sent, mentions, dates, live, lex,
                                                                                 earlier)


def _invitation_parts(sent: Sentence, mentions: SentenceMentions, dates: list[DateMention], live: list[Trigger],
                      lex: Lexicon) -> list[Part] | None:
    """A meeting, and the visit an invitation in the same sentence leads to.

    All that follows the invitation belongs to it ("an einem Forum teilzunehmen, das nächsten Monat
    stattfinden wird"), and so do the dates after it.
    """
    words = [t.text for t in sent.tokens]
    inviting = [t for t in live if invited(words, t, lex)]
    if not inviting or len(inviting) == len(live):
        return None
    cue = min(invitation_cue(words, t, lex) or 0 for t in inviting)
    if not any(t.token < cue for t in live):
        return None
    cut = sent.tokens[cue].start
    # "Die Gespräche zwischen Wang und Sullivan könnten den Weg für ein Treffen von Biden und Xi ebnen":
    # who is named on each side of the cue, where they are two sides, meets there
    return [_part(mentions, [a for a in mentions.actors if a.start < cut], [d for d in dates if d.start < cut],
                  [t for t in live if t.token < cue], True),
            _part(mentions, [a for a in mentions.actors if a.start >= cut], [d for d in dates if d.start >= cut],
                  [t for t in live if t.token >= cue], True)]


def _clause_parts(sent: Sentence, mentions: SentenceMentions, dates: list[DateMention], live: list[Trigger],
                  lex: Lexicon, earlier: Mention | None) -> list[Part] | None:
    """Coordinated clauses (", and", "; ", ", während") that each name a meeting and two sides of it."""
    words = [t.text for t in sent.tokens]
    aside = aside_tokens(words)
    cuts = [k for k in range(1, len(words) - 1) if k not in aside and (
        words[k] == ";" or (words[k] == "," and words[k + 1].lower() in lex.clause_conjunctions)
        or (words[k] == ":" and words[k + 1][:1].isupper()))]
    if not cuts:
        return None
    bounds = list(zip([0, *cuts], [*cuts, len(words)], strict=True))
    parts: list[Part] = []
    starts: list[int] = []
    for lo, hi in bounds:
        triggers = [t for t in live if lo <= t.token < hi]
        if not triggers:
            continue
        starts.append(lo)
        if lo and words[lo] == ":" and any(t.token < lo for t in live):
            return None  # the meeting words before the colon may name its sides: read the sentence whole
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
                          [d for d in dates if first <= d.start < last], triggers, opening=lo == 0))
    # "verkündete Trump, was spekuliert worden war: Am Freitag wollen sich Trump und Putin treffen": what
    # follows a colon is read alone
    after_colon = len(parts) == 1 and words[starts[0]] == ":" and parts[0].mentions.actors != mentions.actors
    return parts if len(parts) >= 2 or after_colon else None


def _part(mentions: SentenceMentions, actors: list[Mention], dates: list[DateMention],
          triggers: list[Trigger], opening: bool) -> Part:
    """A part with its own actors where they make two sides, else the sentence's."""
    own = tuple(a for a in actors if a.country)
    two_sides = len({a.country for a in own}) >= 2
    return Part(replace(mentions, actors=own) if two_sides else mentions, dates, triggers, opening)
