"""Tables of the store.

One data layer for SQLite and PostgreSQL (SQLAlchemy Core). How a store
built by an older version comes to these tables is ``dyad.store.migrations``.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

migrations_table = Table(
    "dyad_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", String(40), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("doc_key", String(500), nullable=False),  # the document's id, or its URL
    Column("content_hash", String(64), nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("published", String(10)),
    Column("language", String(8)),
    Column("text", Text, nullable=False),
    Column("dyad_version", String(20), nullable=False),
    Column("kb_version", String(40), nullable=False),
    UniqueConstraint("source", "doc_key", name="uq_documents_source_key"),
    # added by migration 8 (web input): who wrote it, what extracted its text from a page, when it was stored
    Column("author", Text),
    Column("extractor", String(60)),
    Column("ingested_at", String(32), index=True),  # UTC, ISO 8601: export --since reads it
)

events = Table(
    "events", metadata,
    Column("id", String(40), primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("record_id", String(20), index=True),
    Column("group_key", String(300), nullable=False),  # indexed by ix_events_fusion (migration 6)
    Column("type", String(20), nullable=False),
    Column("cameo", String(4)),
    Column("status", String(10), nullable=False),
    Column("mode", String(12)),
    Column("host", String(12)),
    Column("date", String(10)),
    Column("date_precision", String(5)),
    Column("city", String(200)),
    Column("country", String(12)),
    Column("lat", Float),
    Column("lon", Float),
    Column("geonames_id", Integer),
    Column("series", Text),
    Column("round", Integer),
    Column("topics", Text),  # JSON list
    Column("evidence_text", Text, nullable=False),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Column("participants", Text, nullable=False),  # JSON list, as in the output contract
    Column("fuse_key", Text),  # "CHN|RUS;CHN=wang-yi;RUS=sergey-lavrov": what fusion compares, without parsing JSON
    Column("confidence", Float),  # dyad.decide's, for this report of the meeting (migration 9)
    # dyad.fuse.wording_key: an undated report joins the month of its dated twins (migration 12)
    Column("wording", String(20)),
    Index("ix_events_wording", "wording"),
)

records = Table(
    "records", metadata,
    Column("id", String(20), primary_key=True),
    Column("group_key", String(300), nullable=False, index=True),
    Column("countries", String(300), nullable=False),
    Column("status", String(10), nullable=False),
    Column("mode", String(12)),
    Column("cameo", String(4)),
    Column("host", String(12)),
    Column("date", String(10)),
    Column("date_precision", String(5)),
    Column("date_lo", String(10)),  # first and last day the date allows, for range queries
    Column("date_hi", String(10)),
    Column("city", String(200)),
    Column("country", String(12)),
    Column("lat", Float),
    Column("lon", Float),
    Column("series", Text),
    Column("round", Integer),
    Column("topics", Text),
    Column("evidence_text", Text),
    Column("n_sources", Integer, nullable=False),
    Column("announced_by", String(20)),  # a planned record this meeting fulfils
    Column("confidence", Float),  # the highest of its reports' (migration 9); NULL for events stored before
    Index("ix_records_dates", "date_lo", "date_hi"),  # a date range is counted off the index alone (migration 10)
    Index("ix_records_countries", "countries"),
    Index("ix_records_sources", "n_sources", "date_lo"),  # the most reported first (migration 10)
    Index("ix_records_city", "city", "date_lo"),  # meetings in one place, newest or oldest first
    Index("ix_records_place", "country", "date_lo"),
    # one mode or one status, newest first, and their counts in a date range off the index alone (migration 12)
    Index("ix_records_mode", "mode", "date_lo", "date_hi"),
    Index("ix_records_status", "status", "date_lo", "date_hi"),
)

record_actors = Table(
    "record_actors", metadata,
    Column("record_id", String(20), nullable=False),
    Column("actor", String(200), nullable=False),  # actor id, or the name for unknown people
    Column("name", String(200)),
    Column("country", String(12), nullable=False),
    Column("date_lo", String(10)),
    Index("ix_record_actors_actor", "actor", "date_lo", "record_id"),  # covering: pages need no row lookups
    Index("ix_record_actors_name", "name", "date_lo", "record_id"),
    Index("ix_record_actors_record", "record_id"),
)

record_dyads = Table(
    "record_dyads", metadata,
    Column("record_id", String(20), nullable=False),
    Column("a", String(12), nullable=False),
    Column("b", String(12), nullable=False),
    Column("date_lo", String(10)),
    Column("status", String(10)),
    Index("ix_record_dyads_ab", "a", "b", "date_lo", "record_id"),
    Index("ix_record_dyads_a_date", "a", "date_lo", "record_id"),
    Index("ix_record_dyads_record", "record_id"),
)

month_counts = Table(
    "month_counts", metadata,  # meetings per month, per country and pair: kept by fusion (dyad.store.monthly)
    Column("a", String(12), primary_key=True),  # '' for every record
    Column("b", String(12), primary_key=True),  # '' for every record of a
    Column("status", String(10), primary_key=True),
    Column("month", String(7), primary_key=True),  # the first month the record's date allows
    Column("last", String(7), primary_key=True),  # and the last
    Column("meetings", Integer, nullable=False),
    Index("ix_month_counts_month", "month", "a", "b", "status", "meetings"),  # the totals (month '') alone
    sqlite_with_rowid=False,  # the key is the table: a sum over a range of it reads no other b-tree
)

actor_counts = Table(
    "actor_counts", metadata,  # records per actor id or name and month: kept by fusion (dyad.store.actor_counts)
    Column("key", String(200), primary_key=True),  # an actor id or a name, as the actor filter takes either
    Column("month", String(7), primary_key=True),  # the first month the record's date allows; '' for all records
    Column("meetings", Integer, nullable=False),
    sqlite_with_rowid=False,
)

redirects = Table(
    "record_redirects", metadata,
    Column("old_id", String(20), primary_key=True),
    Column("new_id", String(20), nullable=False),
    Index("ix_record_redirects_new", "new_id"),  # re-pointing ids at a merged record's successor
)


feeds = Table(
    "feeds", metadata,  # what dyad watch knows of each feed it polls, so that a restart goes on where it was
    Column("url", String(2000), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("checked_at", String(32)),
    Column("changed_at", String(32)),
    Column("error", Text),  # the last poll's failure, if it failed
)

feed_items = Table(
    "feed_items", metadata,  # items already read: not fetched again
    Column("feed_url", String(2000), nullable=False),
    Column("item_key", String(2000), nullable=False),
    Column("seen_at", String(32), nullable=False),
    UniqueConstraint("feed_url", "item_key", name="uq_feed_items"),
)
