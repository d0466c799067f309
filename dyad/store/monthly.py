"""Meetings per month, kept up to date as records are written: what the counts view reads.

Counting a million records for each request took 10-17 s (group by month and
pair over every record); the dashboard asks for it on every load. So fusion
keeps a small table of counts, changed in the same transaction as the
records it counts (``tally`` on every record dropped or written), and
``dyad check`` compares it with a count from scratch.

One row per (a, b, status, month, last), where month is the first month the
record's date allows and last the last one (they differ for a date known
only by its year):

- a = b = '': every dated record;
- a = X, b = '': the records with X among their sides (two sides or more,
  as ``record_dyads`` holds them);
- a = X, b = Y: the records with both X and Y, in both orders.

Each count is kept twice: for its months, and in all (month = last = ''),
so that the busiest countries and pairs of the whole store are a read of a
few thousand rows, not a sum over every month of every pair.

A range query asks whether a record's dates overlap the range; with the
first and the last month at hand, that is exact for ranges of whole months
and years. Ranges of days, and every other filter, are counted from the
records themselves (dyad.store.query).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection

Key = tuple[str, str, str, str, str]  # a, b, status, month, last


def keys_of(record: Mapping) -> list[Key]:
    """The rows a record counts in (none if it is undated)."""
    if not record["date_lo"]:
        return []
    sides = [c for c in (record["countries"] or "").split("|") if c]
    if len(sides) < 2:
        sides = []  # no pair: counted in all, but for no country (as record_dyads has no row of it)
    out = []
    for when in ((record["status"], record["date_lo"][:7], record["date_hi"][:7]), (record["status"], "", "")):
        out += [("", "", *when)] + [(a, "", *when) for a in sides] + [(a, b, *when) for a in sides for b in sides
                                                                     if a != b]
    return out


def tally(change: Counter, records: Iterable[Mapping], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) these records' rows to a pending change."""
    for record in records:
        for key in keys_of(record):
            change[key] += sign


def apply(conn: Connection, change: Counter) -> None:
    """Write a pending change; rows that fall to zero are removed."""
    rows = [(*key, n) for key, n in sorted(change.items()) if n]
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO month_counts (a, b, status, month, last, meetings) VALUES ({', '.join([mark] * 6)}) "
        "ON CONFLICT (a, b, status, month, last) DO UPDATE SET meetings = month_counts.meetings + excluded.meetings",
        rows)
    emptied = [key for key, n in sorted(change.items()) if n < 0]
    if emptied:
        same = " AND ".join(f"{column} = {mark}" for column in ("a", "b", "status", "month", "last"))
        conn.exec_driver_sql(f"DELETE FROM month_counts WHERE {same} AND meetings <= 0", emptied)


def from_scratch(conn: Connection) -> Counter:
    """The counts the stored records make, read in one pass."""
    change: Counter = Counter()
    result = conn.exec_driver_sql("SELECT date_lo, date_hi, status, countries FROM records WHERE date_lo IS NOT NULL")
    for date_lo, date_hi, status, countries in result:
        tally(change, [{"date_lo": date_lo, "date_hi": date_hi, "status": status, "countries": countries}], 1)
    return change


def stored(conn: Connection) -> Counter:
    return Counter({tuple(row[:5]): row[5] for row in conn.exec_driver_sql(
        "SELECT a, b, status, month, last, meetings FROM month_counts")})


def rebuild(conn: Connection) -> None:
    """Count again from the records (a migration, a repair)."""
    conn.exec_driver_sql("DELETE FROM month_counts")
    apply(conn, from_scratch(conn))


__all__ = ["apply", "from_scratch", "keys_of", "rebuild", "stored", "tally"]
