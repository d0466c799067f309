"""Time per 10,000 characters of one long article, from 10 k to 1 M characters.

    python bench/long_article.py [--sizes 10000,50000,100000,200000,400000,1000000]

The article repeats meeting sentences with different dates, places and
pairs of sides, "die beiden", the next round and earlier meetings between
them (the worst case for grouping: every sentence is a candidate and few of
them fuse). Extraction cost should grow linearly: the figure per
10 k characters stays flat. A second series is one run-on sentence of
meeting clauses without a full stop. Prints one line per size.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
          "Dezember"]
PAIRS = [("Bundeskanzler Olaf Scholz", "den französischen Präsidenten Emmanuel Macron"),
         ("Außenministerin Annalena Baerbock", "ihren chinesischen Amtskollegen Wang Yi"),
         ("Russlands Präsident Wladimir Putin", "den chinesischen Staatschef Xi Jinping"),
         ("US-Außenminister Antony Blinken", "den indischen Außenminister Subrahmanyam Jaishankar")]
CITIES = ["Berlin", "Paris", "Peking", "Moskau", "Washington", "Neu-Delhi"]


def run_on(chars: int) -> str:
    """One sentence without a full stop: meeting clauses joined by "und"."""
    return ("Scholz traf am 3. März in Berlin Macron und " * (chars // 44 + 1))[:chars]


def article(chars: int) -> str:
    out, n = [], 0
    while sum(map(len, out)) < chars:
        a, b = PAIRS[n % len(PAIRS)]
        day, month, year = n % 28 + 1, MONTHS[(n // 28) % 12], 2000 + (n // 336) % 24
        out.append(f"{a} traf am {day}. {month} {year} in {CITIES[n % len(CITIES)]} {b}. ")
        if n % 3 == 1:  # who "die beiden" are, and the article's series, are looked up among earlier meetings
            out.append(f"Die beiden trafen sich am {(day + 3) % 28 + 1}. {month} {year} erneut. ")
        if n % 7 == 3:
            out.append(f"Die nächste Runde der Gespräche soll im {MONTHS[(n + 2) % 12]} stattfinden. ")
        if n % 11 == 5:
            out.append(f"Zuletzt hatte er {b} im {MONTHS[n % 12]} {year - 1} getroffen. ")
        if n % 5 == 4:
            out.append("\n\n")
        n += 1
    return "".join(out)[:chars]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,50000,100000,200000,400000,1000000")
    args = parser.parse_args()
    from dyad.kb.loader import load_kb
    from dyad.model import Document
    from dyad.pipeline import extract
    from dyad.settings import Settings

    kb = load_kb()
    settings = Settings(max_chars=2_000_000, time_budget=None)
    extract(Document("warm", article(2_000), date(2024, 1, 1), "de"), kb, settings)
    for kind, make in (("sentences", article), ("run-on", run_on)):
        for size in (int(s) for s in args.sizes.split(",")):
            text = make(size)
            start = time.perf_counter()
            result = extract(Document(f"long{size}", text, date(2024, 1, 1), "de"), kb, settings)
            took = time.perf_counter() - start
            print(f"{kind:9} {size:>9,} characters: {took:7.2f} s, {took / size * 10_000:6.3f} s per 10 k "
                  f"characters, {len(result.events):,} events", flush=True)


if __name__ == "__main__":
    main()
