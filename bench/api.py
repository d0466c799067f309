"""API latency and dashboard first render on a large store.

    python bench/store.py --events 1000000 --db /tmp/dyad-bench.db   # builds the store
    python bench/api.py --db /tmp/dyad-bench.db

Serves the store with uvicorn on loopback, times GET /events with random
filters from a client in this process (p50/p95), then loads the dashboard in
Debian's chromium (``--renders`` times, a new page each) and reports the time
until the timeline, network and map are drawn, then until the table and the
counts view are drawn too. The dashboard asks for all of them at once; for a
render without the table and the counts, run the same against a commit
before they were asked for together (their requests then start after the
others are drawn).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import time

import httpx
from playwright.sync_api import sync_playwright

from dyad.serve.api import create_app
from dyad.serve.background import running
from dyad.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/dyad-bench.db")
    parser.add_argument("--runs", type=int, default=200, help="GET /events requests timed")
    parser.add_argument("--renders", type=int, default=5, help="dashboard first renders timed")
    args = parser.parse_args()
    store = open_store(args.db)
    with running(create_app(store)) as base:
        measure(base, args.runs, args.renders)


def measure(base: str, runs: int, renders: int = 1) -> None:
    countries = [f"C{n:02d}" for n in range(60)]
    rng = random.Random(3)
    samples = []
    with httpx.Client(base_url=base) as client:
        client.get("/events")
        for _ in range(runs):
            params = rng.choice([{}, {"country": rng.choice(countries)},
                                 {"country": rng.choice(countries), "with": rng.choice(countries)},
                                 {"from": str(rng.randrange(2014, 2024)), "status": "occurred"}])
            t = time.perf_counter()
            assert client.get("/events", params=params).status_code == 200
            samples.append(time.perf_counter() - t)
    samples.sort()
    if samples:
        print(f"GET /events ({runs} requests, random filters): p50 {statistics.median(samples) * 1000:.1f} ms, "
              f"p95 {samples[int(0.95 * (len(samples) - 1))] * 1000:.1f} ms")
    drawn, complete = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        for _ in range(renders):  # a new page each time: nothing drawn is reused
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            t = time.perf_counter()
            page.goto(base + "/")
            page.wait_for_selector("#timeline circle.event")
            page.wait_for_selector("#network .node")
            page.wait_for_selector("#map path.country")
            drawn.append(time.perf_counter() - t)
            page.wait_for_selector("#table tbody tr")
            page.wait_for_selector("#counts circle.count", timeout=300_000)  # minutes, on an old commit
            complete.append(time.perf_counter() - t)
            page.close()
        browser.close()
    for label, times in (("timeline, network, map (500 newest records)", drawn),
                         ("with the table and the counts view", complete)):
        print(f"dashboard first render, {label}: " + ", ".join(f"{x * 1000:.0f}" for x in times) + " ms")


if __name__ == "__main__":
    main()
