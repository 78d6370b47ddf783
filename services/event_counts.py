"""Event counts per (type, level) kept by triggers as rows of deltas (models.event.EventCount), and their folding."""
from __future__ import annotations

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from models import event as event_model
from models import tenancy

EventCount = event_model.EventCount

# Every key's delta rows become one row (none when they cancel out). A trigger's row written meanwhile is not in
# the DELETE's snapshot and stays; a second fold at the same time skips the rows the first one deleted.
_FOLD = text("""
    WITH gone AS (DELETE FROM event_counts RETURNING org_id, event_type, level, n)
    INSERT INTO event_counts (org_id, event_type, level, n)
    SELECT org_id, event_type, level, sum(n) FROM gone GROUP BY 1, 2, 3 HAVING sum(n) <> 0
""")


def by_type_and_level(session: Session) -> dict[tuple[str, str], int]:
    """The current organization's events per (event_type, level), exact; keys with none left out."""
    counts = EventCount
    rows = session.execute(select(counts.event_type, counts.level, func.sum(counts.n))
                           .group_by(counts.event_type, counts.level)).all()
    return {(event_type, level): int(n) for event_type, level, n in rows if n}


def total(session: Session, *, event_type: str | None = None, level: str | None = None) -> int:
    """The current organization's events (of one type, of one level, or both when given), exact."""
    return int(session.scalar(counted(event_type=event_type, level=level)) or 0)


def counted(*, event_type: str | None = None, level: str | None = None) -> Select:
    """The select of that total (the tenant guard adds the organization, also where it is a subquery)."""
    stmt = select(func.coalesce(func.sum(EventCount.n), 0))
    if event_type is not None:
        stmt = stmt.where(EventCount.event_type == event_type)
    if level is not None:
        stmt = stmt.where(EventCount.level == level)
    return stmt


def fold(session: Session) -> None:
    """Fold every organization's delta rows (the scheduler's job, every few minutes; the caller commits)."""
    with tenancy.system_access("fold event count deltas of every organization"):
        session.execute(_FOLD)
