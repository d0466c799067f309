"""Take the README's screenshot of the dashboard over a store of the development set.

    python scripts/screenshot.py docs/dashboard.png
"""

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from dyad.kb.loader import load_kb
from dyad.pipeline import extract_all
from dyad.serve.api import create_app
from dyad.settings import Settings
from dyad.sources import read_sources
from dyad.store import ingest, open_store

ROOT = Path(__file__).resolve().parents[1]


def main(target: str) -> None:
    kb = load_kb()
    store = open_store(str(Path(tempfile.mkdtemp()) / "dyad.db"))
    paths = [str(ROOT / "eval" / name / "input.jsonl") for name in ("dev", "dev2")]
    ingest(store, extract_all(read_sources(paths), kb, Settings()), kb.version)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1150})
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("#map circle.place")
        page.locator("#map circle.place").nth(3).dispatch_event("click")
        page.wait_for_selector("#event mark")
        page.screenshot(path=target)
        browser.close()
    server.should_exit = True


if __name__ == "__main__":
    main(sys.argv[1])
