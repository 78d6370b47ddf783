"""Audit events: who did what to which entity, written in the transaction of the change."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Select,
    String,
    case,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from models import base

LEVELS = ("info", "warning", "error")


class Event(base.OrgScoped, base.Base):
    """One audit or integration event of an organization."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("level IN ('info', 'warning', 'error')", name="level"),
        Index("ix_events_org_id_created_at", "org_id", "created_at"),
        Index("ix_events_org_id_entity", "org_id", "entity_type", "entity_id"),
        Index("ix_events_org_id_event_type", "org_id", "event_type"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    entity_type: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16), nullable=False, default="info", server_default="info")
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="api", server_default="api")
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


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
    return stmt


def stats(session: Session) -> dict[str, Any]:
    """Counts by type and level, and recent totals."""
    now = func.now()
    by_type = dict(session.execute(select(Event.event_type, func.count()).group_by(Event.event_type)).all())
    by_level = dict(session.execute(select(Event.level, func.count()).group_by(Event.level)).all())
    day, week = session.execute(select(
        func.count(case((Event.created_at >= now - text("interval '1 day'"), 1))),
        func.count(case((Event.created_at >= now - text("interval '7 days'"), 1))),
    ).select_from(Event)).one()
    return {"total": sum(by_type.values()), "by_type": by_type, "by_level": by_level, "last_24h": day,
            "last_7d": week}
