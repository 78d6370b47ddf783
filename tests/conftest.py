"""Test fixtures: a real PostgreSQL database per session (migrated once), each test in a rolled-back transaction."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, text

from tests import dbsetup
from tests.nas import sshd

# Settle the database before anything imports config: DATABASE_URL names the test database.
_SERVER_URL = dbsetup.server_url()
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TEST_DB = f"esa_test_{uuid.uuid4().hex[:8]}_{_WORKER}"
os.environ["DATABASE_URL"] = dbsetup.with_database(_SERVER_URL, TEST_DB)
os.environ.setdefault("APP_ENV", "test")
os.environ.setdefault("JWT_SECRET", "test-secret-" + "x" * 40)
os.environ.setdefault("TOKEN_ENCRYPTION_KEY", "test-token-key-" + "y" * 40)
# Each process (an xdist worker, or the one serial run) stores files in its own folder, removed when its session
# ends. Set, not defaulted: xdist workers inherit the controller's environment, so a default would be shared.
SCRATCH = Path(tempfile.mkdtemp(prefix=f"esa-test-{_WORKER}-"))
os.environ["LOCAL_ROOT_PATH"] = str(SCRATCH / "storage")
os.environ["CACHE_DIR"] = str(SCRATCH / "cache")
# Workers in the end-to-end tests count as dead after 8 s without a heartbeat (the default is 60 s).
os.environ.setdefault("STALLED_WORKER_SECONDS", "8")
# Tests sign up and in far more often than a person; the throttle's own tests set a low limit.
os.environ.setdefault("AUTH_ATTEMPTS_PER_MINUTE", "100000")
os.environ.pop("REDIS_URL", None)
os.environ.pop("QNAP_NAS_HOST", None)
os.environ.pop("STORAGE_BACKEND", None)

import config  # noqa: E402 - after the environment above
from models import db, tenancy  # noqa: E402
from models import organization as org_model  # noqa: E402


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(SCRATCH, ignore_errors=True)


@pytest.fixture(scope="session")
def settings() -> config.Settings:
    return config.get_settings()


@pytest.fixture
def double():
    """A local Etsy double that follows Etsy's published spec; the test fails on any request the spec refuses."""
    from tests.etsy_double import server

    with server.EtsyDouble() as etsy:
        yield etsy
    assert etsy.violations == [], etsy.violations


@pytest.fixture(scope="session")
def database(settings):
    """The migrated test database; dropped at the end of the session."""
    dbsetup.create_database(_SERVER_URL, TEST_DB, durable=False)
    dbsetup.migrate(settings.sqlalchemy_url)
    yield settings.database_url
    db.dispose()
    dbsetup.drop_database(_SERVER_URL, TEST_DB)


@pytest.fixture
def connection(database):
    """A connection inside an outer transaction that is rolled back after the test."""
    conn = db.engine().connect()
    outer = conn.begin()
    db.bind(conn, join_transaction_mode="create_savepoint")
    yield conn
    db.session.remove()
    if outer.is_active:
        outer.rollback()
    conn.close()
    db.bind(db.engine())


@pytest.fixture
def session(connection):
    return db.get_session()


@pytest.fixture(scope="session")
def app(database, settings):
    from web import create_app

    application = create_app(settings)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app, connection):
    return app.test_client()


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory: pytest.TempPathFactory):
    """One real sshd on loopback for the whole session; tests must not stop it or drop its connections."""
    server = sshd.start_or_skip(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture
def own_sshd(tmp_path_factory: pytest.TempPathFactory):
    """A private sshd the test may stop, restart or cut connections of."""
    server = sshd.start_or_skip(tmp_path_factory.mktemp("own-sshd"))
    yield server
    server.stop()


@pytest.fixture
def committed(database):
    """A session whose commits are real; every organization it created is deleted afterwards."""
    session = db.get_session()
    created: list[int] = []
    yield session, created
    session.rollback()
    with tenancy.system_access("test cleanup"):
        if created:
            session.execute(delete(org_model.Organization).where(org_model.Organization.id.in_(created)))
        session.execute(text("DELETE FROM procrastinate_jobs; DELETE FROM procrastinate_periodic_defers;"
                             " DELETE FROM procrastinate_workers"))
        session.commit()
    db.session.remove()
