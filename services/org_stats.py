"""Aggregates of one organization, each a single grouped query."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import base, event, file, order, print_job, shop, user
from services import event_counts


def summary(session: Session) -> dict[str, Any]:
    """Members, events, shops, orders, files and jobs of the current organization: one grouped query each."""
    roles = dict(session.execute(
        select(user.User.role, func.count()).where(user.User.is_active.is_(True)).group_by(user.User.role)
    ).all())
    day_ago = base.utcnow() - dt.timedelta(days=1)
    # The total is kept by triggers; the last day's events are a range of the index on (org, created_at).
    total = event_counts.total(session)
    last_day, errors = session.execute(select(
        func.count(), func.count(case((event.Event.level == "error", 1))),
    ).select_from(event.Event).where(event.Event.created_at >= day_ago)).one()
    return {
        "members": {role: roles.get(role, 0) for role in user.ROLES},
        "members_total": sum(roles.values()),
        "events_total": total,
        "events_last_24h": last_day,
        "errors_last_24h": errors,
        "shops": dict(session.execute(select(shop.Shop.status, func.count()).group_by(shop.Shop.status)).all()),
        "orders": session.scalar(select(func.count()).select_from(order.Order)),
        "unmatched_items": session.scalar(select(func.count()).select_from(order.OrderItem)
                                          .where(order.OrderItem.match_status == "unmatched")),
        "files": dict(zip(("count", "bytes"), map(int, session.execute(select(
            func.count(), func.coalesce(func.sum(file.File.size_bytes), 0))
            .where(file.File.status.in_(file.LIVE_STATUSES))).one()), strict=True)),
        "jobs": dict(session.execute(select(print_job.PrintJob.status, func.count())
                                     .group_by(print_job.PrintJob.status)).all()),
    }
