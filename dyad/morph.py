"""Lemmas of words, from simplemma's dictionaries (shipped inside its package, no download)."""

from __future__ import annotations

from functools import lru_cache

import simplemma


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """The dictionary form of a word ("trafen" -> "treffen", "Gesprächen" -> "Gespräch", "met" -> "meet");
    the word itself where the dictionary has none. German keeps the case that marks nouns."""
    if not word[:1].isalpha():
        return word
    try:
        # the memory-frugal backend reads the same dictionaries from their packed stream: the same lemmas,
        # about 25 MB for German and English instead of 124 MB as Python dicts; the cache above keeps it fast
        found = simplemma.lemmatize(word, lang=language, low_memory=True)
    except ValueError:  # a language simplemma does not know
        return word
    return found if language == "de" else found.lower()
