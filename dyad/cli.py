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
    ex.set_defaults(run=_extract)

    ev = sub.add_parser("evaluate", help="score extracted events against gold annotations")
    ev.add_argument("gold")
    ev.add_argument("pred")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.add_argument("--errors", action="store_true", help="list missed and spurious events")
    ev.set_defaults(run=_evaluate)

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
    settings = Settings(language=args.lang, kb_extra=args.kb_extra, strict=args.strict)
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
