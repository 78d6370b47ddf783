"""Product templates: a canvas (size, DPI, spacing, stretch policy) and the named sizes designs print at."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import base


class Template(base.OrgScoped, base.Timestamps, base.Base):
    """e.g. "UVDTF 16oz" or "Adult tee front"; one DPI for every job made from it."""

    __tablename__ = "templates"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        CheckConstraint("canvas_width_in > 0 AND canvas_height_in > 0", name="canvas"),
        CheckConstraint("dpi BETWEEN 72 AND 4800", name="dpi"),
        CheckConstraint("spacing_in >= 0 AND margin_in >= 0", name="spacing"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str | None] = mapped_column(String(1000))
    product_type: Mapped[str | None] = mapped_column(String(64))
    canvas_width_in: Mapped[Decimal] = mapped_column(Numeric(8, 3), nullable=False)
    canvas_height_in: Mapped[Decimal] = mapped_column(Numeric(9, 3), nullable=False)
    dpi: Mapped[int] = mapped_column(Integer, nullable=False, default=300)
    spacing_in: Mapped[Decimal] = mapped_column(Numeric(6, 3), nullable=False, default=Decimal("0.25"))
    margin_in: Mapped[Decimal] = mapped_column(Numeric(6, 3), nullable=False, default=Decimal("0"))
    allow_stretch: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # The text area an item's personalization is printed in (prepress.personalize.TextArea's fields), or None.
    personalization: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    sizes: Mapped[list[TemplateSize]] = relationship(back_populates="template", cascade="all, delete-orphan",
                                                     order_by="TemplateSize.id", lazy="selectin")


class TemplateSize(base.OrgScoped, base.Base):
    """A named print size of a template (Adult, Youth, Toddler, Pocket...)."""

    __tablename__ = "template_sizes"
    __table_args__ = (
        UniqueConstraint("template_id", "name"),
        CheckConstraint("width_in > 0 AND height_in > 0", name="size"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    template_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("templates.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    width_in: Mapped[Decimal] = mapped_column(Numeric(8, 3), nullable=False)
    height_in: Mapped[Decimal] = mapped_column(Numeric(8, 3), nullable=False)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    template: Mapped[Template] = relationship(back_populates="sizes")
