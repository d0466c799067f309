"""Inputs as shards (dyad.read.shards): listed paths, globs and fsspec URLs, JSONL read in byte ranges."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from dyad.errors import DocumentError
from dyad.read.shards import Piece, ReadOptions, blocks, count_newlines, list_shards, split
from dyad.read.web import WebContext
from dyad.settings import Settings
from dyad.sources import read_piece, read_sources

fsspec = pytest.importorskip("fsspec")  # the `shards` extra, part of `dev`


def shown(items):
    return [(x.id, x.origin, x.text, x.published) if not isinstance(x, DocumentError) else str(x) for x in items]


def jsonl_lines(n, rng):
    """Lines of every kind: documents with and without ids, blank, broken, non-object, of any length."""
    lines = []
    for k in range(n):
        roll = rng.random()
        if roll < 0.05:
            lines.append("")
        elif roll < 0.1:
            lines.append("{broken")
        elif roll < 0.13:
            lines.append("[1, 2]")
        elif roll < 0.2:
            lines.append(json.dumps({"text": "ohne Kennung " * rng.randint(1, 40)}))
        else:
            lines.append(json.dumps({"id": f"x{k}", "text": "Wort " * rng.randint(1, 90), "published": "2023-09-19"},
                                    ensure_ascii=False))
    return lines


def pieces_of(path, block):
    """The pieces a cluster run sends for ``path``: large JSONL files in byte ranges, lines counted first."""
    out = []
    for piece in list_shards([path]):
        assert isinstance(piece, Piece)
        ranges = blocks(piece, None, block)
        out += split(piece, ranges, count_newlines(piece.url, ranges)) if ranges else [piece]
    return out


@pytest.mark.parametrize("block", [1, 13, 200, 4096, 1 << 20])
@pytest.mark.parametrize("ending", ["\n", "", "\r\n"])
def test_jsonl_read_in_byte_ranges_gives_the_documents_and_line_numbers_of_the_whole_file(tmp_path, block, ending):
    path = tmp_path / "news.jsonl"
    path.write_bytes((ending or "\n").join(jsonl_lines(150, random.Random(block))).encode() + ending.encode())
    whole = shown(read_sources([str(path)]))
    pieces = pieces_of(str(path), block)
    if block < 4096:
        assert len(pieces) > 3 and all(p.end is not None for p in pieces)
    ctx = WebContext(settings=Settings())
    assert shown(d for p in pieces for d in read_piece(p, ReadOptions(), ctx)) == whole
    assert any("news.jsonl:" in line and "not a JSON object" in line for line in whole if isinstance(line, str))


@pytest.mark.parametrize("block", [13, 1 << 20])
def test_a_gzipped_jsonl_file_reads_as_the_plain_one_whole_and_in_pieces(tmp_path, block):
    lines = "\n".join(jsonl_lines(60, random.Random(block))) + "\n"
    plain, packed = tmp_path / "news.jsonl", tmp_path / "news.jsonl.gz"
    plain.write_text(lines)
    packed.write_bytes(gzip.compress(lines.encode()))
    # the same documents and messages, named after their own file
    def renamed(value):
        return value.replace("news.jsonl:", "news.jsonl.gz:") if isinstance(value, str) else value

    expected = [renamed(x) if isinstance(x, str) else tuple(map(renamed, x)) for x in shown(read_sources([str(plain)]))]
    assert shown(read_sources([str(packed)])) == expected
    [piece] = pieces_of(str(packed), block)  # no byte ranges into compressed data
    assert shown(read_piece(piece, ReadOptions(), WebContext(settings=Settings()))) == expected


def test_a_corrupt_gzipped_jsonl_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "news.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n')[:-12] + b"\x00" * 12)
    [error] = read_sources([str(path)])
    assert isinstance(error, DocumentError) and "news.jsonl.gz" in str(error) and "gzip" in str(error)


def test_a_piece_read_for_one_document_gives_that_document(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(jsonl_lines(40, random.Random(3))) + "\n")
    ctx = WebContext(settings=Settings())
    [piece] = pieces_of(str(path), 1 << 20)
    every = shown(read_piece(piece, ReadOptions(), ctx))
    assert shown(read_piece(Piece(**{**piece.__dict__, "only": 7}), ReadOptions(), ctx)) == every[7:8]


def test_globs_and_folders_list_the_files_a_shell_and_read_sources_would(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.jsonl").write_text('{"id": "1", "text": "eins"}\n')
    (tmp_path / "a" / "two.txt").write_text("zwei")
    (tmp_path / "a" / ".hidden.txt").write_text("nicht")
    (tmp_path / "b.jsonl").write_text('{"id": "3", "text": "drei"}\n')
    listed = list(list_shards([str(tmp_path / "*.jsonl"), str(tmp_path / "a"), str(tmp_path / "none*.jsonl"),
                               str(tmp_path / "missing.txt")]))
    assert [p.name if isinstance(p, Piece) else str(p) for p in listed] == [
        str(tmp_path / "b.jsonl"), str(tmp_path / "a" / "one.jsonl"), str(tmp_path / "a" / "two.txt"),
        f"{tmp_path / 'none*.jsonl'}: read: no file matches this pattern",
        f"{tmp_path / 'missing.txt'}: read: no such file or directory"]
    assert [p.doc_id for p in listed[:3] if isinstance(p, Piece)] == [None, "one", "two"]
    # a glob in one process reads what the files it matches read
    assert shown(read_sources([str(tmp_path / "*.jsonl")])) == shown(read_sources([str(tmp_path / "b.jsonl")]))


def test_an_fsspec_url_reads_as_the_same_files_on_disk(tmp_path):
    fs = fsspec.filesystem("memory")
    files = {
        "news/day1.jsonl": "\n".join(jsonl_lines(30, random.Random(5))) + "\n",
        "news/pages/p1.html": "<html><head><title>Titel</title></head><body><p>Ein Bericht über Gespräche, "
                              "lang genug für einen Text.</p></body></html>",
        "news/pages/p1.meta.json": '{"published": "2023-09-20"}',
        "news/notes/plain": "kein bekanntes Format",
        "news/text.txt": "Ein Text.",
    }
    for name, content in files.items():
        fs.pipe(f"/t14/{name}", content.encode())
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    try:
        warned: list[str] = []
        remote = shown(read_sources(["memory://t14/news"], warn=warned.append))
        local = shown(read_sources([str(tmp_path / "news")]))
        # the same documents, ids and messages, named by the URL instead of the folder
        assert str(remote).replace("memory:///t14/", "") == str(local).replace(f"{tmp_path}/", "")
        assert len(remote) > 25 and any("memory:///t14/news/day1.jsonl:" in str(r) for r in remote)
        assert warned == ["memory:///t14/news/notes/plain: skipped: not a known kind of input "
                          "(give --input-format to read it)"]
        assert shown(read_sources(["memory://t14/news/*.txt"])) == [("text", "memory:///t14/news/text.txt (id text)",
                                                                     "Ein Text.", None)]
        assert str(next(iter(read_sources(["nosuch://x/y.jsonl"])))).startswith("nosuch://x/y.jsonl: read: ")
    finally:
        fs.rm("/t14", recursive=True)
