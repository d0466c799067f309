"""Reading documents: every kind of bad input is one message naming the document, and the rest goes on."""

import io
import json

import pytest

from dyad.errors import DocumentError
from dyad.sources import read_sources

GOOD = {"id": "good", "text": "Vorn traf Ithil.", "published": "2023-09-20"}


def read(lines: list[str]):
    warnings: list[str] = []
    data = "\n".join([*lines, json.dumps(GOOD)]).encode("utf-8", "surrogatepass")
    items = list(read_sources(["-"], stdin=io.BytesIO(data), warn=warnings.append))
    *bad, good = items
    assert good.id == "good" and good.text == GOOD["text"]  # the document after the bad one is read
    return bad, warnings


@pytest.mark.parametrize("line, message", [
    ('{"id": "t", "text": "x", "title": {"x": 1}}', "(id t): read: 'title' is not a string (a JSON object)"),
    ('{"id": "u", "text": "x", "url": [1]}', "(id u): read: 'url' is not a string (a JSON array)"),
    ('{"id": "s", "text": "x", "source": 7}', "(id s): read: 'source' is not a string (a JSON number)"),
    ('{"id": "l", "text": "x", "language": true}', "(id l): read: 'language' is not a string (a JSON boolean)"),
    ('{"id": {"x": 1}, "text": "x"}', "<stdin>:1: read: 'id' is not a string (a JSON object)"),
    ('{"id": "n", "text": 5}', "(id n): read: 'text' is not a string (a JSON number)"),
    ('{"id": "d", "text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "<stdin>:1: read: not a JSON object (nested too deeply)"),
    ('{"id": "big", "text": "x", "n": ' + "9" * 5_000 + "}",
     "<stdin>:1: read: not a JSON object (a number of too many digits)"),
])
def test_a_bad_record_is_one_error_naming_it(line, message):
    [error], _ = read([line])
    assert isinstance(error, DocumentError) and message in str(error)


def test_a_number_as_id_is_its_digits():
    [doc], _ = read(['{"id": 17, "text": "x"}'])
    assert doc.id == "17"


@pytest.mark.parametrize("escape", ["\\ud83d", "\\udc00", "\\u0000"])
def test_lone_surrogates_and_nuls_become_replacement_characters_in_place(escape):
    [doc], warnings = read(['{"id": "s' + escape + '", "text": "Vorn' + escape + ' traf Ithil.", "title": "T' +
                            escape + '"}'])
    assert doc.text == "Vorn\ufffd traf Ithil." and doc.title == "T\ufffd" and doc.id == "s\ufffd"
    assert len(warnings) == 3 and all("(lone surrogate, NUL) replaced by U+FFFD" in w for w in warnings)
    assert [w.split("of '")[1].split("'")[0] for w in warnings] == ["id", "title", "text"]
    doc.text.encode("utf-8")  # any store can hold it


@pytest.mark.parametrize("published", ["9999-12-31", "0001-01-01", "1799-12-31", "2023-02-30", 2023.5, {"x": 1}])
def test_a_publication_date_out_of_range_or_invalid_is_a_warning(published):
    [doc], warnings = read([json.dumps({"id": "p", "text": "x", "published": published})])
    assert doc.published is None
    assert len(warnings) == 1 and "(id p)" in warnings[0] and "treated as missing" in warnings[0]


def test_files_in_a_directory_are_named_by_their_path_below_it(tmp_path):
    for folder in ("d1", "d2", "d2/deeper"):
        (tmp_path / "news" / folder).mkdir(parents=True)
        (tmp_path / "news" / folder / "index.txt").write_text(f"Vorn traf Ithil in {folder}.", encoding="utf-8")
    (tmp_path / "news" / "top.txt").write_text("Vorn traf Ithil.", encoding="utf-8")
    docs = list(read_sources([str(tmp_path / "news")]))
    assert sorted(d.id for d in docs) == ["d1/index", "d2/deeper/index", "d2/index", "top"]
    [single] = read_sources([str(tmp_path / "news" / "d1" / "index.txt")])
    assert single.id == "index"  # a file given by itself keeps its name
