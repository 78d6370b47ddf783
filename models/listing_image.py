"""Images this service uploaded to Etsy listings: a retry checks here first and never uploads one twice."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from models import base


class ListingImage(base.OrgScoped, base.Base):
    """One uploaded image: which file went to which listing at which rank, and Etsy's id for it."""

    __tablename__ = "listing_images"
    __table_args__ = (UniqueConstraint("shop_id", "etsy_listing_id", "rank", "sha256"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False)
    etsy_listing_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    file_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("files.id", ondelete="SET NULL"))
    print_job_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("print_jobs.id", ondelete="SET NULL"))
    etsy_image_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    alt_text: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                    nullable=False)
