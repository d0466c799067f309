"""Records per actor and month, kept up to date as records are written: the total of an actor filter.

The actor filter takes an actor id or a name (``record_actors.actor`` or
``.name``). Counting what it selects merged two index ranges of up to ten
thousand entries each: 3-5 ms an actor on a store of a million records,
the costliest total the API asked for. So fusion keeps, in the same
transaction as the records, how many records have a row with that id or
name, per key and month (``tally`` on every record dropped or written,
from its actor rows), and ``dyad check`` compares the table with a count
from scratch.

One row per (key, month): key an actor id or a name; month the first month
the record's date allows, or '' for every record of the key, dated or not.
A record counts once per key however many of its rows carry it. A range of
whole months is exact: the filter compares the record's first possible day
with the range, and that day falls in a month of the range exactly when
its month does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import Connection

Key = tuple[str, str]  # key, month

# the same count, from the actor rows in the database (a migration, a repair, a check, a bulk load)
FROM_ROWS = """
WITH keyed AS (
    SELECT DISTINCT record_id, key, month FROM (
        SELECT record_id, actor AS key, SUBSTR(date_lo, 1, 7) AS month FROM record_actors
        UNION ALL
        SELECT record_id, name AS key, SUBSTR(date_lo, 1, 7) AS month FROM record_actors WHERE name IS NOT NULL
    ) AS rows_by_key
)
SELECT key, month, COUNT(*) FROM keyed WHERE month IS NOT NULL GROUP BY key, month
UNION ALL
SELECT key, '', COUNT(*) FROM keyed GROUP BY key
"""


def tally(change: Counter, actor_rows: Iterable[Mapping], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) the records these actor rows belong to (every row of each record)."""
    keys: dict[str, set[Key]] = {}
    for row in actor_rows:
        month = row["date_lo"][:7] if row["date_lo"] else None
        found = keys.setdefault(row["record_id"], set())
        for key in (row["actor"], row["name"]):
            if key is not None:
                found.add((key, ""))
                if month:
                    found.add((key, month))
    for found in keys.values():
        for key in found:
            change[key] += sign


def apply(conn: Connection, change: Counter) -> None:
    """Write a pending change; rows that fall to zero are removed."""
    rows = [(*key, n) for key, n in sorted(change.items()) if n]  # sorted: concurrent writers lock in one order
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(
        f"INSERT INTO actor_counts (key, month, meetings) VALUES ({mark}, {mark}, {mark}) "
        "ON CONFLICT (key, month) DO UPDATE SET meetings = actor_counts.meetings + excluded.meetings", rows)
    emptied = [key for key, n in sorted(change.items()) if n < 0]
    if emptied:
        conn.exec_driver_sql(f"DELETE FROM actor_counts WHERE key = {mark} AND month = {mark} AND meetings <= 0",
                             emptied)


def from_scratch(conn: Connection) -> Counter:
    """The counts the stored actor rows make, counted by the database."""
    return Counter({(key, month): n for key, month, n in conn.exec_driver_sql(FROM_ROWS)})


def stored(conn: Connection) -> Counter:
    return Counter({(key, month): n for key, month, n in conn.exec_driver_sql(
        "SELECT key, month, meetings FROM actor_counts")})


def rebuild(conn: Connection) -> None:
    """Count again from the actor rows (a migration, a repair, a bulk load)."""
    conn.exec_driver_sql("DELETE FROM actor_counts")
    conn.exec_driver_sql(f"INSERT INTO actor_counts (key, month, meetings) {FROM_ROWS}")


__all__ = ["apply", "from_scratch", "rebuild", "stored", "tally"]
