"""Design mappings: rules from a listing (and SKU or variation values) to a design and size."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import audit
from models import order as order_model
from services import matching, orders, rows

DesignMapping = order_model.DesignMapping


def search(filters: dict[str, Any]) -> Select:
    """Rules, optionally of one listing or design, oldest first."""
    stmt = select(DesignMapping).order_by(DesignMapping.id)
    for name in ("listing_id", "design_file_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(DesignMapping, name) == filters[name])
    return stmt


def get(session: Session, mapping_id: int) -> DesignMapping:
    """The rule, or NotFound."""
    return rows.get(session, DesignMapping, mapping_id, "Mapping")


def create(session: Session, data: dict[str, Any]) -> DesignMapping:
    """Add a rule; unmatched items it covers are matched at once."""
    orders.check_target(session, data)
    rule = DesignMapping(**data, variation_key=matching.variation_key(data["variations"]))
    session.add(rule)
    session.flush()
    items = session.scalars(select(order_model.OrderItem).where(
        order_model.OrderItem.listing_id == rule.listing_id,
        order_model.OrderItem.match_status == "unmatched")).all()
    matched = matching.match_items(session, items)
    audit.record(session, "design_mapping.created", entity=rule, payload={**data, "matched_items": matched})
    return rule


def update(session: Session, mapping_id: int, data: dict[str, Any]) -> DesignMapping:
    """Point a rule at another design or size (items already matched keep theirs)."""
    rule = get(session, mapping_id)
    orders.check_target(session, {"template_id": rule.template_id, **data})
    rows.apply(session, rule, data, "design_mapping.updated")
    return rule


def delete(session: Session, mapping_id: int) -> None:
    """Remove a rule (matched items keep their design)."""
    rule = get(session, mapping_id)
    audit.record(session, "design_mapping.deleted", entity=rule)
    session.delete(rule)
