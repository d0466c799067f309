"""Read documents from plain text (with NAME.meta.json beside), JSONL, HTML
pages, WARC crawls, RSS/Atom feeds, sitemaps, URLs (when fetching is on),
directories of those, globs, other file systems' URLs (``s3://``, through
fsspec: dyad.read.shards lists and reads them), and standard input.

The kind of a file is read from its content (dyad.read.detect), its name
only breaking ties; ``kind`` overrides both.

Bad input never stops the batch: a problem becomes a DocumentError in the
stream, naming the file and line; a bad ``published`` is a warning. Text a
store cannot hold (a lone surrogate, a NUL) is replaced character for
character by U+FFFD, with a warning, so every offset still holds.

A file read from a directory is identified by its path relative to that
directory, without its suffix (``d1/index``): two ``index.txt`` in
different folders are two documents.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

from dyad.errors import DocumentError
from dyad.fetch import Fetcher
from dyad.model import Document
from dyad.read.detect import HEAD, KINDS, detect_kind, kind_of_name
from dyad.read.shards import Piece, ReadOptions, RemoteFile, list_shards, open_file, remote
from dyad.read.web import WebContext, bytes_documents, fetch_documents, warc_stream
from dyad.settings import Settings

STRING_FIELDS = ("title", "url", "source", "language")
UNSTORABLE = re.compile("[\\x00\\ud800-\\udfff]")  # PostgreSQL holds no NUL, UTF-8 no lone surrogate
# Publication dates outside these years are placeholders ("9999-12-31") or typos, not news; date
# arithmetic on them would leave the calendar
EARLIEST, LATEST = date(1800, 1, 1), date(2199, 12, 31)
# a feed or sitemap file may list 50,000 entries: ten pages' worth of bytes is room for that, not for a dump
LIST_FACTOR = 10
Warn = Callable[[str], None]


def read_sources(paths: list[str], *, published: str | None = None, language: str | None = None,
                 warn: Warn = lambda msg: None, stdin: BinaryIO | None = None, kind: str | None = None,
                 fetcher: Fetcher | None = None, settings: Settings | None = None,
                 ) -> Iterator[Document | DocumentError]:
    """Documents of every path, URL (fetched when ``fetcher`` is given) or ``-``; ``kind`` forces one reader."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown input kind {kind!r}; choose one of {', '.join(KINDS)}")
    ctx = WebContext(settings=settings or Settings(), fetcher=fetcher, warn=warn, language=language)
    for path in paths:
        if path == "-":
            yield from _stream((stdin or sys.stdin.buffer).read(), "<stdin>", published, language, warn, kind, ctx)
            continue
        if path.startswith(("http://", "https://")):
            yield from fetch_documents(path, ctx)
            continue
        if _listed(path):
            yield from _shards(path, published, language, warn, kind, ctx)
            continue
        p = Path(path)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if not child.is_file() or child.name.endswith(".meta.json") or child.name.startswith("."):
                    continue
                doc_id = child.relative_to(p).with_suffix("").as_posix()  # d1/index, not index twice
                if kind or kind_of_name(child.name):
                    yield from _file(child, published, language, warn, kind, ctx, doc_id)
                    continue
                try:
                    with child.open("rb") as f:
                        sniffed = detect_kind(f.read(HEAD), child.name)
                except OSError as exc:
                    yield DocumentError(str(child), "read", exc.strerror or str(exc))
                    continue
                if sniffed == "text":
                    warn(f"{child}: skipped: not a known kind of input (give --input-format to read it)")
                else:
                    yield from _file(child, published, language, warn, sniffed, ctx, doc_id)
        elif p.is_file():
            yield from _file(p, published, language, warn, kind, ctx)
        else:
            yield DocumentError(path, "read", "no such file or directory")


def count_documents(paths: list[str], kind: str | None = None) -> int | None:
    """How many documents (errors included) ``read_sources(paths, kind=kind)`` will yield, for a progress total.

    A text, HTML or unreadable file counts one, a JSONL file its non-blank lines, a file a directory
    skips (hidden, .meta.json, or text of no known name) none. None, an unknown total, as soon as one
    input may hold any number of documents: standard input, a URL, a WARC file, a feed or a sitemap.
    """
    n = 0
    for path in paths:
        if path == "-" or path.startswith(("http://", "https://")) or _listed(path):
            return None
        p = Path(path)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if not child.is_file() or child.name.endswith(".meta.json") or child.name.startswith("."):
                    continue
                found = _count_file(child, kind, in_dir=not (kind or kind_of_name(child.name)))
                if found is None:
                    return None
                n += found
        elif p.is_file():
            found = _count_file(p, kind, in_dir=False)
            if found is None:
                return None
            n += found
        else:
            n += 1  # no such file: one error
    return n


def _listed(path: str) -> bool:
    """A glob or a URL of another file system (``s3://``): its files are listed by ``dyad.read.shards``."""
    return "://" in path or (any(c in path for c in "*?[") and not Path(path).exists())


def _shards(path: str, published: str | None, language: str | None, warn: Warn, kind: str | None,
            ctx: WebContext) -> Iterator[Document | DocumentError]:
    options = ReadOptions(published, language, kind)
    for piece in list_shards([path], kind):
        if isinstance(piece, DocumentError):
            yield piece
        else:
            yield from read_piece(piece, options, ctx)


def read_piece(piece: Piece, options: ReadOptions, ctx: WebContext) -> Iterator[Document | DocumentError]:
    """The documents of a piece, as ``read_sources`` reads them from the whole file."""
    if piece.only is not None:
        for k, doc in enumerate(read_piece(replace(piece, only=None), options, ctx)):
            if k == piece.only:
                yield doc
                return
        return
    if piece.end is not None:
        try:
            with open_file(piece.url) as f:
                first = _first_line(f, piece)
                yield from _jsonl(_lines(f, piece), piece.name, options.language, ctx.warn, first)
        except OSError as exc:
            yield DocumentError(piece.name, "read", exc.strerror or str(exc))
        return
    path: Any = Path(piece.url) if not remote(piece.url) else RemoteFile(piece.url)
    kind = options.kind
    if piece.in_dir:
        try:
            with path.open("rb") as f:
                kind = detect_kind(f.read(HEAD), path.name)
        except OSError as exc:
            yield DocumentError(piece.name, "read", exc.strerror or str(exc))
            return
        if kind == "text":
            ctx.warn(f"{piece.name}: skipped: not a known kind of input (give --input-format to read it)")
            return
    yield from _file(path, options.published, options.language, ctx.warn, kind, ctx, piece.doc_id)


def _first_line(f: IO[bytes], piece: Piece) -> int:
    """Leave ``f`` at the first line that starts in the piece; its number."""
    if piece.start == 0:
        f.seek(0)
        return piece.line
    f.seek(piece.start - 1)
    if f.read(1) == b"\n":
        return piece.line
    f.readline()  # the rest of a line that started before the piece: the piece before reads it
    return piece.line + 1


def _lines(f: IO[bytes], piece: Piece) -> Iterator[bytes]:
    position = f.tell()
    end = piece.end if piece.end is not None else piece.size
    while position < end:
        raw = f.readline()
        if not raw:
            return
        position += len(raw)
        yield raw.removesuffix(b"\n")


def _count_file(path: Path, kind: str | None, *, in_dir: bool) -> int | None:
    """What ``read_sources`` yields for ``path``, or None when not known; ``in_dir``: a file of a directory
    whose name says no kind (skipped when its content is text, too)."""
    try:
        with path.open("rb") as f:
            head = f.read(HEAD)
            if kind is None:
                kind = detect_kind(head, path.name)
                if in_dir and kind == "text":
                    return 0  # a file of no known name that reads as text: skipped with a warning
            if kind in ("warc", "feed", "sitemap"):
                return None
            if kind != "jsonl":
                return 1
            data = head + f.read()
    except OSError:
        return 1  # the read error
    lines = _gunzip(data, str(path), None)
    if isinstance(lines, DocumentError):
        return 1
    return sum(1 for raw in lines.split(b"\n") if raw.strip())


def _file(path: Path, published: str | None, language: str | None, warn: Warn, kind: str | None,
          ctx: WebContext, doc_id: str | None = None) -> Iterator[Document | DocumentError]:
    try:
        with path.open("rb") as f:
            head = f.read(HEAD)
            kind = kind or detect_kind(head, path.name)
            if kind == "warc":
                f.seek(0)
                yield from warc_stream(f, str(path), ctx)
                return
            limit = _byte_limit(kind, ctx.settings)
            if limit is not None and path.stat().st_size > limit:
                yield DocumentError(str(path), "read", f"file of {path.stat().st_size:,} bytes exceeds the limit "
                                                       f"of {limit:,} for {kind}")
                return
            data = head + f.read()
    except OSError as exc:
        yield DocumentError(str(path), "read", exc.strerror or str(exc))
        return
    if kind == "jsonl":
        lines = _gunzip(data, str(path), None)
        if isinstance(lines, DocumentError):
            yield lines
            return
        yield from _jsonl(lines.split(b"\n"), str(path), language, warn)
        return
    meta: dict = {}
    meta_path = path.with_name(path.stem + ".meta.json")
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            warn(f"{meta_path}: ignored: not valid JSON ({exc})")
    if not isinstance(meta, dict):
        warn(f"{meta_path}: ignored: not a JSON object")
        meta = {}
    if kind != "text":
        data = _gunzip(data, str(path), _byte_limit(kind, ctx.settings))
        if isinstance(data, DocumentError):
            yield data
            return
        if published and not meta.get("published"):
            meta = {**meta, "published": published}
        yield from bytes_documents(data, kind, str(path), ctx, meta=meta)
        return
    yield _text_document(data, str(path), doc_id or path.stem, {**meta, **_given(published, language)}, warn)


def _byte_limit(kind: str, settings: Settings) -> int | None:
    """The most bytes one input of ``kind`` may hold: none for JSONL and text, which hold many documents."""
    if kind in ("jsonl", "text"):
        return None
    return settings.max_page_bytes * (LIST_FACTOR if kind in ("feed", "sitemap") else 1)


def _gunzip(data: bytes, origin: str, limit: int | None) -> bytes | DocumentError:
    """The data as given, or inflated where gzipped ("part-001.jsonl.gz", "sitemap.xml.gz"), up to ``limit``
    bytes (a gzip bomb stops there)."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        out = zlib.decompressobj(47).decompress(data, 0 if limit is None else limit + 1)
    except zlib.error as exc:
        return DocumentError(origin, "read", f"corrupt gzip data: {exc}")
    if limit is not None and len(out) > limit:
        return DocumentError(origin, "read", f"exceeds the limit of {limit:,} bytes once decompressed")
    return out


def _given(published: str | None, language: str | None) -> dict:
    return {k: v for k, v in (("published", published), ("language", language)) if v}


def _stream(data: bytes, origin: str, published: str | None, language: str | None,
            warn: Warn, kind: str | None, ctx: WebContext) -> Iterator[Document | DocumentError]:
    kind = kind or detect_kind(data[:HEAD])
    if kind == "jsonl":
        lines = _gunzip(data, origin, None)
        if isinstance(lines, DocumentError):
            yield lines
            return
        yield from _jsonl(lines.split(b"\n"), origin, language, warn)
    elif kind == "text":
        yield _text_document(data, origin, "stdin", _given(published, language), warn)
    else:
        unpacked = data if kind == "warc" else _gunzip(data, origin, _byte_limit(kind, ctx.settings))
        if isinstance(unpacked, DocumentError):
            yield unpacked
            return
        yield from bytes_documents(unpacked, kind, origin, ctx, meta={"published": published} if published else None)


def _text_document(data: bytes, origin: str, doc_id: str, meta: dict, warn: Warn) -> Document | DocumentError:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return DocumentError(origin, "read", f"not UTF-8 text (byte {exc.start})")
    return _document({**meta, "id": str(meta.get("id") or doc_id), "text": text}, origin, warn)


def _jsonl(lines: Iterable[bytes], origin: str, language: str | None, warn: Warn,
           first: int = 1) -> Iterator[Document | DocumentError]:
    """The documents of JSONL lines (without their newline), the first numbered ``first``."""
    for number, raw in enumerate(lines, first):
        if not raw.strip():
            continue
        where = f"{origin}:{number}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield DocumentError(where, "read", f"not UTF-8 text (byte {exc.start})")
            continue
        try:
            record = json.loads(line)
        except RecursionError:
            yield DocumentError(where, "read", "not a JSON object (nested too deeply)")
            continue
        except ValueError as exc:  # a JSONDecodeError, or a number of more digits than Python converts
            reason = getattr(exc, "msg", "a number of too many digits")
            yield DocumentError(where, "read", f"not a JSON object ({reason})")
            continue
        if not isinstance(record, dict):
            yield DocumentError(where, "read", "not a JSON object")
            continue
        if language:
            record["language"] = language
        yield _document(record, where, warn)


def _document(record: dict, origin: str, warn: Warn) -> Document | DocumentError:
    raw_id = record.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        return DocumentError(origin, "read", f"'id' is not a string (a JSON {_kind(raw_id)})")
    doc_id = _storable(str(raw_id or origin), origin, "id", warn)
    where = f"{origin} (id {doc_id})" if raw_id else origin
    text = record.get("text")
    if not isinstance(text, str):
        return DocumentError(where, "read", "no 'text' field" if text is None else
                             f"'text' is not a string (a JSON {_kind(text)})")
    fields = {}
    for name in STRING_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return DocumentError(where, "read", f"'{name}' is not a string (a JSON {_kind(value)})")
        fields[name] = _storable(value, where, name, warn) if value else None
    return Document(
        id=doc_id, text=_storable(text, where, "text", warn),
        published=_published(record.get("published"), where, warn), origin=where, **fields,
    )


def _kind(value) -> str:
    return {dict: "object", list: "array", bool: "boolean", float: "number", int: "number"}.get(type(value), "value")


def _storable(value: str, where: str, name: str, warn: Warn) -> str:
    """The string with lone surrogates and NULs replaced by U+FFFD, one for one (offsets stay valid)."""
    bad = len(UNSTORABLE.findall(value))
    if not bad:
        return value
    warn(f"{where}: {bad} character(s) of '{name}' that no store can hold (lone surrogate, NUL) "
         "replaced by U+FFFD")
    return UNSTORABLE.sub("\ufffd", value)


def _published(value, where: str, warn: Warn) -> date | None:
    if value in (None, ""):
        return None
    try:
        text = str(value).strip()
        day = date.fromisoformat(text[:10]) if len(text) >= 10 else datetime.fromisoformat(text).date()
    except ValueError:
        try:  # RFC 822, as RSS writes it: "Tue, 19 Sep 2023 10:00:00 +0200"
            day = parsedate_to_datetime(str(value).strip()).date()
        except (TypeError, ValueError, IndexError, OverflowError):
            warn(f"{where}: invalid published date {_brief(value)}; treated as missing")
            return None
    if not EARLIEST <= day <= LATEST:
        warn(f"{where}: published date {day.isoformat()} outside {EARLIEST.year}-{LATEST.year}; treated as missing")
        return None
    return day


def _brief(value) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
