"""Orders: search, one order with its items, unmatched items with suggestions, matching by hand, production."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from models import audit, db, errors
from models import file as file_model
from models import order as order_model
from models import template as template_model
from services import matching, production, rows


def search(filters: dict[str, Any]) -> Select:
    """Orders matching the filters, newest first."""
    order = order_model.Order
    stmt = select(order).order_by(order.etsy_created_at.desc().nulls_last(), order.id.desc())
    for name in ("shop_id", "is_paid", "is_shipped", "is_canceled"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(order, name) == filters[name])
    if filters.get("receipt_id") is not None:
        stmt = stmt.where(order.etsy_receipt_id == filters["receipt_id"])
    if filters.get("since") is not None:
        stmt = stmt.where(order.etsy_created_at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(order.etsy_created_at < filters["until"])
    if filters.get("q"):
        # The matches are found first (the trigram index), then sorted: walking the newest-first index until 50
        # match is what the planner picks when its sample overestimates a name, and took 100 ms for a rare one.
        found = (select(order.id, order.etsy_created_at)
                 .where(order.buyer_name.icontains(filters["q"], autoescape=True)).offset(0).subquery())
        stmt = stmt.join(found, found.c.id == order.id).order_by(None).order_by(
            found.c.etsy_created_at.desc().nulls_last(), found.c.id.desc())
    return stmt


def unmatched() -> tuple[Select, ColumnElement]:
    """Unmatched items of orders that still matter (not canceled or shipped), oldest first; and the column that
    holds their number on every row (web.pagination reads it with the page: no second pass to count them)."""
    item, order = order_model.OrderItem, order_model.Order
    # OFFSET 0 plans the matching ids on their own (a hash join of two index-only reads, then a sort of the few
    # found): walking every item in id order to find the open orders' ones is what the planner picks otherwise.
    # The sort reads every match anyway, so counting them there costs little.
    found = (select(item.id, func.count().over().label("total")).join(order, order.id == item.order_id)
             .where(item.match_status == "unmatched", order.is_canceled.is_(False), order.is_shipped.is_(False))
             .order_by(item.id).offset(0).subquery())
    # Planned with its organization every time: a generic plan made for any organization took 52 ms a page, not 21.
    return db.with_values(select(item).join(found, found.c.id == item.id).order_by(found.c.id)), found.c.total


def get_order(session: Session, order_id: int) -> order_model.Order:
    """An order of the current organization, or NotFound."""
    return rows.get(session, order_model.Order, order_id, "Order")


def by_ids(session: Session, order_ids: set[int]) -> dict[int, order_model.Order]:
    """The current organization's orders among `order_ids`, by id (one query)."""
    if not order_ids:
        return {}
    rows_ = session.scalars(select(order_model.Order).where(order_model.Order.id.in_(order_ids)))
    return {o.id: o for o in rows_}


def detail(session: Session, order_id: int) -> dict[str, Any]:
    """One order's columns with its items."""
    order = get_order(session, order_id)
    return {**{c.key: getattr(order, c.key) for c in order_model.Order.__table__.columns},
            "items": items_of(session, order_id)}


def with_suggestions(session: Session, items: list[order_model.OrderItem]) -> list[dict[str, Any]]:
    """Unmatched items with the design files their SKU or title suggests (one query for the page)."""
    suggested = matching.suggestions(session, items)
    return [{**{c.key: getattr(i, c.key) for c in order_model.OrderItem.__table__.columns},
             "suggestions": suggested[i.id]} for i in items]


def match(session: Session, item_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Match an item to a design (and size) by hand; the rule is saved and applied to other unmatched items."""
    item = rows.get(session, order_model.OrderItem, item_id, "Order item")
    check_target(session, data)
    rule, others = matching.manual_match(session, item, design_file_id=data["design_file_id"],
                                         template_id=data.get("template_id"), size_id=data.get("size_id"),
                                         scope=data["scope"])
    audit.record(session, "order_item.matched", entity=item, changes=audit.changes_of(item),
                 payload={"mapping_id": rule.id if rule else None, "also_matched": others})
    return {"item": item, "mapping_id": rule.id if rule else None, "also_matched": others}


def produce(session: Session, order_ids: list[int], created_by: int | None) -> dict[str, Any]:
    """Gang sheets now for picked orders' ready items (the hold window does not apply)."""
    check_orders(session, order_ids)
    return production.produce(session, order_ids=order_ids, created_by=created_by)


def reprint(session: Session, order_id: int, created_by: int | None) -> dict[str, Any]:
    """Print an order's matched items again (a new job, even if they were produced before)."""
    get_order(session, order_id)
    return production.produce(session, order_ids=[order_id], created_by=created_by, reprint=True)


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
