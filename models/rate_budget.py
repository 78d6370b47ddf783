"""Shared request budgets (e.g. Etsy's per-app limits) kept in Postgres when no Redis is configured."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from models import base


class RateBudget(base.Base):
    """A token bucket per key, shared by every worker process (not org-owned: the limit is per API key)."""

    __tablename__ = "rate_budgets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float, nullable=False)
    refilled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                     server_default=func.now())
    day: Mapped[dt.date | None] = mapped_column(Date)
    day_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # When the remote told us to stop (429 Retry-After, or its own remaining counters), nobody sends before this.
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
