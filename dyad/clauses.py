"""The clauses of a sentence, found once when the sentence is split, and what the event rules ask of them.

Which words open or end a clause is language data (``clause_breaks``, ``clause_conjunctions``,
``relative_pronouns``, ``subordinators``, ``opening_subordinators`` in dyad/lang/<iso>/lexicon.yaml);
punctuation does the rest.
Each kind of clause keeps the extent the rules that read it were written for: a relative clause runs to
the next comma, semicolon or dash, a main clause to the next coordinating "; ", ", und", ", and" or ": ".
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from itertools import compress
from operator import attrgetter
from typing import Protocol

from dyad.model import Clause, ClauseKind, Sentence

DASH = "–"  # a spaced hyphen or dash, as clean text writes it
QUOTE = '"'  # every quotation mark, as clean text writes it
SPEECH_MIN_WORDS = 4  # a quotation of this many words is speech, fewer a nickname or scare quote
APPOSITION_MAX = 7  # words of names between two commas ("Sergej Lawrow und Dmytro Kuleba")
RELATIVE_END = frozenset({",", ";", DASH})
FULL_STOPS = frozenset(".!?…")
SUBORDINATE_END = frozenset({",", ";", ":", DASH}) | FULL_STOPS
PUNCTUATION = SUBORDINATE_END | {QUOTE}


class ClauseWords(Protocol):
    """The word lists of a language's lexicon (dyad.lexicon.Lexicon) that open or end its clauses."""

    @property
    def clause_breaks(self) -> frozenset[str]: ...
    @property
    def clause_conjunctions(self) -> frozenset[str]: ...
    @property
    def relative_pronouns(self) -> frozenset[str]: ...
    @property
    def subordinators(self) -> frozenset[str]: ...
    @property
    def opening_subordinators(self) -> frozenset[str]: ...
    @property
    def speech_verbs(self) -> frozenset[str]: ...
    @property
    def list_conjunctions(self) -> frozenset[str]: ...


def with_clauses(sent: Sentence, lex: ClauseWords) -> Sentence:
    """The sentence with its clauses and clause-break words."""
    # every sentence passes here: map and compress keep the loops over its words in C
    words = list(map(attrgetter("text"), sent.tokens))
    lower = sent.lower
    breaks = tuple(compress(range(len(lower)), map(lex.clause_breaks.__contains__, lower)))
    return Sentence(sent.start, sent.end, sent.tokens, sent.paragraph, find_clauses(words, lower, lex), breaks,
                    lower)


def find_clauses(words: Sequence[str], lower: Sequence[str], lex: ClauseWords) -> tuple[Clause, ...]:
    """Main clauses in order, then the quotations, asides, appositions, relative and subordinate clauses in
    them by where they start, each with the index of the smallest clause around it."""
    marks = list(compress(range(len(words)), map(PUNCTUATION.__contains__, words)))  # what all that follows reads
    if all(words[k] in FULL_STOPS for k in marks) and lex.subordinators.isdisjoint(lower) \
            and lex.opening_subordinators.isdisjoint(lower):
        return (Clause("main", 0, len(words)),)  # no clause but the sentence
    asides = _paired(words, marks, DASH, 0)
    aside = {k for a, b in asides for k in range(a, b)}
    inner: list[tuple[ClauseKind, int, int]] = [("parenthesis", a, b) for a, b in asides]
    inner += [("quote", a, b) for a, b in _paired(words, marks, QUOTE, SPEECH_MIN_WORDS)]
    commas = [k for k in marks if words[k] == ","]
    appositions = _appositions(words, commas, lex)
    inner += [("apposition", a, b) for a, b in appositions]
    relatives = _relatives(words, lower, marks, commas, lex)
    inner += [("relative", a, b) for a, b in relatives]
    mains = _main_clauses(words, lower, marks, aside, lex)
    skipped = {k for a, b in appositions for k in (a, b - 1)} | aside \
        | {k for a, b in relatives for k in (a - 1, b)}
    if not (lex.subordinators.isdisjoint(lower) and lex.opening_subordinators.isdisjoint(lower)):
        inner += [("subordinate", a, b) for a, b in _subordinates(words, lower, marks, mains, skipped, lex)]
    if not inner:
        return tuple(Clause("main", a, b, -1, a > 0) for a, b in mains)
    inner.sort(key=lambda c: (c[1], -c[2]))
    spans = [*(("main", a, b) for a, b in mains), *inner]
    out: list[Clause] = []
    for i, (kind, start, end) in enumerate(spans):
        around = [j for j in range(len(spans)) if j != i and spans[j][1] <= start and end <= spans[j][2]
                  and (spans[j][2] - spans[j][1] > end - start or j < i)]
        parent = min(around, key=lambda j: spans[j][2] - spans[j][1], default=-1) if kind != "main" else -1
        out.append(Clause(kind, start, end, parent, kind == "main" and start > 0))
    return tuple(out)


def _paired(words: Sequence[str], marks: list[int], mark: str, min_words: int) -> list[tuple[int, int]]:
    """(first, last + 1) of each stretch between a pair of ``mark``s, the marks included, with at least
    ``min_words`` words inside; none where the marks do not pair up."""
    found = [k for k in marks if words[k] == mark]
    if len(found) % 2:
        return []
    return [(a, b + 1) for a, b in zip(found[::2], found[1::2], strict=True) if b - a - 1 >= min_words]


def _appositions(words: Sequence[str], commas: list[int], lex: ClauseWords) -> list[tuple[int, int]]:
    """Names set in apposition between two commas ("die Außenminister, Sergej Lawrow und Dmytro Kuleba, sollen
    sich treffen"), the commas included: they end no clause."""
    out = []
    for left, right in zip(commas, commas[1:], strict=False):
        between = words[left + 1:right]
        if 0 < len(between) <= APPOSITION_MAX and between[0][:1].isupper() and all(
                w[:1].isupper() or w in lex.list_conjunctions for w in between):
            out.append((left, right + 1))
    return out


def _relatives(words: Sequence[str], lower: Sequence[str], marks: list[int], commas: list[int],
               lex: ClauseWords) -> list[tuple[int, int]]:
    """ ", who attended the summit", ", der am Gipfel teilnahm": from the pronoun to the next comma,
    semicolon or dash."""
    out = []
    for comma in commas:
        k = comma + 1
        if k < len(words) - 1 and lower[k] in lex.relative_pronouns:
            out.append((k, next((j for j in marks if j > k and words[j] in RELATIVE_END), len(words))))
    return out


def _main_clauses(words: Sequence[str], lower: Sequence[str], marks: list[int], aside: set[int],
                  lex: ClauseWords) -> list[tuple[int, int]]:
    """The sentence cut before each coordinating "; ", ", und", ", and", ": " outside an aside; the mark
    opens the clause it joins."""
    cuts = [k for k in marks if 0 < k < len(words) - 1 and k not in aside and (
        words[k] in (";", ":") or (words[k] == "," and lower[k + 1] in lex.clause_conjunctions))]
    return list(zip([0, *cuts], [*cuts, len(words)], strict=True))


def _subordinates(words: Sequence[str], lower: Sequence[str], marks: list[int], mains: list[tuple[int, int]],
                  skipped: set[int], lex: ClauseWords) -> list[tuple[int, int]]:
    """A conjunction that opens a clause ("weil ...", "because ..."; "Nachdem ...", ", als ...", "said that ..."
    first in the sentence, after a comma or a speech verb), to the next punctuation that is not an apposition's
    or a relative clause's, within its main clause."""
    out = []
    for k in (k for k, w in enumerate(lower) if w in lex.subordinators or w in lex.opening_subordinators):
        if lower[k] in lex.subordinators or k == 0 or words[k - 1] == "," or lower[k - 1] in lex.speech_verbs:
            end = next(b for a, b in mains if a <= k < b)
            out.append((k, next((j for j in marks if k < j < end and words[j] in SUBORDINATE_END
                                 and j not in skipped), end)))
    return out


def of_kind(sent: Sentence, kind: ClauseKind) -> list[Clause]:
    """The sentence's clauses of a kind, in the order of ``Sentence.clauses``."""
    return [c for c in sent.clauses if c.kind == kind]


def tokens_in(sent: Sentence, kind: ClauseKind) -> set[int]:
    """The tokens inside any clause of a kind."""
    return {k for c in sent.clauses if c.kind == kind for k in range(c.start, c.end)}


def in_quote(sent: Sentence, token: int) -> bool:
    """Whether a token stands inside a quotation of more than a few words."""
    return any(c.kind == "quote" and c.start <= token < c.end for c in sent.clauses)


def clause_around(sent: Sentence, token: int, size: int, lo: int, hi: int) -> list[int]:
    """Token indices of the clause of the words ``token:token + size``, from the clause break before them to
    the one after them, within lo:hi.

    The commas of an apposition break nothing. A pair of dashes sets off an aside ("Scholz wird – so heißt es –
    Xi treffen"): words outside it read their clause around the aside, words inside it the aside alone.
    """
    aside = tokens_in(sent, "parenthesis")
    inside = token in aside
    named = {k for c in sent.clauses if c.kind == "apposition" for k in (c.start, c.end - 1)}
    cuts = [k for k in sent.breaks if k not in named and (inside or k not in aside)]
    before = bisect_left(cuts, token)
    start = max(min(lo, token), cuts[before - 1] + 1) if before else min(lo, token)
    after = bisect_left(cuts, token + size)
    end = max(token + size, min(hi, cuts[after])) if after < len(cuts) else max(token + size, hi)
    return [k for k in range(start, end) if inside or k not in aside]


def breaks_before(sent: Sentence, token: int) -> int:
    """How many clause-break words stand before a token."""
    return bisect_left(sent.breaks, token)


def next_break(sent: Sentence, token: int) -> int:
    """The first clause-break word at or after a token, or the end of the sentence."""
    at = bisect_left(sent.breaks, token)
    return sent.breaks[at] if at < len(sent.breaks) else len(sent.tokens)
