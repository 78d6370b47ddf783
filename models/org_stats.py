"""Aggregates of one organization, each a single grouped query."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models import base, event, user


def organization_stats(session: Session) -> dict[str, Any]:
    """Members by role and event counts of the current organization."""
    roles = dict(session.execute(
        select(user.User.role, func.count()).where(user.User.is_active.is_(True)).group_by(user.User.role)
    ).all())
    day_ago = base.utcnow() - dt.timedelta(days=1)
    total, last_day, errors = session.execute(select(
        func.count(),
        func.count(case((event.Event.created_at >= day_ago, 1))),
        func.count(case(((event.Event.created_at >= day_ago) & (event.Event.level == "error"), 1))),
    ).select_from(event.Event)).one()
    return {
        "members": {role: roles.get(role, 0) for role in user.ROLES},
        "members_total": sum(roles.values()),
        "events_total": total,
        "events_last_24h": last_day,
        "errors_last_24h": errors,
    }
