"""Listings this service creates on Etsy from a design: what to list, and each Etsy side effect as it lands."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models import base

STATUSES = ("queued", "creating", "created", "inventory_set", "images_uploaded", "completed", "failed")


class ListingDraft(base.OrgScoped, base.Timestamps, base.Base):
    """One listing to create: a design on a template's sizes, with prices per size, mockups and Etsy's fields.

    The job resumes from the last recorded step: a listing id once created, the inventory once set, each image
    once uploaded (listing_images), so a retry never creates a second listing nor uploads an image twice.
    """

    __tablename__ = "listing_drafts"
    __table_args__ = (
        UniqueConstraint("shop_id", "etsy_listing_id"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    design_file_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("files.id", ondelete="SET NULL"),
                                                       index=True)
    template_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("templates.id", ondelete="SET NULL"))
    print_job_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("print_jobs.id", ondelete="SET NULL"),
                                                     index=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"))
    # Etsy's fields (title, description, tags, taxonomy, shipping profile, section), prices per size id, mockups.
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="queued")
    etsy_listing_id: Mapped[int | None] = mapped_column(BigInteger)
    # Set just before createDraftListing is sent: a retry finding it set and no listing id looks for the listing
    # that call may have created before creating one.
    create_attempted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    inventory_set_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(1000))
