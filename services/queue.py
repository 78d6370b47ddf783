"""The job queue as a whole: how many jobs wait on each queue, and for how long the oldest has waited."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

# A job waits from the last time it was put in `todo` (deferred, deferred again for a retry, retried by hand), or
# from its scheduled time if that is later; jobs scheduled for the future are not waiting yet. procrastinate keeps
# `scheduled_at` empty for jobs to run at once, so the events say when they were deferred.
# The pieces every reading of waiting jobs shares (alias `j` for procrastinate_jobs): a job is due, and since when.
DUE = "j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())"
SINCE = """LEFT JOIN LATERAL (SELECT max(at) AS since FROM procrastinate_events
    WHERE job_id = j.id AND type IN ('deferred', 'deferred_for_retry', 'retried')) e ON true"""
OLDEST = "min(GREATEST(j.scheduled_at, e.since))"

_WAITING = text(f"""
    SELECT j.queue_name, count(*) AS waiting, coalesce(extract(epoch FROM now() - {OLDEST}), 0) AS oldest
    FROM procrastinate_jobs j {SINCE}
    WHERE {DUE}
    GROUP BY 1 ORDER BY 1
""")


def waiting(session: Session) -> dict[str, dict[str, Any]]:
    """Per queue with waiting jobs: their number and the oldest one's wait in seconds (every organization)."""
    return {row.queue_name: {"waiting": row.waiting, "oldest_wait_seconds": round(float(row.oldest), 1)}
            for row in session.execute(_WAITING)}
