"""Maintenance tasks: requeue jobs of dead workers, prune finished jobs and old events (fanned out per org), sweep
upload temp files."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from procrastinate import jobs as procrastinate_jobs
from procrastinate import tasks as procrastinate_tasks

import config
from jobs import app as jobs_app
from jobs import context, retry, runner
from models import db
from services import defer, event_counts, events, organizations, sales_totals, throttle, uploads

app = jobs_app.app
log = logging.getLogger(__name__)


@app.task(name="requeue_stalled_jobs", queue="scheduler")
async def requeue_stalled_jobs(timestamp: int | None = None) -> int:
    """Put jobs back in the queue whose worker stopped sending heartbeats (killed or lost)."""
    settings = config.get_settings()
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.stalled_worker_seconds))
    requeued = 0
    for job in stalled:
        if job.attempts + 1 >= retry.TRANSIENT.max_attempts:
            # A job that keeps killing its worker (out of memory on a huge sheet, say) must not loop forever.
            log.error("job %s (%s) lost its worker %s times; failing it", job.id, job.task_name, job.attempts + 1)
            await app.job_manager.finish_job(job, status=procrastinate_jobs.Status.FAILED, delete_job=False)
            if job.task_name == "run_print_job":
                await asyncio.to_thread(runner.give_up, job.task_kwargs["org_id"], job.task_kwargs["print_job_id"],
                                        "Its worker died on every attempt (out of memory or killed)")
            continue
        log.warning("requeueing job %s (%s): its worker stopped heartbeating", job.id, job.task_name)
        await app.job_manager.retry_job(job)
        requeued += 1
    return requeued


@app.task(name="prune_finished_jobs", queue="scheduler")
async def prune_finished_jobs(timestamp: int | None = None) -> None:
    """Delete finished queue rows older than the job retention setting."""
    settings = config.get_settings()
    await app.job_manager.delete_old_jobs(nb_hours=settings.job_retention_days * 24, include_failed=True,
                                          include_cancelled=True, include_aborted=True)


@app.task(name="sweep_upload_temp", queue="scheduler")
def sweep_upload_temp(timestamp: int | None = None) -> int:
    """Delete upload temp files of web workers killed mid-upload (on a host the web shares; the web also sweeps its
    own host when a worker starts)."""
    session = db.get_session()
    try:
        throttle.prune(session)  # the sign-in counters of past minutes, while at it
        session.commit()
    finally:
        db.session.remove()
    return uploads.sweep_temp(config.get_settings().upload_temp_max_age_seconds)


@app.task(name="fan_out_prune_events", queue="scheduler")
def fan_out_prune_events(timestamp: int | None = None) -> int:
    """Defer one small prune job per organization."""
    return fan_out(prune_org_events, "prune_events")


def fan_out(task: procrastinate_tasks.Task[Any, Any, Any], lock_prefix: str) -> int:
    """Defer `task(org_id=...)` once per active organization (a queued one is not queued twice)."""
    session = db.get_session()
    try:
        deferred = 0
        for org_id in organizations.active_ids(session):
            # A queued one is the previous run's job for this org, not run yet.
            deferred += defer.once(session, task, queueing_lock=f"{lock_prefix}:{org_id}", org_id=org_id)
        session.commit()
        return deferred
    finally:
        db.session.remove()


@app.task(name="fold_event_counts", queue="scheduler")
def fold_event_counts(timestamp: int | None = None) -> None:
    """Fold the event count deltas the triggers on `events` append (services.event_counts)."""
    _fold(event_counts.fold)


@app.task(name="fold_sales_totals", queue="scheduler")
def fold_sales_totals(timestamp: int | None = None) -> None:
    """Fold the sales and listing total deltas the triggers on `orders` and `order_items` append
    (services.sales_totals)."""
    _fold(sales_totals.fold)


def _fold(fold: Any) -> None:
    session = db.get_session()
    try:
        fold(session)
        session.commit()
    finally:
        db.session.remove()


@app.task(name="prune_org_events", queue="default")
def prune_org_events(org_id: int) -> int:
    """Delete one organization's events older than its retention (org setting, else the global one)."""
    with context.running(org_id, task_name="prune_org_events") as ctx:
        return events.prune(ctx.session, ctx.settings, org_id)
