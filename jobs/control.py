"""Creating, cancelling and retrying print jobs: the row and its queue job change together, in one transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from jobs import types
from models import audit, base, errors, tenancy
from models import print_job as job_model
from services import defer


def create(session: Session, *, job_type: str, params: dict[str, Any], created_by: int | None) -> job_model.PrintJob:
    """Validate the typed parameters, add the row and defer its execution on the type's queue."""
    normalized = types.validate(session, job_type, params)
    job = job_model.PrintJob(job_type=job_type, params=normalized, created_by=created_by, status="queued",
                             printer_id=normalized.get("printer_id"), template_id=normalized.get("template_id"))
    session.add(job)
    session.flush()
    _enqueue(session, job)
    audit.record(session, "print_job.created", entity=job, changes={"job_type": [None, job_type]})
    return job


def cancel(session: Session, job: job_model.PrintJob) -> job_model.PrintJob:
    """Queued: removed from the queue at once. Running: the worker is asked to stop at its next checkpoint."""
    if job.status in job_model.FINISHED:
        raise errors.Conflict(f"A {job.status} job cannot be cancelled")
    job.cancel_requested = True
    queue_status = None
    if job.queue_job_id is not None:
        session.execute(text("SELECT procrastinate_cancel_job_v1(:id, true, false)"), {"id": job.queue_job_id})
        queue_status = session.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"),
                                       {"id": job.queue_job_id}).scalar()
    if queue_status != "doing":
        job.status, job.finished_at, job.progress_message = "cancelled", base.utcnow(), "Cancelled"
        audit.record(session, "print_job.cancelled", entity=job, changes={"status": ["queued", "cancelled"]})
    else:
        audit.record(session, "print_job.cancel_requested", entity=job)
    return job


def retry(session: Session, job: job_model.PrintJob) -> job_model.PrintJob:
    """Queue a failed or cancelled job again (its outputs from earlier attempts are replaced, not duplicated)."""
    if job.status not in ("failed", "cancelled"):
        raise errors.Conflict(f"Only failed or cancelled jobs can be retried; this one is {job.status}")
    previous = job.status
    job.status, job.cancel_requested, job.error = "queued", False, None
    job.progress, job.progress_message = 0, "Queued again"
    job.queued_at, job.started_at, job.finished_at = base.utcnow(), None, None
    _enqueue(session, job)
    audit.record(session, "print_job.retried", entity=job, changes={"status": [previous, "queued"]})
    return job


def requeue(session: Session, job: job_model.PrintJob) -> None:
    """Give an unfinished job whose queue job was lost a fresh one."""
    job.status, job.progress_message = "queued", "Queued again after the queue lost it"
    _enqueue(session, job)


def _enqueue(session: Session, job: job_model.PrintJob) -> None:
    # A type may ask that two of its jobs never run at once (one sync per shop). Others take no lock: a print job
    # is only queued again once its previous queue job has finished, and procrastinate's fetch slows down with
    # every distinct lock waiting in the queue.
    lock = getattr(types.module(job.job_type), "queue_lock", lambda params: None)(job.params)
    job.queue_job_id = defer.in_transaction(session, defer.RUN_PRINT_JOB, queue=job_model.QUEUES[job.job_type],
                                            lock=lock, org_id=job.org_id, print_job_id=job.id)


def queue_info(session: Session, stalled_seconds: int) -> dict[str, Any]:
    """Waiting jobs per queue (this org's and everyone's), the oldest wait, live workers and what runs now."""
    mine = {row.queue_name: {"waiting": row.waiting, "running": row.running,
                             "oldest_waiting_seconds": float(row.oldest or 0)}
            for row in session.execute(text("""
                SELECT q.queue_name, count(*) FILTER (WHERE q.status = 'todo') AS waiting,
                       count(*) FILTER (WHERE q.status = 'doing') AS running,
                       extract(epoch FROM now() - min(q.scheduled_at) FILTER (WHERE q.status = 'todo')) AS oldest
                FROM procrastinate_jobs q JOIN print_jobs p ON p.queue_job_id = q.id
                WHERE p.org_id = :org AND q.status IN ('todo', 'doing') GROUP BY 1"""),
                {"org": tenancy.current_org()})}
    total = dict(session.execute(text(
        "SELECT queue_name, count(*) FROM procrastinate_jobs WHERE status = 'todo' GROUP BY 1")).all())
    workers = session.execute(text(
        "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => :s)"),
        {"s": stalled_seconds}).scalar()
    queues = sorted(set(job_model.QUEUES.values()) | set(mine) | set(total))
    return {"queues": {q: {**mine.get(q, {"waiting": 0, "running": 0, "oldest_waiting_seconds": 0.0}),
                           "waiting_all_orgs": total.get(q, 0)} for q in queues},
            "workers_alive": workers,
            "running_now": sum(v["running"] for v in mine.values())}

