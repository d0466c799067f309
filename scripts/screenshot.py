"""Take the README's screenshot of the dashboard over a store of the development set.

    python scripts/screenshot.py docs/dashboard.png
"""

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from dyad.kb.loader import load_kb
from dyad.pipeline import extract_all
from dyad.serve.api import create_app
from dyad.serve.background import running
from dyad.settings import Settings
from dyad.sources import read_sources
from dyad.store import ingest, open_store

ROOT = Path(__file__).resolve().parents[1]


def main(target: str) -> None:
    kb = load_kb()
    store = open_store(str(Path(tempfile.mkdtemp()) / "dyad.db"))
    paths = [str(ROOT / "eval" / name / "input.jsonl") for name in ("dev", "dev2")]
    ingest(store, extract_all(read_sources(paths), kb, Settings()), kb.version)
    with running(create_app(store)) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(base + "/?rows=8")  # every view on one page: timeline, counts, table, network, map, a meeting
        for ready in ("#map circle.place", "#counts circle.count", "#table tbody tr", "#network .node"):
            page.wait_for_selector(ready)
        page.select_option("#network-kind", "state")  # the states' network reads at a glance; people's is a click away
        page.locator("#map circle.place").nth(3).dispatch_event("click")
        page.wait_for_selector("#event mark")
        page.screenshot(path=target, full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1])
