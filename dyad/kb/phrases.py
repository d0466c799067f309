"""Longest-match lookup of multi-token phrases in a token sequence.

The phrases form a trie over tokens: one pass over a sentence (``scan``) reads
the longest phrase starting at every token, each walk stopping at the first
token no phrase continues with. A token-level Aho–Corasick automaton would
avoid re-reading the tokens of overlapping walks, but phrases are a few tokens
long and nearly every walk ends at its first token, and the capital of a
sentence-initial German adjective is an alternative for a phrase's first token
only, which an automaton's shared states cannot tell apart.
"""

from __future__ import annotations

from collections.abc import ItemsView, Sequence
from typing import Generic, TypeVar

from dyad.nlp import token_texts

V = TypeVar("V")


class _Node(Generic[V]):
    """A trie node: the tokens that continue a phrase, and the values of the phrase ending here."""

    __slots__ = ("next", "values")

    def __init__(self) -> None:
        self.next: dict[str, _Node[V]] = {}
        self.values: list[V] | None = None


class PhraseIndex(Generic[V]):
    """Maps token tuples to values; built once, shared by every document.

    With ``fold_case`` both the phrases and the looked-up tokens are
    lower-cased (English role nouns); otherwise matching is exact except
    that a capitalised first token also matches a phrase beginning with
    its lower-case form when no phrase beginning with it as written
    matches (sentence-initial German adjectives: "Russische Diplomaten",
    though "Russische Föderation" is a name).
    """

    def __init__(self, fold_case: bool = False) -> None:
        self.fold_case = fold_case
        self._roots: dict[str, _Node[V]] = {}
        # the first tokens with an ASCII lower-case initial, capitalised ("Russische"): for an ASCII capital the
        # lower-case fallback is this one set lookup, no string built per capitalised word (see ``_lowered``)
        self._capitalised: set[str] = set()
        self._exact: dict[tuple[str, ...], list[V]] = {}
        self._depth = 0  # tokens of the longest phrase: how far a walk can read

    def add(self, phrase: str, value: V) -> None:
        key = token_texts(phrase.lower() if self.fold_case else phrase)
        if not key:
            return
        values = self._exact.get(key)
        if values is None:
            values = self._exact[key] = []
            self._depth = max(self._depth, len(key))
            node = self._roots.setdefault(key[0], _Node())
            if key[0][:1].isascii() and key[0][:1].islower():
                self._capitalised.add(key[0][0].upper() + key[0][1:])
            for token in key[1:]:
                node = node.next.setdefault(token, _Node())
            node.values = values
        if value not in values:
            values.append(value)

    def get(self, phrase: str) -> list[V]:
        key = token_texts(phrase.lower() if self.fold_case else phrase)
        return list(self._exact.get(key, ()))

    def __len__(self) -> int:
        return len(self._exact)

    def items(self) -> ItemsView[tuple[str, ...], list[V]]:
        return self._exact.items()

    def starts(self, word: str, lower: str | None = None) -> bool:
        """Whether some phrase begins with ``word`` (a cheap test before a longer search); ``lower`` is
        ``word.lower()`` where the caller has it."""
        if self.fold_case:
            return (word.lower() if lower is None else lower) in self._roots
        return word in self._roots or self._lowered(word) in self._roots

    @property
    def first_tokens(self) -> frozenset[str]:
        """The tokens phrases begin with, as the index compares them (lower-cased where it folds case; without
        folding, a capitalised word also begins a phrase beginning with its lower-case form, see ``starts``)."""
        return frozenset(self._roots)

    def starts_each(self, words: Sequence[str], lower: Sequence[str] | None = None) -> list[bool]:
        """``[self.starts(w) for w in words]`` in one pass; ``lower`` as for ``scan``."""
        roots = self._roots
        if self.fold_case:
            return [key in roots for key in ([w.lower() for w in words] if lower is None else lower)]
        capitalised = self._capitalised
        return [w in roots or ((w in capitalised or (w[:1].isupper() and not w[0].isascii()))
                               and w[0].lower() + w[1:] in roots) for w in words]

    def match_at(self, words: Sequence[str], i: int) -> tuple[int, list[V]] | None:
        """Longest phrase starting at ``words[i]``: (length, values) or None."""
        if not self.starts(words[i]):
            return None  # most words begin no phrase: no window to fold
        window = words[i:i + self._depth]
        return self._walks([w.lower() for w in window] if self.fold_case else window, 1)[0]

    def scan(self, words: Sequence[str], lower: Sequence[str] | None = None) -> list[tuple[int, list[V]] | None]:
        """The longest phrase starting at each token, in one pass: ``scan(words)[i] == match_at(words, i)``.
        A caller that has lower-cased the words already passes them as ``lower``."""
        if not self.fold_case:
            return self._walks(words, len(words))
        return self._walks([w.lower() for w in words] if lower is None else lower, len(words))

    def _walks(self, keys: Sequence[str], starts: int) -> list[tuple[int, list[V]] | None]:
        """The longest phrase at each of the first ``starts`` tokens of ``keys`` (folded as the phrases are);
        one loop, since this is the hot path of every sentence."""
        roots, capitalised = self._roots, self._capitalised
        fallback = not self.fold_case
        n = len(keys)
        out: list[tuple[int, list[V]] | None] = [None] * starts
        for i, first in enumerate(keys if starts == n else keys[:starts]):
            if first in roots:
                best = self._walk(roots[first], keys, i)
                if best is None and fallback and first in capitalised:
                    # "Russische Föderation" begins with it, but "Russische Diplomaten" is the adjective
                    best = self._walk(roots[first[0].lower() + first[1:]], keys, i)
            elif fallback and (first in capitalised or (first[:1].isupper() and not first[0].isascii())) \
                    and (lowered := first[0].lower() + first[1:]) in roots:
                best = self._walk(roots[lowered], keys, i)
            else:
                continue
            out[i] = best
        return out

    @staticmethod
    def _walk(node: _Node[V], keys: Sequence[str], i: int) -> tuple[int, list[V]] | None:
        """The longest phrase from ``node``, the root of the token at ``i``."""
        best = (1, node.values) if node.values is not None else None
        n = len(keys)
        j = i + 1
        while j < n and node.next:
            found = node.next.get(keys[j])
            if found is None:
                break
            node = found
            j += 1
            if node.values is not None:
                best = (j - i, node.values)
        return best

    def _lowered(self, word: str) -> str:
        """The first token a capitalised ``word`` may stand for, lower-cased ("Russische" for "russische"); ""
        where it stands for none (an ASCII capital whose lower-case form begins no phrase, or no capital)."""
        if word in self._capitalised or (word[:1].isupper() and not word[0].isascii()):
            return word[0].lower() + word[1:]
        return ""
