"""Storage of documents, events and fused records; queries and exports over them."""

from dyad.store.core import IngestReport, Store, ingest, open_store

__all__ = ["IngestReport", "Store", "ingest", "open_store"]
