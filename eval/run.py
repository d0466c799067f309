"""Score dyad on the seeds, the development set and the blind set.

    python eval/run.py            # all sets
    python eval/run.py dev        # one set
    python eval/run.py dev --errors
    python eval/run.py /path/to/set      # any folder with input.jsonl and gold.jsonl

Each set is a folder with input.jsonl and gold.jsonl; the seeds live in
../shared/corpus/seeds. Besides the scorer's figures this prints the share
of gold person mentions that dyad resolves to the exact canonical name.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from dyad import scoring
from dyad.evaluate import evaluate_files, format_scores
from dyad.kb.loader import load_kb
from dyad.output import article_json
from dyad.pipeline import extract_all
from dyad.settings import Settings
from dyad.sources import read_sources

ROOT = Path(__file__).resolve().parent
SETS = {
    "seeds": ROOT.parent.parent / "shared" / "corpus" / "seeds",
    "dev": ROOT / "dev",
    "dev2": ROOT / "dev2",
    "dev3": ROOT / "dev3",
    "dev4": ROOT / "dev4",
    "dev5": ROOT / "dev5",
    "blind": ROOT / "blind",
    "real-dev": ROOT.parent.parent / "shared" / "corpus" / "real" / "dev",
    "real-test": ROOT.parent.parent / "shared" / "corpus" / "real" / "test",
}


def set_files(folder: Path, tmp: Path) -> tuple[Path, Path]:
    """(input, gold) of a set: one file each, or the real corpus's files per language joined."""
    if (folder / "gold.jsonl").exists():
        return folder / "input.jsonl", folder / "gold.jsonl"
    joined = []
    for kind in ("input", "gold"):
        path = tmp / f"{kind}.jsonl"
        path.write_text("".join(f.read_text(encoding="utf-8") for f in sorted(folder.glob(f"*_{kind}.jsonl"))),
                        encoding="utf-8")
        joined.append(path)
    return joined[0], joined[1]


def predict(inputs: Path, out: Path) -> None:
    kb = load_kb()
    with out.open("w", encoding="utf-8") as f:
        for result in extract_all(read_sources([str(inputs)]), kb, Settings()):
            if hasattr(result, "events"):
                f.write(json.dumps(article_json(result, kb.version), ensure_ascii=False) + "\n")


def person_resolution(gold_path: Path, pred_path: Path) -> tuple[int, int]:
    """(gold named people found with their exact canonical name, gold named people), per article."""
    gold, pred = scoring.load(str(gold_path)), scoring.load(str(pred_path))
    found = total = 0
    for doc_id, g in gold.items():
        wanted = {scoring.fold(p["name"]) for e in g.get("events", []) for p in e.get("participants", [])
                  if p.get("name")}
        got = {scoring.fold(p["name"]) for e in pred.get(doc_id, {}).get("events", [])
               for p in e.get("participants", []) if p.get("name")}
        found += len(wanted & got)
        total += len(wanted)
    return found, total


def set_folder(name: str) -> Path:
    """A named set, or any folder with input.jsonl and gold.jsonl (a held-out set kept outside the repository)."""
    return SETS[name] if name in SETS else Path(name)


def score_set(name: str, by_language: bool = False) -> dict:
    folder = set_folder(name)
    with tempfile.TemporaryDirectory() as tmp:
        inputs, gold_path = set_files(folder, Path(tmp))
        pred = Path(tmp) / "pred.jsonl"
        predict(inputs, pred)
        scores = evaluate_files(str(gold_path), str(pred))
        scores["person_resolution"] = person_resolution(gold_path, pred)
        if by_language:
            for lang in ("de", "en"):
                gold = Path(tmp) / f"gold_{lang}.jsonl"
                lines = [ln for ln in gold_path.read_text(encoding="utf-8").splitlines()
                         if ln.strip() and json.loads(ln).get("language") == lang]
                gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
                scores[f"events_{lang}"] = evaluate_files(str(gold), str(pred))["events"]
    return scores


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")] or list(SETS)
    for name in names:
        if not any(set_folder(name).glob("*gold.jsonl")):
            print(f"== {name}: no data at {set_folder(name)}")
            continue
        scores = score_set(name, by_language=True)
        print(f"== {name} ({scores['articles']} articles)")
        print(format_scores(scores, errors="--errors" in argv))
        for lang in ("de", "en"):
            r = scores[f"events_{lang}"]
            if r["gold"]:
                print(f"events ({lang})  P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f}")
        found, total = scores["person_resolution"]
        if total:
            print(f"person mentions resolved to the canonical name: {found}/{total} = {found / total:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
