"""Executing a print job: the procrastinate task keeps the print_jobs row in step with each attempt."""
from __future__ import annotations

import time
from collections.abc import Callable

from procrastinate import exceptions as pq_exceptions
from procrastinate import job_context
from sqlalchemy import update
from sqlalchemy.orm import Session

import config
from jobs import app as jobs_app
from jobs import context, retry, types
from models import db
from models import print_job as job_model
from services import defer, job_runs

app = jobs_app.app
PROGRESS_INTERVAL = 0.5


@app.task(name=defer.RUN_PRINT_JOB, queue="default", pass_context=True, retry=retry.TRANSIENT)
def run_print_job(jctx: job_context.JobContext, org_id: int, print_job_id: int) -> str:
    """Run one print job (queued on its type's queue by services.print_jobs)."""
    return execute(org_id, print_job_id, jctx)


def execute(org_id: int, print_job_id: int, jctx: job_context.JobContext | None = None,
            settings: config.Settings | None = None) -> str:
    """Mark processing, run the type's function with progress and cancellation, then record the outcome."""
    attempt = (jctx.job.attempts if jctx else 0) + 1
    with context.running(org_id, task_name=defer.RUN_PRINT_JOB, job_id=print_job_id, attempt=attempt,
                         request_id=f"print-job-{print_job_id}", settings=settings,
                         on_progress=_progress_writer(print_job_id), begins_later=True,
                         should_abort=jctx.should_abort if jctx else _cancel_requested(print_job_id)) as ctx:
        return _run(ctx, print_job_id, jctx)


def _run(ctx: context.JobContext, print_job_id: int, jctx: job_context.JobContext | None) -> str:
    session = ctx.session
    job = job_runs.claim(session, print_job_id)
    if job is None:
        return "skipped"
    if job.cancel_requested:
        job_runs.finish(session, job, "cancelled", message="Cancelled before it started")
        ctx.job_type, ctx.outcome = job.job_type, "cancelled"
        return "cancelled"
    job_runs.start(session, job, ctx.attempt)
    ctx.begin(job.job_type, job.params)
    try:
        with retry.policy():
            result = ctx.result = types.module(job.job_type).run(ctx, job)
    except context.JobAborted:
        session.rollback()
        if jctx is not None and jctx.abort_reason() == job_context.AbortReason.SHUTDOWN:
            # Nobody cancelled it: the worker is stopping. Queue it again for another worker.
            job_runs.requeued(session, print_job_id, "The worker stopped; waiting to run again")
            raise retry.WorkerShutdown(f"print job {print_job_id}: worker shutting down") from None
        job_runs.finish(session, job, "cancelled", message="Cancelled while running")
        raise pq_exceptions.JobAborted() from None
    except Exception as exc:
        session.rollback()
        will_retry = jctx is not None and retry.TRANSIENT.get_retry_decision(exception=exc, job=jctx.job) is not None
        job_runs.failed(session, print_job_id, _message(exc), will_retry=will_retry)
        raise
    job_runs.finish(session, job, "completed", result=result)
    return "completed"


def give_up(org_id: int, print_job_id: int, reason: str) -> None:
    """Mark a print job failed for good (its queue job is being failed by the caller)."""
    with context.running(org_id, task_name="give_up", job_id=print_job_id, begins_later=True,
                         request_id=f"print-job-{print_job_id}") as ctx:
        job = job_runs.give_up(ctx.session, print_job_id, reason)
        if job is not None:
            ctx.job_type, ctx.outcome = job.job_type, "failed"


def _message(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    return text.splitlines()[0][:1900]


def _progress_writer(print_job_id: int) -> Callable[[context.JobContext, int, str], None]:
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


def _cancel_requested(print_job_id: int) -> Callable[[], bool]:
    def check() -> bool:
        with Session(db.engine()) as side:
            job = side.get(job_model.PrintJob, print_job_id)
            return bool(job and job.cancel_requested)
    return check
