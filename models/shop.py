"""Etsy shops connected to an organization, with encrypted OAuth tokens and sync settings."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models import base

STATUSES = ("pending", "connected", "needs_reauth", "disconnected")


class Shop(base.OrgScoped, base.Timestamps, base.Base):
    """One Etsy shop; tokens are Fernet-encrypted (models.secrets) and never leave the server."""

    __tablename__ = "shops"
    __table_args__ = (
        UniqueConstraint("org_id", "etsy_shop_id"),
        # One Etsy shop belongs to one organization at a time (a disconnected row is history, not a hold).
        Index("uq_shops_etsy_shop_held", "etsy_shop_id", unique=True,
              postgresql_where=text("etsy_shop_id IS NOT NULL AND status <> 'disconnected'")),
        CheckConstraint("status IN ('pending', 'connected', 'needs_reauth', 'disconnected')", name="status"),
        CheckConstraint("sync_interval_minutes BETWEEN 5 AND 1440", name="interval"),
        CheckConstraint("hold_hours BETWEEN 0 AND 720", name="hold"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    etsy_shop_id: Mapped[int | None] = mapped_column(BigInteger)
    etsy_user_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(200))
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(64)), nullable=False, default=list, server_default="{}")
    sync_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    sync_interval_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=15, server_default="15")
    # Orders wait this long after payment before production (buyers may still cancel on Etsy).
    hold_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=2, server_default="2")
    default_template_id: Mapped[int | None] = mapped_column(BigInteger,
                                                           ForeignKey("templates.id", ondelete="SET NULL"))
    default_printer_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("printers.id", ondelete="SET NULL"))
    # Incremental sync cursor: the newest receipt update seen (epoch seconds).
    last_modified_cursor: Mapped[int | None] = mapped_column(BigInteger)
    last_synced_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_full_sync_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sync_error: Mapped[str | None] = mapped_column(String(1000))


class OAuthState(base.OrgScoped, base.Base):
    """One authorization attempt: its state and PKCE verifier, single use, expiring."""

    __tablename__ = "oauth_states"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False)
    # The sha256 of the state we sent: a database leak does not hand out usable states.
    state_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    code_verifier_enc: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by the callback: Etsy's code (encrypted) waits for the starting member's confirmation, which must carry
    # the token whose sha256 is confirm_hash (only the browser Etsy sent back holds it). Cleared once used.
    code_enc: Mapped[str | None] = mapped_column(Text)
    confirm_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
