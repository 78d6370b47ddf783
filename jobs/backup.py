"""Hybrid storage tasks: back one file up to the NAS (retried until the NAS is back), sweep files per organization."""
from __future__ import annotations

from jobs import app as jobs_app
from jobs import context, maintenance, retry
from services import backups, defer, design_analysis

app = jobs_app.app
# A NAS outage can last hours (maintenance, power): keep trying with capped backoff for about a day.
UNTIL_NAS_RETURNS = retry.CappedBackoff(max_attempts=100, base=10, cap=900)


@app.task(name=defer.BACKUP_FILE, queue=defer.BACKUP_QUEUE, retry=UNTIL_NAS_RETURNS)
def backup_file(org_id: int, file_id: int) -> str:
    """Mirror one file onto the NAS; idempotent (an already mirrored file is only re-verified)."""
    with context.running(org_id, task_name="backup_file") as ctx:
        return backups.backup(ctx.session, ctx.settings, file_id)


@app.task(name="fan_out_file_sweeps", queue="scheduler")
def fan_out_file_sweeps(timestamp: int | None = None) -> int:
    """Defer one file sweep per organization."""
    return maintenance.fan_out(sweep_org_files, "sweep_files")


@app.task(name="sweep_org_files", queue="default")
def sweep_org_files(org_id: int) -> dict[str, int]:
    """Fail uploads interrupted mid-transfer; re-queue missing backups (hybrid storage) and design analyses."""
    with context.running(org_id, task_name="sweep_org_files") as ctx:
        return {**backups.sweep(ctx.session, ctx.settings, org_id),
                "queued_analyses": design_analysis.sweep(ctx.session, org_id)}
