"""Constructions as data: meeting words, the status cues around them, and the frames that name their sides.

Each language keeps its constructions in ``dyad/lang/<iso>/patterns.yaml``. A pattern has a name, what it
yields (a kind of meeting word, or a status cue such as ``negation`` or ``planned``), how it matches
(token lemmas, lower-case forms, or phrases written as they appear), its scope relative to the meeting
word, and the example sentences it was written for; ``tests/test_patterns.py`` runs every example.

The patterns of one language are compiled once: the first step of every status cue goes into one trie
over tokens (phrases) and two dictionaries (lower forms, lemmas), so one pass over a sentence finds every
cue that starts at every token; the meeting words are a phrase index plus a lemma dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from dyad.clauses import clause_around
from dyad.errors import KnowledgeBaseError
from dyad.kb.phrases import PhraseIndex
from dyad.model import Sentence
from dyad.morph import lemma
from dyad.nlp import token_texts

__all__ = ["CUES", "FRAMES", "KINDS", "Example", "MeetingWords", "Patterns", "StatusCues", "load_patterns"]

LANG_DIR = Path(__file__).parent / "lang"
KINDS = ("meet", "talks", "visit", "host", "call", "video", "summit", "join")
# what a status cue says about the meeting word in its scope ("hedge" and "expletive" only lift other cues)
CUES = ("negation", "offer", "wish", "hedge", "expletive", "denial", "invitation", "reported", "prospect", "past",
        "present", "planned")
# where a meeting word's sides are named: "between" opens the frame "talks between A and B", "agent" the host
# of a passive host verb ("was received by the king"), "apart" one meeting per counterpart ("separately"),
# "together" all counterparts at once ("jointly"), "with" the counterpart ("talks with the king"), "mediation"
# who brokered the talks ("Rohan mediated talks"); and who takes part in a summit: "opening" its host ("opened
# the summit"), "attendance" the side that speaks there ("said at the summit"), "gathering" its participants
# ("the leaders"), "sideline" a meeting beside it, not part of it ("on the sidelines of the summit")
FRAMES = ("between", "agent", "apart", "together", "with", "mediation", "opening", "attendance", "gathering",
          "sideline")
# through: before the meeting word or on it; after: after its last token
Side = Literal["any", "before", "through", "after"]
Within = Literal["clause", "sentence", "unbroken"]  # unbroken: no clause break but commas in between
Until = Literal["clause", "sentence"]

MEETING_KEYS = {"name", "yields", "lemmas", "words", "suffixes", "separable", "not_after", "examples",
                "counter_examples"}
CUE_KEYS = {"name", "yields", "phrases", "sequence", "scope", "unless", "examples", "counter_examples"}
STEP_KEYS = {"phrases", "lower", "lemmas", "optional", "gap", "until"}
SCOPE_KEYS = {"side", "within", "before", "after"}
MARK = re.compile(r"\[([^\]]+)\]|\{([^}]+)\}")


@dataclass(frozen=True, slots=True)
class Example:
    """A sentence a pattern was written for: ``[...]`` marks the meeting word (for a meeting-word pattern)
    or the cue (for a status cue); ``{...}`` marks the meeting word a status cue is about."""

    text: str
    matches: bool  # False: a counter-example, where the pattern must not match

    def plain(self) -> str:
        return MARK.sub(lambda m: m.group(1) or m.group(2), self.text)

    def marked(self, brace: bool = False) -> tuple[int, int] | None:
        """Character span of the ``[...]`` (or ``{...}``) mark in the plain text."""
        shift = 0
        for m in MARK.finditer(self.text):
            inner = m.group(1) or m.group(2)
            if (m.group(2) is not None) == brace:
                start = m.start() - shift
                return start, start + len(inner)
            shift += 2
        return None


@dataclass(frozen=True, slots=True)
class Step:
    """One token (or one phrase) of a sequence; the steps after the first may skip tokens before them."""

    phrases: tuple[tuple[str, ...], ...] = ()
    lower: frozenset[str] = frozenset()
    lemmas: frozenset[str] = frozenset()
    optional: bool = False
    gap: int = 0  # up to this many tokens may stand before the step
    until: Until | None = None  # or any number, up to the end of the simple clause or the sentence


@dataclass(frozen=True, slots=True)
class Scope:
    side: Side = "any"
    within: Within = "clause"
    before: int | None = None  # reach in tokens before the meeting word
    after: int | None = None  # reach in tokens after its last token


@dataclass(frozen=True, slots=True)
class StatusCue:
    name: str
    yields: str
    steps: tuple[Step, ...]
    scope: Scope
    unless: tuple[str, int, int] | None  # no match where this pattern starts within (lo, hi) of the cue
    examples: tuple[Example, ...]


@dataclass(frozen=True, slots=True)
class MeetingPattern:
    name: str
    yields: str
    examples: tuple[Example, ...]


class _Trie:
    """Phrases over tokens; a walk reports every phrase that starts at a token, not only the longest."""

    __slots__ = ("roots",)

    def __init__(self) -> None:
        self.roots: dict[str, dict[str, Any]] = {}  # token -> next tokens; "" -> [(pattern, length)] ending here

    def add(self, phrase: tuple[str, ...], value: int) -> None:
        node = self.roots.setdefault(phrase[0], {})
        for token in phrase[1:]:
            node = node.setdefault(token, {})
        node.setdefault("", []).append((value, len(phrase)))

    def walk(self, keys: Sequence[str], i: int, first: str) -> list[tuple[int, int]]:
        node = self.roots.get(first)
        out: list[tuple[int, int]] = []
        j = i + 1
        while node is not None:
            out.extend(node.get("", ()))
            if j >= len(keys):
                break
            node = node.get(keys[j])
            j += 1
        return out


class StatusCues:
    """The status cues of one language, compiled into one index over a sentence's tokens."""

    def __init__(self, cues: Sequence[StatusCue], fold: bool, language: str, clause_breaks: frozenset[str]):
        self.cues = tuple(cues)
        self.fold = fold
        self.language = language
        self.clause_breaks = clause_breaks
        self.by_name = {c.name: i for i, c in enumerate(self.cues)}
        self._yielding: dict[str, tuple[int, ...]] = {}  # kind -> the cues that yield it, in order
        for i, cue in enumerate(self.cues):
            self._yielding[cue.yields] = (*self._yielding.get(cue.yields, ()), i)
        self._trie = _Trie()
        self._lower: dict[str, list[int]] = {}
        self._lemmas: dict[str, list[int]] = {}
        for i, cue in enumerate(self.cues):
            first = cue.steps[0]
            for phrase in first.phrases:
                self._trie.add(phrase, i)
            for word in first.lower:
                self._lower.setdefault(word, []).append(i)
            for word in first.lemmas:
                self._lemmas.setdefault(word, []).append(i)
        self._needs_lemma = any(step.lemmas for cue in self.cues for step in cue.steps)
        # a sentence's meeting words ask about the same sentence several times: its scan is kept
        self._scan = lru_cache(maxsize=64)(self._starts)

    def __getstate__(self) -> dict[str, Any]:  # the kept scans stay behind when a lexicon is sent to a worker
        return {k: v for k, v in self.__dict__.items() if k != "_scan"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._scan = lru_cache(maxsize=64)(self._starts)

    def starts(self, words: Sequence[str]) -> tuple[tuple[int, ...], ...]:
        """For every pattern, the tokens where it matches, in order: one pass over the sentence, kept for
        the sentence's other meeting words."""
        return self._scan(tuple(words))

    def _forms(self, words: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
        """The forms the steps match against: lower case, the keys of the phrases (folded or as written), lemmas."""
        lower = [w.lower() for w in words]
        keys = lower if self.fold else list(words)
        return lower, keys, [lemma(w, self.language) for w in words] if self._needs_lemma else []

    def _starts(self, words: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
        lower, keys, lemmas = self._forms(words)
        found: list[list[int]] = [[] for _ in self.cues]
        roots, by_lower, by_lemma = self._trie.roots, self._lower, self._lemmas
        for i, key in enumerate(keys):
            # a capitalised first word also stands for its lower-case form (a sentence-initial "Nicht")
            folded = key[0].lower() + key[1:] if not self.fold and key[:1].isupper() else None
            if not (key in roots or folded in roots or lower[i] in by_lower or (lemmas and lemmas[i] in by_lemma)):
                continue  # most tokens start no cue
            heads: list[tuple[int, int]] = self._trie.walk(keys, i, key)
            if folded is not None:
                heads += self._trie.walk(keys, i, folded)
            heads += [(c, 1) for c in by_lower.get(lower[i], ())]
            if lemmas:
                heads += [(c, 1) for c in by_lemma.get(lemmas[i], ())]
            for c, size in heads:
                if (not found[c] or found[c][-1] != i) and self._rest(self.cues[c].steps[1:], i + size, words,
                                                                      lower, keys, lemmas):
                    found[c].append(i)
        return tuple(tuple(f) for f in found)

    def _rest(self, steps: Sequence[Step], j: int, words: Sequence[str], lower: list[str], keys: list[str],
              lemmas: list[str]) -> bool:
        """Whether ``steps`` match from token ``j`` on; the first way found is enough."""
        return not steps or next(self._ends(steps, j, lower, keys, lemmas), None) is not None

    def _longest(self, steps: Sequence[Step], j: int, lower: list[str], keys: list[str],
                 lemmas: list[str]) -> int | None:
        """The token after the longest match of ``steps`` from token ``j`` on, or None."""
        return max(self._ends(steps, j, lower, keys, lemmas), default=None)

    def _ends(self, steps: Sequence[Step], j: int, lower: list[str], keys: list[str],
              lemmas: list[str]) -> Iterator[int]:
        """The token after each way ``steps`` match from token ``j`` on, found lazily."""
        if not steps:
            yield j
            return
        step, rest = steps[0], steps[1:]
        if step.optional:
            yield from self._ends(rest, j, lower, keys, lemmas)
        last = len(keys) if step.until else min(len(keys), j + step.gap + 1)
        for k in range(j, last):
            if step.until == "clause" and lower[k] in self.clause_breaks:
                return
            for size in self._step_at(step, k, lower, keys, lemmas):
                yield from self._ends(rest, k + size, lower, keys, lemmas)

    def _step_at(self, step: Step, k: int, lower: list[str], keys: list[str], lemmas: list[str]) -> list[int]:
        sizes = [len(p) for p in step.phrases if tuple(keys[k:k + len(p)]) == p]
        if lower[k] in step.lower or (lemmas and lemmas[k] in step.lemmas):
            sizes.append(1)
        return sizes

    def where(self, name: str, sent: Sentence, words: Sequence[str], token: int, size: int) -> list[int]:
        """The tokens where the pattern ``name`` starts within its scope around the meeting word at ``token``
        (``size`` tokens long) of a sentence with clauses (dyad.clauses) whose words are ``words``."""
        return self._in_scope(self.by_name[name], self.starts(words), sent, words, token, size, {})

    def first(self, yields: Sequence[str], sent: Sentence, words: Sequence[str], token: int,
              size: int) -> int | None:
        """The first token where a pattern yielding one of ``yields`` matches in its scope, or None."""
        found = self.starts(words)
        clauses: dict[tuple[int, int], set[int]] = {}  # patterns of one reach share their clause
        best: int | None = None
        for index in (i for kind in yields for i in self._yielding.get(kind, ()) if found[i]):
            hits = self._in_scope(index, found, sent, words, token, size, clauses)
            if hits and (best is None or hits[0] < best):
                best = hits[0]
        return best

    def at(self, yields: Sequence[str], words: Sequence[str], k: int) -> bool:
        """Whether a pattern yielding one of ``yields`` starts at token ``k``, whatever its scope."""
        found = self.starts(words)
        return any(k in found[index] for index, cue in enumerate(self.cues) if cue.yields in yields)

    def anywhere(self, name: str, words: Sequence[str]) -> frozenset[int]:
        """Every token where the pattern ``name`` starts, whatever its scope: for a rule that reads a frame's
        words where they stand next to a side ("Oman mediated talks"), not around one meeting word."""
        return frozenset(self.starts(words)[self.by_name[name]])

    def spans(self, name: str, words: Sequence[str]) -> list[tuple[int, int]]:
        """(start, end) of the longest match of the pattern ``name`` at every token it starts at, whatever its
        scope: for a frame whose words are a name of several tokens ("heads of state and government")."""
        starts = sorted(self.anywhere(name, words))
        if not starts:
            return []  # most sentences: no forms to build
        steps = self.cues[self.by_name[name]].steps
        lower, keys, lemmas = self._forms(words)
        out = []
        for k in starts:
            ends = [self._longest(steps, k, lower, keys, lemmas)]
            if not self.fold and keys[k][:1].isupper():  # a capitalised first word as its lower-case form
                folded = [*keys[:k], keys[k][0].lower() + keys[k][1:], *keys[k + 1:]]
                ends.append(self._longest(steps, k, lower, folded, lemmas))
            out.append((k, max((end for end in ends if end is not None), default=k + 1)))
        return out

    def _in_scope(self, index: int, found: tuple[tuple[int, ...], ...], sent: Sentence, words: Sequence[str],
                  token: int, size: int, clauses: dict[tuple[int, int], set[int]]) -> list[int]:
        cue = self.cues[index]
        scope = cue.scope
        lo = 0 if scope.before is None else max(0, token - scope.before)
        hi = len(words) if scope.after is None else min(len(words), token + size + scope.after)
        first = max(lo, token + size) if scope.side == "after" else lo
        last = hi if scope.side in ("any", "after") else min(hi, token if scope.side == "before" else token + 1)
        hits = [k for k in found[index] if first <= k < last]
        if not hits:
            return []
        if scope.within == "clause":
            if (lo, hi) not in clauses:
                clauses[(lo, hi)] = set(clause_around(sent, token, size, lo, hi))
            inside = clauses[(lo, hi)]
            hits = [k for k in hits if k in inside]
        elif scope.within == "unbroken":
            hits = [k for k in hits if not any(k < j < token and words[j] != "," for j in sent.breaks)]
        if cue.unless is not None and hits:
            other, a, b = cue.unless
            blocked = found[self.by_name[other]]
            hits = [k for k in hits if not any(k + a <= j <= k + b for j in blocked)]
        return hits


class MeetingWords:
    """Meeting words: lemmas, forms and phrases the lemmas do not cover, compound endings, and verbs whose
    particle follows later in the sentence."""

    def __init__(self, language: str, fold: bool, phrases: PhraseIndex[str], lemmas: dict[str, str],
                 suffixes: Sequence[tuple[str, str]], separable: dict[str, tuple[tuple[str, str], ...]],
                 not_after: dict[str, frozenset[str]], particle_ends: frozenset[str] = frozenset()):
        self.language = language
        self.fold = fold
        self.phrases = phrases
        self.lemmas = lemmas
        self.suffixes = tuple(sorted(suffixes, key=lambda s: -len(s[0])))  # longest ending first
        self.endings = tuple(ending for ending, _ in self.suffixes)  # one C call rules most words out
        self.separable = separable
        self.not_after = not_after
        self.particle_ends = particle_ends  # words that may follow a separable verb's particle, as punctuation may

    def match_at(self, words: Sequence[str], k: int) -> tuple[int, list[str]] | None:
        """The meeting word or phrase starting at ``words[k]``: (length, kinds) or None."""
        hit = self.phrases.match_at(words, k)
        if hit:
            return hit
        kind = self.lemmas.get(lemma(words[k], self.language))
        return (1, [kind]) if kind else None

    def find(self, words: Sequence[str], lemmas: Sequence[str]) -> list[tuple[int, int, str]]:
        """(token, size, kind) of every meeting word of a sentence."""
        out: list[tuple[int, int, str]] = []
        separable = self.separable
        for k, word in enumerate(words):
            if word in separable:
                # the particle ends its clause ("traf am Abend in Kiew ein."), unlike the article in "auf ein Echo"
                ends = {words[j] for j in range(k + 1, len(words))
                        if j + 1 == len(words) or not words[j + 1].isalpha()
                        or words[j + 1].lower() in self.particle_ends}
                out += [(k, 1, kind) for particle, kind in separable[word] if particle in ends]
        hits = self.phrases.scan(words)
        i = 0
        while i < len(words):
            hit = hits[i]
            size, kind_found = (hit[0], hit[1][0]) if hit else (1, self.lemmas.get(lemmas[i]))
            if kind_found is not None:
                if not (i and kind_found in self.not_after and words[i - 1].lower() in self.not_after[kind_found]):
                    out.append((i, size, kind_found))
                i += size
                continue
            kind_found = self._by_suffix(words[i]) if words[i][:1].isupper() else None
            if kind_found is not None:
                out.append((i, 1, kind_found))  # a compound ("Sicherheitsgespräche")
            i += 1
        return out

    def _by_suffix(self, word: str) -> str | None:
        """The kind of a capitalised compound ending in a meeting word."""
        if not word[:1].isupper():
            return None
        low = word.lower()
        if not low.endswith(self.endings):
            return None
        return next((kind for ending, kind in self.suffixes if low.endswith(ending) and len(low) > len(ending) + 2),
                    None)


@dataclass(frozen=True)
class Patterns:
    language: str
    meeting_words: MeetingWords
    status: StatusCues
    meeting_patterns: tuple[MeetingPattern, ...]
    frames: StatusCues  # read by the same engine as the status cues, with their own kinds (FRAMES)


@lru_cache(maxsize=8)
def load_patterns(language: str, clause_breaks: frozenset[str] = frozenset(),
                  conjunctions: frozenset[str] = frozenset()) -> Patterns:
    """The compiled patterns of a language; a malformed pattern raises an error naming file, line and pattern.
    ``clause_breaks`` end a cue's clause; with ``conjunctions`` they may follow a separable verb's particle."""
    path = LANG_DIR / language / "patterns.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError(f"no patterns for language '{language}' ({path})") from exc
    return compile_patterns(text, language, clause_breaks, str(path), conjunctions)


def compile_patterns(text: str, language: str, clause_breaks: frozenset[str], source: str,
                     conjunctions: frozenset[str] = frozenset()) -> Patterns:
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{source}: not YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"{source}: expected a mapping with meeting_words and status_cues")
    lines = _item_lines(root)
    fold = not data.get("case_sensitive", False)
    particle_ends = frozenset(w.lower() for w in clause_breaks | conjunctions)
    meeting, meeting_patterns = _meeting_words(data.get("meeting_words"), language, fold, source, lines,
                                               particle_ends)
    cues = []
    for n, item in enumerate(_items(data, "status_cues", source)):
        cues.append(_status_cue(item, _where(source, lines, "status_cues", n, item)))
    frames = [_status_cue(item, _where(source, lines, "frames", n, item), FRAMES)
              for n, item in enumerate(data.get("frames") or [])]
    names = [c.name for c in (*cues, *frames)] + [p.name for p in meeting_patterns]
    twice = {n for n in names if names.count(n) > 1}
    if twice:
        raise KnowledgeBaseError(f"{source}: pattern name '{sorted(twice)[0]}' used twice")
    for n, cue in enumerate(cues):
        if cue.unless is not None and cue.unless[0] not in {c.name for c in cues}:
            raise KnowledgeBaseError(f"{_where(source, lines, 'status_cues', n, {'name': cue.name})}: "
                                     f"unless names no status cue '{cue.unless[0]}'")
    breaks = frozenset(w.lower() for w in clause_breaks)
    status = StatusCues(cues, fold, language, breaks)
    return Patterns(language, meeting, status, tuple(meeting_patterns), StatusCues(frames, fold, language, breaks))


def _item_lines(root: yaml.Node | None) -> dict[tuple[str, int], int]:
    """Line of every pattern, by section and position, for error messages."""
    out: dict[tuple[str, int], int] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(value, yaml.SequenceNode):
                for n, item in enumerate(value.value):
                    out[(str(key.value), n)] = item.start_mark.line + 1
    return out


def _where(source: str, lines: dict[tuple[str, int], int], section: str, n: int, item: Any) -> str:
    name = item.get("name") if isinstance(item, dict) else None
    return f"{source}, line {lines.get((section, n), '?')}, pattern '{name or f'#{n + 1} of {section}'}'"


def _items(data: dict[str, Any], section: str, source: str) -> list[Any]:
    items = data.get(section)
    if not isinstance(items, list) or not items:
        raise KnowledgeBaseError(f"{source}: missing list '{section}'")
    return items


def _words(value: Any, where: str, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise KnowledgeBaseError(f"{where}: '{field}' must be a list")
    bad = [v for v in value if not isinstance(v, str)]
    if bad:  # YAML reads a bare no/yes/on/off as a boolean: quote it
        raise KnowledgeBaseError(f"{where}: '{field}': {bad[0]!r} is not a word; quote it")
    return value


def _examples(item: dict[str, Any], where: str, cue: bool) -> tuple[Example, ...]:
    """A meeting word's examples mark it with [brackets]; a status cue's mark the cue with [brackets] and
    the meeting word it is about with {braces}, its counter-examples the meeting word only."""
    found = [Example(t, True) for t in _words(item.get("examples"), where, "examples")]
    found += [Example(t, False) for t in _words(item.get("counter_examples"), where, "counter_examples")]
    if not any(e.matches for e in found):
        raise KnowledgeBaseError(f"{where}: no examples")
    for e in found:
        if (e.matches or not cue) and e.marked() is None:
            raise KnowledgeBaseError(f"{where}: example without a [marked] word: {e.text!r}")
        if cue and e.marked(brace=True) is None:
            raise KnowledgeBaseError(f"{where}: example without a {{marked}} meeting word: {e.text!r}")
    return tuple(found)


def _check_keys(item: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise KnowledgeBaseError(f"{where}: a pattern is a mapping")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise KnowledgeBaseError(f"{where}: unknown field '{unknown[0]}' (known: {', '.join(sorted(allowed))})")
    if not isinstance(item.get("name"), str):
        raise KnowledgeBaseError(f"{where}: no name")
    return item


def _meeting_words(items: Any, language: str, fold: bool, source: str, lines: dict[tuple[str, int], int],
                   particle_ends: frozenset[str]) -> tuple[MeetingWords, list[MeetingPattern]]:
    if not isinstance(items, list) or not items:
        raise KnowledgeBaseError(f"{source}: missing list 'meeting_words'")
    phrases: PhraseIndex[str] = PhraseIndex(fold_case=fold)
    lemmas: dict[str, str] = {}
    suffixes: list[tuple[str, str]] = []
    separable: dict[str, tuple[tuple[str, str], ...]] = {}  # "traf ... zusammen" meets, "traf ... ein" visits
    not_after: dict[str, frozenset[str]] = {}
    patterns = []
    for n, raw in enumerate(items):
        where = _where(source, lines, "meeting_words", n, raw)
        item = _check_keys(raw, MEETING_KEYS, where)
        kind = item.get("yields")
        if kind not in KINDS:
            raise KnowledgeBaseError(f"{where}: yields '{kind}', not a meeting kind ({', '.join(KINDS)})")
        for word in _words(item.get("lemmas"), where, "lemmas"):
            if lemmas.get(word, kind) != kind:
                raise KnowledgeBaseError(f"{where}: lemma '{word}' is already a meeting word of kind "
                                         f"'{lemmas[word]}'")
            lemmas[word] = kind
        for phrase in _words(item.get("words"), where, "words"):
            phrases.add(phrase, kind)
        suffixes += [(s.lower(), kind) for s in _words(item.get("suffixes"), where, "suffixes")]
        parts = item.get("separable") or {}
        if not isinstance(parts, dict) or not all(isinstance(v, str) for v in parts.values()):
            raise KnowledgeBaseError(f"{where}: 'separable' maps a verb to its particle")
        for verb, particle in parts.items():
            separable[str(verb)] = (*separable.get(str(verb), ()), (particle, kind))
        if item.get("not_after"):
            not_after[kind] = frozenset(w.lower() for w in _words(item.get("not_after"), where, "not_after"))
        if not (item.get("lemmas") or item.get("words") or item.get("suffixes") or parts):
            raise KnowledgeBaseError(f"{where}: matches nothing (give lemmas, words, suffixes or separable)")
        patterns.append(MeetingPattern(item["name"], kind, _examples(item, where, cue=False)))
    return MeetingWords(language, fold, phrases, lemmas, suffixes, separable, not_after, particle_ends), patterns


def _step(raw: Any, where: str, fold: bool = True) -> Step:
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(f"{where}: a sequence step is a mapping")
    unknown = sorted(set(raw) - STEP_KEYS)
    if unknown:
        raise KnowledgeBaseError(f"{where}: unknown step field '{unknown[0]}' (known: {', '.join(sorted(STEP_KEYS))})")
    until = raw.get("until")
    if until not in (None, "clause", "sentence"):
        raise KnowledgeBaseError(f"{where}: until '{until}', not clause or sentence")
    gap = raw.get("gap", 0)
    if not isinstance(gap, int) or gap < 0:
        raise KnowledgeBaseError(f"{where}: gap must be a count of tokens")
    step = Step(tuple(key for p in _words(raw.get("phrases"), where, "phrases") if (key := token_texts(p))),
                frozenset(w.lower() for w in _words(raw.get("lower"), where, "lower")),
                frozenset(_words(raw.get("lemmas"), where, "lemmas")), bool(raw.get("optional")), gap, until)
    if not (step.phrases or step.lower or step.lemmas):
        raise KnowledgeBaseError(f"{where}: a step matches nothing (give phrases, lower or lemmas)")
    return step


def _status_cue(raw: Any, where: str, kinds: tuple[str, ...] = CUES) -> StatusCue:
    item = _check_keys(raw, CUE_KEYS, where)
    cue = item.get("yields")
    if cue not in kinds:
        what = "status cue" if kinds == CUES else "frame"
        raise KnowledgeBaseError(f"{where}: yields '{cue}', not a {what} ({', '.join(kinds)})")
    if ("phrases" in item) == ("sequence" in item):
        raise KnowledgeBaseError(f"{where}: give either phrases or a sequence")
    seq = [{"phrases": item["phrases"]}] if "phrases" in item else item["sequence"]
    if not isinstance(seq, list) or not seq:
        raise KnowledgeBaseError(f"{where}: a sequence is a list of steps")
    steps = tuple(_step(s, where) for s in seq)
    if steps[0].optional or steps[0].gap or steps[0].until:
        raise KnowledgeBaseError(f"{where}: the first step must match where the pattern starts")
    scope_raw = item.get("scope") or {}
    if not isinstance(scope_raw, dict) or set(scope_raw) - SCOPE_KEYS:
        raise KnowledgeBaseError(f"{where}: scope takes {', '.join(sorted(SCOPE_KEYS))}")
    side, within = scope_raw.get("side", "any"), scope_raw.get("within", "clause")
    if side not in ("any", "before", "through", "after") or within not in ("clause", "sentence", "unbroken"):
        raise KnowledgeBaseError(f"{where}: scope side is any/before/through/after, within clause/sentence/unbroken")
    reach = [scope_raw.get("before"), scope_raw.get("after")]
    if any(r is not None and (not isinstance(r, int) or r < 0) for r in reach):
        raise KnowledgeBaseError(f"{where}: scope before/after are counts of tokens")
    unless = item.get("unless")
    if unless is not None:
        at = unless.get("at") if isinstance(unless, dict) else None
        if not (isinstance(unless, dict) and isinstance(unless.get("pattern"), str) and isinstance(at, list)
                and len(at) == 2 and all(isinstance(a, int) for a in at)):
            raise KnowledgeBaseError(f"{where}: unless is {{pattern: NAME, at: [FROM, TO]}} (offsets from the cue)")
        unless = (unless["pattern"], at[0], at[1])
    scope = Scope(side, within, reach[0], reach[1])
    return StatusCue(item["name"], cue, steps, scope, unless, _examples(item, where, cue=True))
