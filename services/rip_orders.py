"""Which orders a sheet carries (the gang sheet's groups are `R{receipt}`), and moving them to printed."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit, base
from models import order as order_model
from models import print_job as job_model
from models import printer_send as send_model

Order = order_model.Order


def groups_by_sheet(job: job_model.PrintJob) -> dict[int, set[str]]:
    """The order groups placed on each sheet of the job's layout."""
    sheets = ((job.result or {}).get("layout") or {}).get("sheets") or []
    return {n: {p["group"] for p in s.get("placements", []) if p.get("group")} for n, s in enumerate(sheets, 1)}


def _orders_of(session: Session, job: job_model.PrintJob) -> dict[str, Order]:
    """The job's orders by group: orders whose items it produced (reprints included), by receipt."""
    item = order_model.OrderItem
    receipts = {int(g[1:]) for groups in groups_by_sheet(job).values() for g in groups if g[1:].isdigit()}
    if not receipts:
        return {}
    produced = select(item.order_id).where(item.print_job_id == job.id)
    found = list(session.scalars(select(Order).where(Order.etsy_receipt_id.in_(receipts), Order.id.in_(produced))))
    if not found:  # the items were produced again by a later job since: the receipts still name the orders
        found = list(session.scalars(select(Order).where(Order.etsy_receipt_id.in_(receipts))))
    return {f"R{o.etsy_receipt_id}": o for o in found}


def on_sheet(session: Session, job: job_model.PrintJob, sheet: int) -> list[int]:
    """Ids of the orders with a piece on sheet `sheet`."""
    by_group = _orders_of(session, job)
    return sorted({by_group[g].id for g in groups_by_sheet(job).get(sheet, set()) if g in by_group})


def describe(session: Session, order_ids: list[int]) -> list[dict[str, Any]]:
    """The orders for a job ticket: id, receipt and buyer."""
    if not order_ids:
        return []
    found = session.scalars(select(Order).where(Order.id.in_(order_ids)).order_by(Order.id))
    return [{"order_id": o.id, "receipt_id": o.etsy_receipt_id, "buyer": o.buyer_name} for o in found]


def update_printed(session: Session, send: send_model.PrinterSend) -> list[int]:
    """Move the send's orders to printed when every sheet of the job carrying them has printed; their ids."""
    if not send.order_ids:
        return []
    job = session.get(job_model.PrintJob, send.print_job_id)
    if job is None:
        return []
    printed = set(session.scalars(select(send_model.PrinterSend.sheet).where(
        send_model.PrinterSend.print_job_id == job.id, send_model.PrinterSend.status == "printed")))
    groups = groups_by_sheet(job)
    moved = []
    for order in session.scalars(select(Order).where(Order.id.in_(send.order_ids))):
        needed = {n for n, gs in groups.items() if f"R{order.etsy_receipt_id}" in gs}
        if order.production_status != "printed" and needed <= printed:
            before = order.production_status
            order.production_status, order.printed_at = "printed", base.utcnow()
            audit.record(session, "order.printed", entity=order, changes={"production_status": [before, "printed"]},
                         payload={"print_job_id": job.id, "sheets": sorted(needed)})
            moved.append(order.id)
    return moved
