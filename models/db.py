"""Engine and session: one pool per process, opened lazily (after gunicorn forks)."""
from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

import config

_factory = sessionmaker(expire_on_commit=False)
session: scoped_session[Session] = scoped_session(_factory)
_engine: Engine | None = None
_lock = threading.Lock()


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
                    pool_pre_ping=True,
                    pool_recycle=1800,
                    connect_args={"connect_timeout": 5, "application_name": f"esa-{settings.worker_type}"},
                )
                _factory.configure(bind=_engine)
    return _engine


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
