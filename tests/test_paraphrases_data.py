"""Shape of bench/paraphrases.jsonl (the paraphrase benchmark's data), not the extractor's results."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[1] / "bench" / "paraphrases.jsonl"
ORGS = {
    "UN", "NATO", "SCO", "BRICS", "EU", "ASEAN", "APEC", "G20", "G7", "ICC", "AU", "GCC", "OSCE", "IAEA",
    "MERCOSUR", "CELAC", "OIC", "PIF", "CIS", "CSTO", "EAEU", "ECOWAS", "SADC", "OAS", "LAS", "NORDIC",
    "OPEC", "IMF", "OPCW",
}
STATUSES = {"occurred", "planned"}
KEYS = {"id", "language", "published", "construction", "expected", "texts"}


@pytest.fixture(scope="module")
def groups() -> list[dict]:
    return [json.loads(line) for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_ids_unique_and_keys(groups):
    ids = Counter(g["id"] for g in groups)
    assert not [i for i, n in ids.items() if n > 1]
    for g in groups:
        assert set(g) == KEYS, g["id"]
        assert g["id"].startswith(g["language"] + "-"), g["id"]
        assert isinstance(g["construction"], str) and g["construction"].strip()


def test_three_distinct_texts(groups):
    for g in groups:
        texts = g["texts"]
        assert len(texts) == 3, g["id"]
        assert all(isinstance(t, str) and t.strip() for t in texts), g["id"]
        assert len(set(texts)) == 3, g["id"]


def test_languages_and_dates(groups):
    for g in groups:
        assert g["language"] in {"de", "en"}, g["id"]
        assert date(2023, 1, 1) <= date.fromisoformat(g["published"]) <= date(2025, 12, 31), g["id"]
    assert {g["language"] for g in groups} == {"de", "en"}


def test_expected_events(groups):
    for g in groups:
        assert isinstance(g["expected"], list), g["id"]
        for event in g["expected"]:
            assert set(event) == {"sides", "status"}, g["id"]
            assert event["status"] in STATUSES, g["id"]
            sides = event["sides"]
            assert len(sides) >= 2 and len(set(sides)) == len(sides), g["id"]
            assert sides == sorted(sides), g["id"]
            for code in sides:
                assert re.fullmatch(r"[A-Z]{3}", code) or code in ORGS, (g["id"], code)


def test_negative_groups_present(groups):
    negatives = sum(1 for g in groups if not g["expected"])
    assert 0.1 <= negatives / len(groups) <= 0.35
