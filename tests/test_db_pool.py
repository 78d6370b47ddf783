"""The pool pings a connection only after it sat idle: a busy pool skips the round trip, a dropped one is replaced."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from models import db


def _engine(settings):
    engine = create_engine(settings.sqlalchemy_url, pool_size=1, max_overflow=0)
    db._ping_when_idle(engine)
    pings = []
    real = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(1) or real(conn)  # type: ignore[method-assign]
    return engine, pings


def test_a_connection_reused_at_once_is_not_pinged(database, settings, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    engine, pings = _engine(settings)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == []
    engine.dispose()


def test_an_idle_connection_the_server_dropped_is_replaced(database, settings, monkeypatch):
    engine, pings = _engine(settings)
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    killer = create_engine(settings.sqlalchemy_url)
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    killer.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle long enough
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    engine.dispose()



def test_statements_marked_with_values_are_never_prepared(database, settings):
    # psycopg prepares a statement after five runs, and PostgreSQL may then plan it without its values; a statement
    # marked with_values (or run inside planned_with_values) is planned with them every time.
    hot, marked, block = ("SELECT count(*) FROM users WHERE id = :id AND email <> '" + tag + "'"
                          for tag in ("plans-hot", "plans-marked", "plans-block"))
    with db.engine().connect() as conn:
        for value in range(8):
            conn.execute(text(hot), {"id": value})
            conn.execute(db.with_values(text(marked)), {"id": value})
            with db.planned_with_values():
                conn.execute(text(block), {"id": value})
        prepared = conn.execute(text("SELECT statement FROM pg_prepared_statements "
                                     "WHERE statement LIKE '%plans-%'")).scalars().all()
    assert len(prepared) == 1 and "plans-hot" in prepared[0], prepared
