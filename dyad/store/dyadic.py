"""A fused record as the dyadic event formats (GDELT, PLOVER) see it: one day, and its sides in order.

Both take a record as ``dyad.store.export.read_records`` hands it out; docs/codebook.md says how
each format fills its fields from these.
"""

from __future__ import annotations

from datetime import date
from typing import Any


def event_day(record: dict[str, Any]) -> tuple[date | None, str]:
    """One day for formats that need one (GDELT's SQLDATE, PLOVER's date), and how it was chosen.

    The record's own day; else the first report's publication day where the record's month or year
    allows it; else the first day the date allows; an undated record takes the first publication day.
    """
    start, end = record["date_start"], record["date_end"]
    if start is not None and start == end:
        return start, "event"
    published = [s["published"] for s in record["sources"] if s["published"]]
    if start is None:
        return (published[0], "published") if published else (None, "none")
    fitting = [p for p in published if start <= p <= end]
    return (fitting[0], "published") if fitting else (start, "first possible day")


def ordered_sides(record: dict[str, Any]) -> list[str]:
    """The record's sides in the order its first report names them; a visit's host comes last (GDELT's
    Actor1 and Actor2, PLOVER's source and recipient)."""
    countries, host, cameo, sources = record["countries"], record["host"], record["cameo"], record["sources"]
    if len(countries) > 1:
        first: dict[str, int] = {}  # each country's first place among the sources' participants
        for s in sources:
            for p in s["participants"]:
                if p["country"] and p["country"] not in first:
                    first[p["country"]] = len(first)
        sides = sorted(countries, key=lambda c: (first.get(c, len(first)), c))
    else:
        sides = list(countries)
    if host in sides and cameo == "042":
        sides = [c for c in sides if c != host] + [host]
    return sides


__all__ = ["event_day", "ordered_sides"]
