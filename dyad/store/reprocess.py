"""Re-extract stored documents when the extractor or the knowledge base changed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from dyad import __version__
from dyad.kb.loader import KnowledgeBase
from dyad.model import Document
from dyad.pipeline import extract_all
from dyad.settings import Settings
from dyad.store.core import IngestReport, Store, ingest
from dyad.store.schema import documents


def stale_documents(store: Store, kb: KnowledgeBase) -> list[Document]:
    """The stored documents made by another dyad version or knowledge base, oldest first.

    Read in full before any is re-extracted: the ingest that follows rewrites these rows.
    """
    stale = (select(documents).where(or_(documents.c.dyad_version != __version__,
                                         documents.c.kb_version != kb.version)).order_by(documents.c.id))
    with store.engine.connect() as conn:
        return [Document(id=row["doc_key"], text=row["text"],
                         published=date.fromisoformat(row["published"]) if row["published"] else None,
                         language=row["language"], url=row["url"], title=row["title"],
                         source=row["source"] or None, origin=f"stored document {row['id']}",
                         author=row.get("author"), extractor=row.get("extractor"))
                for row in conn.execute(stale).mappings()]


def reprocess(store: Store, kb: KnowledgeBase, settings: Settings) -> IngestReport:
    return ingest(store, extract_all(stale_documents(store, kb), kb, settings), kb.version)


__all__ = ["reprocess", "stale_documents"]
