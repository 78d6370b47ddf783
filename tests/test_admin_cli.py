"""`make admin` (devtools/admin.py): the flask admin commands against the database `make run` uses."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest

from devtools import admin, embedded_pg
from tests import dbsetup


def _without_database_url() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}


def _admin(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m devtools.admin ARGS` in its own process, with var/ at `var_dir` and no DATABASE_URL."""
    code = ("import sys, pathlib; from devtools import admin;"
            " sys.exit(admin.main(sys.argv[2:], None, pathlib.Path(sys.argv[1])))")
    return subprocess.run([sys.executable, "-c", code, str(var_dir), *args], cwd=dbsetup.ROOT,
                          env=_without_database_url(), capture_output=True, text=True, timeout=300)


@pytest.fixture
def var_dir():
    """A var/ folder the embedded server can use (run as root, it runs PostgreSQL as another user)."""
    path = Path(tempfile.mkdtemp(prefix="esa-admin-var-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_commands_reach_the_embedded_database_make_run_is_running(var_dir):
    # This process plays `make run`, holding the embedded server under var/pgdata; the admin command, in its own
    # process like `make admin`, must use that server and leave it running.
    server = embedded_pg.start(var_dir / "pgdata")
    try:
        url = embedded_pg.database_url(server, "esa")
        embedded_pg.ensure_database(url, "esa")
        created = _admin(var_dir, "orgs", "create", "--name", "Admin Shop")
        assert created.returncode == 0, created.stderr
        listed = _admin(var_dir, "orgs", "list")
        assert "admin-shop\tAdmin Shop\tactive" in listed.stdout, listed.stderr
        with psycopg.connect(url) as conn:  # still up, and the organization is in make run's database
            assert conn.execute("SELECT name FROM organizations").fetchall() == [("Admin Shop",)]
        refused = _admin(var_dir, "orgs", "create")
        assert refused.returncode != 0 and "--name" in refused.stderr
    finally:
        server.cleanup()


def test_commands_start_the_embedded_database_when_make_run_is_not_running(var_dir):
    created = _admin(var_dir, "orgs", "create", "--name", "Cold Start")
    assert created.returncode == 0 and "(cold-start)" in created.stdout, created.stderr
    # Stopped again after each command: nothing listens on the server's socket.
    assert not list(var_dir.glob("pgdata/.s.PGSQL.*"))


def test_commands_use_database_url_when_it_is_set(tmp_path, capfd):
    name = f"esa_admin_{uuid.uuid4().hex[:8]}"
    server = dbsetup.server_url()
    dbsetup.create_database(server, name, durable=False)
    try:
        env = {**os.environ, "DATABASE_URL": dbsetup.with_database(server, name)}
        assert admin.main(["orgs", "create", "--name", "Url Shop"], env, tmp_path) == 0
        assert "url-shop" in capfd.readouterr().out
        assert not (tmp_path / "pgdata").exists()  # no embedded server was started
    finally:
        dbsetup.drop_database(server, name)
