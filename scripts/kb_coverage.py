"""Which states lack office holders in the knowledge base, now and over 2022-2026.

    python scripts/kb_coverage.py [--since 2022-01-01] [--today 2026-11-23] [--all]

For every state in states.yaml it checks three offices: head of state (president,
monarch, emir, supreme leader, head_of_state), head of government (prime minister,
chancellor, head_of_government) and foreign minister. It prints
  - states with nobody holding the office today (``now``),
  - periods since ``--since`` not covered by any record (``gap``; gaps of a month
    or less are ignored: handover days and month-precise dates),
  - records whose office started long ago and never ended (``stale?``: worth a
    check, not necessarily wrong),
and a summary count. Head of government is optional where a state never had a
record of one (presidential systems): such states are listed once as ``no HoG``.
Also prints organisations whose secretary-general/president/director-general
has no current holder.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from dyad.kb.loader import load_kb

GROUPS = {
    "HoS": ("president", "monarch", "emir", "supreme_leader", "head_of_state"),
    "HoG": ("prime_minister", "chancellor", "head_of_government"),
    "FM": ("foreign_minister",),
}
ORG_OFFICES = ("secretary_general", "commission_president", "council_president", "high_representative",
               "director_general", "org_president")
# Where the head of state is also the head of government: no HoG office to expect.
PRESIDENTIAL = {
    "USA", "MEX", "BRA", "ARG", "CHL", "COL", "ECU", "BOL", "PRY", "URY", "VEN", "CRI", "PAN", "GTM", "HND",
    "SLV", "NIC", "DOM", "IDN", "PHL", "CYP", "AFG", "NGA", "GHA", "KEN", "ZAF", "ZMB", "ZWE", "MWI", "SSD",
    "AGO", "BWA", "LBR", "SLE", "GMB", "SYC", "COM", "KIR", "MHL", "FSM", "PLW", "NRU", "TKM", "MDV", "BEN",
    "SUR", "ERI", "PRI", "VAT", "ESH", "MAC", "HKG", "GRL", "TUR", "IRN", "SYR", "DJI", "GNQ", "GIN",
    "GAB", "MDG",
}


def covered(intervals: list[tuple[date, date]], lo: date, hi: date) -> list[tuple[date, date]]:
    """Gaps (longer than 31 days) in [lo, hi] not covered by the intervals."""
    gaps = []
    cur = lo
    for start, end in sorted(intervals):
        if end < cur:
            continue
        if start > cur and (start - cur).days > 31:
            gaps.append((cur, min(start, hi)))
        cur = max(cur, end + timedelta(days=1))
        if cur > hi:
            break
    if cur < hi and (hi - cur).days > 31:
        gaps.append((cur, hi))
    return [g for g in gaps if g[0] < hi]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--since", default="2022-01-01")
    ap.add_argument("--today", default="2026-11-23")
    ap.add_argument("--stale-years", type=int, default=0,
                    help="flag open records started more than N years ago (0: off)")
    ap.add_argument("--all", action="store_true", help="also list states without any gap")
    args = ap.parse_args()
    since, today = date.fromisoformat(args.since), date.fromisoformat(args.today)
    kb = load_kb()

    problems = {"now": 0, "gap": 0, "states": 0}
    for code, state in sorted(kb.states.items(), key=lambda kv: kv[1].name):
        lines = []
        for group, keys in GROUPS.items():
            held = [(o, p) for k in keys for o, p in kb.holders.get((k, code), ())]
            if group == "HoG" and not held:
                if code not in PRESIDENTIAL:
                    lines.append("  HoG: no record at all")
                    problems["now"] += 1
                continue
            intervals = [(o.start, o.end or today) for o, _ in held]
            if not any(o.held_on(today) for o, _ in held):
                lines.append(f"  {group}: nobody now")
                problems["now"] += 1
            for lo, hi in covered(intervals, since, today):
                lines.append(f"  {group}: gap {lo} .. {hi}")
                problems["gap"] += 1
            if args.stale_years:
                for o, p in held:
                    if o.end is None and (today - o.start).days > 365 * args.stale_years:
                        lines.append(f"  {group}: stale? {p.id} {o.office} since {o.start}")
        if lines or args.all:
            problems["states"] += bool(lines)
            print(f"{code} {state.name}")
            print("\n".join(lines) if lines else "  ok")

    print("\n# organisations")
    for code in sorted(kb.organisations):
        held = [(o, p) for k in ORG_OFFICES for o, p in kb.holders.get((k, code), ())]
        if not held:
            continue
        for key in sorted({o.office for o, _ in held}):
            now = [p.id for o, p in held if o.office == key and o.held_on(today)]
            if not now:
                print(f"{code}: {key}: nobody now")
    print(f"\n# states with a problem: {problems['states']} of {len(kb.states)}; "
          f"nobody now: {problems['now']}; gaps since {since}: {problems['gap']}")


if __name__ == "__main__":
    main()
