"""Per-language lexicons (date words, word lists, debris) as data, with the language's patterns.

Each language is one YAML file in ``dyad/lang/<code>/lexicon.yaml`` and its
constructions (meeting words, status cues) in ``patterns.yaml`` beside it; adding
a language is adding these files plus its knowledge-base role list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from dyad.errors import KnowledgeBaseError
from dyad.kb.phrases import PhraseIndex
from dyad.patterns import MeetingWords, Patterns, load_patterns

LANG_DIR = Path(__file__).parent / "lang"
REQUIRED = ("debris_lines", "months", "weekdays", "clause_breaks", "location_preps")


@dataclass(frozen=True)
class Lexicon:
    language: str
    debris_lines: tuple[re.Pattern[str], ...]
    debris_inline: re.Pattern[str] | None
    abbreviations: frozenset[str]
    months: dict[str, int]
    weekdays: dict[str, int]
    past_words: frozenset[str]
    since_words: frozenset[str]  # "seit Montag": a day past, the meeting still going on
    next_words: frozenset[str]
    this_words: frozenset[str]
    day_offsets: dict[str, int]
    day_before: PhraseIndex[str]  # also holds the day_after and same_day phrases
    units: dict[str, str]
    month_parts: dict[str, str]
    clause_breaks: frozenset[str]
    location_preps: frozenset[str]
    side_words: frozenset[str]
    direction_preps: frozenset[str]
    place_verbs: frozenset[str]
    where_words: frozenset[str]
    place_nouns: frozenset[str]
    capital_nouns: frozenset[str]
    name_end_words: frozenset[str]
    exclusion_words: frozenset[str]
    topic_words: frozenset[str]
    year_bounds: frozenset[str]
    range_words: frozenset[str]
    group_words: PhraseIndex[bool]
    again_words: frozenset[str]
    series_words: frozenset[str]
    pronouns: frozenset[str]
    possessives: frozenset[str]
    singular_articles: frozenset[str]  # before an office: one holder of it ("der Präsident"); empty: any article
    name_stopwords: frozenset[str]  # the honorifics too
    honorifics: frozenset[str]
    role_links: frozenset[str]
    ordinals: dict[str, int]
    round_words: frozenset[str]
    topics: tuple[tuple[str, re.Pattern[str]], ...]  # (label, its lower-case keywords, each after a space)
    patterns: Patterns  # meeting words and status cues, from the language's patterns.yaml (dyad/patterns.py)
    datelines: tuple[re.Pattern[str], ...] = ()
    day_parts: tuple[str, ...] = ()
    numbers: dict[str, int] = field(default_factory=dict)
    later_words: frozenset[str] = frozenset()
    earlier_words: frozenset[str] = frozenset()
    group_nouns: frozenset[str] = frozenset()
    leader_nouns: frozenset[str] = frozenset()
    speech_verbs: frozenset[str] = frozenset()
    year_bound_links: frozenset[str] = frozenset()
    background_words: frozenset[str] = frozenset()
    list_conjunctions: frozenset[str] = frozenset()
    former_words: frozenset[str] = frozenset()  # "former", "ehemaligen": an office once held, not held now
    clause_conjunctions: frozenset[str] = frozenset()
    ordinal_dots: bool = False  # "am 19. September": a full stop after a small number ends no sentence
    capitalised_nouns: bool = False  # German: a lower-case word is no noun (no role, no name)
    role_complements: frozenset[str] = frozenset()
    articles: frozenset[str] = frozenset()  # definite and indefinite, as the rules skip them before a name
    role_postings: frozenset[str] = frozenset()  # "ambassador to", "Botschafter in": where an office serves
    place_object_reach: int = 0  # words between a place verb and its object place (German word order)
    prepositions: frozenset[str] = frozenset()  # a name after one is no verb's object ("mit Polen")
    genitive_endings: tuple[str, ...] = ()  # of a name before its noun ("Polens Präsident")
    compass_prefixes: tuple[str, ...] = ()  # "südtürkisch": a lower-case adjective of a region of a state
    visited_object_verbs: frozenset[str] = frozenset()  # whose object is who is visited ("stattete ... ab")
    session_nouns: frozenset[str] = frozenset()
    membership_words: frozenset[str] = frozenset()  # lemmas: with an organisation after them, becoming a member
    war_nouns: frozenset[str] = frozenset()
    relation_nouns: frozenset[str] = frozenset()  # "between" after them joins what they relate, not a meeting's sides
    month_bounds: frozenset[str] = frozenset()
    place_links: frozenset[str] = frozenset()
    delegation_nouns: frozenset[str] = frozenset()
    guest_nouns: frozenset[str] = frozenset()
    relative_pronouns: frozenset[str] = frozenset()
    subordinators: frozenset[str] = frozenset()
    opening_subordinators: frozenset[str] = frozenset()
    hosted_nouns: frozenset[str] = frozenset()
    plural_pronouns: frozenset[str] = frozenset()
    plural_verb_endings: tuple[str, ...] = ()
    definite_articles: frozenset[str] = frozenset()
    role_suffixes: tuple[tuple[str, str], ...] = ()  # (lowercase ending, office key), longest first
    ago_words: frozenset[str] = frozenset()
    ago_preps: frozenset[str] = frozenset()
    one_words: frozenset[str] = frozenset()
    ordinal_suffixes: frozenset[str] = frozenset()
    portfolio_words: frozenset[str] = frozenset()  # "and International Cooperation": more of an office's title
    host_preps: frozenset[str] = frozenset()  # "zu Besuch bei dem König": whom a visit is paid to
    join_preps: frozenset[str] = frozenset()  # "an den Gesprächen ... teilnehmen": the meeting one takes part in
    follow_up_words: frozenset[str] = frozenset()  # "agreed to meet": a further meeting (again_words included)
    inclusion_words: frozenset[str] = frozenset()  # "a delegation including A and B": the people of one group

    @cached_property
    def debris_line(self) -> re.Pattern[str]:
        """The debris-line patterns as one alternation: a line is debris if it matches one of them whole, and
        one regex tries them all in a single call (every line of every article is tried)."""
        return re.compile("|".join(f"(?:{p.pattern})" for p in self.debris_lines), re.IGNORECASE)

    @cached_property
    def date_starters(self) -> frozenset[str]:
        """The lower-case words (besides numbers and day shifts) a date expression may begin with (dyad.dates)."""
        words = {*self.months, *self.weekdays, *(day + part for day in self.weekdays for part in self.day_parts),
                 *self.day_offsets, *self.ago_preps, *self.numbers, *self.one_words, *self.month_parts,
                 *self.past_words, *self.next_words, *self.this_words}
        return frozenset(w.lower() for w in words)

    @cached_property
    def date_openers(self) -> frozenset[str]:
        """``date_starters`` and the first words of the day shifts: any word a date expression may begin with,
        numbers aside."""
        return self.date_starters | self.day_before.first_tokens

    @cached_property
    def role_endings(self) -> tuple[str, ...]:
        """The endings of ``role_suffixes``: one ``str.endswith`` tells whether a word may be a compound role."""
        return tuple(ending for ending, _ in self.role_suffixes)

    @cached_property
    def place_cues(self) -> frozenset[str]:
        """The words a place may be named after or before (dyad.mentions): where, location and place words."""
        return self.where_words | self.location_preps | self.place_verbs

    @property
    def triggers(self) -> MeetingWords:
        """The meeting words, for stages that ask whether a word is one (``lex.triggers.match_at``)."""
        return self.patterns.meeting_words


def available_languages() -> list[str]:
    return list(_languages())


@lru_cache(maxsize=1)
def _languages() -> tuple[str, ...]:
    """The folders with a lexicon, read once: every document asks twice."""
    return tuple(sorted(p.parent.name for p in LANG_DIR.glob("*/lexicon.yaml")))


@lru_cache(maxsize=8)
def load_lexicon(language: str) -> Lexicon:
    path = LANG_DIR / language / "lexicon.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeBaseError(f"no lexicon for language '{language}' ({path})") from exc
    for key in REQUIRED:
        if not data.get(key):
            raise KnowledgeBaseError(f"{path}: missing field '{key}'")
    fold = language != "de"  # German capitalises nouns, so case carries meaning
    for key, value in data.items():
        items = value if isinstance(value, list) else []
        bad = [v for v in items if not isinstance(v, str | int) or isinstance(v, bool)]
        if bad:  # YAML reads a bare no/yes/on/off as a boolean: quote it
            raise KnowledgeBaseError(f"{path}: field '{key}': {bad[0]!r} is not a word; quote it")

    def phrases(key: str, value=True) -> PhraseIndex:
        index: PhraseIndex = PhraseIndex(fold_case=fold)
        for item in data.get(key) or []:
            index.add(str(item), value)
        return index

    def words(key: str) -> frozenset[str]:
        items = [str(w) for w in data.get(key) or []]
        # German keeps its capitals, plus the lower-case form that callers compare "w.lower()" against
        return frozenset(w.lower() for w in items) if fold else frozenset(items) | {w.lower() for w in items}

    day_shift: PhraseIndex[str] = PhraseIndex(fold_case=True)
    for phrase in data.get("day_before") or []:
        day_shift.add(phrase, "before")
    for phrase in data.get("day_after") or []:
        day_shift.add(phrase, "after")
    for phrase in data.get("same_day") or []:
        day_shift.add(phrase, "same")
    role_suffixes = [(str(s).lower(), office) for office, ends in (data.get("role_suffixes") or {}).items()
                     for s in ends]
    topics_data = yaml.safe_load((LANG_DIR / "topics.yaml").read_text(encoding="utf-8"))
    # one search per label: its keywords begin words ("sanktion" finds "sanktionen")
    topics = tuple(
        (label, re.compile(" (?:" + "|".join(re.escape(str(k).lower()) for k in spec[language]) + ")"))
        for label, spec in topics_data.items() if spec.get(language)
    )
    try:
        debris_lines = tuple(re.compile(p, re.IGNORECASE) for p in data["debris_lines"])
        inline = data.get("debris_inline") or []
        debris_inline = re.compile("|".join(f"(?:{p})" for p in inline)) if inline else None
    except re.error as exc:
        raise KnowledgeBaseError(f"{path}: bad debris pattern: {exc}") from exc
    given: dict[str, Any] = dict(
        language=language,
        debris_lines=debris_lines,
        debris_inline=debris_inline,
        abbreviations=frozenset(str(a) for a in data.get("abbreviations") or []),
        months={str(k): int(v) for k, v in data["months"].items()},
        weekdays={str(k): int(v) for k, v in data["weekdays"].items()},
        day_offsets={str(k): int(v) for k, v in (data.get("day_offsets") or {}).items()},
        day_before=day_shift,
        units={str(k): str(v) for k, v in (data.get("units") or {}).items()},
        month_parts={str(k): str(v) for k, v in (data.get("month_parts") or {}).items()},
        role_suffixes=tuple(sorted(role_suffixes, key=lambda s: -len(s[0]))),
        location_preps=frozenset(str(w) for w in data["location_preps"]),
        pronouns=frozenset(str(w) for w in data.get("pronouns") or []),
        possessives=frozenset(str(w) for w in data.get("possessives") or []),
        former_words=frozenset(str(w).lower() for w in data.get("former_words") or []),
        name_stopwords=frozenset(str(w) for w in [*(data.get("name_stopwords") or []),
                                                  *(data.get("honorifics") or [])]),
        honorifics=frozenset(str(w) for w in data.get("honorifics") or []),
        role_links=frozenset(str(w) for w in data.get("role_links") or []),
        ordinals={str(k): int(v) for k, v in (data.get("ordinals") or {}).items()},
        topics=topics,
        datelines=tuple(re.compile(p, re.MULTILINE) for p in data.get("datelines") or []),
        day_parts=tuple(str(w) for w in data.get("day_parts") or []),
        numbers={str(k): int(v) for k, v in (data.get("numbers") or {}).items()},
        ordinal_dots=bool(data.get("ordinal_dots", False)),
        capitalised_nouns=bool(data.get("capitalised_nouns", False)),
        place_object_reach=int(data.get("place_object_reach", 0)),
        compass_prefixes=tuple(str(w) for w in data.get("compass_prefixes") or []),
        genitive_endings=tuple(str(w) for w in data.get("genitive_endings") or []),
        plural_verb_endings=tuple(str(w) for w in data.get("plural_verb_endings") or []),
    )
    # every other word list and phrase list is read the same way, under its own name
    for spec in fields(Lexicon):
        if spec.name not in given:
            if spec.type == "frozenset[str]":
                given[spec.name] = words(spec.name)
            elif spec.type == "PhraseIndex[bool]":
                given[spec.name] = phrases(spec.name)
    # a verb whose object is who is visited has a place for its object too ("stattete Polen einen Besuch ab")
    given["place_verbs"] = given["place_verbs"] | given["visited_object_verbs"]
    # a meeting said to repeat one ("erneut", "again") is a further meeting too
    given["follow_up_words"] = given["follow_up_words"] | given["again_words"]
    # the patterns' clauses end where the lexicon's do
    given["patterns"] = load_patterns(language, given["clause_breaks"], given["clause_conjunctions"])
    return Lexicon(**given)
