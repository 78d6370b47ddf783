"""Writing audit events in the transaction of the change they describe."""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from models import event

# Never copied into an event, whatever model they sit on.
SECRET_FIELDS = frozenset({"password_hash", "access_token", "refresh_token", "token", "secret", "password",
                           "access_token_enc", "refresh_token_enc", "code_verifier_enc"})


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who is acting: a user through the API, a job, or the CLI."""

    user_id: int | None = None
    source: str = "api"
    request_id: str | None = None


_SYSTEM = Actor(source="system")
_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("actor", default=_SYSTEM)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Attribute the events written in this block to `actor`."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def acting_user(user_id: int | None) -> Iterator[None]:
    """Attribute the events written in this block to `user_id`, keeping the current source and request id."""
    with acting_as(dataclasses.replace(_actor.get(), user_id=user_id)):
        yield


def set_actor(actor: Actor) -> contextvars.Token:
    """Attribute later events in this context to `actor` (per request)."""
    return _actor.set(actor)


def reset_actor(token: contextvars.Token) -> None:
    """Undo set_actor."""
    _actor.reset(token)


def record(
    session: Session,
    event_type: str,
    *,
    entity: Any = None,
    entity_type: str | None = None,
    entity_id: Any = None,
    changes: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    level: str = "info",
    org_id: int | None = None,
) -> event.Event:
    """Add an event row to the session (flushed and committed with the change itself)."""
    actor = _actor.get()
    if entity is not None:
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    row = event.Event(
        event_type=event_type,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        user_id=actor.user_id,
        source=actor.source,
        request_id=actor.request_id,
        level=level,
        changes=_scrub(changes) if changes else None,
        payload=_scrub(payload) if payload else None,
    )
    if org_id is not None:
        row.org_id = org_id
    session.add(row)
    return row


def changes_of(obj: Any) -> dict[str, list[Any]]:
    """The attributes of `obj` changed in this session, as {name: [old, new]}, secrets masked."""
    state = inspect(obj)
    out: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if attr.key in SECRET_FIELDS:
            out[attr.key] = ["***", "***"]
        else:
            out[attr.key] = [_jsonable(old), _jsonable(new)]
    return out


def _scrub(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("***" if k in SECRET_FIELDS else _jsonable(v)) for k, v in data.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, dict):
        return _scrub(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
