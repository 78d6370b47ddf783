"""Periodic order sync and production, fanned out per organization."""
from __future__ import annotations

from typing import Any

from jobs import app as jobs_app
from jobs import context, maintenance
from services import production, shops

app = jobs_app.app


@app.task(name="fan_out_shop_syncs", queue="scheduler")
def fan_out_shop_syncs(timestamp: int | None = None) -> int:
    """Defer one due-sync check per organization."""
    return maintenance.fan_out(sync_due_shops, "sync_due_shops")


@app.task(name="sync_due_shops", queue="sync")
def sync_due_shops(org_id: int) -> int:
    """Queue an orders job for every connected shop whose interval has passed (full once a day)."""
    with context.running(org_id, task_name="sync_due_shops") as ctx:
        return shops.sync_due(ctx.session)


@app.task(name="fan_out_production", queue="scheduler")
def fan_out_production(timestamp: int | None = None) -> int:
    """Defer one production run per organization (orders whose hold window just ended)."""
    return maintenance.fan_out(produce_org_orders, "produce_orders")


@app.task(name="produce_org_orders", queue="orders")
def produce_org_orders(org_id: int) -> dict[str, Any]:
    """Queue this organization's ready order items as gang sheet jobs."""
    with context.running(org_id, task_name="produce_org_orders") as ctx:
        return production.produce_due(ctx.session)
