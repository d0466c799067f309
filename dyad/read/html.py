"""A web page to a Document: main text and metadata by trafilatura.

Boilerplate, navigation and comments are left out; the Document's text is
the extracted text, so every offset in the output points into it. Nothing
is downloaded: trafilatura only parses the bytes it is given.
"""

from __future__ import annotations

import re
from datetime import date

import lxml.html
import trafilatura
from lxml import etree

from dyad.errors import DocumentError
from dyad.fetch import hostname
from dyad.model import Document
from dyad.settings import Settings

EXTRACTOR = f"trafilatura {trafilatura.__version__}"
_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2})(?:[-_][A-Za-z]+)?\b", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "section",
                     "article", "header", "footer", "ul", "ol", "table", "pre", "figcaption", "hr"})


def html_document(data: bytes, origin: str, *, url: str | None = None, doc_id: str | None = None,
                  published: date | None = None, title: str | None = None, source: str | None = None,
                  language: str | None = None, settings: Settings | None = None) -> Document:
    """The article a page holds; ``published`` and ``title`` are fallbacks for a page that lacks its own.

    Raises DocumentError for a page too large or without main text.
    """
    settings = settings or Settings()
    if len(data) > settings.max_page_bytes:
        raise DocumentError(origin, "read", f"page of {len(data):,} bytes exceeds the limit of "
                                            f"{settings.max_page_bytes:,}")
    try:
        found = trafilatura.bare_extraction(data, url=url, with_metadata=True, include_comments=False,
                                            include_tables=False, include_images=False, deduplicate=False)
    except (ValueError, TypeError, etree.LxmlError, RecursionError) as exc:  # malformed beyond repair
        raise DocumentError(origin, "read", f"unreadable HTML ({type(exc).__name__}: {exc})") from None
    raw = (getattr(found, "text", None) or "") if found is not None else ""
    # one block per line from trafilatura; a blank line between them, as in dyad's plain-text input,
    # keeps a headline without a full stop out of the first sentence
    text = "\n\n".join(line.strip() for line in raw.splitlines() if line.strip())
    if not text:
        raise DocumentError(origin, "read", "no main text found in the page")
    page_date = _date(getattr(found, "date", None))
    canonical = getattr(found, "url", None) or url
    match = _LANG.search(data[:65536])
    return Document(
        id=doc_id or canonical or origin, text=text, published=page_date or published,
        language=language or (match.group(1).decode().lower() if match else None), url=canonical,
        title=getattr(found, "title", None) or title, source=source or hostname(canonical), origin=origin,
        author=getattr(found, "author", None), extractor=EXTRACTOR,
    )


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed item's summary): one line per block, no markup."""
    fragment = _CONTROL.sub(" ", fragment)  # XML has no place for them, and lxml refuses to set them
    if "<" not in fragment:
        return " ".join(fragment.split())
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        for bad in root.xpath(".//script|.//style"):
            bad.drop_tree()
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
                element.tail = "\n" + (element.tail or "")
        content = root.text_content()
    except (etree.LxmlError, ValueError):
        return " ".join(re.sub(r"<[^>]*>", " ", fragment).split())
    lines = (" ".join(line.split()) for line in content.split("\n"))
    return "\n".join(line for line in lines if line)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
