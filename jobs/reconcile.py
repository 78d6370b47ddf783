"""Keeping print_jobs rows and the queue in step: a row never stays queued or processing for a job the queue lost."""
from __future__ import annotations

from jobs import app as jobs_app
from jobs import context, maintenance
from services import job_runs

app = jobs_app.app


@app.task(name="fan_out_reconcile_jobs", queue="scheduler")
def fan_out_reconcile_jobs(timestamp: int | None = None) -> int:
    """Defer one reconciliation per organization."""
    return maintenance.fan_out(reconcile_org_jobs, "reconcile_jobs")


@app.task(name="reconcile_org_jobs", queue="default")
def reconcile_org_jobs(org_id: int) -> dict[str, int]:
    """Repair one organization's unfinished jobs whose queue job ended or vanished."""
    with context.running(org_id, task_name="reconcile_org_jobs") as ctx:
        return job_runs.reconcile(ctx.session)
