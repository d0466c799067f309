"""Figures of web input, printed, never asserted.

    python bench/web.py [--docs 500] [--warc-pages 2000] [--only N]

1. HTML -> events against plain text, on one core: the same articles as JSONL lines and as news pages.
2. A WARC of --warc-pages pages built here: time to read, time to read and extract, peak memory.
3. Fetching a feed of 50 summary items twice from a local server: requests and downloads of each run.
4. Hostile input: a 50 MB page, a gzip bomb, a page that never ends, a feed of 100,000 items:
   time and peak memory of each.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dyad.kb.loader import load_kb  # noqa: E402
from dyad.pipeline import extract_all  # noqa: E402
from dyad.settings import Settings  # noqa: E402
from dyad.sources import read_sources  # noqa: E402
from tests.webdata import page, rss, warc  # noqa: E402

ARTICLES = [ROOT / "eval" / "dev" / "input.jsonl", ROOT / "eval" / "dev2" / "input.jsonl",
            ROOT / "examples" / "articles_en.jsonl"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def articles(n: int) -> list[dict]:
    base = [json.loads(line) for path in ARTICLES if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{**a, "id": f"{a['id']}-{k}", "text": a["text"] + f"\n\n(#{k})"}
            for k, a in zip(range(n), (base * (n // len(base) + 1))[:n], strict=True)]


def as_page(article: dict) -> bytes:
    paragraphs = [p for p in article["text"].split("\n") if p.strip()]
    return page(article.get("title") or paragraphs[0][:60], paragraphs, published=article.get("published"),
                lang=article.get("language") or "en")


def throughput(docs: int, kb, tmp: Path) -> None:
    items = articles(docs)
    (tmp / "plain.jsonl").write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in items), encoding="utf-8")
    html_dir = tmp / "html"
    html_dir.mkdir()
    for a in items:
        (html_dir / f"{a['id']}.html").write_bytes(as_page(a))
    for label, path in (("plain text (JSONL)", tmp / "plain.jsonl"), ("HTML pages", html_dir)):
        started = time.perf_counter()
        read = list(read_sources([str(path)]))
        reading = time.perf_counter() - started
        results = list(extract_all(read, kb, Settings()))
        took = time.perf_counter() - started
        events = sum(len(r.events) for r in results if hasattr(r, "events"))
        print(f"  {label:20} {len(results):,} docs: {len(results) / took:6.1f} docs/s "
              f"(reading {reading:.1f} s of {took:.1f} s), {events:,} events")


def big_warc(pages: int, kb, tmp: Path) -> None:
    items = articles(pages)
    path = tmp / "crawl.warc.gz"
    started = time.perf_counter()
    records = [(f"https://news.example/{a['id']}", 200, "text/html; charset=utf-8", as_page(a)) for a in items]
    records += [(f"https://news.example/img{k}.png", 200, "image/png", b"\x89PNG" * 100) for k in range(pages // 20)]
    path.write_bytes(warc(records))
    print(f"  built {path.stat().st_size / 1e6:.1f} MB, {len(records):,} responses in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    docs = sum(1 for _ in read_sources([str(path)]))
    read_time = time.perf_counter() - started
    started = time.perf_counter()
    results = sum(1 for _ in extract_all(read_sources([str(path)]), kb, Settings()))
    print(f"  read {docs:,} pages in {read_time:.1f} s ({docs / read_time:.0f} pages/s); read and extracted "
          f"{results:,} in {time.perf_counter() - started:.1f} s; peak memory so far {peak_mb():.0f} MB")


def second_fetch(tmp: Path) -> None:
    from pytest_httpserver import HTTPServer
    from werkzeug import Response

    from dyad.crawl import fetch_to_dir
    from dyad.fetch import Fetcher

    server = HTTPServer()
    server.start()
    try:
        bodies = {f"/p{k}": page(f"Seite {k}", ["Ein Absatz über das Treffen der Außenminister in Berlin." * 3])
                  for k in range(50)}
        feed = rss([{"title": f"Seite {k}", "link": server.url_for(f"/p{k}"),
                     "pubDate": "Tue, 19 Sep 2023 10:00:00 GMT", "description": "Kurz."} for k in range(50)])
        bodies["/feed.xml"] = feed

        def answer(request):
            body = bodies[request.path]
            etag = f'"{hash(body) & 0xffffffff:x}"'
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304)
            return Response(body, headers={"ETag": etag})

        server.expect_request("/robots.txt").respond_with_data("", status=404)
        for path in bodies:
            server.expect_request(path).respond_with_handler(answer)
        for run in (1, 2):
            with Fetcher(Settings(host_interval=0.0)) as f:
                report = fetch_to_dir([server.url_for("/feed.xml")], tmp / "fetched", f)
            print(f"  run {run}: {f.stats.requests} requests (robots.txt included), {f.stats.downloaded} downloaded, "
                  f"{f.stats.not_modified} not modified, {report.saved} pages saved")
    finally:
        server.stop()


def hostile(tmp: Path) -> None:
    from pytest_httpserver import HTTPServer
    from werkzeug import Response

    from dyad.fetch import Fetcher

    cases = {
        "50 MB page (file)": (tmp / "huge.html", b"<html><body><p>" + b"x" * 50_000_000 + b"</p></body></html>"),
        "gzip bomb of 1 GB (file)": (tmp / "bomb.html.gz", None),
        "feed of 100,000 items (file)": (tmp / "big.rss", rss([
            {"title": f"t{i}", "link": f"https://news.example/{i}", "pubDate": "Tue, 19 Sep 2023 10:00:00 +0200",
             "description": f"Item {i}."} for i in range(100_000)])),
    }
    with gzip.open(tmp / "bomb.html.gz", "wb", compresslevel=9) as out:
        chunk = b"\0" * 1_000_000
        for _ in range(1000):
            out.write(chunk)
    for label, (path, data) in cases.items():
        if data is not None:
            path.write_bytes(data)
        started = time.perf_counter()
        results = list(read_sources([str(path)], warn=lambda m: None))
        messages = [str(r)[:110] for r in results if not hasattr(r, "text")]
        print(f"  {label:30} {time.perf_counter() - started:5.1f} s, {len(results):,} results, "
              f"peak {peak_mb():.0f} MB; {messages[0] if messages else ''}")
    server = HTTPServer()
    server.start()
    try:
        def forever(request):
            def body():
                while True:
                    yield b"<p>more</p>" * 1000
                    time.sleep(0.001)
            return Response(body())

        server.expect_request("/robots.txt").respond_with_data("", status=404)
        server.expect_request("/endless").respond_with_handler(forever)
        bomb = (tmp / "bomb.html.gz").read_bytes()
        server.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
        for label, path in (("never-ending page (HTTP)", "/endless"), ("gzip bomb (HTTP)", "/bomb")):
            started = time.perf_counter()
            with Fetcher(Settings(host_interval=0.0, total_timeout=5.0, max_page_bytes=100_000_000)) as f:
                try:
                    f.get(server.url_for(path))
                    outcome = "no error"
                except Exception as exc:  # the message is the figure
                    outcome = str(exc)[:110]
            print(f"  {label:30} {time.perf_counter() - started:5.1f} s, peak {peak_mb():.0f} MB; {outcome}")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--warc-pages", type=int, default=2000)
    parser.add_argument("--only", type=int, choices=[1, 2, 3, 4], help="one section: its peak memory is its own")
    args = parser.parse_args()
    for name in ("werkzeug", "warcio", "trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    started = time.perf_counter()
    kb = load_kb()
    print(f"knowledge base loaded in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        sections = [("1. HTML against plain text, one core", lambda: throughput(args.docs, kb, tmp)),
                    (f"2. WARC of {args.warc_pages:,} pages", lambda: big_warc(args.warc_pages, kb, tmp)),
                    ("3. A feed fetched twice", lambda: second_fetch(tmp)),
                    ("4. Hostile input (peak memory is the process's so far)", lambda: hostile(tmp))]
        for number, (title, run) in enumerate(sections, 1):
            if args.only in (None, number):
                print(title)
                run()


if __name__ == "__main__":
    main()
