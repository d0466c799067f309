"""Paraphrase benchmark: does the extractor understand constructions rather than fixed wordings?

    python bench/paraphrase.py [--list] [--lang en|de] [--data bench/paraphrases.jsonl]

Each group of bench/paraphrases.jsonl holds three texts (a base and two paraphrases)
that report exactly the same events. Every text is extracted on its own; its output is
reduced to the multiset of (sorted sides, status) and compared with the group's
`expected`. Prints, per construction, per language and overall:

  exact      share of texts whose events are exactly the expected ones
  consistent share of groups whose three versions give the same events (right or wrong)
  all-right  share of groups where all three versions are exact

--list prints each failing text with what it gave. Figures only: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "paraphrases.jsonl"

Key = tuple[tuple[str, ...], str]


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _value(x) -> str:
    return str(getattr(x, "value", x))


def signature(events) -> Counter:
    """Multiset of (sorted sides, status) of the events; events with fewer than two participants are no events."""
    out: Counter = Counter()
    for event in events:
        participants = list(getattr(event, "participants", None) or [])
        if len(participants) < 2:
            continue
        sides = tuple(sorted({p.country for p in participants if p.country}))
        out[(sides, _value(event.status))] += 1
    return out


def expected_signature(group: dict) -> Counter:
    return Counter((tuple(sorted(e["sides"])), e["status"]) for e in group["expected"])


def show(sig: Counter) -> str:
    if not sig:
        return "[]"
    parts = []
    for (sides, status), n in sorted(sig.items()):
        parts += ["-".join(sides) + f"/{status}"] * n
    return "[" + ", ".join(parts) + "]"


def run(groups: list[dict]) -> list[dict]:
    from dyad.kb.loader import load_kb
    from dyad.model import Document
    from dyad.pipeline import extract
    from dyad.settings import Settings

    kb = load_kb()
    results = []
    for group in groups:
        published = date.fromisoformat(group["published"])
        settings = Settings(language=group["language"])
        gave = []
        for k, text in enumerate(group["texts"]):
            doc = Document(f"{group['id']}-{k}", text, published, group["language"])
            gave.append(signature(extract(doc, kb, settings).events))
        results.append({"group": group, "expected": expected_signature(group), "gave": gave})
    return results


def summarise(rows: list[dict]) -> tuple[int, float, float, float]:
    texts = sum(len(r["gave"]) for r in rows)
    exact = sum(sig == r["expected"] for r in rows for sig in r["gave"])
    consistent = sum(all(sig == r["gave"][0] for sig in r["gave"]) for r in rows)
    all_right = sum(all(sig == r["expected"] for sig in r["gave"]) for r in rows)
    n = len(rows)
    return n, exact / texts if texts else 0.0, consistent / n if n else 0.0, all_right / n if n else 0.0


def report(results: list[dict], listing: bool) -> None:
    def line(label: str, rows: list[dict]) -> str:
        n, exact, consistent, all_right = summarise(rows)
        return f"{label:<40} {n:>6} {3 * n:>6} {exact:>7.3f} {consistent:>11.3f} {all_right:>10.3f}"

    header = f"{'construction':<40} {'groups':>6} {'texts':>6} {'exact':>7} {'consistent':>11} {'all-right':>10}"
    by_construction: dict[str, list[dict]] = defaultdict(list)
    by_language: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_construction[r["group"]["construction"]].append(r)
        by_language[r["group"]["language"]].append(r)
    print(header)
    print("-" * len(header))
    for construction in sorted(by_construction):
        print(line(construction, by_construction[construction]))
    print("-" * len(header))
    negatives = [r for r in results if not r["group"]["expected"]]
    positives = [r for r in results if r["group"]["expected"]]
    print(line("(groups with events)", positives))
    print(line("(groups with no event)", negatives))
    for language in sorted(by_language):
        print(line(f"language {language}", by_language[language]))
    print(line("overall", results))
    if listing:
        print()
        for r in results:
            g = r["group"]
            for k, sig in enumerate(r["gave"]):
                if sig != r["expected"]:
                    print(f"{g['id']}#{k} [{g['construction']}] expected {show(r['expected'])} gave {show(sig)}")
                    print(f"    {g['texts'][k]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--lang", choices=["de", "en"])
    parser.add_argument("--list", action="store_true", help="print each failing text with what it gave")
    args = parser.parse_args(argv)
    groups = load(args.data)
    if args.lang:
        groups = [g for g in groups if g["language"] == args.lang]
    if not groups:
        sys.exit("no groups")
    report(run(groups), args.list)


if __name__ == "__main__":
    main()
