"""Remove scraping debris and normalise text, keeping a map to the original.

Debris patterns are data (``debris_lines`` and ``debris_inline`` of each
language's lexicon); patterns of every language are applied, since scraped
pages mix them ("Share on Facebook" under a German article).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable

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
    # the kept text is a few runs between the dropped stretches: copied run by run, not character by character
    runs = [m.span() for m in KEPT_RUN.finditer(removed)]
    offsets = array("l")
    for start, end in runs:
        offsets.extend(range(start, end))
    out = "".join(normalised[start:end] for start, end in runs)
    return CleanText(out, offsets, len(text))


def _same_length(text: str) -> str:
    """``text.translate(SAME_LENGTH)``."""
    for old, new in REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    return text
