"""The tenant guard: every ORM statement on an org-owned model is filtered by the current org, failing closed."""
from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql import util as sql_util

from models import base

_current_org: contextvars.ContextVar[int | None] = contextvars.ContextVar("current_org", default=None)
_system: contextvars.ContextVar[bool] = contextvars.ContextVar("system_access", default=False)


class TenancyError(RuntimeError):
    """An org-owned model was touched with no current org, or across orgs."""


@contextlib.contextmanager
def org_scope(org_id: int) -> Iterator[None]:
    """Scope every statement inside the block to one organization (the only way to set the current org)."""
    # Entered by three doors only: the request (web/auth; web/export for a streamed body), the job runner
    # (jobs/context) and the CLI (web/cli).
    token = _current_org.set(org_id)
    try:
        yield
    finally:
        _current_org.reset(token)


def current_org() -> int | None:
    """The org queries are scoped to, if any."""
    return _current_org.get()


@contextlib.contextmanager
def system_access(reason: str) -> Iterator[None]:
    """Explicitly mark a block that may read across orgs (login lookup, periodic sweeps); `reason` documents why."""
    if not reason:
        raise ValueError("system_access needs a reason")
    token = _system.set(True)
    try:
        yield
    finally:
        _system.reset(token)


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or _system.get():
        return
    if not _touches_org_scoped(state):
        return
    org_id = _current_org.get()
    if org_id is None:
        raise TenancyError("query on an org-owned model with no current organization")
    state.statement = state.statement.options(_org_criteria(org_id))


@functools.lru_cache(maxsize=4096)
def _org_criteria(org_id: int) -> Any:
    """The guard's filter of one organization, made once per organization (making it costs more than the query's
    own compile-cache lookup; the option is immutable, so requests share it)."""
    return with_loader_criteria(base.OrgScoped, lambda cls: cls.org_id == org_id, include_aliases=True)


def _touches_org_scoped(state: ORMExecuteState) -> bool:
    if any(issubclass(mapper.class_, base.OrgScoped) for mapper in state.all_mappers):
        return True
    # select(func.count()).select_from(Model) names no entity in its columns; look at the tables too.
    scoped = _org_scoped_tables()
    statement = cast(ClauseElement, state.statement)  # ORM selects, updates and deletes are clause elements
    return any(table in scoped for table in sql_util.find_tables(statement, include_joins=True, include_aliases=True,
                                                                 check_columns=True))


_scoped_tables: tuple[int, frozenset] = (-1, frozenset())


def _org_scoped_tables() -> frozenset:
    global _scoped_tables
    mappers = base.Base.registry.mappers
    if _scoped_tables[0] != len(mappers):
        _scoped_tables = (len(mappers), frozenset(
            m.local_table for m in mappers if issubclass(m.class_, base.OrgScoped)))
    return _scoped_tables[1]


@event.listens_for(Session, "before_flush")
def _check_flush(session: Session, flush_context, instances) -> None:
    if _system.get():
        return
    org_id = _current_org.get()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, base.OrgScoped):
            continue
        if org_id is None:
            raise TenancyError(f"cannot write {type(obj).__name__} with no current organization")
        if obj.org_id is None:
            obj.org_id = org_id
        elif obj.org_id != org_id:
            raise TenancyError(f"cannot write {type(obj).__name__} of another organization")
