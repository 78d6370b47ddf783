"""Mockup templates: a base photo with print areas (quads or polygons), blending and an optional watermark."""
from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models import base


class MockupTemplate(base.OrgScoped, base.Timestamps, base.Base):
    """Areas and watermark are stored as validated JSON in prepress.mockups' vocabulary (points in photo pixels)."""

    __tablename__ = "mockup_templates"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    base_file_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("files.id", ondelete="RESTRICT"), nullable=False,
                                              index=True)
    areas: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    watermark: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    output: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
