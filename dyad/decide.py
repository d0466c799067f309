"""The learned decision over the rules' meeting candidates: how likely each one is right.

The rules propose an event for every meeting they read; a logistic model over a few features of how
the article reports it (how often, where, with whom named, with which words) gives each event a
confidence in [0, 1], and events below the model's threshold are dropped. The model is plain data,
``dyad/data/decide.json``, written by ``python scripts/train_decide.py`` from the gold sets; reading
it needs no learning library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from dyad.errors import KnowledgeBaseError
from dyad.lexicon import load_lexicon
from dyad.model import Candidate, Event
from dyad.settings import Settings

MODEL_PATH = Path(__file__).parent / "data" / "decide.json"
QUOTES = ('"', "„", "“", "”", "«", "»")
KINDS = ("meet", "talks", "visit", "host", "call", "video", "summit", "join")


@dataclass(frozen=True, slots=True)
class Reading:
    """How one article reports one event: what the features are computed from."""

    group: tuple[Candidate, ...]  # every sentence that reports the meeting, in order
    event: Event
    sentences: int  # sentences in the article
    language: str


@dataclass(frozen=True, slots=True)
class DecisionModel:
    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # the confidence below which an event is dropped
    means: tuple[float, ...]
    scales: tuple[float, ...]

    def confidence(self, values: dict[str, float]) -> float:
        z = self.bias + sum(w * (values.get(n, 0.0) - m) / s
                            for n, w, m, s in zip(self.names, self.weights, self.means, self.scales, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def features(reading: Reading) -> dict[str, float]:
    """Numeric features of a reading; names are stable, the model refers to them."""
    group, event = reading.group, reading.event
    sides = group[0].sides if len(group) == 1 else _union_sides(group)
    n_sides = max(1, len(sides))
    kinds = set().union(*(c.kinds for c in group))
    mention_kinds = [{m.kind for m in ms} for _, ms in sides]
    first = min(c.sentence_index for c in group)
    values = {
        "sides_3plus": float(len(sides) >= 3),
        "org_side": float(any("org" in k for k in mention_kinds)),
        "named_share": sum("person" in k for k in mention_kinds) / n_sides,
        "role_share": sum("role" in k and "person" not in k for k in mention_kinds) / n_sides,
        "state_share": sum(k <= {"state"} for k in mention_kinds) / n_sides,
        "known_share": sum(any(m.kind == "person" and m.key for m in ms) for _, ms in sides) / n_sides,
        "visited_side": float(any(m.use in ("visited", "venue") for _, ms in sides for m in ms)),
        "planned": float(event.status == "planned"),
        "reports": math.log1p(len(group)),
        "position": first / max(1, reading.sentences),
        "lead": float(first <= 1),
        "dated": float(event.date is not None),
        "day_date": float(event.date is not None and event.date.precision == "day"),
        "explicit_date": float(event.date is not None and event.date.basis == "explicit"),
        "located": float(event.location is not None),
        "city": float(event.location is not None and event.location.city is not None),
        "place_from_context": float(any(c.place_from_context for c in group)),
        "host": float(event.host is not None),
        "sideline": float(any(c.sideline for c in group)),
        "evidence_words": math.log1p(len(event.evidence.text.split())),
        "german": float(reading.language == "de"),
    }
    values.update({f"kind_{k}": float(k in kinds) for k in KINDS})
    lex = load_lexicon(reading.language)
    texts = dict.fromkeys(c.evidence.text for c in group)  # candidates of one sentence share its text
    words = {w.strip(",.") for text in texts for w in text.lower().split()}
    values["quoted"] = float(any(q in text for text in texts for q in QUOTES))
    values["background_cue"] = float(not words.isdisjoint(lex.background_words))
    values["speech_cue"] = float(not words.isdisjoint(lex.speech_verbs))
    return values


def _union_sides(group: Sequence[Candidate]) -> list[tuple[str, list]]:
    merged: dict[str, list] = {}
    for cand in group:
        for country, ms in cand.sides:
            merged.setdefault(country, []).extend(ms)
    return list(merged.items())


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> DecisionModel | None:
    """The shipped model, or None where none has been trained (every event then keeps confidence 1)."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return DecisionModel(tuple(data["names"]), tuple(float(w) for w in data["weights"]), float(data["bias"]),
                             float(data["threshold"]), tuple(float(m) for m in data["means"]),
                             tuple(float(s) or 1.0 for s in data["scales"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise KnowledgeBaseError(f"{path}: not a decision model: {exc}") from exc


def decide(readings: Sequence[Reading], settings: Settings) -> tuple[Event, ...]:
    """Each event with the model's confidence; those below the threshold are dropped."""
    model = load_model()
    if model is None:
        return tuple(r.event for r in readings)
    floor = model.threshold if settings.min_confidence is None else settings.min_confidence
    scored = (replace(r.event, confidence=model.confidence(features(r))) for r in readings)
    return tuple(e for e in scored if e.confidence >= floor)
