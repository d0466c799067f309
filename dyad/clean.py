"""Remove scraping debris and normalise text, keeping a map to the original.

Debris patterns are data (``debris_lines`` and ``debris_inline`` of each
language's lexicon); patterns of every language are applied, since scraped
pages mix them ("Share on Facebook" under a German article).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from itertools import compress

from dyad.lexicon import Lexicon
from dyad.model import CleanText, Document
from dyad.nlp import SAME_LENGTH

# Characters that carry no text: zero-width spaces and joiners, soft hyphen, BOM.
INVISIBLE = "\u200b\u200c\u200d\u2060\u00ad\ufeff"
INVISIBLE_CHAR = re.compile(f"[{INVISIBLE}]")
KEPT = bytes.maketrans(b"\x00\x01", b"\x01\x00")  # removed -> kept, one byte per character
SPACES = re.compile(r"  +")
SPACED_DASH = re.compile(r"(?<=\s)-(?=\s)")


def clean(doc: Document, lexicons: Iterable[Lexicon]) -> CleanText:
    text = doc.text
    removed = bytearray(len(text))  # 1 where the original character is dropped
    lexicons = list(lexicons)
    for lex in lexicons:
        if lex.debris_inline is not None:
            for m in lex.debris_inline.finditer(text):
                removed[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and any(p.fullmatch(stripped) for lex in lexicons for p in lex.debris_lines):
            removed[pos:pos + len(line)] = b"\x01" * len(line)
        pos += len(line) + 1
    for m in INVISIBLE_CHAR.finditer(text):
        removed[m.start()] = 1
    # a hyphen between spaces is a dash that separates clauses ("zusammenkommen - es wäre ..."):
    # it becomes "–", while joining hyphens and dashes ("US–China talks") become "-"
    normalised = SPACED_DASH.sub("–", text.translate(SAME_LENGTH))
    for m in SPACES.finditer(normalised):
        removed[m.start() + 1:m.end()] = b"\x01" * (m.end() - m.start() - 1)
    kept = removed.translate(KEPT)
    offsets = array("l", compress(range(len(text)), kept))
    out = "".join(compress(normalised, kept))
    return CleanText(out, offsets, len(text))
