"""Command line: thin wrappers over library functions. Only this module prints."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from dyad import __version__
from dyad.errors import DocumentError, DyadError
from dyad.kb.loader import load_kb
from dyad.model import ArticleResult
from dyad.output import article_json
from dyad.pipeline import extract_all
from dyad.settings import Settings
from dyad.sources import read_sources


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except DyadError as exc:
        print(f"dyad: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dyad", description="Political meeting events from news articles.")
    parser.add_argument("--version", action="version", version=f"dyad {__version__}")
    sub = parser.add_subparsers()

    ex = sub.add_parser("extract", help="extract meeting events from articles")
    ex.add_argument("paths", nargs="+", help="text files, JSONL files, directories, or - for standard input")
    ex.add_argument("--format", choices=["table", "jsonl"], default="table")
    ex.add_argument("--published", help="publication date (YYYY-MM-DD) of plain-text input")
    ex.add_argument("--lang", help="language of every input (de, en); detected otherwise")
    ex.add_argument("--kb-extra", help="a YAML file of your own actors, places and roles")
    ex.add_argument("--strict", action="store_true", help="stop at the first bad document")
    ex.add_argument("--time-budget", type=float, default=60.0, metavar="SECONDS",
                    help="skip (and report) a document that takes longer (0: no limit)")
    ex.set_defaults(run=_extract)

    ev = sub.add_parser("evaluate", help="score extracted events against gold annotations")
    ev.add_argument("gold")
    ev.add_argument("pred")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.add_argument("--errors", action="store_true", help="list missed and spurious events")
    ev.set_defaults(run=_evaluate)

    ing = sub.add_parser("ingest", help="extract articles and store their events, fused into records")
    ing.add_argument("paths", nargs="+")
    ing.add_argument("--db", default="dyad.db", help="SQLite file or database URL (postgresql://...)")
    ing.add_argument("--lang")
    ing.add_argument("--published")
    ing.add_argument("--kb-extra")
    ing.add_argument("--batch", type=int, default=1000, help="documents per transaction")
    ing.add_argument("--time-budget", type=float, default=60.0, metavar="SECONDS",
                     help="skip (and report) a document that takes longer (0: no limit)")
    ing.set_defaults(run=_ingest)

    rep = sub.add_parser("reprocess", help="re-extract stored documents made by another extractor or KB version")
    rep.add_argument("--db", default="dyad.db")
    rep.add_argument("--kb-extra")
    rep.set_defaults(run=_reprocess)

    chk = sub.add_parser("check", help="verify the store's invariants (no orphan events, redirects resolve, "
                                        "counts agree); exit 1 if any fails")
    chk.add_argument("--db", default="dyad.db")
    chk.set_defaults(run=_check)
    fix = sub.add_parser("repair", help="restore what `dyad check` finds wrong: re-fuse the groups concerned")
    fix.add_argument("--db", default="dyad.db")
    fix.set_defaults(run=_repair)

    evs = sub.add_parser("events", help="list fused meeting records")
    _query_options(evs)
    evs.set_defaults(run=_events)
    tl = sub.add_parser("timeline", help="records in date order")
    _query_options(tl)
    tl.set_defaults(run=_timeline)

    act = sub.add_parser("actors", help="who meets most")
    act.add_argument("--db", default="dyad.db")
    act.add_argument("--country")
    act.add_argument("--top", type=int, default=20)
    act.add_argument("--from", dest="date_from")
    act.add_argument("--to", dest="date_to")
    act.add_argument("--format", choices=["table", "csv", "jsonl"], default="table")
    act.set_defaults(run=_actors)

    dy = sub.add_parser("dyads", help="meetings per pair of countries")
    dy.add_argument("--db", default="dyad.db")
    dy.add_argument("--country", help="only the counterparts of this country")
    dy.add_argument("--from", dest="date_from")
    dy.add_argument("--to", dest="date_to")
    dy.add_argument("--status", default="occurred", choices=["occurred", "planned"])
    dy.add_argument("--top", type=int)
    dy.add_argument("--format", choices=["table", "csv", "jsonl"], default="table")
    dy.set_defaults(run=_dyads)

    ex_ = sub.add_parser("export", help="write every record as csv, jsonl, parquet, gdelt or plover")
    ex_.add_argument("--db", default="dyad.db")
    ex_.add_argument("--format", required=True, choices=["csv", "jsonl", "parquet", "gdelt", "plover"])
    ex_.add_argument("-o", "--output", required=True, help="output file (- for standard output)")
    ex_.set_defaults(run=_export)

    srv = sub.add_parser("serve", help="REST API and dashboard over a store")
    srv.add_argument("--db", default="dyad.db")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    srv.set_defaults(run=_serve)

    kb = sub.add_parser("kb", help="inspect the knowledge base")
    kb_sub = kb.add_subparsers()
    stats = kb_sub.add_parser("stats", help="counts of what the knowledge base holds")
    stats.add_argument("--kb-extra")
    stats.set_defaults(run=_kb_stats)
    lookup = kb_sub.add_parser("lookup", help="what a name resolves to")
    lookup.add_argument("name")
    lookup.add_argument("--date", help="YYYY-MM-DD: show the office held on that date")
    lookup.add_argument("--kb-extra")
    lookup.set_defaults(run=_kb_lookup)
    return parser


def _extract(args: argparse.Namespace) -> int:
    settings = Settings(language=args.lang, kb_extra=args.kb_extra, strict=args.strict,
                        time_budget=args.time_budget or None)
    kb = load_kb(settings.kb_extra)
    warn = _warn
    docs = read_sources(args.paths, published=args.published, language=args.lang, warn=warn)
    failed = 0
    table_rows: list[ArticleResult] = []
    for result in extract_all(docs, kb, settings):
        if isinstance(result, DocumentError):
            failed += 1
            print(f"dyad: error: {result}", file=sys.stderr)
            if settings.strict:
                return 1
            continue
        if args.format == "jsonl":
            sys.stdout.write(json.dumps(article_json(result, kb.version), ensure_ascii=False) + "\n")
        else:
            table_rows.append(result)
    if args.format == "table":
        _print_table(table_rows)
    if failed:
        print(f"dyad: {failed} document(s) failed", file=sys.stderr)
    return 1 if failed else 0


def _query_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default="dyad.db")
    p.add_argument("--actor", help="actor id or name")
    p.add_argument("--country")
    p.add_argument("--with", dest="counterpart", help="the other side (country or organisation code)")
    p.add_argument("--from", dest="date_from", help="YYYY, YYYY-MM or YYYY-MM-DD")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--status", choices=["occurred", "planned"])
    p.add_argument("--mode", choices=["in_person", "phone", "video", "unspecified"])
    p.add_argument("--location", help="city or country code")
    p.add_argument("--series")
    p.add_argument("--topic")
    p.add_argument("--text", dest="words", help="words in the evidence")
    p.add_argument("--limit", type=_count(1), default=50)
    p.add_argument("--offset", type=_count(0), default=0)
    p.add_argument("--format", choices=["table", "csv", "jsonl"], default="table")


def _count(least: int):
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = least - 1
        if number < least:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least {least}")
        return number

    return parse


def _record_query(args: argparse.Namespace, oldest_first: bool = False):
    from dyad.store.query import RecordQuery

    keys = ("actor", "country", "counterpart", "date_from", "date_to", "status", "mode", "location", "series",
            "topic", "words", "limit", "offset")
    query = RecordQuery(**{k: getattr(args, k) for k in keys}, oldest_first=oldest_first)
    if query.actor:  # any name or alias the knowledge base knows, in any case: "Putin", "vladimir putin"
        from dataclasses import replace

        from dyad.kb.stats import ActorNames

        query = replace(query, actor=ActorNames(load_kb()).resolve(query.actor) or query.actor)
    return query


def _ingest(args: argparse.Namespace) -> int:
    from dyad.store import IngestReport, ingest, open_store
    from dyad.store.core import new_or_changed

    settings = Settings(language=args.lang, kb_extra=args.kb_extra, time_budget=args.time_budget or None)
    kb = load_kb(settings.kb_extra)
    store = open_store(args.db)
    docs = read_sources(args.paths, published=args.published, language=args.lang, warn=_warn)
    skipped = IngestReport()  # documents stored as they are: not extracted again
    report = ingest(store, extract_all(new_or_changed(store, docs, kb.version, skipped), kb, settings), kb.version,
                    batch_size=args.batch)
    report.add(skipped)
    for failure in report.failed:
        print(f"dyad: error: {failure}", file=sys.stderr)
    print(f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged, "
          f"{len(report.failed)} failed; {report.events} events", file=sys.stderr)
    return 1 if report.failed else 0


def _reprocess(args: argparse.Namespace) -> int:
    from dyad.store import open_store
    from dyad.store.reprocess import reprocess

    kb = load_kb(args.kb_extra)
    report = reprocess(open_store(args.db), kb, Settings(kb_extra=args.kb_extra))
    print(f"{report.replaced} re-extracted, {report.unchanged} up to date, {len(report.failed)} failed",
          file=sys.stderr)
    return 1 if report.failed else 0


def _check(args: argparse.Namespace) -> int:
    from dyad.store import open_store
    from dyad.store.check import check, describe

    health = check(open_store(args.db))
    seen = ", ".join(f"{n:,} {what}" for what, n in sorted(health.checked.items()))
    for line in describe(health):
        print(f"dyad: problem: {line}", file=sys.stderr)
    print(f"{seen} checked: " + ("no problems" if health.ok else "problems found; `dyad repair` fixes them"),
          file=sys.stderr)
    return 0 if health.ok else 1


def _repair(args: argparse.Namespace) -> int:
    from dyad.store import open_store
    from dyad.store.check import describe, repair

    before, after = repair(open_store(args.db))
    for line in describe(before):
        print(f"dyad: repaired: {line}", file=sys.stderr)
    for line in describe(after):
        print(f"dyad: still wrong: {line}", file=sys.stderr)
    print("nothing to repair" if before.ok else f"{len(before.groups):,} fusion group(s) rebuilt"
          + ("" if after.ok else "; problems remain"), file=sys.stderr)
    return 0 if after.ok else 1


def _events(args: argparse.Namespace, oldest_first: bool = False) -> int:
    from dyad.store import open_store
    from dyad.store.query import find_records

    rows = find_records(open_store(args.db), _record_query(args, oldest_first))
    flat = [{"id": r["id"], "date": r["date"], "status": r["status"], "mode": r["mode"],
             "sides": "|".join(r["countries"]),
             "actors": "; ".join(f"{a['name']} [{a['country']}]" for a in r["actors"]),
             "place": ", ".join(x for x in (r["city"], r["country"]) if x), "sources": r["n_sources"],
             "evidence": r["evidence_text"]} for r in rows]
    _print_rows(flat, args.format, title="Meetings")
    return 0


def _timeline(args: argparse.Namespace) -> int:
    return _events(args, oldest_first=True)


def _actors(args: argparse.Namespace) -> int:
    from dyad.store import open_store
    from dyad.store.query import top_actors

    _print_rows(top_actors(open_store(args.db), args.country, args.top, args.date_from, args.date_to),
                args.format, title="Who meets most")
    return 0


def _dyads(args: argparse.Namespace) -> int:
    from dyad.store import open_store
    from dyad.store.query import dyad_counts

    rows = dyad_counts(open_store(args.db), args.country, args.date_from, args.date_to, args.status, args.top)
    _print_rows(rows, args.format, title="Meetings per pair of countries")
    return 0


def _export(args: argparse.Namespace) -> int:
    from dyad.store import open_store
    from dyad.store.export import export

    store = open_store(args.db)
    if args.format == "parquet":
        if args.output == "-":
            raise DyadError("parquet needs a file: give -o FILE.parquet")
        n = export(store, "parquet", None, args.output)
    elif args.output == "-":
        n = export(store, args.format, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            n = export(store, args.format, out)
    print(f"{n} rows written", file=sys.stderr)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from dyad.serve.api import create_app
    from dyad.store import open_store

    token = os.environ.get("DYAD_TOKEN") or None
    print(f"dyad: serving {args.db} on http://{args.host}:{args.port}/ "
          f"({'ingest enabled with DYAD_TOKEN' if token else 'read-only'})", file=sys.stderr)
    uvicorn.run(create_app(open_store(args.db), token), host=args.host, port=args.port, log_level="warning")
    return 0


def _print_rows(rows: list[dict], fmt: str, title: str) -> None:
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        import csv

        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in (rows[0] if rows else {"(no rows)": ""}):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v)[:160] for v in row.values()])
    Console(width=200).print(table)


def _warn(message: str) -> None:
    print(f"dyad: warning: {message}", file=sys.stderr)


def _print_table(results: list[ArticleResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Meeting events", show_lines=False)
    for column in ("article", "status", "date", "participants", "place", "mode", "cameo"):
        table.add_column(column)
    for result in results:
        for event in result.events:
            people = " — ".join(
                f"{p.name or '(' + (p.role or 'state') + ')'} [{p.country}]" for p in event.participants
            )
            place = ""
            if event.location:
                place = ", ".join(x for x in (event.location.city, event.location.country) if x)
            table.add_row(result.doc.id, event.status, event.date.value if event.date else "", people, place,
                          event.mode, event.cameo)
    Console().print(table)


def _evaluate(args: argparse.Namespace) -> int:
    from dyad.evaluate import evaluate_files, format_scores

    scores = evaluate_files(args.gold, args.pred)
    if args.json:
        print(json.dumps(scores))
    else:
        print(format_scores(scores, errors=args.errors))
    return 0


def _kb_stats(args: argparse.Namespace) -> int:
    from dyad.kb.stats import kb_stats

    kb = load_kb(args.kb_extra)
    for key, value in kb_stats(kb).items():
        print(f"{key:28} {value}")
    return 0


def _kb_lookup(args: argparse.Namespace) -> int:
    from dyad.kb.stats import lookup

    kb = load_kb(args.kb_extra)
    day = date.fromisoformat(args.date) if args.date else None
    rows = lookup(kb, args.name, day)
    if not rows:
        print(f"'{args.name}': not in the knowledge base")
        return 1
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
