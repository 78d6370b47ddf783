"""Deferring jobs inside the caller's database transaction, so a job never exists without its row."""
from __future__ import annotations

from typing import Any

from procrastinate import manager, sync_psycopg_connector
from procrastinate import tasks as procrastinate_tasks
from sqlalchemy.orm import Session

# Only ever used with the caller's connection, so its pool is never opened; a sync manager also works inside
# a worker, whose app connector is async.
_manager = manager.JobManager(sync_psycopg_connector.SyncPsycopgConnector())


def in_transaction(session: Session, task: procrastinate_tasks.Task, *, queueing_lock: str | None = None,
                   lock: str | None = None, schedule_in: dict[str, int] | None = None,
                   queue: str | None = None, **task_kwargs: Any) -> int:
    """Defer `task` on the session's own connection; it commits or rolls back with the session."""
    connection = session.connection().connection.driver_connection
    deferrer = procrastinate_tasks.configure_task(
        name=task.name, job_manager=_manager, connection=connection, queue=queue or task.queue,
        lock=lock if lock is not None else task.lock,
        queueing_lock=queueing_lock if queueing_lock is not None else task.queueing_lock,
        priority=task.priority, schedule_in=schedule_in,
    )
    return deferrer.defer(**task_kwargs)
