"""What the operator watches, read at scrape time: queues, shops, sync lag, the Etsy budget.

Each reading touches only rows that are small in number (waiting and running jobs, shops, one budget row), never
the finished jobs: job counts and durations are counters kept as jobs run (services.job_metrics).
"""
from __future__ import annotations

import dataclasses
import hmac
import time

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import config
from etsy import ratelimit
from models import shop as shop_model
from models import tenancy

# Every queue a worker type serves (jobs/app.py QUEUES; a test keeps the two in step): each is reported, 0 when
# empty, so a dashboard tells an empty queue from one that is not reported.
QUEUES = ("default", "designs", "orders", "sync", "gang_sheets", "print_files", "mockups", "scheduler")

# Due jobs wait since they became due: their scheduled time, else their last event (deferred, or back to todo for
# a retry). Only jobs in todo or doing are read: the partial indexes on those statuses find them.
_QUEUE_SQL = text("""
    SELECT j.queue_name AS queue,
           count(*) FILTER (WHERE j.status = 'todo' AND coalesce(j.scheduled_at <= now(), true)) AS waiting,
           count(*) FILTER (WHERE j.status = 'doing') AS running,
           max(extract(epoch FROM now() - coalesce(
               j.scheduled_at, (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id))))
               FILTER (WHERE j.status = 'todo' AND coalesce(j.scheduled_at <= now(), true)) AS oldest
    FROM procrastinate_jobs j
    WHERE j.status IN ('todo', 'doing')
    GROUP BY 1
""")


@dataclasses.dataclass(frozen=True)
class QueueState:
    """One queue: due jobs waiting, the oldest one's wait in seconds (0 when none waits), jobs running."""

    queue: str
    waiting: int
    oldest_seconds: float
    running: int


def queues(session: Session) -> list[QueueState]:
    """Every known queue (and any other that has jobs), with zeros where nothing waits or runs."""
    found = {row.queue: row for row in session.execute(_QUEUE_SQL)}
    return [QueueState(name, int(found[name].waiting), max(0.0, float(found[name].oldest or 0)),
                       int(found[name].running)) if name in found else QueueState(name, 0, 0.0, 0)
            for name in sorted(set(QUEUES) | set(found))]


def shops_by_status(session: Session) -> dict[str, int]:
    """Shops of every organization per status (pending, connected, needs_reauth, disconnected), 0 where none."""
    with tenancy.system_access("metrics: shop counts across organizations"):
        rows = session.execute(select(shop_model.Shop.status, func.count()).group_by(shop_model.Shop.status)).all()
    counts = dict.fromkeys(shop_model.STATUSES, 0)
    counts.update({status: int(n) for status, n in rows})
    return counts


def sync_lag(session: Session, now: float | None = None) -> dict[int, float]:
    """Seconds since the newest synced receipt's modification on Etsy, per connected shop that has synced one."""
    with tenancy.system_access("metrics: sync lag of every connected shop"):
        rows = session.execute(select(shop_model.Shop.id, shop_model.Shop.last_modified_cursor).where(
            shop_model.Shop.status == "connected", shop_model.Shop.last_modified_cursor.is_not(None))).all()
    now = time.time() if now is None else now
    return {shop_id: max(0.0, now - cursor) for shop_id, cursor in rows if cursor is not None}


def etsy_budget(settings: config.Settings) -> tuple[int, int]:
    """(requests left today, the daily limit) of the deployment's shared Etsy budget."""
    # One budget object per settings, so a Redis budget keeps its connection pool from one scrape to the next.
    budget = _budgets.get(settings)
    if budget is None:
        budget = _budgets[settings] = ratelimit.open_budget(settings)
    return budget.remaining_today(), settings.etsy_rate_per_day


_budgets: dict[config.Settings, ratelimit.Budget] = {}


def scrape_allowed(settings: config.Settings, authorization: str | None) -> bool:
    """Whether a scrape may read /metrics: anyone without METRICS_TOKEN, else `Bearer <METRICS_TOKEN>` only."""
    if not settings.metrics_token:
        return True
    scheme, _, token = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.metrics_token.encode())
