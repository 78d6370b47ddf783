"""Deferring jobs inside the caller's database transaction, so a job never exists without its row."""
from __future__ import annotations

from typing import Any

from procrastinate import exceptions, manager, sync_psycopg_connector
from procrastinate import tasks as procrastinate_tasks
from sqlalchemy.orm import Session

from models import db

# Task names are the contract between the rows that ask for work and the workers that do it: services defer by
# name, jobs/ declares the tasks under these names (so services never import the workers' code).
RUN_PRINT_JOB = "run_print_job"
BACKUP_FILE = "backup_file"
BACKUP_QUEUE = "sync"
ANALYSE_DESIGN = "analyse_design"
DESIGNS_QUEUE = "designs"
# NAS transfers share the general worker's sync queue; one delivery per printer runs at a time (its lock).
DELIVER_TO_PRINTER = "deliver_to_printer"
DELIVER_QUEUE = "sync"

# Only ever used with the caller's connection, so its pool is never opened; a sync manager also works inside
# a worker, whose app connector is async.
_manager = manager.JobManager(sync_psycopg_connector.SyncPsycopgConnector())


def in_transaction(session: Session, task: str | procrastinate_tasks.Task[Any, Any, Any], *,
                   queue: str | None = None, queueing_lock: str | None = None, lock: str | None = None,
                   **task_kwargs: Any) -> int:
    """Defer `task` (a task or its name) on the session's own connection; it commits or rolls back with the session."""
    if session.info.get(db.READS_ONLY):
        # Its connection runs each statement on its own: the job would be queued at once, whatever happens next.
        raise db.ReadOnlyViolation("a read-only request queued a job")
    name, default = (task, None) if isinstance(task, str) else (task.name, task)
    connection = session.connection().connection.driver_connection
    deferrer = procrastinate_tasks.configure_task(
        name=name, job_manager=_manager, connection=connection,
        queue=queue or (default.queue if default else None),
        lock=lock if lock is not None or default is None else default.lock,
        queueing_lock=queueing_lock if queueing_lock is not None or default is None else default.queueing_lock,
        priority=default.priority if default else None,
    )
    return deferrer.defer(**task_kwargs)


def once(session: Session, task: str | procrastinate_tasks.Task[Any, Any, Any], *, queueing_lock: str,
         **options: Any) -> bool:
    """Defer `task` in the caller's transaction unless a job with `queueing_lock` is already waiting; True when this
    call queued it. A refusal rolls back only its own savepoint, never the caller's work."""
    try:
        with session.begin_nested():
            in_transaction(session, task, queueing_lock=queueing_lock, **options)
        return True
    except exceptions.AlreadyEnqueued:
        return False
