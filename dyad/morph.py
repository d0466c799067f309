"""Lemmas of words, from simplemma's dictionaries (shipped inside its package, no download)."""

from __future__ import annotations

import simplemma

# Lemmas already looked up, per language: a sentence's tokens read them from here directly (dyad.nlp), which
# is a third of the cost of a cached call. Emptied when it grows past this many words: the size of the
# functools cache it replaces, which bounded memory the same way.
MAX_CACHED_LEMMAS = 200_000
_known: dict[str, dict[str, str]] = {}


def known_lemmas(language: str) -> dict[str, str]:
    """The lemmas of ``language`` looked up so far, word -> lemma; ``lemma`` adds to it."""
    return _known.setdefault(language, {})


def lemma(word: str, language: str) -> str:
    """The dictionary form of a word ("trafen" -> "treffen", "Gesprächen" -> "Gespräch", "met" -> "meet");
    the word itself where the dictionary has none. German keeps the case that marks nouns."""
    known = known_lemmas(language)
    found = known.get(word)
    if found is None:
        if len(known) >= MAX_CACHED_LEMMAS:
            known.clear()
        found = known[word] = _looked_up(word, language)
    return found


def _looked_up(word: str, language: str) -> str:
    if not word[:1].isalpha():
        return word
    try:
        # the memory-frugal backend reads the same dictionaries from their packed stream: the same lemmas,
        # about 25 MB for German and English instead of 124 MB as Python dicts; the cache above keeps it fast
        found = simplemma.lemmatize(word, lang=language, low_memory=True)
    except ValueError:  # a language simplemma does not know
        return word
    return found if language == "de" else found.lower()
