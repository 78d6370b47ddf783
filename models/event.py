"""Audit events: who did what to which entity, written in the transaction of the change."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models import base

LEVELS = ("info", "warning", "error")


class Event(base.OrgScoped, base.Base):
    """One audit or integration event of an organization."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("level IN ('info', 'warning', 'error')", name="level"),
        # Each filter of the search, then the list's order (created_at, id): a page, its count and a deep offset
        # read the index alone (web/pagination).
        Index("ix_events_org_created", "org_id", "created_at", "id"),
        Index("ix_events_org_entity_created", "org_id", "entity_type", "entity_id", "created_at", "id"),
        Index("ix_events_org_type_created", "org_id", "event_type", "created_at", "id"),
        Index("ix_events_org_level_created", "org_id", "level", "created_at", "id"),
        Index("ix_events_org_user_created", "org_id", "user_id", "created_at", "id"),
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


class EventCount(base.OrgScoped, base.Base):
    """Events per (type, level) of an organization, as rows of deltas that add up.

    Triggers on `events` (migration 0009p_scale) add one row per statement that inserts or deletes events, so
    writers never wait on each other; services.event_counts folds the rows of each key into one now and then.
    """

    __tablename__ = "event_counts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False)
