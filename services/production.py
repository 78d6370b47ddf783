"""Orders into production: matched items of paid, open orders become gang sheet jobs, each item exactly once."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import audit, base, errors
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model
from models import template as template_model
from services import features, personalized, print_jobs

# An item to produce, its order, and the template size it prints at.
Member = tuple[order_model.OrderItem, order_model.Order, int]


def produce(session: Session, *, order_ids: Iterable[int] | None = None, created_by: int | None = None,
            reprint: bool = False) -> dict[str, Any]:
    """Create gang sheet jobs for ready items (past the hold window unless orders are picked by hand)."""
    features.require_for_job(session, "gang_sheets")
    item, order, shop = order_model.OrderItem, order_model.Order, shop_model.Shop
    stmt = (select(item, order, shop).join(order, order.id == item.order_id).join(shop, shop.id == order.shop_id)
            .where(item.match_status == "matched", order.is_paid.is_(True), order.is_shipped.is_(False),
                   order.is_canceled.is_(False)).order_by(order.paid_at, item.id))
    if order_ids is not None:
        stmt = stmt.where(order.id.in_(list(order_ids)))
    else:
        paid = func.coalesce(order.paid_at, order.etsy_created_at)
        stmt = stmt.where(paid + func.make_interval(0, 0, 0, 0, shop.hold_hours) <= base.utcnow())
    if not reprint:
        stmt = stmt.where(item.print_job_id.is_(None))
    # SKIP LOCKED: two concurrent production runs split the items instead of both taking them.
    rows = session.execute(stmt.with_for_update(of=item, skip_locked=True)).all()
    groups: dict[tuple[int, int | None], list[Member]] = {}
    skipped: list[dict[str, Any]] = []
    for it, od, sh in rows:
        template_id = it.template_id or sh.default_template_id
        size_id = it.size_id or _only_size(session, template_id)
        if template_id is None or size_id is None:
            skipped.append({"item_id": it.id, "reason": "no template size: match it with a size or set the "
                                                        "shop's default template"})
            continue
        problems = personalized.findings(session, {"template_id": template_id, "items": [
            {"file_id": it.design_file_id, "size_id": size_id, "personalization": it.personalization}]})
        if problems:
            # Text that cannot print as the template defines it waits for the operator; other orders go on.
            skipped.append({"item_id": it.id, "reason": "; ".join(p.message for p in problems)})
            continue
        groups.setdefault((template_id, sh.default_printer_id), []).append((it, od, size_id))
    jobs, items = [], 0
    for (template_id, printer_id), members in groups.items():
        try:
            # One group that cannot be imposed (a deleted design, an item wider than the roll) must not hold up
            # the others: its items are reported and stay waiting for the operator.
            with session.begin_nested():
                jobs.append(_job_for(session, template_id, printer_id, members, created_by, reprint))
            items += len(members)
        except errors.Invalid as exc:
            skipped += [{"item_id": it.id, "reason": exc.message} for it, _, _ in members]
    return {"jobs": [j.id for j in jobs], "items": items, "skipped": skipped}


def produce_due(session: Session, created_by: int | None = None) -> dict[str, Any]:
    """The automatic run (scheduler, after a shop sync): items past their hold window, while the organization has
    orders and gang sheets on."""
    if not (features.enabled(session, "orders") and features.enabled(session, "gang_sheets")):
        return {"jobs": [], "items": 0, "skipped": []}
    return produce(session, created_by=created_by)


def _only_size(session: Session, template_id: int | None) -> int | None:
    if template_id is None:
        return None
    tpl = session.get(template_model.Template, template_id)
    return tpl.sizes[0].id if tpl is not None and len(tpl.sizes) == 1 else None


def _job_for(session: Session, template_id: int, printer_id: int | None, members: list[Member], created_by: int | None,
             reprint: bool) -> job_model.PrintJob:
    params = {"template_id": template_id, "group_mode": True, "labels": True, "items": [
        {"file_id": it.design_file_id, "size_id": size_id, "quantity": it.quantity, "group": f"R{od.etsy_receipt_id}",
         **({"personalization": it.personalization} if it.personalization else {})}
        for it, od, size_id in members]}
    if printer_id is not None:
        params["printer_id"] = printer_id
    job = print_jobs.create(session, job_type="gang_sheets", params=params, created_by=created_by)
    ids = [it.id for it, _, _ in members]
    claim = update(order_model.OrderItem).where(order_model.OrderItem.id.in_(ids))
    if not reprint:
        claim = claim.where(order_model.OrderItem.print_job_id.is_(None))
    values: dict[str, Any] = {"print_job_id": job.id}
    if reprint:
        values["reprints"] = order_model.OrderItem.reprints + 1
    session.execute(claim.values(**values))  # the items are locked by produce(): none can be taken meanwhile
    audit.record(session, "orders.reprinted" if reprint else "orders.queued_for_production", entity=job,
                 payload={"order_item_ids": ids})
    return job


def pull_canceled(session: Session, order: order_model.Order) -> list[int]:
    """Take a canceled order's items out of jobs not yet rendering; the jobs' other items go back to the pool."""
    job_ids = set(session.scalars(select(order_model.OrderItem.print_job_id).where(
        order_model.OrderItem.order_id == order.id, order_model.OrderItem.print_job_id.is_not(None))))
    pulled = []
    for job in session.scalars(select(job_model.PrintJob).where(job_model.PrintJob.id.in_(job_ids))
                               .with_for_update(key_share=True)):
        if job.status != "queued":
            audit.record(session, "orders.cancel_too_late", entity=order, level="warning",
                         payload={"print_job_id": job.id, "job_status": job.status})
            continue
        print_jobs.cancel(session, job)
        session.execute(update(order_model.OrderItem).where(order_model.OrderItem.print_job_id == job.id)
                        .values(print_job_id=None))
        pulled.append(job.id)
        audit.record(session, "orders.pulled_from_job", entity=order, payload={"print_job_id": job.id})
    return pulled
