"""Storage of documents, events and fused records; queries and exports over them."""

from dyad.store.core import ArticleRows, IngestReport, Store, article_rows, ingest, ingest_rows, open_store

__all__ = ["ArticleRows", "IngestReport", "Store", "article_rows", "ingest", "ingest_rows", "open_store"]
