"""dyad: political meeting events from German and English news, with evidence."""

__version__ = "0.1.0"

from dyad.kb.loader import KnowledgeBase, load_kb  # noqa: E402
from dyad.model import ArticleResult, Document, Event, Participant  # noqa: E402
from dyad.pipeline import extract, extract_all  # noqa: E402
from dyad.settings import Settings  # noqa: E402

__all__ = [
    "ArticleResult", "Document", "Event", "KnowledgeBase", "Participant", "Settings", "__version__",
    "extract", "extract_all", "load_kb",
]
