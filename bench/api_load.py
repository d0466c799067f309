"""The API under concurrent clients: `dyad serve --workers N` on a store, GET /events with random filters.

    python bench/store.py --events 1000000 --db /tmp/dyad-bench.db   # builds the store
    python bench/api_load.py --db /tmp/dyad-bench.db --workers 2 --clients 50 --seconds 20
    python bench/api_load.py --db /tmp/dyad-bench.db --walk 2000   # one client pages deep: cursor against offset

Starts the server in its own process group, then drives it with wrk (Debian's
`wrk`; a Lua script draws each request's filters at random from the mix below)
or, without wrk, with an asyncio client of as many connections. Prints
requests/s, p50/p95/p99 latency, errors (non-200 answers, timeouts, broken
connections), the server's resident memory (all its processes) and the
machine's load, which matters: the other processes on the machine share its
cores with the server and the client.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

COUNTRIES = [f"C{n:02d}" for n in range(60)]  # bench/store.py's
WORDS = ["talks", "trade", "nuclear", "climate", "grain", "Arctic"]

KINDS = 10


def random_filter(rng: random.Random, kind: int | None = None) -> dict[str, str]:
    """The parameters of one request, of ten kinds drawn alike: the dashboard's and an analyst's questions."""
    c, d = rng.sample(COUNTRIES, 2)
    year = str(rng.randrange(2014, 2025))
    kind = rng.randrange(KINDS) if kind is None else kind
    return [
        {},
        {"country": c},
        {"country": c, "with": d},
        {"from": year, "status": "occurred"},
        {"from": year, "to": year},
        {"country": c, "from": year, "to": year},
        {"actor": f"{c.lower()}-person-{rng.randrange(8)}"},
        {"offset": str(50 * rng.randrange(1, 40))},  # pages 2 to 40
        {"text": rng.choice(WORDS)},
        {"location": c, "order": "oldest"},
    ][kind]


def lua_script(paths: list[str]) -> str:
    quoted = ",\n".join(f'"{p}"' for p in paths)
    return f"""
local paths = {{{quoted}}}
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("seed", counter) end
init = function(args) math.randomseed(seed * 7919 + os.time()) end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.3f p50=%.1f p95=%.1f p99=%.1f max=%.1f "
    .. "connect=%d read=%d write=%d status=%d timeout=%d\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    """A process and its descendants (uvicorn's workers)."""
    found, pids = [], [pid]
    while pids:
        p = pids.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants."""
    total = 0.0
    for p in tree(pid):
        try:
            found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{p}/status").read_text())
            total += int(found.group(1)) / 1024 if found else 0
        except OSError:
            pass
    return total


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process and its descendants have used so far."""
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def wait_until_up(port: int, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/events?limit=1", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not come up")


async def async_clients(base: str, paths: list[str], clients: int, seconds: float) -> dict:
    import httpx

    samples: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    rng = random.Random(11)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            t = time.perf_counter()
            try:
                ok = (await http.get(rng.choice(paths))).status_code == 200
            except httpx.HTTPError:
                ok = False
            samples.append(time.perf_counter() - t)
            errors += not ok

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        started = time.monotonic()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.monotonic() - started
    samples.sort()
    q = statistics.quantiles(samples, n=100)
    return {"requests": len(samples), "seconds": elapsed, "p50": q[49] * 1000, "p95": q[94] * 1000,
            "p99": q[98] * 1000, "max": samples[-1] * 1000, "errors": errors}


def walk(base: str, pages: int) -> None:
    """One client reads ``pages`` pages of 50 newest first by cursor (``next``/``after``), then pages at the same
    depths by offset: time per page near the start and near the end of the walk."""
    import httpx

    def timed(http: httpx.Client, params: dict) -> tuple[float, dict]:
        t = time.perf_counter()
        answer = http.get("/events", params=params)
        answer.raise_for_status()
        return time.perf_counter() - t, answer.json()

    ends = max(pages // 10, 1)
    with httpx.Client(base_url=base, timeout=60) as http:
        by_cursor, params = [], {"limit": "50"}
        for _ in range(pages):
            took, answer = timed(http, params)
            by_cursor.append(took)
            if answer["next"] is None:
                break
            params = {"limit": "50", "after": answer["next"]}
        depths = [*range(ends), *range(len(by_cursor) - ends, len(by_cursor))]
        by_offset = {d: timed(http, {"limit": "50", "offset": str(50 * d)})[0] for d in depths}
    for label, times in (("cursor", by_cursor), ("offset", [by_offset[d] for d in depths])):
        first, last = times[:ends], times[-ends:]
        print(f"  by {label}: pages 1-{ends} {1000 * statistics.mean(first):.1f} ms each, pages "
              f"{len(by_cursor) - ends + 1}-{len(by_cursor)} {1000 * statistics.mean(last):.1f} ms each")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/dyad-bench.db")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--kind", type=int, choices=range(KINDS), help="only requests of this kind (0-9)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of the same load first, not measured "
                        "(each process loads the knowledge base at its first actor filter)")
    parser.add_argument("--walk", type=int, metavar="PAGES", help="instead of the load: one client reads this many "
                        "pages by cursor, and pages at the same depths by offset")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    args = parser.parse_args()
    rng = random.Random(7)
    paths = sorted({"/events?" + urlencode(random_filter(rng, args.kind)) for _ in range(5000)})
    port = free_port()
    env = {**os.environ, "DYAD_TOKEN": ""}
    workers = ["--workers", str(args.workers)] if args.workers > 1 else []  # (older versions had one only)
    server = subprocess.Popen([sys.executable, "-m", "dyad.cli", "serve", "--db", args.db, "--port", str(port),
                               *workers], env=env, start_new_session=True)
    try:
        wait_until_up(port)
        if args.walk:
            print(f"GET /events, {args.walk} pages of 50, newest first, one client")
            walk(f"http://127.0.0.1:{port}", args.walk)
            return
        rss_idle = rss_mb(server.pid)
        peak = [rss_idle]

        def watch() -> None:
            while server.poll() is None:
                peak[0] = max(peak[0], rss_mb(server.pid))
                time.sleep(0.5)

        import threading

        threading.Thread(target=watch, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        kinds = ""
        if args.client == "wrk":
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
                f.write(lua_script(paths))
            def wrk(seconds: int) -> str:
                return subprocess.run(["wrk", "-t", str(args.threads), "-c", str(args.clients), "-d", f"{seconds}s",
                                       "--timeout", "10s", "-s", f.name, base],
                                      capture_output=True, text=True, check=True).stdout

            if args.warmup:
                wrk(args.warmup)
            load_before, cpu_before = os.getloadavg(), cpu_seconds(server.pid)
            out = wrk(args.seconds)
            os.unlink(f.name)
            fields = dict(kv.split("=") for kv in out.split("RESULT ", 1)[1].split())
            r = {k: float(v) for k, v in fields.items()}
            failures = ("connect", "read", "write", "status", "timeout")
            r["errors"] = sum(r[k] for k in failures)
            kinds = ", ".join(f"{k} {int(r[k])}" for k in failures if r[k])
        else:
            if args.warmup:
                asyncio.run(async_clients(base, paths, args.clients, args.warmup))
            load_before, cpu_before = os.getloadavg(), cpu_seconds(server.pid)
            r = asyncio.run(async_clients(base, paths, args.clients, args.seconds))
        load_after, cpu = os.getloadavg(), cpu_seconds(server.pid) - cpu_before
        print(f"GET /events, {len(paths)} distinct random filters{'' if args.kind is None else f' like {paths[0]}'}, "
              f"{args.clients} clients ({args.client}), "
              f"{args.seconds} s, {args.workers} server process(es), {os.cpu_count()} CPUs")
        print(f"  {r['requests'] / r['seconds']:.1f} requests/s ({int(r['requests'])} requests), "
              f"p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, p99 {r['p99']:.0f} ms, max {r['max']:.0f} ms, "
              f"errors {int(r['errors'])}" + (f" ({kinds})" if kinds else ""))
        print(f"  server CPU {cpu:.1f} s: {cpu / r['requests'] * 1000:.1f} ms per request (what bounds requests/s "
              f"on a machine of free cores: {os.cpu_count()} cores / this)")
        print(f"  server memory {rss_idle:.0f} MB idle, {peak[0]:.0f} MB at most (all processes); "
              f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a server still busy with requests wrk gave up on
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


if __name__ == "__main__":
    main()
