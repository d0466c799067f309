"""Plain data passed between the pipeline stages.

Every stage takes and returns frozen dataclasses; offsets always point into
the original text of the document as it was read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    text: str
    published: date | None = None
    language: str | None = None
    url: str | None = None
    title: str | None = None
    source: str | None = None
    origin: str = ""  # file and line it came from, for messages
    author: str | None = None
    extractor: str | None = None  # what made ``text`` from a page, e.g. "trafilatura 2.3.1"; None for plain text


@dataclass(frozen=True, slots=True)
class CleanText:
    """Text with debris removed; ``offsets[i]`` is the original index of ``text[i]``."""

    text: str
    offsets: Sequence[int]  # clean.KeptOffsets: runs of kept characters, far less memory than one number per character
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a clean span to the span of the original text that covers it."""
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else self.original_length
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


class Token(NamedTuple):
    """A word or sign; a named tuple, since a sentence makes one per word and a tuple is built fastest."""

    text: str
    start: int  # offsets into the clean text
    end: int
    lemma: str = ""  # dictionary form (dyad.morph), set where the sentence's language is known


# main: the sentence, or a clause coordinated to the one before it ("; ", ", und", ", and", ": ");
# subordinate: opened by a conjunction ("dass", "weil", "that", "because"); relative: ", der ...", ", who ...";
# quote: speech in quotation marks; parenthesis: an aside between dashes; apposition: names set off by commas.
ClauseKind = Literal["main", "subordinate", "relative", "quote", "parenthesis", "apposition"]


@dataclass(frozen=True, slots=True)
class Clause:
    """A stretch of a sentence's tokens, ``tokens[start:end]``, and the clause it stands in."""

    kind: ClauseKind
    start: int  # token indices
    end: int
    parent: int = -1  # index in ``Sentence.clauses`` of the smallest clause around it; -1 for none
    coordinated: bool = False  # a main clause after the first, joined to the one before it


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    tokens: tuple[Token, ...]
    paragraph: int = 0
    # found once by dyad.clauses: main clauses first, in order, then the clauses inside them by start
    clauses: tuple[Clause, ...] = ()
    breaks: tuple[int, ...] = ()  # the tokens that are clause-break words of the language (",", "while", ...)
    lower: tuple[str, ...] = ()  # each token's text in lower case (dyad.nlp), as the lexicon's word lists hold it


@dataclass(frozen=True, slots=True)
class DateValue:
    value: str  # YYYY, YYYY-MM or YYYY-MM-DD
    precision: str  # year, month, day
    basis: str  # explicit, relative to published
    start: int = -1
    end: int = -1
    future: bool = False  # the expression itself points ahead ("nächste Woche")


@dataclass(frozen=True, slots=True)
class Location:
    city: str | None
    country: str | None
    lat: float | None = None
    lon: float | None = None
    precision: str = "country"  # city or country
    geonames_id: int | None = None
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True)
class Mention:
    """An actor, place, role or date reference found in a sentence."""

    kind: str  # person, state, org, role, place, counterpart, pronoun, group
    start: int  # clean-text offsets
    end: int
    text: str
    key: str | None = None  # person id, state or organisation code, office key
    country: str | None = None
    role: str | None = None
    name: str | None = None
    actor_type: str | None = None
    actor_id: str | None = None
    office: str | None = None  # office key, for "his counterpart" and office holders
    use: str = ""  # adjective, metonym, name, prefix, abbreviation ...


@dataclass(frozen=True, slots=True)
class Participant:
    name: str | None
    country: str | None
    role: str | None = None
    actor_id: str | None = None
    actor_type: str | None = None
    start: int = -1  # original-text offsets
    end: int = -1
    holder: str | None = None  # for a side named by office: who held it then (name stays null)


@dataclass(frozen=True, slots=True)
class Evidence:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """An event found in one sentence, before deduplication."""

    sides: tuple[tuple[str, tuple[Mention, ...]], ...]  # (country, actors) in order of mention
    status: str
    mode: str
    kinds: frozenset[str]
    date: DateValue | None
    location: Location | None
    host: str | None
    round: int | None
    topics: tuple[str, ...]
    evidence: Evidence
    sentence_index: int
    sideline: bool = False  # "am Rande", "on the sidelines": at a summit named elsewhere
    place_from_context: bool = False  # the place was read from the sentences around it
    date_from_context: bool = False  # the day was read from a sentence before it
    joins: int | None = None  # the sentence of the meeting this one adds people to ("X joined the talks")
    follow_up: bool = False  # the sentence speaks of a further meeting ("agreed to meet again", "invited")


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str
    cameo: str
    status: str
    mode: str
    participants: tuple[Participant, ...]
    evidence: Evidence
    date: DateValue | None = None
    location: Location | None = None
    host: str | None = None
    series: str | None = None
    round: int | None = None
    topics: tuple[str, ...] = ()
    confidence: float = 1.0  # how likely the event, its sides and its status are right (dyad.decide)


@dataclass(frozen=True, slots=True)
class ArticleResult:
    doc: Document
    language: str
    events: tuple[Event, ...]
