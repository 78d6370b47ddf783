"""JobContext and the one job lifecycle: every task and print job runs inside `running`."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterator

from procrastinate import exceptions as pq_exceptions
from sqlalchemy.orm import Session

import config
from models import audit, db, tenancy

log = logging.getLogger("esa.job")


class JobAborted(Exception):
    """The job was cancelled while running; it stops at this checkpoint."""


@dataclasses.dataclass
class JobContext:
    """Per-run state handed to a job function: its org, session, settings, progress and abort checks."""

    org_id: int
    settings: config.Settings
    session: Session
    job_id: int | None = None
    task_name: str = ""
    attempt: int = 0
    on_progress: Callable[[JobContext, int, str], None] | None = None
    should_abort: Callable[[], bool] = lambda: False
    progress_value: int = 0
    progress_message: str = ""

    def progress(self, percent: int, message: str = "") -> None:
        """Report progress (0-100) at a meaningful step; also a cancellation checkpoint."""
        self.progress_value = max(0, min(100, int(percent)))
        self.progress_message = message
        if self.on_progress is not None:
            self.on_progress(self, self.progress_value, message)
        self.checkpoint()

    def checkpoint(self) -> None:
        """Stop here if the job was asked to abort."""
        if self.should_abort():
            raise JobAborted(f"job {self.job_id} cancelled")


@contextlib.contextmanager
def running(org_id: int, *, task_name: str, job_id: int | None = None, attempt: int = 0,
            should_abort: Callable[[], bool] = lambda: False,
            on_progress: Callable[[JobContext, int, str], None] | None = None,
            settings: config.Settings | None = None, request_id: str | None = None) -> Iterator[JobContext]:
    """Org scope, job actor, session and one structured log line for a run; commits on success, rolls back on error."""
    # Events carry the run's request id (default `job-{job_id}`), so an audit row names the run that wrote it.
    settings = settings or config.get_settings()
    started = time.perf_counter()
    status = "succeeded"
    actor = audit.Actor(source="job", request_id=request_id if request_id is not None else f"job-{job_id}")
    with tenancy.org_scope(org_id), audit.acting_as(actor):
        session = db.get_session()
        ctx = JobContext(org_id=org_id, settings=settings, session=session, job_id=job_id, task_name=task_name,
                         attempt=attempt, on_progress=on_progress, should_abort=should_abort)
        try:
            yield ctx
            session.commit()
        except (JobAborted, pq_exceptions.JobAborted):
            status = "aborted"
            session.rollback()
            raise
        except BaseException:
            status = "failed"
            session.rollback()
            raise
        finally:
            db.session.remove()
            log.info(json.dumps({"event": "job", "task": task_name, "job_id": job_id, "org": org_id,
                                 "attempt": attempt, "status": status,
                                 "ms": round((time.perf_counter() - started) * 1000, 1)}))
