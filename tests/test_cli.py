"""The command line as a user meets it, bad input included."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dyad.cli import main

ROOT = Path(__file__).resolve().parents[1]
FANTASY = str(Path(__file__).parent / "data" / "fantasy_kb.yaml")
MEETING = "Der arnorische Außenminister Elendil Vorn traf am Dienstag in Minas Tirith den gondorischen Außenminister."


def lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_jsonl_output_follows_the_contract(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a1", "text": MEETING, "published": "2023-09-20", "language": "de"}) + "\n")
    assert main(["extract", str(src), "--format", "jsonl", "--kb-extra", FANTASY]) == 0
    [article] = lines(capsys.readouterr().out)
    assert article["id"] == "a1" and article["kb_version"].startswith("sha256:")
    [event] = article["events"]
    assert event["type"] == "CONSULT" and event["cameo"] == "042" and event["host"] == "XGO"
    assert event["date"] == "2023-09-19" and event["date_precision"] == "day"
    assert event["location"]["city"] == "Minas Tirith" and event["location"]["lat"] == 44.5
    assert MEETING[event["evidence"]["start"]:event["evidence"]["end"]] == event["evidence"]["text"]
    for p in event["participants"]:
        assert p["evidence"]["end"] > p["evidence"]["start"]


def test_plain_text_with_meta_file(tmp_path, capsys):
    (tmp_path / "story.txt").write_text(MEETING, encoding="utf-8")
    (tmp_path / "story.meta.json").write_text(json.dumps({"id": "s1", "published": "2023-09-20"}))
    assert main(["extract", str(tmp_path), "--format", "jsonl", "--kb-extra", FANTASY]) == 0
    [article] = lines(capsys.readouterr().out)
    assert article["id"] == "s1" and article["events"][0]["date"] == "2023-09-19"


def test_standard_input_with_published_option():
    proc = subprocess.run(
        [sys.executable, "-m", "dyad.cli", "extract", "-", "--published", "2023-09-20", "--format", "jsonl",
         "--kb-extra", FANTASY], input=MEETING.encode(), capture_output=True, cwd=ROOT, check=True)
    [article] = lines(proc.stdout.decode())
    assert article["published"] == "2023-09-20" and len(article["events"]) == 1


def test_bad_input_is_reported_per_document_and_the_rest_goes_on(tmp_path, capsys):
    src = tmp_path / "batch.jsonl"
    good = json.dumps({"id": "good", "text": MEETING, "published": "2023-09-20"})
    src.write_bytes(b"\n".join([
        json.dumps({"id": "empty", "text": "  "}).encode(),
        b"{not json",
        json.dumps({"id": "notext", "title": "x"}).encode(),
        b'{"id": "latin1", "text": "caf\xe9"}',
        json.dumps({"id": "huge", "text": "Wort " * 300_000}).encode(),
        json.dumps({"id": "baddate", "text": MEETING, "published": "yesterday"}).encode(),
        good.encode(),
    ]) + b"\n")
    code = main(["extract", str(src), "--format", "jsonl", "--kb-extra", FANTASY])
    out, err = capsys.readouterr()
    assert code == 1
    assert [a["id"] for a in lines(out)] == ["baddate", "good"]
    assert lines(out)[0]["published"] is None
    assert "(id empty): read: empty text" in err
    assert "batch.jsonl:2: read: not a JSON object" in err
    assert "(id notext): read: no 'text' field" in err
    assert "batch.jsonl:4: read: not UTF-8 text" in err
    assert "(id huge): read: text of 1,500,000 characters exceeds" in err
    assert "warning:" in err and "invalid published date 'yesterday'" in err
    assert "5 document(s) failed" in err


def test_strict_stops_at_the_first_bad_document(tmp_path, capsys):
    src = tmp_path / "batch.jsonl"
    src.write_text("{broken\n" + json.dumps({"id": "good", "text": MEETING}) + "\n")
    assert main(["extract", str(src), "--format", "jsonl", "--strict", "--kb-extra", FANTASY]) == 1
    assert capsys.readouterr().out == ""


def test_missing_file_is_named(capsys):
    assert main(["extract", "/nonexistent/file.txt", "--format", "jsonl"]) == 1
    assert "/nonexistent/file.txt: read: no such file" in capsys.readouterr().err


def test_table_output_lists_the_event(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(MEETING, encoding="utf-8")
    assert main(["extract", str(tmp_path / "a.txt"), "--published", "2023-09-20", "--kb-extra", FANTASY]) == 0
    out = capsys.readouterr().out
    assert "XGO" in out and "XAR" in out and "2023-09-19" in out


@pytest.mark.parametrize("argv, expected", [
    (["kb", "lookup", "Elendil Vorn", "--date", "2024-09-01", "--kb-extra", FANTASY], "role=prime minister"),
    (["kb", "lookup", "Vorn", "--date", "2023-01-01", "--kb-extra", FANTASY], "role=foreign minister"),
    (["kb", "lookup", "Minas Tirith", "--kb-extra", FANTASY], "kind=place"),
    (["kb", "stats", "--kb-extra", FANTASY], "people"),
])
def test_kb_commands(argv, expected, capsys):
    assert main(argv) == 0
    assert expected in capsys.readouterr().out


def test_kb_lookup_of_an_unknown_name_fails(capsys):
    assert main(["kb", "lookup", "Qwxyzzy Unknown"]) == 1


def test_output_does_not_depend_on_hash_seeds():
    """Python randomises string hashing per process: no output may depend on a set's order."""
    sources = [str(ROOT / "eval" / name / "input.jsonl") for name in ("dev3", "dev")]
    outputs = set()
    for seed in ("1", "2"):  # two seeds under which a set-ordered choice of person once differed
        proc = subprocess.run([sys.executable, "-m", "dyad.cli", "extract", *sources, "--format", "jsonl"],
                              capture_output=True, cwd=ROOT, check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.add(proc.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize("argv, message", [(["--limit", "-1"], "'-1' is not a whole number of at least 1"),
                                           (["--offset", "x"], "'x' is not a whole number of at least 0")])
def test_query_options_out_of_range_are_refused(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        main(["events", "--db", str(tmp_path / "s.db"), *argv])
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_text_search_of_quotes_or_nothing_finds_nothing(tmp_path, capsys):
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "a", "text": MEETING, "published": "2023-09-20"}) + "\n")
    db = str(tmp_path / "s.db")
    assert main(["ingest", str(src), "--db", db, "--kb-extra", FANTASY]) == 0
    for words in ('"', '""', "\x01"):
        assert main(["events", "--db", db, "--text", words, "--format", "jsonl"]) == 0
        assert capsys.readouterr().out == ""
    assert main(["events", "--db", db, "--text", '"Minas', "--format", "jsonl"]) == 0
    assert len(lines(capsys.readouterr().out)) == 1


def test_a_rerun_extracts_only_what_changed(tmp_path, capsys, monkeypatch):
    import dyad.pipeline

    src, db = tmp_path / "a.jsonl", str(tmp_path / "s.db")
    articles = [{"id": f"a{n}", "text": MEETING, "published": "2023-09-20"} for n in range(4)]
    src.write_text("".join(json.dumps(a) + "\n" for a in articles))
    assert main(["ingest", str(src), "--db", db, "--kb-extra", FANTASY]) == 0
    extracted = []
    real = dyad.pipeline.extract
    monkeypatch.setattr(dyad.pipeline, "extract", lambda doc, *a, **k: extracted.append(doc.id) or real(doc, *a, **k))
    capsys.readouterr()
    assert main(["ingest", str(src), "--db", db, "--kb-extra", FANTASY]) == 0
    assert extracted == [] and "0 added, 0 replaced, 4 unchanged" in capsys.readouterr().err
    # a changed copy, then the stored version again: the later copy wins, so both are extracted
    changed = {**articles[1], "text": MEETING.replace("Dienstag", "Montag")}
    src.write_text("".join(json.dumps(a) + "\n" for a in [*articles, changed, articles[1]]))
    assert main(["ingest", str(src), "--db", db, "--kb-extra", FANTASY]) == 0
    assert extracted == ["a1", "a1"]
    assert "0 added, 1 replaced, 5 unchanged" in capsys.readouterr().err  # the copy superseded in its batch
    from dyad.store import open_store

    with open_store(db).engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT text FROM documents WHERE doc_key = 'a1'").scalar() == MEETING


@pytest.mark.parametrize("width", [60, 100])
def test_tables_fit_the_terminal_and_keep_ids_whole(tmp_path, capsys, monkeypatch, width):
    src, db = tmp_path / "a.jsonl", str(tmp_path / "s.db")
    src.write_text(json.dumps({"id": "a", "text": MEETING, "published": "2023-09-20"}) + "\n")
    assert main(["ingest", str(src), "--db", db, "--kb-extra", FANTASY]) == 0
    assert main(["events", "--db", db, "--format", "jsonl"]) == 0
    [record] = lines(capsys.readouterr().out)
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["events", "--db", db]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= width and record["id"] in out


@pytest.mark.parametrize("actor", ["Putin", "vladimir putin", "WLADIMIR PUTIN", "vladimir-putin"])
def test_events_of_an_actor_by_any_alias(tmp_path, capsys, actor):
    src, db = tmp_path / "a.jsonl", str(tmp_path / "s.db")
    text = "Der russische Präsident Wladimir Putin traf am Dienstag in Peking den chinesischen Staatschef Xi Jinping."
    src.write_text(json.dumps({"id": "a", "text": text, "published": "2023-09-20"}) + "\n")
    assert main(["ingest", str(src), "--db", db]) == 0
    capsys.readouterr()
    assert main(["events", "--db", db, "--actor", actor, "--format", "jsonl"]) == 0
    assert len(lines(capsys.readouterr().out)) == 1
@pytest.mark.parametrize("argv", [["events"], ["timeline"], ["actors"], ["dyads"],
                                  ["export", "--format", "csv", "-o", "-"]])
def test_reading_commands_refuse_a_store_that_does_not_exist(argv, tmp_path, capsys):
    missing = tmp_path / "typo.db"
    assert main([*argv, "--db", str(missing)]) == 2
    assert "no store at" in capsys.readouterr().err and not missing.exists()


@pytest.mark.parametrize("argv", [["events", "--from", "last year"], ["events", "--to", "2023-02-30"],
                                  ["kb", "lookup", "Lavrov", "--date", "2023-13-01"]])
def test_bad_dates_give_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "Traceback" not in err and "is not a" in err.splitlines()[-1]


def test_unreachable_database_gives_one_line(capsys):
    assert main(["events", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("dyad: cannot open store") and "\n" not in err


def test_every_option_has_help():
    from dyad.cli import _parser

    def walk(parser):
        for action in parser._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for sub in action.choices.values():
                    yield from walk(sub)
            elif action.dest not in ("help", "version"):
                yield parser.prog, action

    missing = [(prog, a.dest) for prog, a in walk(_parser()) if not a.help]
    assert missing == []


class Terminal(io.StringIO):
    """Standard error as a terminal would be: progress shows there."""

    def isatty(self):
        return True


@pytest.fixture
def stored(tmp_path):
    src = tmp_path / "in.jsonl"  # three reports of one meeting: one record
    src.write_text("".join(json.dumps({"id": f"a{n}", "text": MEETING, "published": f"2023-09-2{n}",
                                       "language": "de"}) + "\n" for n in range(3)))
    db = tmp_path / "dyad.db"
    return src, db


PROGRESS_COMMANDS = [
    lambda src, db: ["ingest", str(src), "--db", str(db), "--kb-extra", FANTASY],
    lambda src, db: ["export", "--db", str(db), "--format", "csv", "-o", str(db.with_suffix(".csv"))],
    lambda src, db: ["export", "--db", str(db), "--format", "gdelt", "-o", str(db.with_suffix(".tsv"))],
    lambda src, db: ["reprocess", "--db", str(db), "--kb-extra", FANTASY],
]


@pytest.mark.parametrize("command", PROGRESS_COMMANDS, ids=["ingest", "export csv", "export gdelt", "reprocess"])
def test_quiet_shows_no_progress_on_a_terminal(command, stored, monkeypatch):
    src, db = stored
    assert main(["ingest", str(src), "--db", str(db), "--kb-extra", FANTASY, "--quiet"]) == 0
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([*command(src, db), "--quiet"]) == 0
    assert terminal.getvalue() == ""


@pytest.mark.parametrize(("command", "shown"), [(PROGRESS_COMMANDS[0], "3/3 documents"),
                                                (PROGRESS_COMMANDS[1], "1/1 records"),
                                                (PROGRESS_COMMANDS[2], "1/1 records")])
def test_progress_shows_on_a_terminal(command, shown, stored, monkeypatch):
    src, db = stored
    if command is not PROGRESS_COMMANDS[0]:
        assert main(["ingest", str(src), "--db", str(db), "--kb-extra", FANTASY, "--quiet"]) == 0
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(command(src, db)) == 0
    assert shown in " ".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue()).split())


@pytest.mark.parametrize("command", PROGRESS_COMMANDS[:3], ids=["ingest", "export csv", "export gdelt"])
def test_progress_stays_off_when_standard_error_is_no_terminal(command, stored, capsys):
    src, db = stored
    if command is not PROGRESS_COMMANDS[0]:
        assert main(["ingest", str(src), "--db", str(db), "--kb-extra", FANTASY, "--quiet"]) == 0
    assert main(command(src, db)) == 0
    err = capsys.readouterr().err
    assert "\x1b[" not in err and "/3" not in err and "/1 records" not in err
    assert err.splitlines()[-1].endswith(("; 3 events", " rows written"))


def test_documents_are_counted_as_they_will_be_read(tmp_path):
    from dyad.sources import count_documents, read_sources

    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "a.txt").write_text(MEETING)
    (tmp_path / "dir" / "a.meta.json").write_text("{}")
    (tmp_path / "b.jsonl").write_text('{"text": "x"}\n\n{not json\n{"text": "y"}')
    paths = [str(tmp_path / "dir"), str(tmp_path / "b.jsonl"), str(tmp_path / "missing.txt")]
    assert count_documents(paths) == len(list(read_sources(paths))) == 5
    assert count_documents(["-"]) is None


@pytest.mark.parametrize(("shell", "line", "offered"), [
    ("bash", "dyad ex", ["extract", "export"]),
    ("bash", "dyad export --format p", ["parquet", "plover"]),
    ("bash", "dyad export --q", ["--quiet"]),
    ("bash", "dyad kb l", ["lookup"]),
    ("bash", "dyad kb lookup --d", ["--date"]),
    ("bash", "dyad events --status o", ["occurred"]),
    ("bash", "dyad completion ", ["bash", "zsh"]),
    ("bash", "dyad export --db ", []),  # a file name: left to the shell
    ("zsh", "dyad dy", ["dyads"]),
])
def test_shell_completion(shell, line, offered, capsys):
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    if shell == "zsh":  # zsh runs the bash function through bashcompinit; bash can run it too
        script = script.replace("autoload -U +X bashcompinit && bashcompinit\n", "")
    words = line.split(" ")
    probe = (f"{script}\nCOMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
             "_dyad; printf '%s\\n' \"${COMPREPLY[@]}\"")
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    assert sorted(done.stdout.split()) == sorted(offered)
