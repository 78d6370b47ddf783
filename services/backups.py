"""Hybrid storage: a file written locally is mirrored to the NAS, then marked backed up; stale uploads are failed."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

import config
from models import audit, base
from models import file as file_model
from nas import errors as nas_errors
from nas import shared
from services import defer

STALE_UPLOAD = dt.timedelta(hours=1)
BACKUP_GRACE = dt.timedelta(minutes=10)


def schedule(session: Session, org_id: int, file_id: int) -> bool:
    """Queue the file's backup in the caller's transaction; False when one is already waiting in the queue."""
    return defer.once(session, defer.BACKUP_FILE, queue=defer.BACKUP_QUEUE, queueing_lock=f"backup:{file_id}",
                      org_id=org_id, file_id=file_id)


def backup(session: Session, settings: config.Settings, file_id: int) -> str:
    """Mirror one file onto the NAS; idempotent (an already mirrored file is only re-verified)."""
    row = session.get(file_model.File, file_id)
    if row is None or row.status != "ready":
        return "skipped"
    mirror = getattr(shared.storage_for(settings), "backup", None)
    if mirror is None:
        return "not hybrid"
    try:
        result = mirror(row.storage_key)
    except nas_errors.ObjectNotFound:
        row.status, row.error = "failed", "The local copy is missing; it cannot be backed up"
        audit.record(session, "file.backup_failed", entity=row, level="error")
        return "missing"
    if row.sha256 and result.sha256 != row.sha256:
        row.status = "failed"
        row.error = "The local copy no longer matches its checksum"
        audit.record(session, "file.backup_failed", entity=row, level="error",
                     payload={"expected": row.sha256, "found": result.sha256})
        return "checksum mismatch"
    row.status = "backed_up"
    row.backed_up_at = base.utcnow()
    audit.record(session, "file.backed_up", entity=row, changes={"status": ["ready", "backed_up"]})
    return "backed_up"


def sweep(session: Session, settings: config.Settings, org_id: int) -> dict[str, int]:
    """Fail uploads interrupted mid-transfer; queue again the backups that went missing (hybrid storage)."""
    now = base.utcnow()
    stale = session.scalars(select(file_model.File).where(
        file_model.File.status == "uploading", file_model.File.updated_at < now - STALE_UPLOAD)).all()
    for row in stale:
        row.status, row.error = "failed", "The upload was interrupted before it completed"
        audit.record(session, "file.upload_failed", entity=row, level="error")
    requeued = 0
    if settings.storage_backend == "hybrid":
        waiting = session.scalars(select(file_model.File.id).where(
            file_model.File.status == "ready", file_model.File.updated_at < now - BACKUP_GRACE)).all()
        requeued = sum(schedule(session, org_id, file_id) for file_id in waiting)
    return {"failed_uploads": len(stale), "requeued_backups": requeued}
