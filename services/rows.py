"""What every aggregate's operations share: one row of the organization or NotFound, and an audited change."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from models import audit, errors

T = TypeVar("T")


def get(session: Session, model: type[T], row_id: int, what: str, *, with_for_update: Any = None) -> T:
    """The row, or NotFound naming `what` (another organization's row is hidden by the tenant guard, so also 404)."""
    row = session.get(model, row_id, with_for_update=with_for_update)
    if row is None:
        raise errors.NotFound(f"{what} not found")
    return row


def apply(session: Session, row: Any, data: dict[str, Any], event_type: str, **record: Any) -> dict[str, list[Any]]:
    """Set the given attributes and record one audit event of what actually changed (none when nothing did)."""
    for key, value in data.items():
        setattr(row, key, value)
    changes = audit.changes_of(row)
    if changes:
        audit.record(session, event_type, entity=row, changes=changes, **record)
    return changes
