"""Longest-match lookup of multi-token phrases in a token sequence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from dyad.nlp import token_texts

V = TypeVar("V")


class PhraseIndex(Generic[V]):
    """Maps token tuples to values; built once, shared by every document.

    With ``fold_case`` both the phrases and the looked-up tokens are
    lower-cased (English role nouns); otherwise matching is exact except
    that a sentence-initial capital is tried too (German adjectives).
    """

    def __init__(self, fold_case: bool = False) -> None:
        self.fold_case = fold_case
        self._by_first: dict[str, list[tuple[tuple[str, ...], list[V]]]] = {}
        self._exact: dict[tuple[str, ...], list[V]] = {}

    def add(self, phrase: str, value: V) -> None:
        key = token_texts(phrase.lower() if self.fold_case else phrase)
        if not key:
            return
        values = self._exact.get(key)
        if values is None:
            values = self._exact[key] = []
            bucket = self._by_first.setdefault(key[0], [])
            bucket.append((key, values))
            bucket.sort(key=lambda item: -len(item[0]))
        if value not in values:
            values.append(value)

    def get(self, phrase: str) -> list[V]:
        key = token_texts(phrase.lower() if self.fold_case else phrase)
        return list(self._exact.get(key, ()))

    def __len__(self) -> int:
        return len(self._exact)

    def items(self):
        return self._exact.items()

    def starts(self, word: str) -> bool:
        """Whether some phrase begins with ``word`` (a cheap test before a longer search)."""
        first = word.lower() if self.fold_case else word
        return first in self._by_first or (not self.fold_case and first[:1].isupper()
                                           and first[0].lower() + first[1:] in self._by_first)

    def match_at(self, words: Sequence[str], i: int) -> tuple[int, list[V]] | None:
        """Longest phrase starting at ``words[i]``: (length, values) or None."""
        first = words[i].lower() if self.fold_case else words[i]
        candidates = self._by_first.get(first)
        if candidates is None and not self.fold_case and first[:1].isupper():
            lowered = first[0].lower() + first[1:]
            candidates = self._by_first.get(lowered)
            first = lowered
        if candidates is None:
            return None
        n = len(words)
        for key, values in candidates:
            size = len(key)
            if i + size > n:
                continue
            if all(_same(key[j], words[i + j], self.fold_case) for j in range(1, size)):
                return size, values
        return None


def _same(expected: str, word: str, fold_case: bool) -> bool:
    return expected == (word.lower() if fold_case else word)
