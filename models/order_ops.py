"""Order queries and checks on match targets."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import errors
from models import file as file_model
from models import order as order_model
from models import template as template_model


def search(filters: dict[str, Any]) -> Select:
    """Orders matching the filters, newest first."""
    order = order_model.Order
    stmt = select(order).order_by(order.etsy_created_at.desc().nulls_last(), order.id.desc())
    for name in ("shop_id", "is_paid", "is_shipped", "is_canceled"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(order, name) == filters[name])
    if filters.get("receipt_id") is not None:
        stmt = stmt.where(order.etsy_receipt_id == filters["receipt_id"])
    if filters.get("q"):
        stmt = stmt.where(order.buyer_name.icontains(filters["q"], autoescape=True))
    if filters.get("since") is not None:
        stmt = stmt.where(order.etsy_created_at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(order.etsy_created_at < filters["until"])
    return stmt


def unmatched() -> Select:
    """Unmatched items of orders that still matter (not canceled or shipped), oldest first."""
    item, order = order_model.OrderItem, order_model.Order
    return (select(item).join(order, order.id == item.order_id)
            .where(item.match_status == "unmatched", order.is_canceled.is_(False), order.is_shipped.is_(False))
            .order_by(item.id))


def get_order(session: Session, order_id: int) -> order_model.Order:
    """An order of the current organization, or NotFound."""
    row = session.get(order_model.Order, order_id)
    if row is None:
        raise errors.NotFound("Order not found")
    return row


def check_orders(session: Session, order_ids: list[int]) -> None:
    """NotFound naming the ids that are not orders of the current organization (one query)."""
    found = set(session.scalars(select(order_model.Order.id).where(order_model.Order.id.in_(order_ids))))
    missing = sorted(set(order_ids) - found)
    if missing:
        raise errors.NotFound(f"Orders not found: {', '.join(map(str, missing))}")


def items_of(session: Session, order_id: int) -> list[order_model.OrderItem]:
    """The items of one order."""
    return list(session.scalars(select(order_model.OrderItem).where(order_model.OrderItem.order_id == order_id)
                                .order_by(order_model.OrderItem.id)))


def check_target(session: Session, data: dict[str, Any]) -> None:
    """A match or rule must point at a design of the org, and a size of the named template."""
    design = session.get(file_model.File, data.get("design_file_id")) if data.get("design_file_id") else None
    if data.get("design_file_id") is not None and (design is None or design.status not in file_model.LIVE_STATUSES):
        raise errors.Invalid("Unknown design file", errors={"design_file_id": ["Unknown file"]})
    template_id, size_id = data.get("template_id"), data.get("size_id")
    if size_id is not None and template_id is None:
        raise errors.Invalid("size_id needs template_id", errors={"template_id": ["Required with size_id"]})
    if template_id is not None:
        tpl = session.get(template_model.Template, template_id)
        if tpl is None:
            raise errors.Invalid("Unknown template", errors={"template_id": ["Unknown template"]})
        if size_id is not None and size_id not in {s.id for s in tpl.sizes}:
            raise errors.Invalid("The size is not a size of that template", errors={"size_id": ["Unknown size"]})
