"""Printers of an organization: what they can print (width, length, DPI, media), one default per org."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models import base

PRINTER_TYPES = ("dtf", "uvdtf", "sublimation", "vinyl", "other")
OUTPUT_FORMATS = ("png", "tiff")
DEFAULT_FILE_NAME_PATTERN = "{date}_job{job}_sheet{sheet}-of-{sheets}_{printer}_{length}in"


class Printer(base.OrgScoped, base.Timestamps, base.Base):
    """A printer; max_height_in is None for a roll printer (any sheet length)."""

    __tablename__ = "printers"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        CheckConstraint("printer_type IN ('dtf', 'uvdtf', 'sublimation', 'vinyl', 'other')", name="printer_type"),
        CheckConstraint("max_width_in > 0 AND (max_height_in IS NULL OR max_height_in > 0)", name="size"),
        CheckConstraint("dpi BETWEEN 72 AND 4800", name="dpi"),
        CheckConstraint("output_format IN ('png', 'tiff')", name="output_format"),
        # The database, not the code, guarantees at most one default printer per organization.
        Index("uq_printers_one_default", "org_id", unique=True, postgresql_where=text("is_default")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    printer_type: Mapped[str] = mapped_column(String(16), nullable=False)
    manufacturer: Mapped[str | None] = mapped_column(String(120))
    model: Mapped[str | None] = mapped_column(String(120))
    max_width_in: Mapped[Decimal] = mapped_column(Numeric(8, 3), nullable=False)
    max_height_in: Mapped[Decimal | None] = mapped_column(Numeric(9, 3))
    dpi: Mapped[int] = mapped_column(Integer, nullable=False, default=300)
    supported_media: Mapped[list[str]] = mapped_column(ARRAY(String(64)), nullable=False, default=list,
                                                       server_default="{}")
    supported_template_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False, default=list,
                                                              server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # Output to the RIP: a hot folder under the storage root, and where the RIP moves what it took (optional).
    hot_folder: Mapped[str | None] = mapped_column(String(500))
    processed_folder: Mapped[str | None] = mapped_column(String(500))
    output_format: Mapped[str] = mapped_column(String(8), nullable=False, default="png", server_default="png")
    mirror: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    file_name_pattern: Mapped[str] = mapped_column(String(300), nullable=False, default=DEFAULT_FILE_NAME_PATTERN,
                                                   server_default=DEFAULT_FILE_NAME_PATTERN)
    job_ticket: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    auto_send: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
