"""Detect the language of a document among those dyad has lexicons for."""

from __future__ import annotations

from functools import lru_cache

from dyad.lexicon import available_languages

SAMPLE = 2000  # characters; more does not change the decision on news text


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(available_languages())
    return identifier


def detect_language(text: str) -> str:
    language, _ = _identifier().classify(text[:SAMPLE])
    return language
