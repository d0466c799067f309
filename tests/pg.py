"""A real PostgreSQL server for the store tests, started in a temporary directory.

Debian's postgresql package provides the binaries; initdb refuses to run as
root, so the server runs as the postgres user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text


def binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_server():
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
    root = tempfile.mkdtemp(prefix="dyad-pg-")
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres([f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"]),
                   check=True, capture_output=True)
    log = os.path.join(root, "log")
    subprocess.run(_as_postgres([f"{bindir}/pg_ctl", "-D", data, "-l", log, "-w", "-o",
                                 f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"]),
                   check=True, capture_output=True)
    try:
        for _ in range(50):
            if subprocess.run(_as_postgres([f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)]),
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", bindir, port
    finally:
        subprocess.run(_as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def require_binaries() -> None:
    """Skip a test without PostgreSQL, except in CI, where its absence is a failure."""
    import pytest

    if binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be installed in CI (Debian package postgresql)")
        pytest.skip("PostgreSQL is not installed")


def new_database(server_url: str) -> str:
    """The URL of a new, empty database on the server (the benches keep theirs until the server goes)."""
    name = "t" + uuid.uuid4().hex[:10]
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def pg_database(server_url):
    """The URL of a new, empty database on the test server, dropped afterwards."""
    url = new_database(server_url)
    try:
        yield url
    finally:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {url.rsplit('/', 1)[1]} WITH (FORCE)"))
        admin.dispose()
