"""Sentences and tokens with offsets into the clean text.

Regexes, not a tagger: dyad's matchers work on token sequences, and a
regex tokenizer is two orders of magnitude faster than a statistical one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Protocol

from dyad.clauses import ClauseWords, with_clauses
from dyad.model import Sentence, Token
from dyad.morph import known_lemmas, lemma

# Abbreviations with inner dots ("U.S.", "z.B."), words (with inner
# apostrophes, but "'s" split off), numbers, any other single character.
TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}"
    r"|\d+(?:[.,:]\d+)*"
    r"|[^\W_]+(?:['’](?![sS]\b)[^\W_]+)*"
    r"|['’][sS]\b"
    r"|\S",
)
# One-for-one replacements that keep offsets aligned.
SAME_LENGTH = str.maketrans({
    "„": '"', "“": '"', "”": '"', "«": '"', "»": '"', "‚": "'", "‘": "'", "’": "'",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ", "\r": " ",
    "–": "-", "—": "-", "‑": "-",
})
SENTENCE_END = frozenset(".!?…")
# The work on a sentence grows with its length times its meeting words: a page of 40,000 characters
# without a full stop took 39 s. News sentences stay far below this many tokens (the longest of every
# evaluation set has 86); a longer run of text is cut, at its last comma or semicolon if it has one.
MAX_SENTENCE_TOKENS = 200
CUT_AFTER = frozenset(",;:")
GLUED_INITIAL_MAX = 2  # letters of a patronymic or given-name initial ("Kh.", "Ts."); "US.", "Ufa." end sentences
CLOSING = frozenset("\"'“”«»)]’")
BULLETS = frozenset("•▪►")  # items of a ticker or teaser list run on one line: each is a sentence of its own
_new_tuple = tuple.__new__


def tokenize(text: str, offset: int = 0, language: str | None = None) -> list[Token]:
    """The tokens of a text; with a ``language``, each carries its lemma."""
    if language is None:
        return [Token(m.group(), m.start() + offset, m.end() + offset) for m in TOKEN.finditer(text)]
    known = known_lemmas(language)
    out = []
    for m in TOKEN.finditer(text):
        word = m.group()
        found = known.get(word)
        # the tuple built directly: a named tuple's own constructor is a Python call per word
        out.append(_new_tuple(Token, (word, m.start() + offset, m.end() + offset,
                                      lemma(word, language) if found is None else found)))
    return out


def token_texts(text: str) -> tuple[str, ...]:
    """The token strings of a phrase, the key used by every phrase index, with quotes and dashes
    normalised as in clean text ("Nuku‘alofa" is found as "Nuku'alofa")."""
    return tuple(m.group() for m in TOKEN.finditer(text.translate(SAME_LENGTH)))


def split_sentences(text: str, abbreviations: Iterable[str] = (), ordinal_dots: bool = True,
                    language: str | None = None) -> list[Sentence]:
    """Split at line breaks and at sentence-final punctuation.

    A full stop after a known abbreviation does not end a sentence, nor, with
    ``ordinal_dots`` (German: "am 19. September", "18. Runde"), one after a
    one- or two-digit number; in English "on Oct. 7. The two leaders" is two.
    With a ``language``, every token carries its lemma.
    """
    abbreviations = frozenset(abbreviations)
    sentences: list[Sentence] = []
    paragraph = 0
    pos = 0
    for line in text.split("\n"):
        if not line.strip():
            paragraph += 1
        else:
            tokens = tokenize(line, pos, language)
            sentences.extend(_split_line(tokens, abbreviations, paragraph, ordinal_dots))
        pos += len(line) + 1
    return sentences


class SentenceWords(ClauseWords, Protocol):
    """What the reading of sentences takes from a language's lexicon (dyad.lexicon.Lexicon)."""

    @property
    def language(self) -> str: ...
    @property
    def abbreviations(self) -> frozenset[str]: ...
    @property
    def ordinal_dots(self) -> bool: ...


def read_sentences(text: str, lex: SentenceWords) -> Iterator[Sentence]:
    """The sentences of a text in the lexicon's language: tokens with lemmas, and clauses (dyad.clauses),
    each found as it is asked for, within the caller's time budget."""
    for sent in split_sentences(text, lex.abbreviations, lex.ordinal_dots, lex.language):
        yield with_clauses(sent, lex)


def _split_line(tokens: list[Token], abbreviations: frozenset[str], paragraph: int,
                ordinal_dots: bool = True) -> list[Sentence]:
    out: list[Sentence] = []
    begin = 0
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok.text in BULLETS:
            if begin < i:
                out.extend(_bounded(tokens[begin:i], paragraph))
            begin = i + 1
            continue
        if tok.text not in SENTENCE_END or i == n - 1:
            continue
        nxt = i + 1
        # a quote right after the full stop closes this sentence; after a space it opens the next
        while nxt < n and tokens[nxt].text in CLOSING and tokens[nxt].start == tokens[nxt - 1].end:
            nxt += 1
        if nxt >= n or not _starts_sentence(tokens[nxt].text):
            continue
        prev = tokens[i - 1].text if i else ""
        if tok.text == "." and (prev in abbreviations or (ordinal_dots and prev.isdigit() and len(prev) <= 2)
                                or _initial(prev) or _glued_initial(tokens, i)):
            continue
        out.extend(_bounded(tokens[begin:nxt], paragraph))
        begin = nxt
    if begin < n:
        out.extend(_bounded(tokens[begin:], paragraph))
    return out


def _bounded(tokens: list[Token], paragraph: int) -> list[Sentence]:
    """The sentence, or pieces of at most MAX_SENTENCE_TOKENS tokens, each ending at a comma where it can."""
    out = []
    begin = 0
    while len(tokens) - begin > MAX_SENTENCE_TOKENS:
        cut = next((k + 1 for k in range(begin + MAX_SENTENCE_TOKENS - 1, begin + MAX_SENTENCE_TOKENS // 2, -1)
                    if tokens[k].text in CUT_AFTER), begin + MAX_SENTENCE_TOKENS)
        out.append(_sentence(tokens[begin:cut], paragraph))
        begin = cut
    return [*out, _sentence(tokens[begin:], paragraph)]


def _glued_initial(tokens: list[Token], i: int) -> bool:
    """ "Kh.Battulga", "Ts.Elbegdorj": a short capitalised initial whose full stop touches the name after it."""
    prev = tokens[i - 1].text if i else ""
    return 0 < len(prev) <= GLUED_INITIAL_MAX and prev.isalpha() and prev[0].isupper() \
        and (len(prev) == 1 or prev[1:].islower()) and i + 1 < len(tokens) and tokens[i + 1].start == tokens[i].end


def _initial(word: str) -> bool:
    """A single capital letter: a middle initial ("George W. Bush"), which ends no sentence."""
    return len(word) == 1 and word.isupper()


def _starts_sentence(word: str) -> bool:
    return word[0].isupper() or word[0].isdigit() or word[0] in "\"„“«‚'("


def _sentence(tokens: list[Token], paragraph: int) -> Sentence:
    return Sentence(tokens[0].start, tokens[-1].end, tuple(tokens), paragraph,
                    lower=tuple(map(str.lower, map(attrgetter("text"), tokens))))
