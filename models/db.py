"""Engine and session: one pool per process, opened lazily (after gunicorn forks)."""
from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

import config

_factory = sessionmaker(expire_on_commit=False)
session: scoped_session[Session] = scoped_session(_factory)
_engine: Engine | None = None
_lock = threading.Lock()
# A connection back from the pool is pinged only after it sat idle this long: a busy pool (every request takes one)
# skips the round trip, while one idle long enough to have been dropped (a database restart, a proxy's idle
# timeout) is checked and replaced before use, as pool_pre_ping did for every checkout.
PING_AFTER_IDLE_SECONDS = 5.0


def engine(settings: config.Settings | None = None) -> Engine:
    """The process's engine, created on first use so a forked worker never inherits a parent's sockets."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                settings = settings or config.get_settings()
                _engine = create_engine(
                    settings.sqlalchemy_url,
                    pool_size=settings.db_pool_size,
                    max_overflow=settings.db_max_overflow,
                    pool_recycle=1800,
                    connect_args={"connect_timeout": 5, "application_name": f"esa-{settings.worker_type}"},
                )
                _ping_when_idle(_engine)
                _factory.configure(bind=_engine)
    return _engine


def _ping_when_idle(target: Engine) -> None:
    @event.listens_for(target, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(target, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")  # None: just connected
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            target.dialect.do_ping(dbapi_connection)
        except target.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out another (a fresh one if need be).
            raise exc.DisconnectionError(f"idle connection is gone: {error}") from error


def bind(target: Engine | Connection, **options: Any) -> None:
    """Point the session factory at another engine or an open connection (tests' outer transaction)."""
    session.remove()
    _factory.kw.pop("join_transaction_mode", None)
    _factory.configure(bind=target, **options)


def dispose() -> None:
    """Close the pool (on fork or shutdown)."""
    global _engine
    session.remove()
    if _engine is not None:
        _engine.dispose()
        _engine = None


def get_session() -> Session:
    """The current thread's session, binding the engine on first use."""
    if _factory.kw.get("bind") is None:
        engine()
    return session()
