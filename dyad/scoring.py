# Vendored from the project annotation kit (shared/annotation/score.py) so that
# `dyad evaluate` scores exactly as the reference scorer; keep it identical.
#!/usr/bin/env python3
"""Score extracted CONSULT events against gold annotations.

Usage: score.py GOLD.jsonl PRED.jsonl [--json] [--errors]

Both files hold one JSON object per article: {"id": ..., "events": [...]}
in the format of GUIDELINES.md. Standard library only.
"""
import difflib
import json
import sys
import unicodedata

FAMILY_NAME_FIRST = {"CHN", "TWN", "HKG", "MAC", "PRK", "KOR", "VNM"}

# German and French spellings of Slavic and other names, folded to English.
TRANSLIT = [("tsch", "ch"), ("sch", "sh"), ("ou", "u"), ("ij", "iy"), ("ej", "ey"),
            ("j", "y"), ("w", "v"), ("ck", "k"), ("kh", "h"), ("ch", "h"), ("z", "s")]


# Letters that Unicode does not decompose into a base letter and a mark.
UNDECOMPOSED = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                              "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ð": "d", "þ": "th"})


def fold(text):
    text = unicodedata.normalize("NFKD", (text or "").translate(UNDECOMPOSED))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = "".join(c if c.isalnum() else " " for c in text)
    for old, new in TRANSLIT:
        text = text.replace(old, new)
    return " ".join(text.split())


def similar(a, b, threshold=0.85):
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= threshold


def surname(name, country):
    tokens = fold(name).split()
    if not tokens:
        return ""
    return tokens[0] if country in FAMILY_NAME_FIRST else tokens[-1]


def same_side(gold, pred):
    g_name, p_name = gold.get("name"), pred.get("name")
    g_country, p_country = gold.get("country"), pred.get("country")
    if g_country and p_country and g_country != p_country:
        return False
    if not g_name or not p_name:
        return bool(g_country) and g_country == p_country
    if similar(fold(g_name), fold(p_name)):
        return True
    # Family name alone decides, except where family names are few and
    # common (Wang Yi is not Wang Wenbin); there the shorter-form rule applies.
    key = surname(g_name, g_country)
    p_folded = fold(p_name).split()
    if (g_country not in FAMILY_NAME_FIRST and len(key) >= 2
            and any(similar(key, t) for t in p_folded)):
        return True
    # A hyphenated or two-part family name written as one word
    # (Amir-Abdollahian = Amirabdollahian).
    g_split = fold(g_name).split()
    if (g_country not in FAMILY_NAME_FIRST and len(g_split) >= 3
            and any(similar("".join(g_split[-2:]), t) for t in p_folded)):
        return True
    # A shorter form of the gold name ("Lula", "Faisal bin Farhan") also counts.
    g_tokens, p_tokens = fold(g_name).split(), fold(p_name).split()
    return any(len(t) >= 2 for t in p_tokens) and all(
        any(similar(t, g) for g in g_tokens) for t in p_tokens)


def by_country(sides):
    groups = {}
    for s in sides:
        groups.setdefault(s.get("country") or "?", []).append(s)
    return groups


def sides_agree(gold_sides, pred_sides):
    """Same set of states/organisations, and for each one where gold names
    people, the prediction names at least one of them."""
    if len(pred_sides) < 2:
        return False
    gold, pred = by_country(gold_sides), by_country(pred_sides)
    if set(gold) != set(pred):
        return False
    for country, g_people in gold.items():
        named = [g for g in g_people if g.get("name")]
        if named and not any(same_side(g, p) for g in named for p in pred[country] if p.get("name")):
            return False
    return True


def people_overlap(gold_sides, pred_sides):
    """(named people found, named people predicted, named people in gold)."""
    g_named = [g for g in gold_sides if g.get("name")]
    p_named = [p for p in pred_sides if p.get("name")]
    found = sum(1 for g in g_named if any(same_side(g, p) for p in p_named))
    correct = sum(1 for p in p_named if any(same_side(g, p) for g in g_named))
    exact = sum(1 for g in g_named if any(fold(g["name"]) == fold(p["name"]) for p in p_named))
    return found, correct, len(p_named), len(g_named), exact


def dedupe_sides(sides):
    out = []
    for s in sides or []:
        if not any(same_side(s, o) and same_side(o, s) for o in out):
            out.append(s)
    return out


def date_ok(gold, pred):
    if not gold:
        return None
    return bool(pred) and len(pred) >= len(gold) and pred[:len(gold)] == gold


def place_ok(gold, pred):
    if not gold:
        return None
    if not pred or pred.get("country") != gold.get("country"):
        return False
    g_city = fold(gold.get("city"))
    if not g_city:
        return True
    p_city = fold(pred.get("city"))
    if not p_city:
        return False
    g_words, p_words = g_city.split(), p_city.split()
    # "Washington" for "Washington D.C." counts; a stray fragment does not.
    return similar(g_city, p_city) or (
        min(len(g_words), len(p_words)) >= 1 and len(min(g_city, p_city, key=len)) >= 4
        and (set(g_words) <= set(p_words) or set(p_words) <= set(g_words)))


def countries(event):
    return sorted({s.get("country") or "?" for s in event["sides"]})


def prepare(event):
    return {**event, "sides": dedupe_sides(event.get("participants")),
            "status": event.get("status") or "occurred"}


def match_article(gold_events, pred_events, agree):
    pairs = []
    for gi, g in enumerate(gold_events):
        for pi, p in enumerate(pred_events):
            if agree(g, p):
                bonus = (date_ok(g.get("date"), p.get("date")) or 0) + \
                        (place_ok(g.get("location"), p.get("location")) or 0) + \
                        (g["status"] == p["status"])
                pairs.append((-bonus, gi, pi))
    pairs.sort()
    used_g, used_p, matched = set(), set(), []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            matched.append((gold_events[gi], pred_events[pi]))
    return matched


def prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "pred": n_pred, "gold": n_gold}


def score(gold_docs, pred_docs, errors=None):
    by_status = {"occurred": [0, 0, 0], "planned": [0, 0, 0]}
    dyad = [0, 0, 0]
    full_tp = 0
    dates, places, statuses = [], [], []
    people = [0, 0, 0, 0, 0]
    dates_strict = []
    for doc_id, gold in gold_docs.items():
        g_events = [prepare(e) for e in gold.get("events", []) if e.get("type", "CONSULT") == "CONSULT"]
        p_events = [prepare(e) for e in pred_docs.get(doc_id, {}).get("events", [])
                    if e.get("type", "CONSULT") == "CONSULT"]
        matched = match_article(g_events, p_events, lambda g, p: sides_agree(g["sides"], p["sides"]))
        for status, counts in by_status.items():
            tp = sum(1 for g, p in matched if g["status"] == p["status"] == status)
            counts[0] += tp
            counts[1] += sum(1 for p in p_events if p["status"] == status)
            counts[2] += sum(1 for g in g_events if g["status"] == status)
        for g, p in matched:
            statuses.append(g["status"] == p["status"])
            for i, n in enumerate(people_overlap(g["sides"], p["sides"])):
                people[i] += n
            if g["status"] == p["status"] == "occurred":
                d = date_ok(g.get("date"), p.get("date"))
                pl = place_ok(g.get("location"), p.get("location"))
                if d is not None:
                    dates.append(d)
                    dates_strict.append(g.get("date") == p.get("date"))
                if pl is not None:
                    places.append(pl)
                full_tp += d is not False and pl is not False
        g_occ = [g for g in g_events if g["status"] == "occurred"]
        p_occ = [p for p in p_events if p["status"] == "occurred"]
        dm = match_article(g_occ, p_occ, lambda g, p: countries(g) == countries(p))
        dyad[0] += len(dm)
        dyad[1] += len(p_occ)
        dyad[2] += len(g_occ)
        if errors is not None:
            hit_g = [id(g) for g, _ in matched]
            hit_p = [id(p) for _, p in matched]
            for g in g_events:
                if id(g) not in hit_g:
                    errors.append((doc_id, "missed", g))
            for p in p_events:
                if id(p) not in hit_p:
                    errors.append((doc_id, "spurious", p))
            for g, p in matched:
                if g["status"] == p["status"] == "occurred" and (
                        date_ok(g.get("date"), p.get("date")) is False
                        or place_ok(g.get("location"), p.get("location")) is False):
                    errors.append((doc_id, "wrong date/place", {"gold": g, "pred": p}))
    occ = by_status["occurred"]

    def acc(xs):
        return {"accuracy": round(sum(xs) / len(xs), 3) if xs else None, "n": len(xs)}

    return {
        "events": prf(*occ),
        "events_full": prf(full_tp, occ[1], occ[2]),
        "people": {"precision": round(people[1] / people[2], 3) if people[2] else None,
                   "recall": round(people[0] / people[3], 3) if people[3] else None,
                   "exact_names": round(people[4] / people[3], 3) if people[3] else None},
        "dyads": prf(*dyad),
        "planned": prf(*by_status["planned"]),
        "date": acc(dates),
        "date_strict": acc(dates_strict),
        "location": acc(places),
        "status": acc(statuses),
        "articles": len(gold_docs),
        "missing_articles": sorted(set(gold_docs) - set(pred_docs)),
    }


def load(path):
    docs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                docs[d["id"]] = d
    return docs


def brief(e):
    names = ", ".join(f"{s.get('name') or '-'}/{s.get('country')}" for s in e["sides"])
    loc = e.get("location") or {}
    return f"[{e['status']}] {names} | {e.get('date')} | {loc.get('city')}/{loc.get('country')}"


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    errors = [] if "--errors" in argv else None
    result = score(load(args[0]), load(args[1]), errors)
    if "--json" in argv:
        print(json.dumps(result))
    else:
        for key in ("events", "events_full", "dyads", "planned"):
            r = result[key]
            print(f"{key:12} P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f}"
                  f"  (tp {r['tp']}, pred {r['pred']}, gold {r['gold']})")
        print(f"{'people':12} P={result['people']['precision']} R={result['people']['recall']}"
              f" exact names={result['people']['exact_names']}  (named participants of matched events)")
        for key in ("date", "date_strict", "location", "status"):
            print(f"{key:12} accuracy={result[key]['accuracy']} (n {result[key]['n']})")
        if result["missing_articles"]:
            print("articles with no output:", ", ".join(result["missing_articles"]))
    for doc_id, kind, e in errors or []:
        if kind == "wrong date/place":
            print(f"{doc_id} {kind}: gold {brief(e['gold'])}  pred {brief(e['pred'])}")
        else:
            print(f"{doc_id} {kind}: {brief(e)}")


if __name__ == "__main__":
    main(sys.argv[1:])
