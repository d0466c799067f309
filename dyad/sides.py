"""Who a sentence's sides are where it does not name them all, and who in it is no side.

"die beiden", "the two ministers", "er"/"he", "Gespräche mit X" with nobody before, a quotation,
", X said": small readings of the words around a meeting, shared by the event rules in dyad.events.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import cast

from dyad.clauses import breaks_before, clause_around
from dyad.dates import DateMention
from dyad.kb.loader import KnowledgeBase
from dyad.lexicon import Lexicon
from dyad.mentions import PRONOUN_SUBJECT_WINDOW, DocContext, SentenceMentions
from dyad.model import Candidate, Mention, Sentence
from dyad.trigger import Trigger

LEADER_OFFICES = frozenset({"head_of_state", "head_of_government", "crown_prince"})
WITH_REACH = 3  # "mit dem iranischen Präsidenten X": the side follows within a few words


def group_all(actors: list[Mention]) -> list[tuple[str, tuple[Mention, ...]]]:
    """The sides of a meeting: its actors by country, in order of first mention."""
    sides: dict[str, list[Mention]] = {}
    for actor in actors:
        sides.setdefault(cast(str, actor.country), []).append(actor)  # actors are placed before they are grouped
    return [(country, tuple(group)) for country, group in sides.items()]


def in_date(offset: int, dates: list[DateMention]) -> bool:
    """Whether a word belongs to a date expression ("next month" repeats no meeting)."""
    return any(d.start <= offset < d.end for d in dates)


def speaks_outside(actor: Mention, sent: Sentence, mentions: SentenceMentions, words: list[str],
                   triggers: list[Trigger], lex: Lexicon) -> bool:
    """An actor with "said"/"sagte" in a clause without a meeting word: the source, not a side."""
    token = mentions.token_of.get(actor.start)
    if token is None:
        return False
    after = next((k for k in range(token + 1, min(len(words), token + 8)) if words[k][:1].islower()
                  or not words[k][:1].isalpha()), None)
    # ", sagte Araghtschi vor Journalisten", ", said Araghchi": the verb before its speaker
    inverted = token >= 2 and words[token - 1].lower() in lex.speech_verbs
    if not inverted and (after is None or words[after].lower() not in lex.speech_verbs):
        return False
    return not any(token in clause_around(sent, t.token, t.size, 0, len(words)) for t in triggers)


def no_subject_before_with(actors: list[Mention], mentions: SentenceMentions, words: list[str],
                           lex: Lexicon) -> bool:
    """ "In Paris sind Gespräche mit Macron geplant": a meeting with someone, and nobody named before."""
    if not actors:
        return False
    positions = sorted(mentions.token_of.get(a.start, len(words)) for a in actors)
    # the "mit" that introduces a named side ("Mit besonderer Spannung ..." introduces none)
    first_with = next((k for k in sorted(lex.patterns.frames.anywhere("with", words))
                       if any(k < p <= k + WITH_REACH for p in positions)), None)
    if first_with is None or positions[0] <= first_with:
        return False
    # "In a phone call with Macron on Sunday, Scholz said": a phrase put first, its subject named after it
    return not _subject_after_comma(actors, mentions, words, first_with, lex)


def _subject_after_comma(actors: list[Mention], mentions: SentenceMentions, words: list[str], first_with: int,
                         lex: Lexicon) -> bool:
    """A side of another country after the comma that closes the phrase, neither led by "with" nor an
    apposition enclosed in commas."""
    comma = next((k for k in range(first_with + 1, len(words)) if words[k] == ","), None)
    if comma is None:
        return False
    at = {id(a): mentions.token_of.get(a.start, len(words)) for a in actors}
    inside = {a.country for a in actors if at[id(a)] < comma}
    withs = lex.patterns.frames.anywhere("with", words)
    return any(a.country and a.country not in inside
               and not any(max(comma, at[id(a)] - WITH_REACH) <= k < at[id(a)] for k in withs)
               and _word_after_name(words, at[id(a)]) != ","
               for a in actors)


def _word_after_name(words: list[str], k: int) -> str:
    """The first word after the capitalised words that begin at k."""
    while k < len(words) and words[k][:1].isupper():
        k += 1
    return words[k] if k < len(words) else ""


def plural_subject(words: list[str], lex: Lexicon) -> bool:
    """ "Dort wurden sie von Selenskyj empfangen": the people of the meeting just reported.

    German "sie" is also "she": a plural verb next to it ("wurden sie", "sie trafen") decides.
    """
    for k, word in enumerate(words[:PRONOUN_SUBJECT_WINDOW]):
        if word.lower() in lex.plural_pronouns:
            near = [w for w in (words[k - 1] if k else "", words[k + 1] if k + 1 < len(words) else "")
                    if w[:1].islower()]
            if any(w.endswith(ending) for w in near for ending in lex.plural_verb_endings):
                return True
    return False


def points_back(words: list[str], lex: Lexicon) -> bool:
    """A pronoun or possessive early in the sentence: it names someone of a sentence before."""
    return any(w in lex.pronouns or w in lex.possessives for w in words[:12])


def _groups(words: list[str], lex: Lexicon) -> Iterator[tuple[int, str]]:
    """(how many, the word after) for each group word or number followed by a word ("beide Politiker")."""
    for k in range(len(words)):
        found = lex.group_words.match_at(words, k)
        size, length = (2, found[0]) if found else (lex.numbers.get(words[k].lower(), 0), 1)
        if size >= 2 and k + length < len(words):
            yield size, words[k + length].lower()


def group_phrase(words: list[str], lex: Lexicon) -> int | None:
    """ "empfing beide Politiker", "received the two ministers", "der drei Außenminister": a group of people
    anywhere in the sentence, and how many they are."""
    return next((size for size, noun in _groups(words, lex) if noun in lex.group_nouns), None)


def group_subject(sent: Sentence, words: list[str], triggers: list[Trigger], lex: Lexicon) -> bool:
    """ "Die beiden Politiker trafen sich ...": a group word as subject of a meeting word's clause, or of the
    clause just before it ("Beide Seiten vereinbarten, eine neue Runde ... abzuhalten")."""
    groups = [k for k in range(min(PRONOUN_SUBJECT_WINDOW, len(words))) if lex.group_words.match_at(words, k)]
    for t in triggers:
        clause = clause_around(sent, t.token, t.size, 0, len(words))
        start = clause[0]
        one_before = breaks_before(sent, start) == 1
        if any(k in clause or (k < start and one_before) for k in groups):
            return True
    return False


def leaders_meant(words: list[str], lex: Lexicon) -> bool:
    """ "die beiden Staats- und Regierungschefs", "the two leaders": the group is of leaders, whoever met before."""
    return any(noun in lex.leader_nouns for _, noun in _groups(words, lex))


def leaders_of(sides: tuple[tuple[str, tuple[Mention, ...]], ...], kb: KnowledgeBase, ctx: DocContext,
               day: date | None) -> tuple[tuple[str, tuple[Mention, ...]], ...]:
    """Each side's leader: the head of state or government the article named (a side keeps its people where
    the article named none).

    "Lawrow traf Wang ... Das Gipfeltreffen der beiden Staats- und Regierungschefs im März": Putin and Xi.
    """
    out = []
    for country, side in sides:
        named = [m for m in ctx.people.values() if m.country == country and _leads(m, kb, day)]
        if any(_leads(m, kb, day) for m in side) or not named:
            out.append((country, side))
        else:
            out.append((country, (max(named, key=lambda m: ctx.mentions_of.get(m.key, 0)
                                      if m.key is not None else 0),)))
    return tuple(out)


def _leads(actor: Mention, kb: KnowledgeBase, day: date | None) -> bool:
    """Whether an actor is a leader of their side: head of state or government (or crown prince) on the day."""
    person = kb.people.get(actor.key) if actor.kind == "person" and actor.key else None
    offices = {o.office for o in person.offices if day is None or o.held_on(day)} if person else {actor.office}
    return any(o in LEADER_OFFICES or (o in kb.offices and kb.offices[o].is_a in LEADER_OFFICES) for o in offices)


def group_referent(before: list[Candidate], index: int, ctx: DocContext,
                   size: int = 2) -> tuple[tuple[str, tuple[Mention, ...]], ...]:
    """Who "die beiden", "the two presidents", "die drei Außenminister" are.

    The two people named together just before (even where that sentence gave no
    event: "Neither A nor B attended. The two last met in March"), else the
    meeting just reported, else ("Beide Seiten vereinbarten ...") the article's main meeting.
    A larger group is the last meeting of that many sides.
    """
    if size > 2:
        return next((c.sides for c in reversed(before) if len(c.sides) == size), main_meeting(before).sides)
    last = before[-1]
    pair = ctx.last_pair
    if pair is not None and pair[0] >= index - 1 and pair[0] > last.sentence_index:
        return tuple(group_all(list(pair[1])))
    if last.sentence_index >= index - 1 and len(last.sides) == 2:
        return last.sides
    return main_meeting(before).sides


def main_meeting(before: list[Candidate]) -> Candidate:
    """The meeting the article is about: the pair of sides reported most often (first on a tie), as the
    report of it that names the most people (the first of those)."""
    counts: dict[frozenset[str], int] = {}
    first: dict[frozenset[str], int] = {}
    for i, cand in enumerate(before):
        key = frozenset(c for c, _ in cand.sides)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, i)
    best = max(counts, key=lambda k: (counts[k], -first[k]))
    same = [c for c in before if frozenset(x for x, _ in c.sides) == best]
    return max(same, key=lambda c: sum(m.kind == "person" for _, ms in c.sides for m in ms))
