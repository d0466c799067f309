"""Command line: thin wrappers over library functions. Only this module prints."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date

from dyad import __version__
from dyad.errors import DocumentError, DyadError
from dyad.kb.loader import load_kb
from dyad.output import article_json
from dyad.pipeline import extract_all
from dyad.read.detect import KINDS
from dyad.settings import Settings
from dyad.sources import read_sources

DATE_HELP = "YYYY, YYYY-MM or YYYY-MM-DD"
WHOLE_COLUMNS = {"id"}  # in a table on a terminal: never broken across lines
DB_HELP = "SQLite file or database URL (postgresql://...) of an existing store (default dyad.db)"


def _period(value: str) -> str:
    """A --from/--to value: YYYY, YYYY-MM or YYYY-MM-DD, and a real date."""
    import re

    from dyad.store.export import date_range

    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a date ({DATE_HELP})")
    try:
        date_range(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: {exc}") from None
    return value


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day (YYYY-MM-DD)") from None


def main(argv: list[str] | None = None) -> int:
    import logging
    import warnings

    # the page and crawl parsers log each oddity of a hostile page; dyad reports one message per document
    for name in ("warcio", "trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"dateutil\.")  # a page's date in an unknown time zone
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
    ex.add_argument("--format", choices=["table", "jsonl", "parquet"], default="table",
                    help="a table, one JSON object per article, or a Parquet dataset of events by month (give -o)")
    ex.add_argument("-o", "--output", metavar="DIR", help="folder of the Parquet dataset (--format parquet)")
    ex.add_argument("--published", type=_day, help="publication date (YYYY-MM-DD) of plain-text input")
    ex.add_argument("--lang", help="language of every input (de, en); detected otherwise")
    ex.add_argument("--kb-extra", help="a YAML file of your own actors, places and roles")
    ex.add_argument("--strict", action="store_true", help="stop at the first bad document")
    ex.add_argument("--time-budget", type=float, default=60.0, metavar="SECONDS",
                    help="skip (and report) a document that takes longer (0: no limit)")
    ex.add_argument("--min-confidence", type=_unit_interval, metavar="P",
                    help="drop events less likely than P (0-1) to be right; default: the model's threshold, "
                         "0 keeps every event the rules propose")
    _input_options(ex)
    _cluster_options(ex)
    ex.set_defaults(run=_extract)

    ev = sub.add_parser("evaluate", help="score extracted events against gold annotations")
    ev.add_argument("gold", help="gold annotations (JSONL)")
    ev.add_argument("pred", help="dyad's output to score (JSONL)")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.add_argument("--errors", action="store_true", help="list missed and spurious events")
    ev.set_defaults(run=_evaluate)

    ing = sub.add_parser("ingest", help="extract articles and store their events, fused into records")
    ing.add_argument("paths", nargs="+", help="text files, JSONL files, directories, or - for standard input")
    ing.add_argument("--db", default="dyad.db", help="SQLite file or database URL (postgresql://...); created if new")
    ing.add_argument("--lang", help="language of every input (de, en); detected otherwise")
    ing.add_argument("--published", type=_day, help="publication date (YYYY-MM-DD) of plain-text input")
    ing.add_argument("--kb-extra", help="a YAML file of your own actors, places and roles")
    ing.add_argument("--batch", type=int, default=1000, help="documents per transaction")
    ing.add_argument("--time-budget", type=float, default=60.0, metavar="SECONDS",
                     help="skip (and report) a document that takes longer (0: no limit)")
    _input_options(ing)
    _cluster_options(ing)
    ing.add_argument("--bulk", action="store_true",
                     help="a first load into an empty store (needs --workers or --scheduler): workers write in "
                          "parallel, fusion runs per (sides, year); a rerun after a stop goes on where it was")
    _quiet_option(ing)
    ing.set_defaults(run=_ingest)

    fe = sub.add_parser("fetch", help="download pages, feeds' items and sitemaps' pages into a folder")
    fe.add_argument("urls", nargs="+", help="page, RSS/Atom feed or sitemap URLs")
    fe.add_argument("--out", required=True, help="folder to save the pages in (with NAME.meta.json beside each)")
    _fetch_options(fe)
    fe.set_defaults(run=_fetch)

    wa = sub.add_parser("watch", help="poll feeds and ingest what is new, again and again")
    wa.add_argument("feeds", nargs="+", help="RSS/Atom feed or sitemap URLs")
    wa.add_argument("--db", default="dyad.db", help="SQLite file or database URL of the store to ingest into "
                                                    "(created if missing; default dyad.db)")
    wa.add_argument("--every", default="15m", help="time between rounds: 30s, 15m, 1h (default 15m)")
    wa.add_argument("--once", action="store_true", help="one round, then stop")
    wa.add_argument("--lang", help="language of every item (de, en); detected otherwise")
    wa.add_argument("--kb-extra", help="a YAML file of your own actors, places and roles")
    _fetch_options(wa)
    wa.set_defaults(run=_watch)

    rep = sub.add_parser("reprocess", help="re-extract stored documents made by another extractor or KB version")
    rep.add_argument("--db", default="dyad.db", help=DB_HELP)
    rep.add_argument("--kb-extra", help="a YAML file of your own actors, places and roles")
    _quiet_option(rep)
    rep.set_defaults(run=_reprocess)

    chk = sub.add_parser("check", help="verify the store's invariants (no orphan events, redirects resolve, "
                                        "counts agree); exit 1 if any fails")
    chk.add_argument("--db", default="dyad.db", help=DB_HELP)
    chk.set_defaults(run=_check)
    fix = sub.add_parser("repair", help="restore what `dyad check` finds wrong: re-fuse the groups concerned")
    fix.add_argument("--db", default="dyad.db", help=DB_HELP)
    fix.set_defaults(run=_repair)

    evs = sub.add_parser("events", help="list fused meeting records")
    _query_options(evs)
    evs.set_defaults(run=_events)
    tl = sub.add_parser("timeline", help="records in date order")
    _query_options(tl)
    tl.set_defaults(run=_timeline)

    act = sub.add_parser("actors", help="who meets most")
    act.add_argument("--db", default="dyad.db", help=DB_HELP)
    act.add_argument("--country", help="only actors of this country or organisation (CHN, UN ...)")
    act.add_argument("--top", type=int, default=20, help="how many actors (default 20)")
    act.add_argument("--from", dest="date_from", type=_period, help=f"first date ({DATE_HELP})")
    act.add_argument("--to", dest="date_to", type=_period, help=f"last date ({DATE_HELP})")
    act.add_argument("--format", choices=["table", "csv", "jsonl"], default="table", help="output format")
    act.set_defaults(run=_actors)

    dy = sub.add_parser("dyads", help="meetings per pair of countries")
    dy.add_argument("--db", default="dyad.db", help=DB_HELP)
    dy.add_argument("--country", help="only the counterparts of this country")
    dy.add_argument("--from", dest="date_from", type=_period, help=f"first date ({DATE_HELP})")
    dy.add_argument("--to", dest="date_to", type=_period, help=f"last date ({DATE_HELP})")
    dy.add_argument("--status", default="occurred", choices=["occurred", "planned"], help="held or announced meetings")
    dy.add_argument("--top", type=int, help="only the busiest pairs")
    dy.add_argument("--format", choices=["table", "csv", "jsonl"], default="table", help="output format")
    dy.set_defaults(run=_dyads)

    ex_ = sub.add_parser("export", help="write every record as csv, jsonl, parquet, gdelt or plover")
    ex_.add_argument("--db", default="dyad.db", help=DB_HELP)
    ex_.add_argument("--format", required=True, choices=["csv", "jsonl", "parquet", "gdelt", "plover"],
                     help="records (csv, jsonl, parquet), GDELT 2.0 tables, or PLOVER events; see docs/codebook.md")
    ex_.add_argument("-o", "--output", required=True,
                     help="output file (- for standard output); gdelt also writes NAME.mentions, NAME.dyad beside it")
    ex_.add_argument("--since", help="only records with a source ingested since then (UTC; 2024-05-01T12:00:00Z)")
    _quiet_option(ex_)
    ex_.set_defaults(run=_export)

    srv = sub.add_parser("serve", help="REST API and dashboard over a store")
    srv.add_argument("--db", default="dyad.db", help=DB_HELP)
    srv.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    srv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    srv.add_argument("--workers", type=_count(1), default=1,
                     help="server processes answering requests (default 1; about one per CPU core under load)")
    srv.set_defaults(run=_serve)

    comp = sub.add_parser("completion", help="print a shell completion script: source <(dyad completion bash)")
    comp.add_argument("shell", choices=["bash", "zsh"], help="the shell to complete in")
    comp.set_defaults(run=_completion)

    kb = sub.add_parser("kb", help="inspect the knowledge base")
    kb_sub = kb.add_subparsers()
    stats = kb_sub.add_parser("stats", help="counts of what the knowledge base holds")
    stats.add_argument("--kb-extra", help="a YAML file of your own actors, places and roles")
    stats.set_defaults(run=_kb_stats)
    lookup = kb_sub.add_parser("lookup", help="what a name resolves to")
    lookup.add_argument("name", help="a person, state, organisation or place, in any language dyad reads")
    lookup.add_argument("--date", type=_day, help="YYYY-MM-DD: show the office held on that date")
    lookup.add_argument("--kb-extra", help="a YAML file of your own actors, places and roles")
    lookup.set_defaults(run=_kb_lookup)
    return parser


def _cluster_options(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_count(1), metavar="N",
                       help="extract on a local Dask cluster of N processes (needs dyad[distributed])")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="extract on a running Dask cluster (its workers need dyad[distributed] installed)")


def _cluster(args: argparse.Namespace):
    """A Dask client for --workers or --scheduler; Dask is imported here only."""
    try:
        from dyad.scale import connect
    except ImportError as exc:
        raise DyadError(f"--workers and --scheduler need Dask: pip install 'dyad[distributed]' ({exc})") from None
    return connect(args.workers, args.scheduler)


def _quiet_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress display and no summary line (errors and warnings still show)")


class _Progress:
    """Progress of a long command on standard error (rich.progress): only on a terminal, never with --quiet."""

    def __init__(self, args: argparse.Namespace, description: str, unit: str) -> None:
        self.enabled = not args.quiet and sys.stderr.isatty()
        self.description, self.unit = description, unit
        self.events = 0

    def __enter__(self) -> _Progress:
        if self.enabled:
            import rich.progress as rp
            from rich.console import Console

            self._bar = rp.Progress(rp.TextColumn("{task.description}"), rp.BarColumn(), rp.MofNCompleteColumn(),
                                    rp.TextColumn("{task.fields[unit]}"), rp.TextColumn("{task.fields[rate]}"),
                                    rp.TextColumn("{task.fields[extra]}"), rp.TimeElapsedColumn(),
                                    rp.TimeRemainingColumn(), console=Console(file=sys.stderr))
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=None, unit=self.unit, rate="", extra="")
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self._bar.stop()

    def update(self, done: int, total: int | None) -> None:
        """``done`` of ``total`` units so far."""
        if self.enabled:
            self._bar.update(self._task, completed=done, total=total)
            speed = self._bar.tasks[0].speed
            self._bar.update(self._task, rate=f"{speed:,.0f}/s" if speed else "",
                             extra=f"{self.events:,} events" if self.events else "")

    def track(self, results, total: int | None, passed=lambda: 0):
        """The extraction results, counted (documents and their events) as they pass; ``passed()``: documents
        of the total that never reach extraction (stored unchanged)."""
        done = 0
        for result in results:
            done += 1
            if not isinstance(result, DocumentError):
                self.events += len(result.events)
            self.update(done + passed(), total)
            yield result


def _input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input-format", choices=list(KINDS), help="kind of every input; detected from content otherwise")
    p.add_argument("--fetch", action="store_true",
                   help="download URLs given, the pages of sitemaps and the pages of feed items that carry a summary")
    _fetch_options(p)


def _fetch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user-agent", help="User-Agent header (default: dyad/VERSION (news event extraction))")
    p.add_argument("--interval", type=float, help="seconds between two requests to one host (default 1)")
    p.add_argument("--max-bytes", type=int, help="largest page accepted, in bytes (default 10,000,000)")


def _settings(args: argparse.Namespace, **given) -> Settings:
    extra = {k: v for k, v in (("user_agent", args.user_agent), ("host_interval", args.interval),
                               ("max_page_bytes", args.max_bytes)) if v is not None}
    return Settings(**given, **extra)


def _fetcher(args: argparse.Namespace, settings: Settings):
    from dyad.fetch import Fetcher

    return Fetcher(settings) if getattr(args, "fetch", True) else None


def _inputs(args: argparse.Namespace, settings: Settings):
    """On a cluster, the paths for the workers to read themselves, unless one is standard input or a web page
    (read and sent by this process); in one process, the documents."""
    from dyad.read.shards import ReadOptions, Shards, shardable

    if (args.workers or args.scheduler) and all(shardable(path) for path in args.paths):
        fetch = getattr(args, "fetch", True)
        return Shards(tuple(args.paths), ReadOptions(args.published, args.lang, args.input_format, fetch))
    return _read(args, settings)


def _read(args: argparse.Namespace, settings: Settings):
    return read_sources(args.paths, published=args.published, language=args.lang, warn=_warn,
                        kind=args.input_format, fetcher=_fetcher(args, settings), settings=settings)


def _unit_interval(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number between 0 and 1")
    return number


def _extract(args: argparse.Namespace) -> int:
    settings = _settings(args, language=args.lang, kb_extra=args.kb_extra, strict=args.strict,
                         min_confidence=args.min_confidence, time_budget=args.time_budget or None)
    if (args.format == "parquet") != bool(args.output):
        raise DyadError("--format parquet writes a folder: give it with -o DIR (and -o only with --format parquet)")
    kb = load_kb(settings.kb_extra)
    docs = _inputs(args, settings)
    failed = events = 0
    table_rows: list[dict] = []
    lines: Iterator[str | int | DocumentError]
    with ExitStack() as stack:
        if args.workers or args.scheduler:
            from dyad.scale import extract_lines, extract_to_dataset

            client = stack.enter_context(_cluster(args))
            if args.format == "parquet":
                lines = extract_to_dataset(client, docs, settings, kb.version, args.output, warn=_warn)
            else:
                lines = extract_lines(client, docs, settings, kb.version, warn=_warn)
        else:
            lines = (r if isinstance(r, DocumentError) else json.dumps(article_json(r, kb.version), ensure_ascii=False)
                     for r in extract_all(docs, kb, settings))
            if args.format == "parquet":
                lines = _written(lines, args.output)
        for line in lines:
            if isinstance(line, DocumentError):
                failed += 1
                print(f"dyad: error: {line}", file=sys.stderr)
                if settings.strict:
                    return 1
            elif isinstance(line, int):
                events += line
            elif args.format == "jsonl":
                sys.stdout.write(line + "\n")
            else:
                table_rows.append(json.loads(line))
    if args.format == "table":
        _print_table(table_rows)
    if args.format == "parquet":
        print(f"dyad: {events} events written to {args.output}", file=sys.stderr)
    if failed:
        print(f"dyad: {failed} document(s) failed", file=sys.stderr)
    return 1 if failed else 0


def _written(lines: Iterator[str | int | DocumentError], root: str) -> Iterator[int | DocumentError]:
    """Articles' JSON lines into the Parquet dataset, a batch of files at a time; yields failures and events written."""
    from dyad.store.dataset import write_part

    batch: list[dict] = []
    first = 0
    for seq, line in enumerate(lines):
        if isinstance(line, DocumentError):
            yield line
            continue
        assert isinstance(line, str)
        if not batch:
            first = seq
        batch.append(json.loads(line))
        if len(batch) == 1000:
            yield write_part(batch, root, first)
            batch = []
    if batch:
        yield write_part(batch, root, first)


def _query_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default="dyad.db", help=DB_HELP)
    p.add_argument("--actor", help="actor id or name")
    p.add_argument("--country", help="one side (country or organisation code: CHN, UN ...)")
    p.add_argument("--with", dest="counterpart", help="the other side (country or organisation code)")
    p.add_argument("--from", dest="date_from", type=_period, help=f"first date ({DATE_HELP})")
    p.add_argument("--to", dest="date_to", type=_period, help=f"last date ({DATE_HELP})")
    p.add_argument("--status", choices=["occurred", "planned"], help="held or announced meetings")
    p.add_argument("--mode", choices=["in_person", "phone", "video", "unspecified"], help="how they met")
    p.add_argument("--location", help="city or country code")
    p.add_argument("--series", help="a recurring mechanism (words of its name)")
    p.add_argument("--topic", help="a topic label")
    p.add_argument("--text", dest="words", help="words in the evidence")
    p.add_argument("--min-confidence", type=_unit_interval, metavar="P",
                   help="only meetings whose best report is at least P (0-1) likely right")
    p.add_argument("--limit", type=_count(1), default=50, help="rows to show (default 50)")
    p.add_argument("--offset", type=_count(0), default=0, help="rows to skip")
    p.add_argument("--format", choices=["table", "csv", "jsonl"], default="table", help="output format")


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
            "topic", "words", "limit", "offset", "min_confidence")
    query = RecordQuery(**{k: getattr(args, k) for k in keys}, oldest_first=oldest_first)
    if query.actor:  # any name or alias the knowledge base knows, in any case: "Putin", "vladimir putin"
        from dataclasses import replace

        from dyad.kb.stats import ActorNames

        query = replace(query, actor=ActorNames(load_kb()).resolve(query.actor) or query.actor)
    return query


def _ingest(args: argparse.Namespace) -> int:
    from dyad.read.shards import Shards
    from dyad.sources import count_documents
    from dyad.store import IngestReport, ingest
    from dyad.store.core import new_or_changed

    if args.bulk and not (args.workers or args.scheduler):
        raise DyadError("--bulk needs --workers N or --scheduler tcp://HOST:PORT")
    settings = _settings(args, language=args.lang, kb_extra=args.kb_extra, time_budget=args.time_budget or None)
    kb = load_kb(settings.kb_extra)
    store = _existing_store(args.db, create=True)
    docs = _inputs(args, settings)
    with _Progress(args, "ingest", "documents") as progress:
        # workers reading shards: this process reads none of the input, so it does not count it either
        counted = progress.enabled and not isinstance(docs, Shards)
        total = count_documents(args.paths, args.input_format) if counted else None
        if args.workers or args.scheduler:
            from dyad.scale import bulk_load, ingest_on_cluster

            def advance(done: int, events: int) -> None:  # one bar over all workers, after each batch
                progress.events = events
                progress.update(done, total)

            with _cluster(args) as client:
                if not args.quiet:
                    print(f"dyad: Dask dashboard at {client.dashboard_link}", file=sys.stderr)
                shown = advance if progress.enabled else None
                if args.bulk:
                    store.engine.dispose()
                    report = bulk_load(client, args.db, docs, settings, kb.version, shown, warn=_warn)
                else:
                    report = ingest_on_cluster(client, store, docs, settings, kb.version, shown, args.batch,
                                               warn=_warn)
        else:
            skipped = IngestReport()  # documents stored as they are: not extracted again
            results = extract_all(new_or_changed(store, docs, kb.version, skipped), kb, settings)
            if progress.enabled:
                results = progress.track(results, total, lambda: skipped.unchanged)
            report = ingest(store, results, kb.version, batch_size=args.batch)
            report.add(skipped)
    for failure in report.failed:
        print(f"dyad: error: {failure}", file=sys.stderr)
    if not args.quiet:
        print(f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged, "
              f"{len(report.failed)} failed; {report.events} events", file=sys.stderr)
    return 1 if report.failed else 0


def _fetch(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dyad.crawl import fetch_to_dir
    from dyad.fetch import Fetcher

    with Fetcher(_settings(args)) as fetcher:
        report = fetch_to_dir(args.urls, Path(args.out), fetcher, warn=_warn)
    for failure in report.failed:
        print(f"dyad: error: {failure}", file=sys.stderr)
    print(f"{report.saved} saved, {report.unchanged} unchanged, {report.skipped} fetched before, "
          f"{len(report.failed)} failed; {fetcher.stats.requests} requests", file=sys.stderr)
    return 1 if report.failed else 0


def _watch(args: argparse.Namespace) -> int:
    import time

    from dyad.crawl import parse_every, poll
    from dyad.fetch import Fetcher
    from dyad.store import open_store

    try:
        every = parse_every(args.every)
    except ValueError as exc:
        raise DyadError(str(exc)) from None
    settings = _settings(args, language=args.lang, kb_extra=args.kb_extra)
    kb = load_kb(settings.kb_extra)
    store = open_store(args.db)
    failed = False
    with Fetcher(settings) as fetcher:
        try:
            while True:
                started = time.monotonic()
                report = poll(store, args.feeds, fetcher, kb, settings, warn=_warn)
                for failure in report.failed:
                    print(f"dyad: error: {failure}", file=sys.stderr)
                failed = bool(report.failed)
                print(f"dyad watch: {report.saved} new items read, {report.added} documents added, "
                      f"{report.events} events, {report.unchanged} feeds unchanged, {len(report.failed)} failed",
                      file=sys.stderr)
                if args.once:
                    break
                time.sleep(max(0.0, every - (time.monotonic() - started)))
        except KeyboardInterrupt:  # a stop between or during rounds: what was ingested stays, and so does the state
            print("dyad watch: stopped", file=sys.stderr)
    return 1 if failed else 0


def _reprocess(args: argparse.Namespace) -> int:
    from dyad.store import ingest
    from dyad.store.reprocess import stale_documents

    kb = load_kb(args.kb_extra)
    store = _existing_store(args.db)
    settings = Settings(kb_extra=args.kb_extra)
    docs = stale_documents(store, kb)
    with _Progress(args, "reprocess", "documents") as progress:
        results = extract_all(docs, kb, settings)
        if progress.enabled:
            results = progress.track(results, len(docs))
        report = ingest(store, results, kb.version)
    for failure in report.failed:
        print(f"dyad: error: {failure}", file=sys.stderr)
    if not args.quiet:
        print(f"{report.replaced} re-extracted, {report.unchanged} up to date, {len(report.failed)} failed",
              file=sys.stderr)
    return 1 if report.failed else 0


def _check(args: argparse.Namespace) -> int:
    from dyad.store.check import check, describe

    health = check(_existing_store(args.db))
    seen = ", ".join(f"{n:,} {what}" for what, n in sorted(health.checked.items()))
    for line in describe(health):
        print(f"dyad: problem: {line}", file=sys.stderr)
    print(f"{seen} checked: " + ("no problems" if health.ok else "problems found; `dyad repair` fixes them"),
          file=sys.stderr)
    return 0 if health.ok else 1


def _repair(args: argparse.Namespace) -> int:
    from dyad.store.check import describe, repair

    before, after = repair(_existing_store(args.db))
    for line in describe(before):
        print(f"dyad: repaired: {line}", file=sys.stderr)
    for line in describe(after):
        print(f"dyad: still wrong: {line}", file=sys.stderr)
    print("nothing to repair" if before.ok else f"{len(before.groups):,} fusion group(s) rebuilt"
          + ("" if after.ok else "; problems remain"), file=sys.stderr)
    return 0 if after.ok else 1


def _events(args: argparse.Namespace, oldest_first: bool = False) -> int:
    from dyad.store.query import find_records

    rows = find_records(_existing_store(args.db), _record_query(args, oldest_first))
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
    from dyad.store.query import top_actors

    _print_rows(top_actors(_existing_store(args.db), args.country, args.top, args.date_from, args.date_to),
                args.format, title="Who meets most")
    return 0


def _dyads(args: argparse.Namespace) -> int:
    from dyad.store.query import dyad_counts

    rows = dyad_counts(_existing_store(args.db), args.country, args.date_from, args.date_to, args.status, args.top)
    _print_rows(rows, args.format, title="Meetings per pair of countries")
    return 0


def _export(args: argparse.Namespace) -> int:
    from dyad.crawl import since_timestamp

    try:
        since = since_timestamp(args.since) if args.since else None
    except ValueError as exc:
        raise DyadError(str(exc)) from None
    store = _existing_store(args.db)
    with _Progress(args, f"export {args.format}", "records") as progress:
        n = _export_to(store, args, since, progress.update if progress.enabled else None)
    if not args.quiet:
        print(f"{n} rows written", file=sys.stderr)
    return 0


def _export_to(store, args: argparse.Namespace, since, progress) -> int:
    from pathlib import Path

    from dyad.store.export import export

    if args.format == "parquet":
        if args.output == "-":
            raise DyadError("parquet needs a file: give -o FILE.parquet")
        n = export(store, "parquet", None, args.output, since=since, progress=progress)
    elif args.output == "-":
        n = export(store, args.format, sys.stdout, since=since, progress=progress)
        if args.format == "gdelt":
            _warn("the Mentions table and dyad's companion file need a file: give -o FILE to get them")
    elif args.format == "gdelt":
        events_path = Path(args.output)
        stem = events_path.name[:-len(events_path.suffix)] if events_path.suffix else events_path.name
        stem = stem.removesuffix(".export")
        mentions_path = events_path.with_name(f"{stem}.mentions{events_path.suffix}")
        companion_path = events_path.with_name(f"{stem}.dyad{events_path.suffix}")
        with open(events_path, "w", encoding="utf-8", newline="") as out, \
                open(mentions_path, "w", encoding="utf-8", newline="") as mentions, \
                open(companion_path, "w", encoding="utf-8", newline="") as companion:
            n = export(store, "gdelt", out, mentions=mentions, companion=companion, since=since,
                       progress=progress)
        if not args.quiet:
            print(f"dyad: Mentions table in {mentions_path}, dyad's own fields in {companion_path}",
                  file=sys.stderr)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            n = export(store, args.format, out, since=since, progress=progress)
    return n


def _existing_store(url: str, create: bool = False):
    """A store to read: a missing SQLite file is an error (a mistyped --db must not create an empty store),
    and a database that cannot be reached is one line, not a traceback."""
    from pathlib import Path

    from dyad.store import open_store

    if not create and "://" not in url and not Path(url).is_file():
        raise DyadError(f"no store at {url!r}: give --db the file `dyad ingest` wrote (or run `dyad ingest` first)")
    try:
        return open_store(url)
    except DyadError:
        raise
    except Exception as exc:  # a server that is down, a wrong password, a file that is no database
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DyadError(f"cannot open store {url!r}: {reason}") from None


def _serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from dyad.serve.api import create_app

    token = os.environ.get("DYAD_TOKEN") or None
    store = _existing_store(args.db)
    print(f"dyad: serving {args.db} on http://{args.host}:{args.port}/ with {args.workers} process(es) "
          f"({'ingest enabled with DYAD_TOKEN' if token else 'read-only'})", file=sys.stderr)
    if args.workers == 1:
        uvicorn.run(create_app(store, token), host=args.host, port=args.port, log_level="warning")
        return 0
    store.engine.dispose()  # each worker process opens its own connections
    os.environ["DYAD_DB"] = args.db
    uvicorn.run("dyad.serve.api:app_from_environment", factory=True, workers=args.workers, host=args.host,
                port=args.port, log_level="warning")
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
        # ids stay whole (they are what one copies); the other columns wrap in what width is left
        table.add_column(column, no_wrap=column in WHOLE_COLUMNS, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v)[:160] for v in row.values()])
    Console().print(table)  # the terminal's width; 80 columns when piped


def _warn(message: str) -> None:
    print(f"dyad: warning: {message}", file=sys.stderr)


def _print_table(articles: list[dict]) -> None:
    """Articles as the output contract has them (JSON objects), one line per event."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Meeting events", show_lines=False)
    for column in ("article", "status", "date", "participants", "place", "mode", "cameo"):
        table.add_column(column)
    for article in articles:
        for event in article["events"]:
            people = " — ".join(
                f"{p['name'] or '(' + (p['role'] or 'state') + ')'} [{p['country']}]" for p in event["participants"]
            )
            place = ""
            if event["location"]:
                place = ", ".join(x for x in (event["location"]["city"], event["location"]["country"]) if x)
            table.add_row(article["id"], event["status"], event["date"] or "", people, place, event["mode"],
                          event["cameo"])
    Console().print(table)


def _completion(args: argparse.Namespace) -> int:
    from dyad.completion import completion_script

    sys.stdout.write(completion_script(_parser(), args.shell))
    return 0


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
    rows = lookup(kb, args.name, args.date)
    if not rows:
        print(f"'{args.name}': not in the knowledge base")
        return 1
    for row in rows:
        print("  ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
