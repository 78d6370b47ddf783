"""Migrations: an empty database upgrades to head, and the models agree with it (no autogenerate diff)."""
from __future__ import annotations

import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, pool, text

from migrations import procrastinate_schema
from models import base
from tests import conftest, dbsetup


@pytest.fixture
def empty_db():
    name = f"esa_mig_{uuid.uuid4().hex[:8]}"
    dbsetup.create_database(conftest._SERVER_URL, name, durable=False)
    url = dbsetup.with_database(conftest._SERVER_URL, name).replace("postgresql://", "postgresql+psycopg://", 1)
    yield url
    dbsetup.drop_database(conftest._SERVER_URL, name)


def _include(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name.startswith("procrastinate_"))


def test_upgrade_empty_database_matches_models(empty_db):
    dbsetup.migrate(empty_db)
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": _include, "compare_type": True,
                                                     "compare_server_default": True})
        diff = compare_metadata(ctx, base.Base.metadata)
        assert diff == [], diff
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        # procrastinate's schema is installed by the first revision and is usable.
        assert conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() == "procrastinate_jobs"
    engine.dispose()


def test_vendored_procrastinate_schema_matches_the_pinned_package():
    import importlib.metadata
    import importlib.resources

    assert importlib.metadata.version("procrastinate") == procrastinate_schema.VERSION
    packaged = importlib.resources.files("procrastinate.sql").joinpath("schema.sql").read_text()
    assert procrastinate_schema.SQL_FILE.read_text() == packaged


def test_downgrade_removes_everything(empty_db):
    from alembic import command
    from alembic.config import Config

    dbsetup.migrate(empty_db)
    cfg = Config(str(dbsetup.ROOT / "alembic.ini"))
    cfg.attributes["url"] = empty_db
    cfg.attributes["configure_logger"] = False
    command.downgrade(cfg, "base")
    with psycopg.connect(empty_db.replace("postgresql+psycopg://", "postgresql://")) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert [t[0] for t in tables] == ["alembic_version"]
