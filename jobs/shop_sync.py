"""Periodic order sync and production, fanned out per organization."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from jobs import app as jobs_app
from jobs import context, maintenance, production
from models import base, errors
from models import shop as shop_model
from services import print_jobs

app = jobs_app.app
FULL_RECONCILE_EVERY = dt.timedelta(hours=24)
# A connect attempt nobody finished: its state expired long ago, so the pending row can go.
ABANDONED_AFTER = dt.timedelta(days=1)


@app.task(name="fan_out_shop_syncs", queue="scheduler")
def fan_out_shop_syncs(timestamp: int | None = None) -> int:
    """Defer one due-sync check per organization."""
    return maintenance.fan_out(sync_due_shops, "sync_due_shops")


@app.task(name="sync_due_shops", queue="sync")
def sync_due_shops(org_id: int) -> int:
    """Queue an orders job for every connected shop whose interval has passed (full once a day)."""
    with context.running(org_id, task_name="sync_due_shops") as ctx:
        now = base.utcnow()
        ctx.session.execute(delete(shop_model.Shop).where(shop_model.Shop.status == "pending",
                                                          shop_model.Shop.created_at < now - ABANDONED_AFTER))
        queued = 0
        for shop in ctx.session.scalars(select(shop_model.Shop).where(shop_model.Shop.status == "connected",
                                                                      shop_model.Shop.sync_enabled.is_(True))):
            due = shop.last_synced_at is None or shop.last_synced_at + dt.timedelta(
                minutes=shop.sync_interval_minutes) <= now
            full = shop.last_full_sync_at is None or shop.last_full_sync_at + FULL_RECONCILE_EVERY <= now
            if not due:
                continue
            try:
                with ctx.session.begin_nested():
                    print_jobs.create(ctx.session, job_type="orders", created_by=None,
                                   params={"shop_id": shop.id, "full": full})
                queued += 1
            except errors.Conflict:
                pass  # a sync of this shop is already queued or running
        return queued


@app.task(name="fan_out_production", queue="scheduler")
def fan_out_production(timestamp: int | None = None) -> int:
    """Defer one production run per organization (orders whose hold window just ended)."""
    return maintenance.fan_out(produce_org_orders, "produce_orders")


@app.task(name="produce_org_orders", queue="orders")
def produce_org_orders(org_id: int) -> dict:
    """Queue this organization's ready order items as gang sheet jobs."""
    with context.running(org_id, task_name="produce_org_orders") as ctx:
        return production.produce(ctx.session)
