"""Read documents from plain text (with NAME.meta.json beside), JSONL,
directories of those, and standard input.

Bad input never stops the batch: a problem becomes a DocumentError in the
stream, naming the file and line; a bad ``published`` is a warning.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from dyad.errors import DocumentError
from dyad.model import Document

TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
Warn = Callable[[str], None]


def read_sources(paths: list[str], *, published: str | None = None, language: str | None = None,
                 warn: Warn = lambda msg: None, stdin: BinaryIO | None = None) -> Iterator[Document | DocumentError]:
    for path in paths:
        if path == "-":
            yield from _stream((stdin or sys.stdin.buffer).read(), "<stdin>", published, language, warn)
            continue
        p = Path(path)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and not child.name.endswith(".meta.json") \
                        and child.suffix in TEXT_SUFFIXES + JSONL_SUFFIXES:
                    yield from _file(child, published, language, warn)
        elif p.is_file():
            yield from _file(p, published, language, warn)
        else:
            yield DocumentError(path, "read", "no such file or directory")


def count_documents(paths: list[str]) -> int | None:
    """How many documents ``read_sources`` will yield for ``paths`` (errors included); None for standard input."""
    n = 0
    for path in paths:
        p = Path(path)
        if path == "-":
            return None
        files = [c for c in sorted(p.rglob("*")) if c.is_file() and not c.name.endswith(".meta.json")
                 and c.suffix in TEXT_SUFFIXES + JSONL_SUFFIXES] if p.is_dir() else [p]
        for f in files:
            if f.suffix in JSONL_SUFFIXES and f.is_file():
                try:
                    n += sum(1 for raw in f.read_bytes().split(b"\n") if raw.strip())
                except OSError:
                    n += 1
            else:
                n += 1
    return n


def _file(path: Path, published: str | None, language: str | None, warn: Warn) -> Iterator[Document | DocumentError]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield DocumentError(str(path), "read", exc.strerror or str(exc))
        return
    if path.suffix in JSONL_SUFFIXES:
        yield from _jsonl(data, str(path), language, warn)
        return
    meta: dict = {}
    meta_path = path.with_name(path.stem + ".meta.json")
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            warn(f"{meta_path}: ignored: not valid JSON ({exc})")
    yield _text_document(data, str(path), meta.get("id") or path.stem, {**meta, **_given(published, language)}, warn)


def _given(published: str | None, language: str | None) -> dict:
    return {k: v for k, v in (("published", published), ("language", language)) if v}


def _stream(data: bytes, origin: str, published: str | None, language: str | None,
            warn: Warn) -> Iterator[Document | DocumentError]:
    if data.lstrip()[:1] == b"{":
        yield from _jsonl(data, origin, language, warn)
    else:
        yield _text_document(data, origin, "stdin", _given(published, language), warn)


def _text_document(data: bytes, origin: str, doc_id: str, meta: dict, warn: Warn) -> Document | DocumentError:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return DocumentError(origin, "read", f"not UTF-8 text (byte {exc.start})")
    return _document({**meta, "id": str(meta.get("id") or doc_id), "text": text}, origin, warn)


def _jsonl(data: bytes, origin: str, language: str | None, warn: Warn) -> Iterator[Document | DocumentError]:
    for number, raw in enumerate(data.split(b"\n"), 1):
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
        except ValueError as exc:
            yield DocumentError(where, "read", f"not a JSON object ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield DocumentError(where, "read", "not a JSON object")
            continue
        if language:
            record["language"] = language
        yield _document(record, where, warn)


def _document(record: dict, origin: str, warn: Warn) -> Document | DocumentError:
    doc_id = str(record.get("id") or origin)
    where = f"{origin} (id {doc_id})" if record.get("id") else origin
    text = record.get("text")
    if not isinstance(text, str):
        return DocumentError(where, "read", "no 'text' field" if text is None else "'text' is not a string")
    return Document(
        id=doc_id, text=text, published=_published(record.get("published"), where, warn),
        language=record.get("language") or None, url=record.get("url"), title=record.get("title"),
        source=record.get("source"), origin=where,
    )


def _published(value, where: str, warn: Warn) -> date | None:
    if value in (None, ""):
        return None
    try:
        text = str(value).strip()
        return date.fromisoformat(text[:10]) if len(text) >= 10 else datetime.fromisoformat(text).date()
    except ValueError:
        warn(f"{where}: invalid published date {value!r}; treated as missing")
        return None
