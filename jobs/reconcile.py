"""Keeping print_jobs rows and the queue in step: a row never stays queued or processing for a job the queue lost."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from jobs import app as jobs_app
from jobs import context, control, maintenance
from models import audit, base
from models import print_job as job_model

app = jobs_app.app
# Rows touched more recently than this may simply be between two steps of a live transaction.
GRACE = dt.timedelta(minutes=2)


@app.task(name="fan_out_reconcile_jobs", queue="scheduler")
def fan_out_reconcile_jobs(timestamp: int | None = None) -> int:
    """Defer one reconciliation per organization."""
    return maintenance.fan_out(reconcile_org_jobs, "reconcile_jobs")


@app.task(name="reconcile_org_jobs", queue="default")
def reconcile_org_jobs(org_id: int) -> dict[str, int]:
    """Repair one organization's unfinished jobs whose queue job ended or vanished."""
    with context.running(org_id, task_name="reconcile_org_jobs") as ctx:
        return run(ctx)


def run(ctx: context.JobContext) -> dict[str, int]:
    """Compare each unfinished row with its queue job and fix the row (or queue it again)."""
    stale = ctx.session.scalars(select(job_model.PrintJob).where(
        job_model.PrintJob.status.in_(("queued", "processing")),
        job_model.PrintJob.updated_at < base.utcnow() - GRACE).with_for_update(key_share=True, skip_locked=True)).all()
    counts = {"requeued": 0, "failed": 0, "cancelled": 0}
    for job in stale:
        queue_status = ctx.session.execute(text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"),
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
            control.requeue(ctx.session, job)
            counts["requeued"] += 1
        audit.record(ctx.session, "print_job.reconciled", entity=job, level="warning",
                     payload={"queue_status": queue_status, "now": job.status})
    return counts
