"""Organizations (tenants) and their feature flags."""
from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, String, UniqueConstraint, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models import base

FEATURE_DEFAULTS: dict[str, bool] = {
    "mockups": True,
    "print": True,
    "designs": True,
    "orders": True,
    "gang_sheets": True,
    "etsy_sync": True,
    "analytics": True,
    "api_access": True,
}


class Organization(base.Timestamps, base.Base):
    """A tenant: one print business, owning its users, shops, files and jobs."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Names the shop's folder on the NAS, so it is a unique slug that never changes silently.
    shop_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    # The shop's folder on the NAS when it is not shop_name: an existing library's folder, kept as it is named.
    nas_folder: Mapped[str | None] = mapped_column(String(64), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())

    @property
    def folder(self) -> str:
        """The NAS folder holding this organization's files."""
        return self.nas_folder or self.shop_name


class OrganizationFeature(base.OrgScoped, base.Timestamps, base.Base):
    """One feature flag an organization has set; unset flags take FEATURE_DEFAULTS."""

    __tablename__ = "organization_features"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
