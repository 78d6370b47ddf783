"""JobContext and the one job lifecycle: every task and print job runs inside `running`, which logs, counts and
times each run (jobs per type started and finished by outcome, durations, what a completed print job produced)."""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from procrastinate import exceptions as pq_exceptions
from procrastinate import job_context
from sqlalchemy.orm import Session

import config
from jobs import logcontext
from models import audit, db, tenancy
from models import print_job as job_model
from services import defer, job_metrics

log = logging.getLogger("esa.job")
# The queue job this asyncio task runs, set by `queue_middleware` in the worker; copied into the task's thread.
_queue_job: contextvars.ContextVar[job_context.JobContext | None] = contextvars.ContextVar("esa_queue_job",
                                                                                           default=None)
# A print job's queue is named after its type (models.print_job.QUEUES).
_TYPE_OF_QUEUE = {queue: job_type for job_type, queue in job_model.QUEUES.items()}


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
    # What the metrics count this run as: the task name, or a print job's type once `begin` names it.
    job_type: str = ""
    # Set by a runner that knows the outcome better than the exception does (cancelled before it started).
    outcome: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    result: dict[str, Any] | None = None
    began_at: float | None = None

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

    def begin(self, job_type: str, params: dict[str, Any] | None = None) -> None:
        """The attempt starts now as a job of `job_type` (counted as started, timed from here)."""
        self.job_type, self.params, self.began_at = job_type, dict(params or {}), time.perf_counter()
        logcontext.bind(type=job_type)
        job_metrics.started(job_type)


@contextlib.contextmanager
def running(org_id: int, *, task_name: str, job_id: int | None = None, attempt: int = 0,
            should_abort: Callable[[], bool] = lambda: False,
            on_progress: Callable[[JobContext, int, str], None] | None = None,
            settings: config.Settings | None = None, request_id: str | None = None,
            begins_later: bool = False) -> Iterator[JobContext]:
    """Org scope, job actor, session, log fields, metrics and one structured log line for a run; commits on success,
    rolls back on error. `begins_later`: the caller names the run with `ctx.begin(type)` once it knows it."""
    # Events carry the run's request id (default `job-{job_id}`), so an audit row names the run that wrote it.
    settings = settings or config.get_settings()
    started = time.perf_counter()
    status = "succeeded"
    error: BaseException | None = None
    queue_job = _queue_job.get()
    attempt = attempt or (queue_job.job.attempts + 1 if queue_job else 0)
    fields = logcontext.bind(job=job_id, queue_job=queue_job.job.id if queue_job else None, type=task_name,
                             org=org_id, attempt=attempt)
    actor = audit.Actor(source="job", request_id=request_id if request_id is not None else f"job-{job_id}")
    with tenancy.org_scope(org_id), audit.acting_as(actor):
        session = db.get_session()
        ctx = JobContext(org_id=org_id, settings=settings, session=session, job_id=job_id, task_name=task_name,
                         attempt=attempt, on_progress=on_progress, should_abort=should_abort)
        if not begins_later:
            ctx.begin(task_name)
        try:
            yield ctx
            session.commit()
        except (JobAborted, pq_exceptions.JobAborted) as exc:
            status, error = "aborted", exc
            session.rollback()
            raise
        except BaseException as exc:
            status, error = "failed", exc
            session.rollback()
            raise
        finally:
            db.session.remove()
            _count(ctx, status, error)
            log.info(json.dumps({"event": "job", "task": task_name, **logcontext.current(), "status": status,
                                 "ms": round((time.perf_counter() - started) * 1000, 1), **_describe(error)}))
            logcontext.unbind(fields)


def _count(ctx: JobContext, status: str, error: BaseException | None) -> None:
    """Count the run by its type and outcome, and what a completed print job produced."""
    if not ctx.job_type:
        return  # a print job that was already finished: nothing ran
    outcome = ctx.outcome or {"succeeded": "completed", "aborted": "cancelled"}.get(status) or (
        "retried" if error is not None and _will_retry(error) else "failed")
    seconds = time.perf_counter() - ctx.began_at if ctx.began_at is not None else None
    job_metrics.finished(ctx.job_type, outcome, seconds)
    if outcome == "completed" and ctx.result is not None:
        job_metrics.produced(ctx.job_type, ctx.params, ctx.result)


def _will_retry(error: BaseException) -> bool:
    """Whether the queue runs this job again after `error` (its task's retry strategy says so)."""
    queue_job = _queue_job.get()
    if queue_job is None:
        return False
    task = queue_job.app.tasks.get(queue_job.job.task_name)
    return task is not None and task.get_retry_exception(exception=error, job=queue_job.job) is not None


def _describe(error: BaseException | None) -> dict[str, Any]:
    """The error of a failed run for its log line: class, first line, and the Etsy or NAS operation it names."""
    if error is None:
        return {}
    described = {"error": f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:300]}"}
    # Services re-raise Etsy and NAS errors as their own (often `from None`, to keep details out of tracebacks);
    # the original is still the context of the one raised.
    link: BaseException | None = error
    for _ in range(5):
        if link is None:
            break
        if getattr(link, "operation", None):
            return {**described, "operation": link.operation}  # type: ignore[attr-defined]
        link = link.__cause__ or link.__context__
    return described


async def queue_middleware(call_next: Callable[[], Awaitable[Any]], queue_job: job_context.JobContext,
                           worker: Any) -> Any:
    """Worker middleware: the queue job and its log fields for everything the job runs and logs."""
    job = queue_job.job
    job_type = _TYPE_OF_QUEUE.get(job.queue, job.task_name) if job.task_name == defer.RUN_PRINT_JOB \
        else job.task_name
    # Not reset afterwards on purpose: this asyncio task is the job's alone, and procrastinate logs the job's
    # outcome after the middleware returns; that line should carry the fields too.
    _queue_job.set(queue_job)
    logcontext.bind(job=job.task_kwargs.get("print_job_id"), queue_job=job.id, type=job_type,
                    org=job.task_kwargs.get("org_id"), attempt=job.attempts + 1)
    return await call_next()
