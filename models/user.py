"""Users: members of one organization with a role."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from models import base

ROLES = ("viewer", "operator", "admin", "owner")


def role_at_least(role: str, needed: str) -> bool:
    """Whether `role` includes the rights of `needed` (owner > admin > operator > viewer)."""
    return ROLES.index(role) >= ROLES.index(needed)


class User(base.OrgScoped, base.Timestamps, base.Base):
    """A person who signs in; belongs to exactly one organization."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'operator', 'admin', 'owner')", name="role"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # Stored lower-cased so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(320), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="viewer")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    is_superuser: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # Bumped on password reset or deactivation so every refresh token issued before stops working.
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
