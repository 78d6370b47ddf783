"""Worker processes: which WORKER_TYPE each live procrastinate worker is, and how many of each are alive."""
from __future__ import annotations

from typing import LiteralString

from sqlalchemy import text
from sqlalchemy.orm import Session

import config

# Run by the worker process itself (through procrastinate's connector) right after it registers with the queue.
REGISTER_SQL: LiteralString = (
    "INSERT INTO worker_processes (worker_id, worker_type, hostname, pid)"
    " VALUES (%(worker_id)s, %(worker_type)s, %(hostname)s, %(pid)s)"
    " ON CONFLICT (worker_id) DO NOTHING"
)


def live_by_type(session: Session, stalled_seconds: int) -> dict[str, int]:
    """Workers with a recent heartbeat, per WORKER_TYPE; every type is listed, 0 when none is alive."""
    rows = session.execute(text(
        "SELECT p.worker_type, count(*) FROM procrastinate_workers w"
        " JOIN worker_processes p ON p.worker_id = w.id"
        " WHERE w.last_heartbeat > now() - make_interval(secs => :secs) GROUP BY 1"),
        {"secs": stalled_seconds}).all()
    alive = dict.fromkeys(config.WORKER_TYPES, 0)
    alive.update({kind: count for kind, count in rows})
    return alive
