"""WARC and WARC.gz crawls: every HTML response record is a document (warcio).

The record's target URI is the document's URL and its WARC-Date the
fallback publication date. Non-HTML and error responses are counted and
skipped; a broken record ends the file with one message naming where it
broke. The archive is streamed record by record, so memory follows the
largest page, not the file.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.exceptions import ArchiveLoadFailed

from dyad.errors import DocumentError
from dyad.model import Document
from dyad.read.html import html_document
from dyad.settings import Settings

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class WarcCounts:
    pages: int = 0
    not_html: int = 0
    errors: int = 0  # HTTP responses other than 2xx
    other_records: int = 0  # request, metadata, warcinfo, revisit ...
    bad_lengths: int = 0  # records whose Content-Length did not match what followed

    def summary(self) -> str:
        return (f"{self.pages:,} HTML pages, {self.not_html:,} non-HTML and {self.errors:,} error responses "
                f"skipped, {self.other_records:,} other records"
                + (f", {self.bad_lengths:,} records of a wrong length" if self.bad_lengths else ""))


def warc_documents(stream: BinaryIO, origin: str, settings: Settings | None = None,
                   counts: WarcCounts | None = None, language: str | None = None) -> Iterator[Document | DocumentError]:
    """The pages of a WARC file; ``counts`` (if given) is filled in as the records go by."""
    settings = settings or Settings()
    counts = counts if counts is not None else WarcCounts()
    magic = stream.read(2)
    stream.seek(0)
    if magic == b"\x1f\x8b":
        # WARC.gz is inflated here, member after member, rather than by warcio, which writes its
        # decompression errors to stderr; offsets in messages are then those of the inflated crawl.
        # (gzip.GzipFile would do, but it reads ahead: a corrupt member would take the good ones before it.)
        stream = _Inflated(stream)
    at = "inflated byte" if magic == b"\x1f\x8b" else "byte"
    records = ArchiveIterator(stream, arc2warc=True)
    if magic == b"\x1f\x8b":
        # and warcio must not inflate again what is gzip inside (a crawl gzipped twice): a plain reader
        records.reader = BufferedReader(records.fh, block_size=records.reader.block_size)
    # warcio writes a warning of its own to stderr for a record whose Content-Length is wrong; a library
    # does not print, so the message is emptied here and the count reported with the others
    records.INC_RECORD = ""
    while True:
        try:
            record = next(records)
        except StopIteration:
            counts.bad_lengths = records.err_count
            return
        except Exception as exc:  # noqa: BLE001 -- warcio fails on hostile records in many ways (AttributeError too)
            counts.bad_lengths = records.err_count
            yield DocumentError(f"{origin} @ {at} {records.offset}", "read", f"broken WARC record: {_why(exc)}")
            return
        try:
            yield from _record(record, f"{origin} @ {at} {records.offset}", settings, counts, language)
        except Exception as exc:  # noqa: BLE001 -- a truncated or corrupt payload
            yield DocumentError(f"{origin} @ {at} {records.offset}", "read", f"broken WARC record: {_why(exc)}")
            return


def _record(record, place: str, settings: Settings, counts: WarcCounts,
            language: str | None) -> Iterator[Document | DocumentError]:
    kind = record.rec_type
    if kind not in ("response", "resource"):
        counts.other_records += 1
        return
    uri = record.rec_headers.get_header("WARC-Target-URI") or None
    where = place + (f" ({uri})" if uri else "")
    if kind == "response" and record.http_headers is not None:
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            counts.errors += 1
            return
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        counts.not_html += 1
        return
    stream = record.content_stream()
    data = stream.read(settings.max_page_bytes + 1)
    if len(data) > settings.max_page_bytes:
        yield DocumentError(where, "read", f"page exceeds the limit of {settings.max_page_bytes:,} bytes")
        return
    counts.pages += 1
    try:
        yield html_document(data, where, url=uri, doc_id=uri, published=_warc_date(record), language=language,
                            settings=settings)
    except DocumentError as exc:
        yield exc


class _Inflated(io.RawIOBase):
    """A multi-member gzip stream inflated as it is read; everything before a corrupt member is returned
    before the error is raised, and no read inflates more than it was asked for plus one chunk."""

    CHUNK = 65_536

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self.raw = raw
        self.inflate = zlib.decompressobj(47)
        self.pending = b""
        self.done = False
        self.error: str | None = None
        self.position = 0  # compressed bytes read, for the message

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = self.CHUNK if size is None or size < 0 else size
        while len(self.pending) < size and not self.done:
            self._more(size - len(self.pending))
        if not self.pending and self.error:
            raise OSError(self.error)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out

    def _more(self, wanted: int) -> None:
        if self.inflate.eof:  # one member ended: the next starts in what is left over
            data = self.inflate.unused_data or self._raw()
            if not data:
                self.done = True
                return
            self.inflate = zlib.decompressobj(47)
        else:
            data = self.inflate.unconsumed_tail or self._raw()
            if not data:
                self.done, self.error = True, f"gzip data ends inside a member (byte {self.position:,})"
                return
        try:
            self.pending += self.inflate.decompress(data, wanted + self.CHUNK)
        except zlib.error as exc:
            self.done, self.error = True, f"corrupt gzip member near byte {self.position:,} ({exc})"

    def _raw(self) -> bytes:
        data = self.raw.read(self.CHUNK)
        self.position += len(data)
        return data


def _why(exc: Exception) -> str:
    if isinstance(exc, ArchiveLoadFailed | EOFError | OSError | ValueError):
        return str(exc) or type(exc).__name__
    return f"unreadable headers ({type(exc).__name__})"


def _warc_date(record) -> date | None:
    value = record.rec_headers.get_header("WARC-Date") or ""
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
