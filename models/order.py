"""Etsy orders (receipts) and their items (transactions), matched to designs and tracked into production."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models import base


class Order(base.OrgScoped, base.Timestamps, base.Base):
    """One Etsy receipt, upserted by (shop, receipt id)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "etsy_receipt_id"),
        # The list's order (newest first, undated last), alone and after the shipped filter. The buyer search's
        # trigram index is made by migration 0009p_scale where the server has pg_trgm (not declared here).
        Index("ix_orders_org_created", "org_id", text("etsy_created_at DESC NULLS LAST"), text("id DESC")),
        Index("ix_orders_org_shipped_created", "org_id", "is_shipped", text("etsy_created_at DESC NULLS LAST"),
              text("id DESC")),
        # Sold orders by their time: an insights period's partial months (services.insights).
        Index("ix_orders_org_sold_at", "org_id", text("coalesce(paid_at, etsy_created_at)"),
              postgresql_where=text("is_paid IS true AND is_canceled IS false")),
        CheckConstraint("production_status IN ('sent', 'printed')", name="production_status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    etsy_receipt_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    buyer_name: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str | None] = mapped_column(String(32))
    is_paid: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    is_shipped: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    is_canceled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    grandtotal: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    etsy_created_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    etsy_updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Our production state, apart from Etsy's: "sent" to a printer's hot folder, "printed" once all its sheets are.
    production_status: Mapped[str | None] = mapped_column(String(16))
    printed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class OrderItem(base.OrgScoped, base.Timestamps, base.Base):
    """One Etsy transaction: the product bought, its match to a design and size, and the job that printed it."""

    __tablename__ = "order_items"
    __table_args__ = (
        UniqueConstraint("org_id", "etsy_transaction_id"),
        CheckConstraint("match_status IN ('unmatched', 'matched', 'ignored')", name="match_status"),
        # Unmatched items with their orders, read from the index alone (services.orders.unmatched).
        Index("ix_order_items_org_status_order", "org_id", "match_status", "order_id", "id"),
        # A top listing's title: its greatest among the period's sold items, found from the greatest down.
        Index("ix_order_items_org_listing_title", "org_id", "listing_id", "title"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False,
                                          index=True)
    etsy_transaction_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    listing_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    sku: Mapped[str | None] = mapped_column(String(200))
    variations: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    personalization: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    title: Mapped[str | None] = mapped_column(String(500))
    match_status: Mapped[str] = mapped_column(String(16), nullable=False, default="unmatched")
    matched_by: Mapped[str | None] = mapped_column(String(16))
    mapping_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("design_mappings.id", ondelete="SET NULL"))
    design_file_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("files.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("templates.id", ondelete="SET NULL"))
    size_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("template_sizes.id", ondelete="SET NULL"))
    # Set once, atomically, when production takes the item: an item is never in two jobs unless reprinted.
    print_job_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("print_jobs.id", ondelete="SET NULL"),
                                                     index=True)
    reprints: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")


class SalesMonthTotal(base.OrgScoped, base.Base):
    """Sold orders, their items and revenue in one UTC month and currency, as rows of deltas that add up.

    Triggers on `orders` and `order_items` (migration 0009t_sales_totals) add rows for each statement that changes
    what sold when; services.sales_totals folds the rows of each key into one now and then.
    """

    __tablename__ = "sales_month_totals"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, nullable=False)
    currency: Mapped[str | None] = mapped_column(String(3))
    orders: Mapped[int] = mapped_column(BigInteger, nullable=False)
    items: Mapped[int] = mapped_column(BigInteger, nullable=False)
    revenue: Mapped[Decimal] = mapped_column(Numeric(16, 2), nullable=False)


class ListingMonthTotal(base.OrgScoped, base.Base):
    """Pieces of one Etsy listing sold in one UTC month and the orders they came in (an order once per listing), as
    rows of deltas kept like SalesMonthTotal's."""

    __tablename__ = "listing_month_totals"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, nullable=False)
    listing_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    pieces: Mapped[int] = mapped_column(BigInteger, nullable=False)
    orders: Mapped[int] = mapped_column(BigInteger, nullable=False)


class DesignMonthTotal(base.OrgScoped, base.Base):
    """Pieces of one design sold in one UTC month and the orders they came in (an order once per design), as rows of
    deltas kept like SalesMonthTotal's. No foreign key: a deleted design's rows net to zero as its items let go."""

    __tablename__ = "design_month_totals"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    month: Mapped[dt.date] = mapped_column(Date, nullable=False)
    design_file_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    pieces: Mapped[int] = mapped_column(BigInteger, nullable=False)
    orders: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Listing(base.OrgScoped, base.Timestamps, base.Base):
    """An Etsy listing, synced for matching (titles and SKUs)."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("shop_id", "etsy_listing_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False,
                                         index=True)
    etsy_listing_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    title: Mapped[str | None] = mapped_column(String(500))
    skus: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list, server_default="[]")
    state: Mapped[str | None] = mapped_column(String(32))


class DesignMapping(base.OrgScoped, base.Timestamps, base.Base):
    """A rule: items of this listing (optionally with this SKU or these variation values) print this design."""

    __tablename__ = "design_mappings"
    __table_args__ = (UniqueConstraint("org_id", "listing_id", "sku", "variation_key"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    listing_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sku: Mapped[str] = mapped_column(String(200), nullable=False, default="", server_default="")
    variations: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict, server_default="{}")
    # Canonical text of `variations` so the unique constraint can compare them ("" when none).
    variation_key: Mapped[str] = mapped_column(String(500), nullable=False, default="", server_default="")
    # RESTRICT: deleting a design that rules point at is refused (409) rather than silently dropping the rules.
    design_file_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("files.id", ondelete="RESTRICT"),
                                                nullable=False)
    template_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("templates.id", ondelete="SET NULL"))
    size_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("template_sizes.id", ondelete="SET NULL"))
