"""Read documents from plain text (with NAME.meta.json beside), JSONL,
directories of those, and standard input.

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
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from dyad.errors import DocumentError
from dyad.model import Document

TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
STRING_FIELDS = ("title", "url", "source", "language")
UNSTORABLE = re.compile("[\\x00\\ud800-\\udfff]")  # PostgreSQL holds no NUL, UTF-8 no lone surrogate
# Publication dates outside these years are placeholders ("9999-12-31") or typos, not news; date
# arithmetic on them would leave the calendar
EARLIEST, LATEST = date(1800, 1, 1), date(2199, 12, 31)
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
                    yield from _file(child, published, language, warn,
                                     child.relative_to(p).with_suffix("").as_posix())
        elif p.is_file():
            yield from _file(p, published, language, warn)
        else:
            yield DocumentError(path, "read", "no such file or directory")


def _file(path: Path, published: str | None, language: str | None, warn: Warn,
          doc_id: str | None = None) -> Iterator[Document | DocumentError]:
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
    if not isinstance(meta, dict):
        warn(f"{meta_path}: ignored: not a JSON object")
        meta = {}
    yield _text_document(data, str(path), doc_id or path.stem, {**meta, **_given(published, language)}, warn)


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
        warn(f"{where}: invalid published date {_brief(value)}; treated as missing")
        return None
    if not EARLIEST <= day <= LATEST:
        warn(f"{where}: published date {day.isoformat()} outside {EARLIEST.year}-{LATEST.year}; treated as missing")
        return None
    return day


def _brief(value) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
