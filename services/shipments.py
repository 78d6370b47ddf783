"""Shipments: orders (or a gang sheet job's orders) marked shipped with carrier and tracking, one shipments job."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import audit, errors
from models import order as order_model
from models import shipment as shipment_model
from services import print_jobs, rows

Shipment = shipment_model.Shipment
MAX_ORDERS = 500


class ParamsSchema(Schema):
    """Parameters of a shipments job: the shipments it sends to Etsy."""

    shipment_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                               validate=validate.Length(min=1, max=MAX_ORDERS))


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Every shipment must be the org's."""
    ids = list(dict.fromkeys(params["shipment_ids"]))
    found = set(session.scalars(select(Shipment.id).where(Shipment.id.in_(ids))))
    missing = [i for i in ids if i not in found]
    if missing:
        raise errors.Invalid(f"Unknown shipments: {', '.join(map(str, missing))}",
                             errors={"params": {"shipment_ids": [f"Unknown shipment {i}" for i in missing]}})
    return {"shipment_ids": ids}


def search(filters: dict[str, Any]) -> Select:
    """Shipments, newest first, optionally of one order, job or status."""
    stmt = select(Shipment).order_by(Shipment.id.desc())
    for name in ("order_id", "print_job_id", "status"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Shipment, name) == filters[name])
    return stmt


def get(session: Session, shipment_id: int) -> Shipment:
    """The shipment, or NotFound."""
    return rows.get(session, Shipment, shipment_id, "Shipment")


def ship_order(session: Session, order_id: int, data: dict[str, Any], created_by: int | None) -> dict[str, Any]:
    """Mark one order shipped: its shipment is sent to Etsy by a shipments job."""
    rows.get(session, order_model.Order, order_id, "Order")
    return create(session, {**data, "orders": [{"order_id": order_id, "tracking_code": data.get("tracking_code")}]},
                  created_by)


def create(session: Session, data: dict[str, Any], created_by: int | None) -> dict[str, Any]:
    """Shipments for the given orders, or every open order of a gang sheet job; one job sends them all."""
    codes = {o["order_id"]: o.get("tracking_code") for o in data.get("orders") or []}
    if data.get("print_job_id") is not None:
        for order_id in _orders_of_job(session, data["print_job_id"]):
            codes.setdefault(order_id, None)
    if not codes:
        raise errors.Invalid("No orders to ship", errors={"orders": ["Give orders or a gang sheet job"]})
    orders = {o.id: o for o in session.scalars(select(order_model.Order).where(order_model.Order.id.in_(codes))
                                              .with_for_update())}
    _check(session, codes, orders)
    made = []
    for order_id, code in codes.items():
        row = Shipment(order_id=order_id, carrier_name=data["carrier_name"], tracking_code=code,
                       note_to_buyer=data.get("note_to_buyer"), send_bcc=data.get("send_bcc", False),
                       status="queued", created_by=created_by)
        session.add(row)
        made.append(row)
    session.flush()
    job = print_jobs.create(session, job_type="shipments", params={"shipment_ids": [s.id for s in made]},
                            created_by=created_by)
    for row in made:
        row.print_job_id = job.id
        audit.record(session, "shipment.created", entity=row, payload={
            "order_id": row.order_id, "carrier_name": row.carrier_name, "tracking_code": row.tracking_code})
    return {"print_job_id": job.id, "shipments": made}


def _orders_of_job(session: Session, job_id: int) -> list[int]:
    job = print_jobs.get(session, job_id)
    if job.job_type != "gang_sheets":
        raise errors.Invalid("Only a gang sheet job's orders can be shipped together",
                             errors={"print_job_id": ["Not a gang sheet job"]})
    item, order = order_model.OrderItem, order_model.Order
    return list(session.scalars(select(order.id).join(item, item.order_id == order.id).where(
        item.print_job_id == job.id, order.is_shipped.is_(False), order.is_canceled.is_(False))
        .distinct().order_by(order.id)))


def _check(session: Session, codes: dict[int, str | None], orders: dict[int, order_model.Order]) -> None:
    missing = sorted(set(codes) - set(orders))
    if missing:
        raise errors.NotFound(f"Orders not found: {', '.join(map(str, missing))}")
    closed = [o for o in orders.values() if o.is_canceled or o.is_shipped or not o.is_paid]
    if closed:
        raise errors.Conflict("Not open for shipping (canceled, unpaid or already shipped): "
                              + ", ".join(f"order {o.id} (receipt {o.etsy_receipt_id})" for o in closed))
    pending = session.scalars(select(Shipment.order_id).where(Shipment.order_id.in_(codes),
                                                              Shipment.status.in_(shipment_model.OPEN))).all()
    if pending:
        raise errors.Conflict(f"Orders already being shipped: {', '.join(map(str, sorted(set(pending))))}")

