"""API latency and dashboard first render on a large store.

    python bench/store.py --events 1000000 --db /tmp/dyad-bench.db   # builds the store
    python bench/api.py --db /tmp/dyad-bench.db

Serves the store with uvicorn on loopback, times GET /events with random
filters from a client in this process (p50/p95), then loads the dashboard in
Debian's chromium and reports the time until the timeline, network and map
are drawn, then until the table and the counts view are drawn too.
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
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    store = open_store(args.db)
    with running(create_app(store)) as base:
        measure(base, args.runs)


def measure(base: str, runs: int) -> None:
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
    print(f"GET /events ({runs} requests, random filters): p50 {statistics.median(samples) * 1000:.1f} ms, "
          f"p95 {samples[int(0.95 * (len(samples) - 1))] * 1000:.1f} ms")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        t = time.perf_counter()
        page.goto(base + "/")
        page.wait_for_selector("#timeline circle.event")
        page.wait_for_selector("#network .node")
        page.wait_for_selector("#map path.country")
        print(f"dashboard first render (timeline, network, map; 500 newest-filtered records): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms")
        page.wait_for_selector("#table tbody tr")
        page.wait_for_selector("#counts circle.count")
        print(f"dashboard first render with the table and the counts view: "
              f"{(time.perf_counter() - t) * 1000:.0f} ms")
        browser.close()


if __name__ == "__main__":
    main()
