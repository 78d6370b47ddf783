"""The day at a glance for the console: orders waiting, jobs running and failed, film used; bounded queries."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from models import base
from models import order as order_model
from models import print_job as job_model
from models import shop as shop_model

FILM_JOBS = ("gang_sheets", "print_files")
LIST_LIMIT = 20


def summary(session: Session) -> dict[str, Any]:
    """Counts of orders held, ready and unmatched; running, queued and failed jobs; film today and this week."""
    return {"orders": waiting_orders(session), "running": active_jobs(session),
            "failed": failed_jobs(session), "film": film(session)}


WAITING = ("unmatched", "held", "ready")


def _waiting(columns: Callable[[Any], tuple]) -> tuple[Select, Any]:
    # Items of open paid orders not printed yet, and what each waits for: a match, the hold window, or the printer.
    item, order, shop = order_model.OrderItem, order_model.Order, shop_model.Shop
    paid = func.coalesce(order.paid_at, order.etsy_created_at)
    held = paid + func.make_interval(0, 0, 0, 0, shop.hold_hours) > base.utcnow()
    state = case((item.match_status == "unmatched", "unmatched"), (held, "held"), else_="ready")
    stmt = (select(*columns(state)).select_from(item).join(order, order.id == item.order_id)
            .join(shop, shop.id == order.shop_id)
            .where(order.is_paid.is_(True), order.is_shipped.is_(False), order.is_canceled.is_(False),
                   item.print_job_id.is_(None)))
    return stmt, state


def waiting_orders(session: Session) -> dict[str, int]:
    """Open paid orders by what they wait for: unmatched items, the hold window (held), or production (ready)."""
    stmt, state = _waiting(lambda state: (state, func.count(func.distinct(order_model.Order.id))))
    counts = dict(session.execute(stmt.group_by(state)).all())
    return {name: int(counts.get(name, 0)) for name in WAITING}


def orders_waiting(stmt: Select, waiting: str) -> Select:
    """An order query narrowed to orders with an item in the `waiting` state."""
    ids, state = _waiting(lambda state: (order_model.OrderItem.order_id,))
    return stmt.where(order_model.Order.id.in_(ids.where(state == waiting)))


def order_states(session: Session, order_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per order: items, unmatched items, items in a print job (one query for a page of orders)."""
    item = order_model.OrderItem
    rows = session.execute(select(
        item.order_id, func.count(), func.count(case((item.match_status == "unmatched", 1))),
        func.count(item.print_job_id)).where(item.order_id.in_(order_ids)).group_by(item.order_id))
    return {oid: {"items": n, "unmatched": u, "printed": p} for oid, n, u, p in rows}


def active_jobs(session: Session) -> list[job_model.PrintJob]:
    """Jobs queued or running, oldest first."""
    job = job_model.PrintJob
    return list(session.scalars(select(job).where(job.status.in_(("queued", "processing")))
                                .order_by(job.created_at, job.id).limit(LIST_LIMIT)))


def failed_jobs(session: Session, days: int = 7) -> list[job_model.PrintJob]:
    """Jobs that failed in the last `days` days, newest first, with their reason."""
    job = job_model.PrintJob
    since = base.utcnow() - dt.timedelta(days=days)
    return list(session.scalars(select(job).where(job.status == "failed", job.created_at >= since)
                                .order_by(job.created_at.desc(), job.id.desc()).limit(LIST_LIMIT)))


def film(session: Session) -> dict[str, float]:
    """Inches of film of jobs completed today and this week (from Monday, UTC)."""
    job = job_model.PrintJob
    now = base.utcnow()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - dt.timedelta(days=today.weekday())
    length = func.coalesce(job.output_length_in, 0)
    day_in, week_in = session.execute(select(
        func.coalesce(func.sum(case((job.finished_at >= today, length), else_=0)), 0),
        func.coalesce(func.sum(length), 0),
    ).where(job.job_type.in_(FILM_JOBS), job.status == "completed", job.finished_at >= week)).one()
    return {"today_in": round(float(day_in), 1), "week_in": round(float(week_in), 1)}


def progress(session: Session, job_ids: list[int]) -> list[dict[str, Any]]:
    """Status and progress of the current organization's jobs among `job_ids` (the pages poll it)."""
    job = job_model.PrintJob
    rows = session.scalars(select(job).where(job.id.in_(job_ids[:100])))
    return [{"id": j.id, "status": j.status, "progress": j.progress, "message": j.progress_message,
             "error": j.error} for j in rows]
