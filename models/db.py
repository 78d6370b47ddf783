"""Engine and session: one pool per process, opened lazily (after gunicorn forks)."""
from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

import config

_factory = sessionmaker(expire_on_commit=False)
session: scoped_session[Session] = scoped_session(_factory)
_engine: Engine | None = None
_reads_engine: Engine | None = None
_lock = threading.Lock()
# A read-only unit of work (an API GET): its session runs each statement on its own (autocommit), saving the BEGIN and
# ROLLBACK round trips, and refuses to write (ReadOnlyViolation) so nothing can land outside a transaction.
_reads_only: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_only", default=False)
READS_ONLY = "reads_only"
# Execution option of a statement whose best plan depends on its values: never prepared (see _plans_with_values).
PLAN_WITH_VALUES = "esa_plan_with_values"
_values_block: contextvars.ContextVar[bool] = contextvars.ContextVar("plan_with_values", default=False)
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
                _plans_with_values(_engine)
                _factory.configure(bind=_engine)
    return _engine


class ReadOnlyViolation(RuntimeError):
    """A read-only unit of work tried to write (a GET view that changes data must be marked as committing)."""


def reads_only() -> contextvars.Token:
    """Make the sessions this context opens from now on read-only (reset with `end_reads_only(token)`)."""
    return _reads_only.set(True)


def end_reads_only(token: contextvars.Token) -> None:
    """Back to what was before `reads_only()`; the current session (if any) may write again."""
    _reads_only.reset(token)
    if session.registry.has():
        session().info.pop(READS_ONLY, None)


def with_values(stmt: Any) -> Any:
    """`stmt`, marked to be planned with its values every time it runs (see _plans_with_values)."""
    return stmt.execution_options(**{PLAN_WITH_VALUES: True})


@contextlib.contextmanager
def planned_with_values() -> Iterator[None]:
    """Every statement inside the block is planned with its values (see _plans_with_values)."""
    token = _values_block.set(True)
    try:
        yield
    finally:
        _values_block.reset(token)


def _plans_with_values(target: Engine) -> None:
    """Statements run with `PLAN_WITH_VALUES` are never prepared on the server, so every run is planned with its own
    values.

    psycopg prepares a statement after its fifth run, and PostgreSQL then switches to a generic plan, made without the
    values, when its estimate looks no worse. For the hot statements (authentication, a page of the events list) that
    saves planning on every request; for a list whose best plan depends on its values (one big organization beside
    small ones, a deep offset, a search, a period) the generic plan can be many times slower: orders waiting for a
    design went from 21 to 52 ms a page on the eleventh call, a deep page of designs from 12 to 42 ms."""

    @event.listens_for(target, "do_execute")
    def _execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool | None:
        if not (context.execution_options.get(PLAN_WITH_VALUES) or _values_block.get()):
            return None  # the dialect executes it (prepared after five runs)
        cursor.execute(statement, parameters, prepare=False)
        return True


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
    global _engine, _reads_engine
    session.remove()
    if _engine is not None:
        _engine.dispose()
        _engine = None
    _reads_engine = None


def get_session() -> Session:
    """The current thread's session, binding the engine on first use (read-only when `reads_only()` is set)."""
    if _factory.kw.get("bind") is None:
        engine()
    if not _reads_only.get():
        return session()
    if session.registry.has():  # opened before (tests' own session): it keeps its transaction, but may not write
        opened = session()
        opened.info[READS_ONLY] = True
        return opened
    bind = _factory.kw["bind"]
    if isinstance(bind, Engine):  # an open connection (tests' outer transaction) keeps its transaction
        bind = _autocommit(bind)
    opened = session(bind=bind)
    opened.info[READS_ONLY] = True
    return opened


def _autocommit(target: Engine) -> Engine:
    global _reads_engine
    if _reads_engine is None or _reads_engine.pool is not target.pool:
        # The same pool: a connection is switched to autocommit for this unit and back when it returns.
        _reads_engine = target.execution_options(isolation_level="AUTOCOMMIT")
    return _reads_engine


@event.listens_for(Session, "before_flush")
def _refuse_flush(unit: Session, flush_context: Any, instances: Any) -> None:
    if unit.info.get(READS_ONLY) and (unit.new or unit.deleted or any(unit.is_modified(row) for row in unit.dirty)):
        raise ReadOnlyViolation("a read-only request changed data")


@event.listens_for(Session, "do_orm_execute")
def _refuse_writes(state: Any) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.session.info.get(READS_ONLY):
        raise ReadOnlyViolation("a read-only request ran an insert, update or delete")
