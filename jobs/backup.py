"""Hybrid storage: copy a file written locally to the NAS, then mark it backed up (retried until the NAS is back)."""
from __future__ import annotations

import datetime as dt

from procrastinate import exceptions
from sqlalchemy import select

from jobs import app as jobs_app
from jobs import context, defer, maintenance, retry
from models import audit, base
from models import file as file_model
from nas import errors as nas_errors
from nas import shared

app = jobs_app.app
# A NAS outage can last hours (maintenance, power): keep trying with capped backoff for about a day.
UNTIL_NAS_RETURNS = retry.CappedBackoff(max_attempts=100, base=10, cap=900)
STALE_UPLOAD = dt.timedelta(hours=1)
BACKUP_GRACE = dt.timedelta(minutes=10)


@app.task(name="backup_file", queue="sync", retry=UNTIL_NAS_RETURNS)
def backup_file(org_id: int, file_id: int) -> str:
    """Mirror one file onto the NAS; idempotent (an already mirrored file is only re-verified)."""
    with context.running(org_id, task_name="backup_file") as ctx:
        return run(ctx, file_id)


def run(ctx: context.JobContext, file_id: int) -> str:
    """The backup itself on an open job context."""
    row = ctx.session.get(file_model.File, file_id)
    if row is None or row.status != "ready":
        return "skipped"
    storage = shared.storage_for(ctx.settings)
    backup = getattr(storage, "backup", None)
    if backup is None:
        return "not hybrid"
    try:
        result = backup(row.storage_key)
    except nas_errors.ObjectNotFound:
        row.status, row.error = "failed", "The local copy is missing; it cannot be backed up"
        audit.record(ctx.session, "file.backup_failed", entity=row, level="error")
        return "missing"
    if row.sha256 and result.sha256 != row.sha256:
        row.status = "failed"
        row.error = "The local copy no longer matches its checksum"
        audit.record(ctx.session, "file.backup_failed", entity=row, level="error",
                     payload={"expected": row.sha256, "found": result.sha256})
        return "checksum mismatch"
    row.status = "backed_up"
    row.backed_up_at = base.utcnow()
    audit.record(ctx.session, "file.backed_up", entity=row, changes={"status": ["ready", "backed_up"]})
    return "backed_up"


@app.task(name="fan_out_file_sweeps", queue="scheduler")
def fan_out_file_sweeps(timestamp: int | None = None) -> int:
    """Defer one file sweep per organization."""
    return maintenance.fan_out(sweep_org_files, "sweep_files")


@app.task(name="sweep_org_files", queue="default")
def sweep_org_files(org_id: int) -> dict[str, int]:
    """Fail uploads interrupted mid-transfer; re-queue backups that are missing (hybrid storage)."""
    with context.running(org_id, task_name="sweep_org_files") as ctx:
        return sweep(ctx)


def sweep(ctx: context.JobContext) -> dict[str, int]:
    """The sweep on an open job context."""
    now = base.utcnow()
    stale = ctx.session.scalars(select(file_model.File).where(
        file_model.File.status == "uploading", file_model.File.updated_at < now - STALE_UPLOAD)).all()
    for row in stale:
        row.status, row.error = "failed", "The upload was interrupted before it completed"
        audit.record(ctx.session, "file.upload_failed", entity=row, level="error")
    requeued = 0
    if ctx.settings.storage_backend == "hybrid":
        waiting = ctx.session.scalars(select(file_model.File.id).where(
            file_model.File.status == "ready", file_model.File.updated_at < now - BACKUP_GRACE)).all()
        for file_id in waiting:
            try:
                with ctx.session.begin_nested():
                    defer.in_transaction(ctx.session, backup_file, queueing_lock=f"backup:{file_id}",
                                         org_id=ctx.org_id, file_id=file_id)
                requeued += 1
            except exceptions.AlreadyEnqueued:
                pass  # its backup is already waiting in the queue
    return {"failed_uploads": len(stale), "requeued_backups": requeued}
