"""What ``dyad watch`` remembers of each feed: validators for conditional requests and the items read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update

from dyad.store.core import Store
from dyad.store.schema import feed_items, feeds


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    checked_at: str | None = None
    changed_at: str | None = None
    error: str | None = None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def feed_state(store: Store, url: str) -> FeedState:
    with store.engine.connect() as conn:
        row = conn.execute(select(feeds).where(feeds.c.url == url)).mappings().first()
    return FeedState(**dict(row)) if row else FeedState(url)


def save_feed_state(store: Store, state: FeedState) -> None:
    values = {"etag": state.etag, "last_modified": state.last_modified, "checked_at": state.checked_at,
              "changed_at": state.changed_at, "error": state.error}
    with store.engine.begin() as conn:
        done = conn.execute(update(feeds).where(feeds.c.url == state.url).values(**values)).rowcount
        if not done:
            conn.execute(insert(feeds).values(url=state.url, **values))


def seen_items(store: Store, url: str) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(select(feed_items.c.item_key).where(feed_items.c.feed_url == url)).scalars())


def mark_seen(store: Store, url: str, keys: Iterable[str]) -> None:
    keys = sorted(set(keys))
    if not keys:
        return
    stamp = now()
    with store.engine.begin() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            conn.execute(delete(feed_items).where(feed_items.c.feed_url == url, feed_items.c.item_key.in_(chunk)))
            conn.execute(insert(feed_items), [{"feed_url": url, "item_key": k, "seen_at": stamp} for k in chunk])
