"""Print jobs: created with their queue job in one transaction, searched, cancelled, retried; stats and the queue."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from models import audit, base, errors, tenancy
from models import file as file_model
from models import print_job as job_model
from services import defer, features, job_metrics, job_types, queue, rows

PrintJob = job_model.PrintJob


def search(filters: dict[str, Any]) -> Select:
    """Jobs matching the filters, newest first."""
    stmt = select(PrintJob).order_by(PrintJob.created_at.desc(), PrintJob.id.desc())
    for name in ("status", "job_type", "created_by", "printer_id"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(PrintJob, name) == filters[name])
    if filters.get("since") is not None:
        stmt = stmt.where(PrintJob.created_at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(PrintJob.created_at < filters["until"])
    return stmt


def get(session: Session, job_id: int, *, lock: bool = False) -> PrintJob:
    """The job, or NotFound; `lock` takes FOR NO KEY UPDATE (a running job holds KEY SHARE: its outputs refer to it)."""
    return rows.get(session, PrintJob, job_id, "Print job", with_for_update={"key_share": True} if lock else None)


def detail(session: Session, job_id: int) -> dict[str, Any]:
    """The job's columns and its output files."""
    job = get(session, job_id)
    outputs = session.scalars(select(file_model.File).where(file_model.File.print_job_id == job.id)
                              .order_by(file_model.File.id)).all()
    return {**{c.key: getattr(job, c.key) for c in PrintJob.__table__.columns}, "outputs": outputs}


def create(session: Session, *, job_type: str, params: dict[str, Any], created_by: int | None) -> PrintJob:
    """Validate the typed parameters, add the row and defer its execution on the type's queue."""
    features.require_for_job(session, job_type)
    normalized = job_types.validate(session, job_type, params)
    job = PrintJob(job_type=job_type, params=normalized, created_by=created_by, status="queued",
                   printer_id=normalized.get("printer_id"), template_id=normalized.get("template_id"))
    session.add(job)
    session.flush()
    _enqueue(session, job)
    audit.record(session, "print_job.created", entity=job, changes={"job_type": [None, job_type]})
    return job


def cancel(session: Session, job: PrintJob) -> PrintJob:
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
        # No worker will see this job, so its cancellation is counted here (a running one is counted by its run).
        job_type = job.job_type
        job_metrics.on_commit(session, lambda: job_metrics.finished(job_type, "cancelled"))
    else:
        audit.record(session, "print_job.cancel_requested", entity=job)
    return job


def retry(session: Session, job: PrintJob) -> PrintJob:
    """Queue a failed or cancelled job again (its outputs from earlier attempts are replaced, not duplicated)."""
    if job.status not in ("failed", "cancelled"):
        raise errors.Conflict(f"Only failed or cancelled jobs can be retried; this one is {job.status}")
    features.require_for_job(session, job.job_type)
    previous = job.status
    job.status, job.cancel_requested, job.error = "queued", False, None
    job.progress, job.progress_message = 0, "Queued again"
    job.queued_at, job.started_at, job.finished_at = base.utcnow(), None, None
    _enqueue(session, job)
    audit.record(session, "print_job.retried", entity=job, changes={"status": [previous, "queued"]})
    return job


def requeue(session: Session, job: PrintJob) -> None:
    """Give an unfinished job whose queue job was lost a fresh one."""
    job.status, job.progress_message = "queued", "Queued again after the queue lost it"
    _enqueue(session, job)


def _enqueue(session: Session, job: PrintJob) -> None:
    # A type may ask that two of its jobs never run at once (one sync per shop). Others take no lock: a print job
    # is only queued again once its previous queue job has finished, and procrastinate's fetch slows down with
    # every distinct lock waiting in the queue.
    job.queue_job_id = defer.in_transaction(session, defer.RUN_PRINT_JOB, queue=job_model.QUEUES[job.job_type],
                                            lock=job_types.queue_lock(job.job_type, job.params), org_id=job.org_id,
                                            print_job_id=job.id)


def stats(session: Session) -> dict[str, Any]:
    """Counts and run durations by type and status, and the failure rate of finished jobs."""
    duration = func.extract("epoch", PrintJob.finished_at - PrintJob.started_at)
    grouped = session.execute(select(PrintJob.job_type, PrintJob.status, func.count(), func.avg(duration),
                                     func.max(duration)).group_by(PrintJob.job_type, PrintJob.status)).all()
    by_type: dict[str, Any] = {}
    totals = {status: 0 for status in job_model.STATUSES}
    for job_type, status, count, avg, longest in grouped:
        entry = by_type.setdefault(job_type, {"total": 0, "by_status": {}, "avg_seconds": {}, "max_seconds": {}})
        entry["total"] += count
        entry["by_status"][status] = count
        if avg is not None:
            entry["avg_seconds"][status] = round(float(avg), 3)
            entry["max_seconds"][status] = round(float(longest), 3)
        totals[status] += count
    finished = totals["completed"] + totals["failed"]
    return {"total": sum(totals.values()), "by_status": totals, "by_type": by_type,
            "failure_rate": round(totals["failed"] / finished, 4) if finished else 0.0}


def queue_info(session: Session, stalled_seconds: int) -> dict[str, Any]:
    """This organization's waiting and running jobs per queue, its oldest wait, and the live workers (other
    organizations' numbers are theirs)."""
    # Waiting means due now, and the oldest waits since it became due (services.queue, as /health and /metrics).
    due = f"FILTER (WHERE {queue.DUE})"
    mine = {row.queue_name: {"waiting": row.waiting, "running": row.running,
                             "oldest_waiting_seconds": max(0.0, float(row.oldest or 0))}
            for row in session.execute(text(f"""
                SELECT j.queue_name, count(*) {due} AS waiting, count(*) FILTER (WHERE j.status = 'doing') AS running,
                       extract(epoch FROM now() - {queue.OLDEST} {due}) AS oldest
                FROM procrastinate_jobs j JOIN print_jobs p ON p.queue_job_id = j.id {queue.SINCE}
                WHERE p.org_id = :org AND j.status IN ('todo', 'doing') GROUP BY 1"""),
                {"org": tenancy.current_org()})}
    workers = session.execute(text(
        "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => :s)"),
        {"s": stalled_seconds}).scalar()
    queues = sorted(set(job_model.QUEUES.values()) | set(mine))
    return {"queues": {q: mine.get(q, {"waiting": 0, "running": 0, "oldest_waiting_seconds": 0.0}) for q in queues},
            "workers_alive": workers,
            "running_now": sum(v["running"] for v in mine.values())}
