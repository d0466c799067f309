"""Inputs as shards: the files that paths, globs and remote folders name, each read on its own.

A run on a cluster lists its inputs here (``list_shards``) and sends the workers pieces, not documents:
each worker opens its piece and reads it as it streams (``dyad.sources.read_piece``: the same readers,
names and ids as ``read_sources`` gives the whole file), so the process that lists them
reads none of the input. A JSONL file larger than ``BLOCK`` is cut into byte ranges of whole lines;
its lines keep their numbers (``input.jsonl:1234`` in messages and as the id of a line without one)
because the newlines before each range are counted first (``count_newlines``), on the workers too.
Every other file is one piece: a page or a text is one document, a WARC file streams record by record.

Local paths, directories and globs are read with the standard library; ``s3://``, ``gs://``,
``memory://`` and every other protocol of ``fsspec`` (the ``shards`` extra, with the protocol's own
package: ``s3fs``, ``gcsfs`` ...) through it.
"""

from __future__ import annotations

import glob
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from dyad.errors import DocumentError
from dyad.read.detect import HEAD, detect_kind, kind_of_name

# Bytes of JSONL per piece, and of small files per task: about 60 news articles (4 kB a JSONL line), as many as
# a batch of documents sent by the driver, 0.3-0.5 s of extraction on one core: the scheduler's millisecond per
# task is noise, a task's results (JSON lines, store rows) stay under a few MB, and tasks are small enough to
# spread evenly over the workers (with 1 MB, 1,000 articles in 10 files made 2 tasks for 2 workers)
BLOCK = 1 << 18
READ = 1 << 20  # bytes read at a time when counting newlines
GLOB = ("*", "?", "[")


@dataclass(frozen=True)
class ReadOptions:
    """What ``dyad extract`` and ``ingest`` say about their input, for the processes that read it."""

    published: str | None = None
    language: str | None = None
    kind: str | None = None
    fetch: bool = False  # feeds' summary-only items and sitemaps' pages are fetched (each worker a crawler)


@dataclass(frozen=True)
class Piece:
    """A file, or the lines of a JSONL file that start in the bytes ``start`` to ``end``."""

    url: str  # what is opened: a local path, or a URL fsspec knows
    name: str  # the file as messages and ids name it (as given, or as a glob or folder listed it)
    size: int = 0
    doc_id: str | None = None  # a folder's file: its path inside the folder, without suffix
    in_dir: bool = False  # a folder's file of no known name: skipped when it reads as text
    start: int = 0
    end: int | None = None  # None: the whole file
    line: int = 1  # the number of the first line that starts at or after ``start``, if one starts right there
    only: int | None = None  # read just this document of the piece (its position in the piece)


@dataclass(frozen=True)
class Shards:
    """Inputs for the workers to read: paths, globs, folders, remote URLs."""

    paths: tuple[str, ...]
    options: ReadOptions = ReadOptions()


def shardable(path: str) -> bool:
    """Whether the workers can read ``path`` themselves (standard input and web pages are read by the caller)."""
    return path != "-" and not path.startswith(("http://", "https://"))


def remote(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def list_shards(paths: list[str] | tuple[str, ...], kind: str | None = None) -> Iterator[Piece | DocumentError]:
    """Every file the paths name, in the order ``read_sources`` reads them, as whole-file pieces."""
    for path in paths:
        if remote(path):
            yield from _remote_files(path, kind)
            continue
        path = path.removeprefix("file://")
        p = Path(path)
        if not p.exists() and any(c in path for c in GLOB):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                yield DocumentError(path, "read", "no file matches this pattern")
            for match in matches:
                yield from _local_files(Path(match), kind)
            continue
        yield from _local_files(p, kind)


def _local_files(p: Path, kind: str | None) -> Iterator[Piece | DocumentError]:
    if p.is_dir():
        for child in sorted(p.rglob("*")):
            if not child.is_file() or child.name.endswith(".meta.json") or child.name.startswith("."):
                continue
            yield Piece(str(child), str(child), child.stat().st_size, child.relative_to(p).with_suffix("").as_posix(),
                        in_dir=not (kind or kind_of_name(child.name)))
    elif p.is_file():
        yield Piece(str(p), str(p), p.stat().st_size)
    else:
        yield DocumentError(str(p), "read", "no such file or directory")


def _remote_files(url: str, kind: str | None) -> Iterator[Piece | DocumentError]:
    try:
        fs, path = _filesystem(url)
    except (ImportError, ValueError) as exc:
        yield DocumentError(url, "read", str(exc))
        return
    try:
        if any(c in path for c in GLOB) and not fs.exists(path):
            found = fs.glob(path, detail=True)
            if not found:
                yield DocumentError(url, "read", "no file matches this pattern")
            for name, info in sorted(found.items()):
                if info.get("type") == "directory":
                    yield from _remote_folder(fs, name, kind)
                else:
                    yield _remote_piece(fs, name, info)
        elif fs.isdir(path):
            yield from _remote_folder(fs, path, kind)
        elif fs.isfile(path):
            yield replace(_remote_piece(fs, path, fs.info(path)), url=url, name=url)  # named as given
        else:
            yield DocumentError(url, "read", "no such file or directory")
    except OSError as exc:
        yield DocumentError(url, "read", exc.strerror or str(exc))


def _remote_folder(fs, folder: str, kind: str | None) -> Iterator[Piece]:
    for name, info in sorted(fs.find(folder, detail=True).items()):
        base = posixpath.basename(name)
        if base.endswith(".meta.json") or base.startswith("."):
            continue
        relative = posixpath.relpath(name, folder)
        yield replace(_remote_piece(fs, name, info), doc_id=str(Path(relative).with_suffix("").as_posix()),
                      in_dir=not (kind or kind_of_name(base)))


def _remote_piece(fs, path: str, info: dict) -> Piece:
    url = fs.unstrip_protocol(path)
    return Piece(url, url, int(info.get("size") or 0))


def blocks(piece: Piece, kind: str | None, block: int | None = None) -> list[tuple[int, int]] | None:
    """The byte ranges a file is read in, or None to read it whole: JSONL files larger than ``block``
    (``BLOCK``) and not gzipped, their kind found as ``read_sources`` finds it (its first bytes; the name
    breaks ties)."""
    block = block or BLOCK
    if piece.size <= block:
        return None
    try:
        with open_file(piece.url) as f:
            head = f.read(HEAD)
    except OSError:
        return None  # reading it whole gives the error with its document's name
    if head[:2] == b"\x1f\x8b":
        return None  # a gzipped file has no byte ranges to start reading at
    kind = kind or detect_kind(head, posixpath.basename(piece.name))
    if kind != "jsonl":
        return None
    return [(start, min(start + block, piece.size)) for start in range(0, piece.size, block)]


def count_newlines(url: str, ranges: list[tuple[int, int]]) -> list[int]:
    """The newlines in each byte range of the file (ranges in order, without gaps)."""
    counts = []
    with open_file(url) as f:
        f.seek(ranges[0][0])
        for start, end in ranges:
            n, left = 0, end - start
            while left > 0:
                data = f.read(min(READ, left))
                if not data:
                    break
                n += data.count(b"\n")
                left -= len(data)
            counts.append(n)
    return counts


def split(piece: Piece, ranges: list[tuple[int, int]], newlines: list[int]) -> list[Piece]:
    """The pieces of a JSONL file for its byte ranges, each with the number of the line it starts with."""
    out, before = [], 0
    for (start, end), n in zip(ranges, newlines, strict=True):
        out.append(replace(piece, start=start, end=end, line=before + 1))
        before += n
    return out


class RemoteFile:
    """The few things ``dyad.sources`` asks of a file's path, for a file that fsspec reads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.fs, self.path = _filesystem(url)
        self.name = posixpath.basename(self.path)
        self.stem = Path(self.name).stem

    def open(self, mode: str = "rb") -> IO[bytes]:
        return self.fs.open(self.path, mode)

    def stat(self) -> SimpleNamespace:
        return SimpleNamespace(st_size=self.fs.size(self.path))

    def with_name(self, name: str) -> RemoteFile:
        return RemoteFile(self.url.rsplit("/", 1)[0] + "/" + name)

    def exists(self) -> bool:
        return bool(self.fs.exists(self.path))

    def read_text(self, encoding: str = "utf-8") -> str:
        return bytes(self.fs.cat_file(self.path)).decode(encoding)

    def __str__(self) -> str:
        return self.url


def open_file(url: str) -> IO[bytes]:
    if not remote(url):
        return open(url.removeprefix("file://"), "rb")
    fs, path = _filesystem(url)
    return fs.open(path, "rb")


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise ImportError("reading remote paths needs fsspec: pip install 'dyad[shards]' "
                          "(and the protocol's package, as s3fs for s3://)") from None
    return url_to_fs(url)
