"""Quality gate: scores on the sets nobody tunes on may not fall below their frozen floors."""

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "eval"))

import run as evaluation  # noqa: E402

FLOORS = json.loads((ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))


def value(scores, dotted):
    """A figure of the scores; "date.correct" is how many matched events have the right date."""
    name, part = dotted.split(".")
    if part == "correct":
        return round((scores[name]["accuracy"] or 0) * scores[name]["n"])
    return scores[name][part]


@pytest.mark.parametrize("name", [k for k in FLOORS if not k.startswith("_")])
def test_scores_stay_above_their_floors(name):
    if not any(evaluation.SETS[name].glob("*gold.jsonl")):
        pytest.skip(f"{name} set not available")
    scores = evaluation.score_set(name, by_language=True)
    for key, floor in FLOORS[name].items():
        assert value(scores, key) >= floor, f"{name} {key} = {value(scores, key)} < floor {floor}"


def test_blind_set_is_frozen():
    folder = ROOT / "eval" / "blind"
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_dyad_evaluate_gives_the_reference_scores(tmp_path):
    """`dyad evaluate` reports what shared/annotation/score.py reports, on the seeds."""
    import subprocess

    seeds = evaluation.SETS["seeds"]
    reference = seeds.parents[1] / "annotation" / "score.py"
    if not reference.exists():
        pytest.skip("shared annotation kit not available")
    pred = tmp_path / "pred.jsonl"
    evaluation.predict(seeds / "input.jsonl", pred)
    ref = json.loads(subprocess.run([sys.executable, str(reference), str(seeds / "gold.jsonl"), str(pred), "--json"],
                                    capture_output=True, text=True, check=True).stdout)
    ours = json.loads(subprocess.run([sys.executable, "-m", "dyad.cli", "evaluate", str(seeds / "gold.jsonl"),
                                      str(pred), "--json"], capture_output=True, text=True, check=True,
                                     cwd=ROOT).stdout)
    for key, figures in ref.items():
        assert ours[key] == figures, key
    assert "strict" in ours and ours["strict"]["f1"] <= ours["events"]["f1"]


def test_a_set_kept_outside_the_repository_is_scored_from_its_folder(tmp_path):
    # held-out sets of real articles may not enter the repository: eval/run.py scores any folder
    dev = evaluation.SETS["dev"]  # a set inside the repository, there in every checkout
    for name in ("input.jsonl", "gold.jsonl"):
        (tmp_path / name).write_bytes((dev / name).read_bytes())
    assert evaluation.score_set(str(tmp_path))["events"] == evaluation.score_set("dev")["events"]
