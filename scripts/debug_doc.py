"""Show, sentence by sentence, what dyad finds in one article (a development aid).

    python scripts/debug_doc.py FILE.jsonl DOC_ID [--all]
"""

import json
import sys
from datetime import date

from dyad.clean import clean
from dyad.dates import find_dates
from dyad.kb.loader import load_kb
from dyad.lexicon import available_languages, load_lexicon
from dyad.mentions import DocContext, find_mentions
from dyad.model import Document
from dyad.nlp import split_sentences
from dyad.trigger import find_triggers

path, doc_id = sys.argv[1], sys.argv[2]
rec = next(json.loads(x) for x in open(path, encoding="utf-8") if json.loads(x)["id"] == doc_id)
kb = load_kb()
lex = load_lexicon(rec.get("language") or "de")
published = date.fromisoformat(rec["published"]) if rec.get("published") else None
doc = Document(rec["id"], rec["text"], published, rec.get("language"))
text = clean(doc, [load_lexicon(x) for x in available_languages()])
ctx = DocContext()
for sent in split_sentences(text.text, lex.abbreviations, lex.ordinal_dots):
    triggers = find_triggers(sent, lex)
    if not triggers and "--all" not in sys.argv:
        _, ctx = find_mentions(sent, text.text, kb, lex, published, ctx)
        continue
    m, ctx = find_mentions(sent, text.text, kb, lex, published, ctx)
    print("\n>>", text.text[sent.start:sent.end][:300])
    print("   triggers:", [(sent.tokens[t.token].text, t.kind) for t in triggers])
    print("   actors:", [(a.kind, a.text, a.name, a.country, a.role) for a in m.actors])
    print("   weak:", [(a.text, a.country, a.use) for a in m.weak_states], "orgs:", [o.text for o in m.orgs])
    print("   places:", [(p.location.city, p.location.country) for p in m.places])
    print("   dates:", [(d.past and d.past.value, d.future and d.future.value) for d in
                        find_dates(sent.tokens, lex, published, published)])
