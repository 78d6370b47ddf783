"""Audit and integration events: search, one event, activity of a member, stats, an integration's own, pruning."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, Select, case, delete, func, select, text, tuple_
from sqlalchemy.orm import Session

import config
from models import audit, base, errors
from models import event as event_model
from models import organization as org_model
from services import event_counts, members

Event = event_model.Event
# Posted events are marked by their source and kept out of the types and levels the system writes (audit trails
# and system errors show them apart from real ones).
CUSTOM_SOURCE = "integration"
CUSTOM_LEVELS = ("info", "warning")
SYSTEM_NAMESPACES = frozenset({
    "user", "member", "organization", "print_job", "file", "printer", "template", "shop", "orders", "order",
    "order_item", "design_mapping", "listing_draft", "mockup_template", "shipment", "library", "job", "etsy", "nas",
    "system", "session", "auth", "worker", "backup",
})


def search(filters: dict[str, Any]) -> Select:
    """Events matching the filters, newest first (the tenant guard adds the org)."""
    stmt = select(Event).order_by(Event.created_at.desc(), Event.id.desc())
    for name in ("event_type", "entity_type", "entity_id", "user_id", "level", "source"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Event, name) == filters[name])
    if filters.get("since") is not None:
        stmt = stmt.where(Event.created_at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(Event.created_at < filters["until"])
    if filters.get("after"):
        # Keyset: the events after the cursor's in the list's order, read from the index from there on.
        created_at, event_id = _position(filters["after"])
        stmt = stmt.where(tuple_(Event.created_at, Event.id) < tuple_(created_at, event_id))
    return stmt


def cursor_of(row: Event) -> str:
    """The opaque cursor of an event's place in the list (for `after`)."""
    return base64.urlsafe_b64encode(f"{row.created_at.isoformat()}|{row.id}".encode()).decode().rstrip("=")


def _position(cursor: str) -> tuple[dt.datetime, int]:
    try:
        text_form = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_at, _, event_id = text_form.partition("|")
        when = dt.datetime.fromisoformat(created_at)
        if when.tzinfo is None:
            raise ValueError("no time zone")
        return when, int(event_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise errors.Invalid("Invalid cursor", errors={"after": ["Not a cursor this list gave"]}) from None


def kept_total(filters: dict[str, Any]) -> Select | None:
    """The select of the exact number of events the filters match, when the kept counts know it (no filter, or only
    the type and the level)."""
    if any(v is not None for name, v in filters.items() if name not in ("event_type", "level")):
        return None
    return event_counts.counted(event_type=filters.get("event_type"), level=filters.get("level"))


def oldest_first(filters: dict[str, Any]) -> Select:
    """The same events in the order they were written (exports)."""
    return search(filters).order_by(None).order_by(Event.id)


def get(session: Session, event_id: int) -> Event:
    """One event, or NotFound."""
    row = session.scalar(search({}).where(Event.id == event_id))
    if row is None:
        raise errors.NotFound("Event not found")
    return row


def activity(session: Session, user_id: int, filters: dict[str, Any]) -> Select:
    """What one member of the organization did (NotFound for anyone else)."""
    members.get(session, user_id)
    return search({**filters, "user_id": user_id})


def record(session: Session, data: dict[str, Any]) -> Event:
    """An integration's own event: source `integration`, never a system type or the error level (Invalid)."""
    event_type, level = data["event_type"], data.get("level", "info")
    if event_type.split(".", 1)[0].split(":", 1)[0] in SYSTEM_NAMESPACES:
        raise errors.Invalid("Event types of the system's namespaces are written by the system only",
                             errors={"event_type": [f"Reserved namespace: {event_type.split('.', 1)[0]}"]})
    if level not in CUSTOM_LEVELS:
        raise errors.Invalid("Events posted through the API are info or warning",
                             errors={"level": [f"Must be one of: {', '.join(CUSTOM_LEVELS)}"]})
    row = audit.record(session, event_type, entity_type=data.get("entity_type"), entity_id=data.get("entity_id"),
                       payload=data["payload"], level=level)
    row.source = CUSTOM_SOURCE
    return row


def stats(session: Session) -> dict[str, Any]:
    """Counts by type and level (kept by triggers), and recent totals (the index on org and time)."""
    now = func.now()
    by_type: dict[str, int] = {}
    by_level: dict[str, int] = {}
    for (event_type, level), n in event_counts.by_type_and_level(session).items():
        by_type[event_type] = by_type.get(event_type, 0) + n
        by_level[level] = by_level.get(level, 0) + n
    day, week = session.execute(select(
        func.count(case((Event.created_at >= now - text("interval '1 day'"), 1))),
        func.count(case((Event.created_at >= now - text("interval '7 days'"), 1))),
    ).select_from(Event).where(Event.created_at >= now - text("interval '7 days'"))).one()
    return {"total": sum(by_type.values()), "by_type": by_type, "by_level": by_level, "last_24h": day,
            "last_7d": week}


def prune(session: Session, settings: config.Settings, org_id: int) -> int:
    """Delete the organization's events older than its retention (its setting, else the global one)."""
    org = session.get(org_model.Organization, org_id)
    if org is None:
        return 0
    days = int(org.settings.get("event_retention_days") or settings.event_retention_days)
    cutoff = base.utcnow() - dt.timedelta(days=days)
    result = session.execute(delete(Event).where(Event.org_id == org_id, Event.created_at < cutoff))
    return cast(CursorResult, result).rowcount or 0  # a DELETE's result is a cursor result
