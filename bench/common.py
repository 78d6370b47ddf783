"""Shared benchmark plumbing: a throwaway migrated database, a seeded organization, a gunicorn server."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import dbsetup

BASE_ENV = {"APP_ENV": "test", "JWT_SECRET": "bench-" + "s" * 40, "TOKEN_ENCRYPTION_KEY": "bench-" + "k" * 40,
            "LOG_LEVEL": "WARNING"}


@contextlib.contextmanager
def database() -> Iterator[str]:
    """A fresh migrated database on the test server (TEST_DATABASE_URL/DATABASE_URL or embedded); dropped after."""
    server = dbsetup.server_url()
    name = f"esa_bench_{os.getpid()}"
    dbsetup.create_database(server, name)
    url = dbsetup.with_database(server, name)
    try:
        dbsetup.migrate(url.replace("postgresql://", "postgresql+psycopg://", 1))
        yield url
    finally:
        from models import db

        db.dispose()
        dbsetup.drop_database(server, name)


def seed(env: dict[str, str], events: int = 0) -> tuple[int, str]:
    """An organization with an owner (and `events` audit rows); returns (org id, access token)."""
    os.environ.update(env)
    import config
    from models import db, event, tenancy
    from services import accounts, event_counts, organizations, passwords, sessions
    from web import tokens

    config.reset_settings()
    settings = config.get_settings()
    session = db.get_session()
    org = organizations.create(session, name="Bench Prints")
    with tenancy.org_scope(org.id):
        user = accounts.new_user(session, org_id=org.id, email="bench@example.com", role="owner",
                                 password_hash=passwords.hash_password("bench-password"))
        session.bulk_save_objects([event.Event(org_id=org.id, user_id=user.id, event_type=f"bench.{i % 7}",
                                               entity_type="things", entity_id=str(i % 100), payload={"i": i})
                                   for i in range(events)])
        signed_in = sessions.start(session, settings, user)
        session.commit()
    event_counts.fold(session)  # what the scheduler does every few minutes
    session.commit()
    with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does after a bulk load (the fold's dead rows)
    pair = tokens.issue(settings, user_id=user.id, org_id=org.id, role="owner", session_id=signed_in.id,
                        generation=signed_in.generation)
    db.dispose()
    return org.id, pair["access_token"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int = 2, threads: int = 4) -> Iterator[tuple[str, subprocess.Popen]]:
    """A gunicorn serving the app on a loopback port; yields (base URL, master process)."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
                             "--log-level", "warning", "web.wsgi:app"],
                            cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/ping", timeout=5).read()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
