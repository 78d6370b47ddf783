"""A print job's runs: its row follows each attempt (started, completed, failed, retrying, cancelled, requeued)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from models import audit, base
from models import print_job as job_model
from services import print_jobs, rip

PrintJob = job_model.PrintJob
# Rows touched more recently than this may simply be between two steps of a live transaction.
RECONCILE_GRACE = dt.timedelta(minutes=2)


def claim(session: Session, print_job_id: int) -> PrintJob | None:
    """The job locked for this run, or None when it is gone or already finished (nothing to do)."""
    # KEY SHARE is held while it runs: its output files refer to it, and cancel/retry take NO KEY UPDATE.
    job = session.get(PrintJob, print_job_id, with_for_update={"key_share": True})
    return None if job is None or job.status in job_model.FINISHED else job


def start(session: Session, job: PrintJob, attempt: int) -> None:
    """Mark the attempt started (committed, so the API shows it at once)."""
    job.status, job.started_at, job.attempts = "processing", base.utcnow(), attempt
    job.progress, job.progress_message, job.error = 0, "Started", None
    audit.record(session, "print_job.started", entity=job, payload={"attempt": attempt})
    session.commit()


def finish(session: Session, job: PrintJob, status: str, *, message: str | None = None,
           result: dict[str, Any] | None = None) -> None:
    """Record the outcome: completed (with its result) or cancelled (committed)."""
    job.status, job.finished_at = status, base.utcnow()
    if status == "completed":
        job.progress, job.progress_message, job.result = 100, message or "Completed", result
        session.flush()
        # In the same transaction: a completed job whose printer sends automatically is queued for it at once.
        rip.on_job_completed(session, job)
    else:
        job.progress_message = message
    audit.record(session, f"print_job.{status}", entity=job, changes={"status": ["processing", status]})
    session.commit()


def failed(session: Session, print_job_id: int, message: str, *, will_retry: bool) -> None:
    """Record a failed attempt: waiting to retry, failed for good, or cancelled if the user asked (committed)."""
    job = session.get(PrintJob, print_job_id)
    if job is None:
        return
    if job.cancel_requested:
        # The user's cancel wins over a retry: the queue fails an aborting job rather than retrying it.
        finish(session, job, "cancelled", message=f"Cancelled (it was failing: {message})")
        return
    if will_retry:
        job.status, job.error = "queued", f"Retrying after: {message}"
        job.progress_message = "Waiting to retry"
        audit.record(session, "print_job.retrying", entity=job, level="warning", payload={"error": message})
    else:
        job.status, job.error, job.finished_at = "failed", message, base.utcnow()
        audit.record(session, "print_job.failed", entity=job, level="error", payload={"error": message})
    session.commit()


def requeued(session: Session, print_job_id: int, message: str) -> None:
    """The worker stopped mid-run: the job waits to run again elsewhere (committed)."""
    job = session.get(PrintJob, print_job_id)
    if job is None:
        return
    job.status, job.progress_message = "queued", message
    audit.record(session, "print_job.requeued", entity=job, level="warning", payload={"reason": message})
    session.commit()


def give_up(session: Session, print_job_id: int, reason: str) -> PrintJob | None:
    """Mark a print job failed for good (its queue job is being failed by the caller); the job if it was unfinished."""
    job = session.get(PrintJob, print_job_id)
    if job is None or job.status in job_model.FINISHED:
        return None
    job.status, job.error, job.finished_at = "failed", reason, base.utcnow()
    audit.record(session, "print_job.failed", entity=job, level="error", payload={"error": reason})
    return job


def reconcile(session: Session) -> dict[str, int]:
    """Compare each unfinished row with its queue job and fix the row (or queue it again)."""
    stale = session.scalars(select(PrintJob).where(
        PrintJob.status.in_(("queued", "processing")),
        PrintJob.updated_at < base.utcnow() - RECONCILE_GRACE).with_for_update(key_share=True, skip_locked=True)).all()
    counts = {"requeued": 0, "failed": 0, "cancelled": 0}
    for job in stale:
        queue_status = session.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"),
                                       {"id": job.queue_job_id}).scalar()
        if queue_status in ("todo", "doing"):
            continue
        if queue_status in ("cancelled", "aborted"):
            job.status, job.finished_at, job.progress_message = "cancelled", base.utcnow(), "Cancelled"
            counts["cancelled"] += 1
        elif queue_status == "failed":
            job.status, job.finished_at = "failed", base.utcnow()
            job.error = job.error or "The worker gave up on this job without recording why"
            counts["failed"] += 1
        else:
            # Vanished from the queue, or ended without updating its row: run it again (outputs are replaced).
            print_jobs.requeue(session, job)
            counts["requeued"] += 1
        audit.record(session, "print_job.reconciled", entity=job, level="warning",
                     payload={"queue_status": queue_status, "now": job.status})
    return counts
