"""Calls per client address and minute to sign-in, sign-up and refresh, when no Redis holds them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models import base


class AuthThrottle(base.Base):
    """One counter per operation and client address for the current minute (not org-owned: callers are anonymous)."""

    __tablename__ = "auth_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
