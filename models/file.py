"""Files: one object in storage (designs, mockups, print files...) with its integrity and image facts."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models import base

STATUSES = ("uploading", "ready", "backed_up", "failed", "archived")
LIVE_STATUSES = ("uploading", "ready", "backed_up")
FILE_TYPES = ("designs", "mockups", "print_files", "gang_sheets", "templates", "watermarks", "exports", "other")


class File(base.OrgScoped, base.Timestamps, base.Base):
    """A stored file of an organization."""

    __tablename__ = "files"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(f"file_type IN {FILE_TYPES!r}", name="file_type"),
        CheckConstraint("size_bytes >= 0", name="size"),
        Index("ix_files_org_id_sha256", "org_id", "sha256"),
        # The search's order (created_at, id) with the status it filters on, so deep pages read the index alone.
        # The name search's trigram indexes are made by migration 0009p_scale where the server has pg_trgm.
        Index("ix_files_org_created", "org_id", "created_at", "id", "status"),
        Index("ix_files_org_type_created", "org_id", "file_type", "created_at", "id", "status"),
        Index("ix_files_tags", "tags", postgresql_using="gin"),
        # Counts and bytes of live files by type and shop (the storage figures) from the index alone.
        Index("ix_files_org_status_type_shop", "org_id", "status", "file_type", "shop_id",
              postgresql_include=["size_bytes"]),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="SET NULL"), index=True)
    file_type: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="uploading")
    # The storage key `{shop_name}/{file_type}/{filename}`; unique across the whole store.
    storage_key: Mapped[str] = mapped_column(String(400), nullable=False, unique=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    original_filename: Mapped[str | None] = mapped_column(String(500))
    mime_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    width_px: Mapped[int | None] = mapped_column(Integer)
    height_px: Mapped[int | None] = mapped_column(Integer)
    dpi_x: Mapped[float | None] = mapped_column(Float)
    dpi_y: Mapped[float | None] = mapped_column(Float)
    # min(dpi_x, dpi_y): what search filters on.
    dpi: Mapped[float | None] = mapped_column(Float, index=True)
    color_mode: Mapped[str | None] = mapped_column(String(16))
    has_alpha: Mapped[bool | None] = mapped_column(Boolean)
    has_thumbnail: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(64)), nullable=False, default=list, server_default="{}")
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"))
    backed_up_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Set on outputs of a print job (print files, gang sheets, mockups); a re-run replaces them.
    print_job_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("print_jobs.id", ondelete="SET NULL"),
                                                     index=True)
    # Results of design checks: effective DPI at each template size and low-resolution flags.
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # An image's analysis (prepress.analysis.DesignAnalysis.to_json() and the sha256 it was made from): pixel size,
    # DPI and the visible artwork box. Made once after upload; NULL until then (and for rows of earlier releases).
    design_analysis: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(String(1000))
