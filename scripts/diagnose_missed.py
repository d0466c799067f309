"""Why did dyad miss gold events? One line per missed event, with what the sentence gave.

    python scripts/diagnose_missed.py eval/dev3 [--planned]

For every gold event no prediction matched (the scorer's own matching), the
sentences of its evidence are run through triggers and mentions, and the
line says which stage lost it: no meeting word, too few sides, or sides found
but the event was still not formed (frames, negation, status).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from dyad import scoring
from dyad.clean import clean
from dyad.kb.loader import load_kb
from dyad.lexicon import available_languages, load_lexicon
from dyad.mentions import DocContext, find_mentions
from dyad.model import Document
from dyad.nlp import split_sentences
from dyad.trigger import find_triggers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
from run import predict  # noqa: E402


def sentence_view(rec: dict, kb, lexicons) -> list[tuple[str, list, set]]:
    lex = load_lexicon(rec.get("language") or "de")
    published = date.fromisoformat(rec["published"]) if rec.get("published") else None
    doc = Document(rec["id"], rec["text"], published, rec.get("language"))
    text = clean(doc, lexicons)
    ctx = DocContext()
    out = []
    for sent in split_sentences(text.text, lex.abbreviations, lex.ordinal_dots):
        m, ctx = find_mentions(sent, text.text, kb, lex, published, ctx)
        triggers = [sent.tokens[t.token].text for t in find_triggers(sent, lex)]
        countries = {a.country for a in m.actors if a.country} | {a.country for a in m.weak_states}
        countries |= {o.country for o in m.orgs if o.country}
        out.append((text.text[sent.start:sent.end], triggers, countries))
    return out


def main(argv: list[str]) -> None:
    folder = Path(argv[0])
    status = "planned" if "--planned" in argv else "occurred"
    kb = load_kb()
    lexicons = [load_lexicon(x) for x in available_languages()]
    inputs = {json.loads(x)["id"]: json.loads(x) for x in (folder / "input.jsonl").open(encoding="utf-8")}
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        predict(folder / "input.jsonl", pred)
        errors: list = []
        scoring.score(scoring.load(str(folder / "gold.jsonl")), scoring.load(str(pred)), errors)
    causes = Counter()
    for doc_id, kind, event in errors:
        if kind != "missed" or event["status"] != status:
            continue
        gold_countries = {s.get("country") for s in event["sides"]}
        sentences = [s for s in sentence_view(inputs[doc_id], kb, lexicons)
                     if s[0][:40] in event.get("evidence", "") or event.get("evidence", "")[:40] in s[0]]
        triggers = [t for s in sentences for t in s[1]]
        found = set().union(*(s[2] for s in sentences)) if sentences else set()
        if not sentences:
            cause = "evidence not found"
        elif not triggers:
            cause = "no trigger"
        elif len(gold_countries & found) < min(2, len(gold_countries)):
            cause = "sides not found"
        else:
            cause = "event not formed"
        causes[cause] += 1
        print(f"{doc_id} {cause}: {scoring.brief(event)}\n   triggers {triggers} countries {sorted(found)}"
              f"\n   {event.get('evidence', '')[:240]}")
    print(dict(causes))


if __name__ == "__main__":
    main(sys.argv[1:])
