"""The one exception type for bad input, carrying document, stage and reason."""

from __future__ import annotations


class DyadError(Exception):
    """Base class of dyad's own errors."""


class DocumentError(DyadError):
    """A document that could not be read or processed; the batch goes on."""

    def __init__(self, doc: str, stage: str, reason: str) -> None:
        super().__init__(f"{doc}: {stage}: {reason}")
        self.doc = doc
        self.stage = stage
        self.reason = reason


class KnowledgeBaseError(DyadError):
    """A knowledge-base file that does not validate; names file, entry and field."""
