"""Sheets sent to a printer's hot folder: one row per delivery of one sheet, from queued to printed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models import base

# queued -> sending -> placing (the whole file is written under its hidden name, the rename is next) -> sent ->
# printed; waiting (the folder cannot be reached) and failed (it refused: disk full, permission) are retried.
STATUSES = ("queued", "sending", "placing", "waiting", "failed", "sent", "printed", "cancelled")
PENDING = ("queued", "sending", "placing", "waiting", "failed")
CANCELLABLE = ("queued", "sending", "waiting", "failed")
# A file name in the hot folder belongs to one of these at a time.
LIVE = (*PENDING, "sent")


class PrinterSend(base.OrgScoped, base.Timestamps, base.Base):
    """One sheet of a gang sheet job delivered (or to be) to a printer's hot folder under `filename`."""

    __tablename__ = "printer_sends"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint("output_format IN ('png', 'tiff')", name="output_format"),
        Index("ix_printer_sends_org_id_printer_id_status", "org_id", "printer_id", "status"),
        # Printed detection finds a send by its file name: one live send per name and printer.
        Index("uq_printer_sends_live_filename", "printer_id", "filename", unique=True,
              postgresql_where=text(f"status IN {LIVE!r}")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    printer_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("printers.id", ondelete="CASCADE"),
                                            nullable=False)
    print_job_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("print_jobs.id", ondelete="CASCADE"),
                                              nullable=False, index=True)
    file_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("files.id", ondelete="SET NULL"))
    sheet: Mapped[int] = mapped_column(Integer, nullable=False)
    sheets: Mapped[int] = mapped_column(Integer, nullable=False)
    length_in: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    hot_folder: Mapped[str] = mapped_column(String(500), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    ticket_name: Mapped[str | None] = mapped_column(String(255))
    output_format: Mapped[str] = mapped_column(String(8), nullable=False)
    mirror: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    message: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(String(1000))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    order_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False, default=list,
                                                 server_default="{}")
    reprint_of: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("printer_sends.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    printed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    printed_by: Mapped[str | None] = mapped_column(String(16))  # "rip" (moved away) or "operator"
