"""Memory of a `dyad serve` under a flood of chunked POSTs: with no token, with a wrong one, with the token.

    python bench/post_flood.py [--mb 200] [--clients 8]

Starts `dyad serve` (DYAD_TOKEN set, or none with --read-only) on an empty store in its own process;
each client streams a chunked POST /documents of ``--mb`` megabytes, as fast
as the server reads it, and stops when the server answers. Prints the
server's resident memory before and at its peak, what each client was
answered and how much of its body the server took before answering.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CHUNK = b"[" + b" " * 65_535


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def flood(port: int, authorization: str | None, megabytes: int, out: list) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = ("POST /documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n" + (f"Authorization: {authorization}\r\n" if authorization else "")
                + "\r\n")
        sock.sendall(head.encode())
        sock.setblocking(False)
        sent = 0
        answer = b""
        while sent < megabytes * 1024 * 1024:
            try:
                answer = sock.recv(4096)
                if answer:
                    break
            except BlockingIOError:
                pass
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                sent += len(CHUNK)
            except (BlockingIOError, OSError):
                time.sleep(0.001)
        sock.setblocking(True)
        if not answer:
            try:
                sock.sendall(b"0\r\n\r\n")
                answer = sock.recv(4096)
            except OSError:
                pass
        out.append((authorization, answer.split(b"\r\n", 1)[0].decode(errors="replace"), sent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--read-only", action="store_true", help="serve without DYAD_TOKEN (no ingest at all)")
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = Path(tempfile.mkdtemp()) / "empty.db"
    subprocess.run([sys.executable, "-c", f"from dyad.store import open_store; open_store({str(db)!r})"], check=True)
    server = subprocess.Popen([sys.executable, "-m", "dyad.cli", "serve", "--db", str(db), "--port", str(port)],
                              env={**os.environ, "DYAD_TOKEN": "" if args.read_only else "secret"},
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)
        before = peak = rss_mb(server.pid)
        results: list = []
        kinds = [None, "Bearer wrong", "secret", "Bearer secret"]
        threads = [threading.Thread(target=flood, args=(port, kinds[k % len(kinds)], args.mb, results))
                   for k in range(args.clients)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak = max(peak, rss_mb(server.pid))
            time.sleep(0.02)
        print(f"{'read-only ' if args.read_only else ''}server memory: {before:.0f} MB before, {peak:.0f} MB at "
              f"peak, under {args.clients} chunked POSTs of up to {args.mb} MB each")
        for authorization, answer, sent in sorted(results, key=str):
            print(f"  {authorization or '(no token)':14} {answer:32} after {sent / 1e6:7.1f} MB sent")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
