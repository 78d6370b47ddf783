"""Limits of the synchronous layout, which runs on a web thread: a short search, and a few at once per organization
(counted in PostgreSQL advisory locks, so across every gunicorn worker and thread)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

import config
from models import errors
from prepress import imposition

# The advisory lock namespace of layout slots (classid of the two-key form).
LOCK_NAMESPACE = 0x4C41
RETRY_AFTER_SECONDS = 2


def check_budget(settings: config.Settings, params: dict[str, Any]) -> None:
    """Invalid (422) when the asked search is longer than LAYOUT_MAX_SECONDS: such layouts are gang_sheets jobs."""
    asked = params.get("time_budget") or imposition.QUALITY_BUDGETS[params.get("quality") or "fast"]
    if asked > settings.layout_max_seconds:
        message = (f"A synchronous layout searches at most {settings.layout_max_seconds:g} s; for a longer search "
                   f"({asked:g} s) queue a gang_sheets job (POST print-jobs/ with job_type gang_sheets)")
        field = "time_budget" if params.get("time_budget") else "quality"
        raise errors.Invalid(message, errors={field: [message]})


def take_slot(session: Session, org_id: int | None, slots: int) -> int:
    """Hold one of the organization's `slots` layout slots until the transaction ends; TooManyRequests when all are
    taken (Retry-After: a layout takes about a second)."""
    if org_id is None:
        raise errors.Forbidden("A layout belongs to an organization")
    for slot in range(slots):
        namespace, key = slot_key(org_id, slot)
        if session.execute(text("SELECT pg_try_advisory_xact_lock(:ns, :key)"), {"ns": namespace, "key": key}).scalar():
            return slot
    raise errors.TooManyRequests(f"{slots} layouts of this organization are running; try again shortly, or queue "
                                 "a gang_sheets job", retry_after=RETRY_AFTER_SECONDS)


def slot_key(org_id: int, slot: int) -> tuple[int, int]:
    """The advisory lock (namespace, key) of one slot (what tests and operators look for in pg_locks)."""
    return LOCK_NAMESPACE, (org_id * 64 + slot) % 2**31
