"""The learned decision: a confidence for each event, a threshold, and a model rebuilt as shipped."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dyad.decide import MODEL_PATH, DecisionModel, decide, features, load_model
from dyad.model import Document
from dyad.pipeline import extract, readings_of
from dyad.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("Der arnorische Außenminister Elendil Vorn traf sich am Dienstag in Minas Tirith mit dem "
        "gondorischen Außenminister Faramir Ithil. Vorn und Ithil sprachen über den Flusshandel. "
        "Gondor und Rohan hatten einst über Weiden gestritten.")


def readings(kb, text=TEXT):
    return readings_of(Document("t", text, date(2023, 9, 20), "de"), kb, Settings(language="de"))


def test_every_event_carries_a_confidence_between_zero_and_one(fantasy_kb):
    [event] = extract(Document("t", TEXT, date(2023, 9, 20), "de"), fantasy_kb, Settings(language="de")).events
    assert 0.0 < event.confidence < 1.0


def test_features_read_how_often_and_with_whom_the_article_reports_a_meeting(fantasy_kb):
    [reading] = readings(fantasy_kb)
    values = features(reading)
    assert len(reading.group) == 2  # the meeting and its repetition
    assert values["reports"] == pytest.approx(1.0986, abs=1e-3)  # log(1 + 2)
    assert values["named_share"] == 1.0 and values["state_share"] == 0.0
    assert values["day_date"] == 1.0 and values["city"] == 1.0 and values["german"] == 1.0


def test_the_threshold_drops_what_is_less_likely_and_zero_keeps_everything(fantasy_kb):
    [reading] = readings(fantasy_kb)
    confidence = load_model().confidence(features(reading))
    assert decide([reading], Settings(min_confidence=0.0))[0].confidence == pytest.approx(confidence)
    assert decide([reading], Settings(min_confidence=min(1.0, confidence + 0.01))) == ()


def test_a_model_weighs_standardised_features():
    model = DecisionModel(("reports",), (2.0,), 0.0, 0.5, (1.0,), (0.5,))
    assert model.confidence({"reports": 1.0}) == pytest.approx(0.5)
    assert model.confidence({"reports": 2.0}) == pytest.approx(1 / (1 + 2.718281828 ** -4), abs=1e-6)
    assert model.confidence({"reports": 1e9}) == pytest.approx(1.0)  # no overflow


def test_the_shipped_model_is_what_the_training_script_builds(tmp_path):
    pytest.importorskip("sklearn")
    if not (ROOT.parent / "shared" / "corpus" / "real" / "dev").exists():
        pytest.skip("the real development set (../shared) is part of the training data")
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    subprocess.run([sys.executable, str(ROOT / "scripts" / "train_decide.py")], check=True, capture_output=True,
                   cwd=ROOT)
    try:
        assert json.loads(MODEL_PATH.read_text(encoding="utf-8")) == shipped
    finally:
        MODEL_PATH.write_text(json.dumps(shipped, indent=1) + "\n", encoding="utf-8")


def test_cli_rejects_a_confidence_outside_zero_to_one(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Lawrow traf Wang Yi.", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "dyad.cli", "extract", str(article), "--min-confidence", "1.5"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "between 0 and 1" in done.stderr

