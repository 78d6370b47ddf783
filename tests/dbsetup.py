"""Where the test database lives: TEST_DATABASE_URL / DATABASE_URL, else an embedded server under var/."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def server_url() -> str:
    """A URL of the server to create test databases on (its own database name is only used to connect)."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql+psycopg://", "postgresql://")
    from devtools import embedded_pg

    server = embedded_pg.start(ROOT / "var" / "test-pgdata")
    return embedded_pg.database_url(server, "postgres")


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def create_database(url: str, name: str, *, durable: bool = True) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
        if not durable:
            # A test database is thrown away: its commits need not wait for the disk. Set on that database alone
            # (the server is shared), and never for benches, whose figures must be what production sees.
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')


def drop_database(url: str, name: str) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(sqlalchemy_url: str) -> None:
    """alembic upgrade head on the test database."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = sqlalchemy_url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
