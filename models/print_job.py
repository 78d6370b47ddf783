"""Print jobs: the user-facing record of one unit of production work; procrastinate's job is its execution."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models import base

JOB_TYPES = ("gang_sheets", "mockups", "designs", "orders", "print_files", "listings", "shipments", "imports")
STATUSES = ("queued", "processing", "completed", "failed", "cancelled")
FINISHED = ("completed", "failed", "cancelled")
# Heavy rendering runs on the print worker type; the rest on the general workers.
QUEUES = {"gang_sheets": "gang_sheets", "print_files": "print_files", "mockups": "mockups",
          "designs": "designs", "orders": "orders", "listings": "orders", "shipments": "orders",
          "imports": "designs"}


class PrintJob(base.OrgScoped, base.Timestamps, base.Base):
    """One job of a type with typed parameters, its progress, attempts, timings, error and result."""

    __tablename__ = "print_jobs"
    __table_args__ = (
        CheckConstraint(f"job_type IN {JOB_TYPES!r}", name="job_type"),
        CheckConstraint("status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')", name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        Index("ix_print_jobs_org_id_status_created_at", "org_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_type: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    printer_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("printers.id", ondelete="SET NULL"),
                                                   index=True)
    template_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("templates.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"),
                                                   index=True)
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    progress_message: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    error: Mapped[str | None] = mapped_column(String(2000))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Film used, for printer stats and film cost (gang sheets and print files report it).
    output_length_in: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
