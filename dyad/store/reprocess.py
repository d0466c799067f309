"""Re-extract stored documents when the extractor or the knowledge base changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import or_, select

from dyad import __version__
from dyad.kb.loader import KnowledgeBase
from dyad.model import Document
from dyad.pipeline import extract_all
from dyad.settings import Settings
from dyad.store.core import IngestReport, Store, ingest
from dyad.store.schema import documents


def reprocess(store: Store, kb: KnowledgeBase, settings: Settings) -> IngestReport:
    stale = (select(documents).where(or_(documents.c.dyad_version != __version__,
                                         documents.c.kb_version != kb.version)).order_by(documents.c.id))

    def stored() -> Iterator[Document]:
        with store.engine.connect() as conn:
            for row in conn.execute(stale).mappings():
                yield Document(id=row["doc_key"], text=row["text"],
                               published=date.fromisoformat(row["published"]) if row["published"] else None,
                               language=row["language"], url=row["url"], title=row["title"],
                               source=row["source"] or None, origin=f"stored document {row['id']}",
                               author=row.get("author"), extractor=row.get("extractor"))

    docs = list(stored())  # read first: the ingest below rewrites these rows
    return ingest(store, extract_all(docs, kb, settings), kb.version)
