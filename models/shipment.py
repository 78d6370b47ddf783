"""Shipments: an order marked shipped with carrier and tracking code, sent to Etsy once."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from models import base

STATUSES = ("queued", "sending", "sent", "failed")
OPEN = ("queued", "sending")


class Shipment(base.OrgScoped, base.Timestamps, base.Base):
    """One receipt shipment; `attempted_at` is set before createReceiptShipment goes out, `sent_at` once it landed."""

    __tablename__ = "shipments"
    __table_args__ = (CheckConstraint(f"status IN {STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    carrier_name: Mapped[str] = mapped_column(String(100), nullable=False)
    tracking_code: Mapped[str | None] = mapped_column(String(100))
    note_to_buyer: Mapped[str | None] = mapped_column(String(500))
    send_bcc: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    print_job_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("print_jobs.id", ondelete="SET NULL"),
                                                     index=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"))
    attempted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    etsy_receipt_shipping_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(1000))
