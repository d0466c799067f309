"""`dyad evaluate`: the reference scores plus strict ones.

The reference figures come from the vendored scorer unchanged, so they are
the same as ``score.py`` gives. Strict figures count a matched event only
when every gold name is given exactly (canonical form) and the date has
exactly the gold's precision.
"""

from __future__ import annotations

from typing import Any

from dyad import scoring


def evaluate_files(gold_path: str, pred_path: str) -> dict[str, Any]:
    gold, pred = scoring.load(gold_path), scoring.load(pred_path)
    errors: list = []
    scores = scoring.score(gold, pred, errors)
    scores["strict"] = _strict(gold, pred)
    scores["errors"] = [
        {"id": doc_id, "kind": kind, "event": scoring.brief(e) if kind != "wrong date/place"
         else f"gold {scoring.brief(e['gold'])}  pred {scoring.brief(e['pred'])}"}
        for doc_id, kind, e in errors
    ]
    return scores


def _strict(gold_docs: dict, pred_docs: dict) -> dict[str, Any]:
    tp = n_pred = n_gold = 0
    for doc_id, gold in gold_docs.items():
        g_events = [scoring.prepare(e) for e in gold.get("events", []) if e.get("status", "occurred") == "occurred"]
        p_events = [scoring.prepare(e) for e in pred_docs.get(doc_id, {}).get("events", [])
                    if e.get("status", "occurred") == "occurred"]
        n_gold += len(g_events)
        n_pred += len(p_events)
        tp += len(scoring.match_article(g_events, p_events, _strict_agree))
    return scoring.prf(tp, n_pred, n_gold)


def _strict_agree(g: dict, p: dict) -> bool:
    if not scoring.sides_agree(g["sides"], p["sides"]):
        return False
    gold_names = {scoring.fold(s["name"]) for s in g["sides"] if s.get("name")}
    pred_names = {scoring.fold(s["name"]) for s in p["sides"] if s.get("name")}
    return gold_names <= pred_names and (g.get("date") or None) == (p.get("date") or None)


def format_scores(scores: dict[str, Any], errors: bool = False) -> str:
    lines = []
    for key in ("events", "events_full", "dyads", "planned", "strict"):
        r = scores[key]
        lines.append(f"{key:12} P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f}"
                     f"  (tp {r['tp']}, pred {r['pred']}, gold {r['gold']})")
    people = scores["people"]
    lines.append(f"{'people':12} P={people['precision']} R={people['recall']} exact names={people['exact_names']}")
    for key in ("date", "date_strict", "location", "status"):
        lines.append(f"{key:12} accuracy={scores[key]['accuracy']} (n {scores[key]['n']})")
    if scores["missing_articles"]:
        lines.append("articles with no output: " + ", ".join(scores["missing_articles"]))
    if errors:
        lines += [f"{e['id']} {e['kind']}: {e['event']}" for e in scores["errors"]]
    return "\n".join(lines)
