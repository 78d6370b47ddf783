"""File operations that touch both the database and the storage, ordered so a failure never leaves half of one."""
from __future__ import annotations

import contextlib
import posixpath
import uuid
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

import config
from models import audit, errors
from models import file as file_model
from models import organization as org_model
from models import shop as shop_model
from nas import errors as nas_errors
from nas import paths, shared
from prepress import filetypes, thumbnails
from services import backups
from web import uploads
from web.schemas import files as file_schemas


def upload(session: Session, settings: config.Settings, org: org_model.Organization, user_id: int,
           part: FileStorage, form: dict[str, Any]) -> tuple[file_model.File, bool]:
    """Store an upload and its row; returns (file, duplicate) where a duplicate is the existing file."""
    file_type = form["file_type"]
    received = uploads.receive(part, file_type, settings)
    if form.get("shop_id") is not None and session.get(shop_model.Shop, form["shop_id"]) is None:
        raise errors.Invalid("Unknown shop", errors={"shop_id": ["No such shop in this organization"]})
    if not form.get("allow_duplicate"):
        existing = file_model.find_duplicate(session, received.sha256)
        if existing is not None:
            return existing, True
    filename = filetypes.fix_extension(_clean_name(received.original_filename), received.kind)
    key = paths.build_key(org.shop_name, file_type, filename)
    storage = shared.storage_for(settings)
    # Phase 1: the row exists (status uploading) before any byte reaches storage, so a crash mid-transfer
    # leaves a visible, sweepable record rather than an untracked object.
    row = file_model.File(org_id=org.id, file_type=file_type, status="uploading", filename=filename,
                          storage_key=f"pending/{uuid.uuid4().hex}", original_filename=received.original_filename,
                          shop_id=form.get("shop_id"),
                          mime_type=received.kind.mime, size_bytes=received.size, sha256=received.sha256,
                          tags=uploads_tags(form), created_by=user_id, **uploads.image_columns(received.facts))
    session.add(row)
    session.commit()
    try:
        with open(received.path, "rb") as stream:
            stored = storage.put(key, stream, on_conflict="rename", max_bytes=settings.max_upload_bytes,
                                 expected_sha256=received.sha256)
    except BaseException:
        session.rollback()
        session.delete(row)
        session.commit()
        raise
    try:
        row.storage_key = stored.key
        row.filename = posixpath.basename(stored.key)
        row.status = "ready"
        if received.kind.is_image:
            row.has_thumbnail = thumbnails.make(settings.cache_dir, received.sha256, received.path)
        audit.record(session, "file.uploaded", entity=row, changes={"filename": [None, row.filename],
                                                                    "file_type": [None, file_type],
                                                                    "size_bytes": [None, row.size_bytes]})
        if settings.storage_backend == "hybrid":
            backups.schedule(session, org.id, row.id)
        session.commit()
    except BaseException:
        session.rollback()
        with contextlib.suppress(nas_errors.StorageError, OSError):
            storage.delete(stored.key, missing_ok=True)
        raise
    return row, False


def uploads_tags(form: dict[str, Any]) -> list[str]:
    """Tags of an upload form."""
    return file_schemas.FileUploadFormSchema.tag_list(form.get("tags") or "")


def update(session: Session, settings: config.Settings, org: org_model.Organization, row: file_model.File,
           data: dict[str, Any]) -> file_model.File:
    """Rename, retag, archive or move to another type; the stored object moves with the row."""
    new_type = data.get("file_type", row.file_type)
    new_name = row.filename
    if "filename" in data:
        kind = filetypes.by_mime(row.mime_type)
        new_name = _clean_name(data["filename"])
        new_name = filetypes.fix_extension(new_name, kind) if kind else new_name
    if new_type != row.file_type and not any(k.mime == row.mime_type for k in filetypes.ACCEPTED[new_type]):
        raise errors.Invalid(f"{row.mime_type} files cannot be {new_type}", errors={"file_type": ["Not accepted"]})
    if "tags" in data:
        row.tags = sorted(set(data["tags"]))
    if "status" in data:
        row.status = _status_change(row, data["status"])
    old_key = row.storage_key
    target = paths.build_key(org.shop_name, new_type, new_name)
    storage = shared.storage_for(settings)
    new_key = storage.move(old_key, target, on_conflict="rename") if target != old_key else old_key
    if new_key != old_key:
        row.storage_key, row.filename, row.file_type = new_key, posixpath.basename(new_key), new_type
    changes = audit.changes_of(row)
    if changes:
        audit.record(session, "file.updated", entity=row, changes=changes)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        if new_key != old_key:
            # The row still names the old key: put the object back there.
            with contextlib.suppress(nas_errors.StorageError, OSError):
                storage.move(new_key, old_key, on_conflict="error")
        raise
    return row


def _status_change(row: file_model.File, status: str) -> str:
    if status == "archived":
        if row.status not in file_model.LIVE_STATUSES:
            raise errors.Conflict(f"A {row.status} file cannot be archived")
        return "archived"
    if row.status != "archived":
        raise errors.Conflict("Only an archived file can be restored")
    return "backed_up" if row.backed_up_at else "ready"


def delete(session: Session, settings: config.Settings, row: file_model.File) -> None:
    """Remove the row and the object together: the row goes first (uncommitted), then the object, then commit."""
    audit.record(session, "file.deleted", entity=row, changes={"filename": [row.filename, None]})
    key = row.storage_key
    session.delete(row)
    session.flush()
    if not key.startswith("pending/"):
        shared.storage_for(settings).delete(key, missing_ok=True)
    session.commit()


def open_object(settings: config.Settings, row: file_model.File) -> tuple[Any, int]:
    """An open, seekable reader of the stored object and its size."""
    storage = shared.storage_for(settings)
    size = storage.stat(row.storage_key).size
    return storage.open(row.storage_key), size


def thumbnail(settings: config.Settings, row: file_model.File) -> bytes | None:
    """The cached thumbnail, re-rendered from storage when the cache lost it."""
    if not row.has_thumbnail or not row.sha256:
        return None
    cached = thumbnails.path_for(settings.cache_dir, row.sha256)
    if cached.exists():
        return cached.read_bytes()
    with shared.local_copy(settings, row.storage_key) as path:
        return thumbnails.get(settings.cache_dir, row.sha256, lambda: path)


def _clean_name(name: str) -> str:
    parts = name.replace("\\", "/").split("/")
    if len(parts) > 1 or ".." in parts:
        raise errors.Invalid("Filenames cannot contain path separators or '..'",
                             errors={"filename": ["Path components are not allowed"]})
    try:
        return paths.sanitize_filename(name)
    except nas_errors.InvalidName as exc:
        raise errors.Invalid(f"Invalid filename: {exc}", errors={"filename": [str(exc)]}) from None
