"""Importing the existing NAS library: files already under `{folder}/{file_type}/` registered where they are.

An imports job lists the folders and registers every new file at once (its row points at the object as it is named:
nothing moves or is copied), then checks each registered file in the background: content type, size, sha256,
image facts and thumbnail. Each file's facts are committed as they are found, so a job interrupted by the NAS
going away resumes with the files still unchecked when it is retried.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from models import audit, base, errors
from models import file as file_model
from models import order as order_model
from models import organization as org_model
from models import print_job as job_model
from nas import errors as nas_errors
from nas import paths, shared
from prepress import filetypes, imageinfo, thumbnails
from services import matching, print_jobs, rows, uploads, work

TAG = "nas-import"
BATCH = 500
FILE_TYPES = sorted(paths.FILE_TYPES)


class ParamsSchema(Schema):
    """Parameters of an imports job: which of the organization's NAS folders to register."""

    file_types = fields.List(fields.String(validate=validate.OneOf(FILE_TYPES)), load_default=lambda: ["designs"],
                             validate=validate.Length(min=1, max=len(FILE_TYPES)))


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """One import of an organization at a time."""
    busy = session.scalar(select(job_model.PrintJob.id).where(
        job_model.PrintJob.job_type == "imports", job_model.PrintJob.status.in_(("queued", "processing"))).limit(1))
    if busy is not None:
        raise errors.Conflict(f"An import is already queued or running (print job {busy})")
    return {"file_types": sorted(set(params["file_types"]))}


def start(session: Session, file_types: list[str], created_by: int | None) -> job_model.PrintJob:
    """Queue an imports job."""
    return print_jobs.create(session, job_type="imports", params={"file_types": file_types}, created_by=created_by)


def start_if_due(session: Session, org_id: int) -> job_model.PrintJob | None:
    """The periodic option: an import when the organization asked for one every N hours and the last is older."""
    org = rows.get(session, org_model.Organization, org_id, "Organization")
    hours = int((org.settings or {}).get("nas_import_every_hours") or 0)
    if hours <= 0:
        return None
    last = session.scalar(select(job_model.PrintJob.created_at).where(job_model.PrintJob.job_type == "imports")
                          .order_by(job_model.PrintJob.created_at.desc()).limit(1))
    if last is not None and last > base.utcnow() - dt.timedelta(hours=hours):
        return None
    try:
        with session.begin_nested():
            return start(session, list((org.settings or {}).get("nas_import_file_types") or ["designs"]), None)
    except errors.Conflict:
        return None


def run(ctx: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """Register what is new in the folders, then check every registered file not yet checked."""
    org = rows.get(ctx.session, org_model.Organization, ctx.org_id, "Organization")
    stats = {"found": 0, "registered": 0, "unsupported": 0, "checked": 0, "failed": 0}
    for file_type in job.params["file_types"]:
        ctx.progress(1, f"Listing {org.folder}/{file_type}")
        _register(ctx, org.folder, file_type, stats)
    pending = list(ctx.session.scalars(select(file_model.File.id).where(
        file_model.File.tags.contains([TAG]), file_model.File.sha256.is_(None),
        file_model.File.status.in_(file_model.LIVE_STATUSES)).order_by(file_model.File.id)))
    for n, file_id in enumerate(pending):
        ctx.progress(10 + int(85 * n / len(pending)), f"Checking file {n + 1} of {len(pending)}")
        row = ctx.session.get(file_model.File, file_id)
        if row is not None:
            stats["checked" if _check(ctx, row) else "failed"] += 1
            ctx.session.commit()
    waiting = ctx.session.scalars(select(order_model.OrderItem).where(
        order_model.OrderItem.match_status == "unmatched")).all()
    stats["matched"] = matching.match_items(ctx.session, waiting)
    audit.record(ctx.session, "library.imported", entity_type="organizations", entity_id=ctx.org_id, payload=stats)
    ctx.progress(100, f"Registered {stats['registered']} new files, checked {stats['checked']}")
    return stats


def _register(ctx: work.Run, folder: str, file_type: str, stats: dict[str, int]) -> None:
    """A row for every object of the folder that has none (ON CONFLICT: a retry registers nothing twice)."""
    batch: list[dict[str, Any]] = []
    for info in shared.storage_for(ctx.settings).list(f"{folder}/{file_type}/"):
        stats["found"] += 1
        kind = _kind_by_name(file_type, info.key)
        if kind is None:
            stats["unsupported"] += 1
            continue
        name = posixpath.basename(info.key)
        batch.append({"org_id": ctx.org_id, "file_type": file_type, "status": "ready", "storage_key": info.key,
                      "filename": name, "original_filename": name, "mime_type": kind.mime,
                      "size_bytes": info.size, "tags": [TAG]})
        if len(batch) >= BATCH:
            stats["registered"] += _insert(ctx.session, batch)
            batch = []
    stats["registered"] += _insert(ctx.session, batch)


def _insert(session: Session, batch: list[dict[str, Any]]) -> int:
    if not batch:
        return 0
    added = session.execute(insert(file_model.File).values(batch).on_conflict_do_nothing(
        index_elements=["storage_key"]).returning(file_model.File.id)).scalars().all()
    for file_id in added:
        audit.record(session, "file.imported", entity_type="files", entity_id=file_id)
    session.commit()
    return len(added)


def _kind_by_name(file_type: str, key: str) -> filetypes.Kind | None:
    ext = "." + key.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(key) else ""
    ext = filetypes.EXTENSION_ALIASES.get(ext, ext)
    return next((k for k in filetypes.ACCEPTED[file_type] if k.extension == ext), None)


def _check(ctx: work.Run, row: file_model.File) -> bool:
    """Content type, size, sha256, image facts and thumbnail of one file; False when it cannot be used."""
    try:
        with shared.local_copy(ctx.settings, row.storage_key) as path:
            with open(path, "rb") as fh:
                head = fh.read(512)
            kind = filetypes.accept(row.file_type, head)
            size, sha = _digest(path)
            facts = imageinfo.inspect(path, max_pixels=ctx.settings.max_image_pixels) if kind.is_image else None
            row.has_thumbnail = bool(facts) and thumbnails.make(ctx.settings.cache_dir, sha, path)
    except nas_errors.ObjectNotFound:
        row.status, row.error = "failed", "The file disappeared from the NAS before it was checked"
        return False
    except (filetypes.UnsupportedType, imageinfo.BadImage) as exc:
        row.status, row.error = "failed", str(exc)[:1000]
        return False
    row.mime_type, row.size_bytes, row.sha256 = kind.mime, size, sha
    for key, value in uploads.image_columns(facts).items():
        setattr(row, key, value)
    return True


def _digest(path: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest()
