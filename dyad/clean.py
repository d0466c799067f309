"""Remove scraping debris and normalise text, keeping a map to the original.

Debris patterns are data (``debris_lines`` and ``debris_inline`` of each
language's lexicon); patterns of every language are applied, since scraped
pages mix them ("Share on Facebook" under a German article).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import overload

from dyad.lexicon import Lexicon
from dyad.model import CleanText, Document
from dyad.nlp import SAME_LENGTH

# Characters that carry no text: zero-width spaces and joiners, soft hyphen, BOM.
INVISIBLE = "\u200b\u200c\u200d\u2060\u00ad\ufeff"
INVISIBLE_CHAR = re.compile(f"[{INVISIBLE}]")
KEPT_RUN = re.compile(rb"\x00+")  # characters kept, in a mask with 1 where one is dropped
SPACES = re.compile(r"  +")
SPACED_DASH = re.compile(r"(?<=\s)-(?=\s)")
# SAME_LENGTH as (character, replacement) pairs: str.translate with a table looks every character of the
# text up, while str.replace skips a text without the character at C speed (no replacement is itself replaced)
REPLACEMENTS = tuple((chr(code), new) for code, new in SAME_LENGTH.items())


def clean(doc: Document, lexicons: Iterable[Lexicon]) -> CleanText:
    text = doc.text
    removed = bytearray(len(text))  # 1 where the original character is dropped
    lexicons = list(lexicons)
    # languages may share a pattern (HTML tags, ad markers): each distinct one is run once
    for pattern in dict.fromkeys(lex.debris_inline for lex in lexicons if lex.debris_inline is not None):
        for m in pattern.finditer(text):
            removed[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and any(lex.debris_line.fullmatch(stripped) for lex in lexicons):
            removed[pos:pos + len(line)] = b"\x01" * len(line)
        pos += len(line) + 1
    for m in INVISIBLE_CHAR.finditer(text):
        removed[m.start()] = 1
    # a hyphen between spaces is a dash that separates clauses ("zusammenkommen - es wäre ..."):
    # it becomes "–", while joining hyphens and dashes ("US–China talks") become "-"
    normalised = SPACED_DASH.sub("–", _same_length(text))
    for m in SPACES.finditer(normalised):
        removed[m.start() + 1:m.end()] = b"\x01" * (m.end() - m.start() - 1)
    # the kept text is a few runs between the dropped stretches: copied, and mapped back, run by run
    runs = [m.span() for m in KEPT_RUN.finditer(removed)]
    out = "".join(normalised[start:end] for start, end in runs)
    return CleanText(out, KeptOffsets(runs), len(text))


class KeptOffsets(Sequence[int]):
    """The original index of each clean character, held as the runs of kept characters (where each begins in
    the clean text and in the original): a text loses a few stretches, so no number is stored per character."""

    __slots__ = ("_clean", "_original", "_length")

    def __init__(self, runs: Iterable[tuple[int, int]]) -> None:
        """``runs``: (start, end) in the original of each run of kept characters, in order."""
        self._clean: list[int] = []
        self._original: list[int] = []
        length = 0
        for start, end in runs:
            self._clean.append(length)
            self._original.append(start)
            length += end - start
        self._length = length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("clean text index out of range")
        run = bisect_right(self._clean, index) - 1
        return self._original[run] + index - self._clean[run]


def _same_length(text: str) -> str:
    """``text.translate(SAME_LENGTH)``."""
    for old, new in REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    return text
