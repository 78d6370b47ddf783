"""Executing a print job: the procrastinate task keeps the print_jobs row in step with each attempt."""
from __future__ import annotations

import time
from typing import Any

from procrastinate import exceptions as pq_exceptions
from procrastinate import job_context
from sqlalchemy import update
from sqlalchemy.orm import Session

import config
from jobs import app as jobs_app
from jobs import context, retry, types
from models import audit, base, db
from models import print_job as job_model
from services import defer

app = jobs_app.app
PROGRESS_INTERVAL = 0.5


@app.task(name=defer.RUN_PRINT_JOB, queue="default", pass_context=True, retry=retry.TRANSIENT)
def run_print_job(jctx: job_context.JobContext, org_id: int, print_job_id: int) -> str:
    """Run one print job (queued on its type's queue by jobs.control)."""
    return execute(org_id, print_job_id, jctx)


def execute(org_id: int, print_job_id: int, jctx: job_context.JobContext | None = None,
            settings: config.Settings | None = None) -> str:
    """Mark processing, run the type's function with progress and cancellation, then record the outcome."""
    attempt = (jctx.job.attempts if jctx else 0) + 1
    with context.running(org_id, task_name="run_print_job", job_id=print_job_id, attempt=attempt,
                         request_id=f"print-job-{print_job_id}", settings=settings,
                         on_progress=_progress_writer(print_job_id),
                         should_abort=jctx.should_abort if jctx else _cancel_requested(print_job_id)) as ctx:
        return _run(ctx, jctx)


def _run(ctx: context.JobContext, jctx: job_context.JobContext | None) -> str:
    session, print_job_id = ctx.session, ctx.job_id
    job = session.get(job_model.PrintJob, print_job_id, with_for_update={"key_share": True})
    if job is None or job.status in job_model.FINISHED:
        return "skipped"
    if job.cancel_requested:
        _finish(session, job, "cancelled", message="Cancelled before it started")
        return "cancelled"
    _start(session, job, ctx.attempt)
    try:
        result = types.module(job.job_type).run(ctx, job)
    except context.JobAborted:
        session.rollback()
        if jctx is not None and jctx.abort_reason() == job_context.AbortReason.SHUTDOWN:
            # Nobody cancelled it: the worker is stopping. Queue it again for another worker.
            _requeued(session, print_job_id, "The worker stopped; waiting to run again")
            raise retry.WorkerShutdown(f"print job {print_job_id}: worker shutting down") from None
        _finish(session, session.get(job_model.PrintJob, print_job_id), "cancelled", message="Cancelled while running")
        raise pq_exceptions.JobAborted() from None
    except Exception as exc:
        session.rollback()
        _failed(session, print_job_id, exc, jctx)
        raise
    _finish(session, job, "completed", result=result)
    return "completed"


def _start(session: Session, job: job_model.PrintJob, attempt: int) -> None:
    job.status, job.started_at, job.attempts = "processing", base.utcnow(), attempt
    job.progress, job.progress_message, job.error = 0, "Started", None
    audit.record(session, "print_job.started", entity=job, payload={"attempt": attempt})
    session.commit()


def _finish(session: Session, job: job_model.PrintJob, status: str, *, message: str | None = None,
            result: dict[str, Any] | None = None) -> None:
    job.status, job.finished_at = status, base.utcnow()
    if status == "completed":
        job.progress, job.progress_message, job.result = 100, message or "Completed", result
    else:
        job.progress_message = message
    audit.record(session, f"print_job.{status}", entity=job, changes={"status": ["processing", status]})
    session.commit()


def _failed(session: Session, print_job_id: int, exc: Exception, jctx: job_context.JobContext | None) -> None:
    job = session.get(job_model.PrintJob, print_job_id)
    message = _message(exc)
    will_retry = jctx is not None and retry.TRANSIENT.get_retry_decision(exception=exc, job=jctx.job) is not None
    if job.cancel_requested:
        # The user's cancel wins over a retry: the queue fails an aborting job rather than retrying it.
        _finish(session, job, "cancelled", message=f"Cancelled (it was failing: {message})")
        return
    if will_retry:
        job.status, job.error = "queued", f"Retrying after: {message}"
        job.progress_message = "Waiting to retry"
        audit.record(session, "print_job.retrying", entity=job, level="warning", payload={"error": message})
    else:
        job.status, job.error, job.finished_at = "failed", message, base.utcnow()
        audit.record(session, "print_job.failed", entity=job, level="error", payload={"error": message})
    session.commit()


def _requeued(session: Session, print_job_id: int, message: str) -> None:
    job = session.get(job_model.PrintJob, print_job_id)
    job.status, job.progress_message = "queued", message
    audit.record(session, "print_job.requeued", entity=job, level="warning", payload={"reason": message})
    session.commit()


def give_up(org_id: int, print_job_id: int, reason: str) -> None:
    """Mark a print job failed for good (its queue job is being failed by the caller)."""
    with context.running(org_id, task_name="give_up", job_id=print_job_id,
                         request_id=f"print-job-{print_job_id}") as ctx:
        job = ctx.session.get(job_model.PrintJob, print_job_id)
        if job is not None and job.status not in job_model.FINISHED:
            job.status, job.error, job.finished_at = "failed", reason, base.utcnow()
            audit.record(ctx.session, "print_job.failed", entity=job, level="error", payload={"error": reason})


def _message(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    return text.splitlines()[0][:1900]


def _progress_writer(print_job_id: int):
    last = [time.monotonic()]

    def write(ctx: context.JobContext, percent: int, message: str) -> None:
        # At most one write per interval: a fast job should not pay a round trip for every step it reports.
        now = time.monotonic()
        if now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        # Its own short transaction, so the API sees progress while the job's main transaction is still open.
        with Session(db.engine()) as side:
            side.execute(update(job_model.PrintJob).where(job_model.PrintJob.id == print_job_id)
                         .values(progress=percent, progress_message=message[:300]))
            side.commit()
    return write


def _cancel_requested(print_job_id: int):
    def check() -> bool:
        with Session(db.engine()) as side:
            return bool(side.get(job_model.PrintJob, print_job_id).cancel_requested)
    return check
