"""Stored files: search, one file, rename/retag/archive/move, delete, read, thumbnail and storage stats."""
from __future__ import annotations

import contextlib
import posixpath
from typing import Any, BinaryIO

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

import config
from models import audit, db, errors
from models import file as file_model
from models import organization as org_model
from nas import errors as nas_errors
from nas import paths, shared
from prepress import filetypes, thumbnails
from services import rows

File = file_model.File
# A change touching both the row and the stored object is ordered so that a failure never leaves half of one.


def search(filters: dict[str, Any]) -> Select:
    """Files matching the filters, newest first; archived and failed files only when asked by status."""
    stmt = select(File).order_by(File.created_at.desc(), File.id.desc())
    if filters.get("status"):
        stmt = stmt.where(File.status == filters["status"])
    else:
        stmt = stmt.where(File.status.in_(file_model.LIVE_STATUSES))
    for name in ("file_type", "shop_id", "mime_type"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(File, name) == filters[name])
    if filters.get("q"):
        # The matches are found first (the trigram indexes), then sorted: walking the newest-first index until 50
        # match is what the planner picks when its sample overestimates a name, and took 80-170 ms for a rare one.
        found = (select(File.id, File.created_at)
                 .where(File.filename.icontains(filters["q"], autoescape=True)
                        | File.original_filename.icontains(filters["q"], autoescape=True)).offset(0).subquery())
        stmt = stmt.join(found, found.c.id == File.id).order_by(None).order_by(found.c.created_at.desc(),
                                                                              found.c.id.desc())
    if filters.get("tags"):
        stmt = stmt.where(File.tags.contains(filters["tags"]))
    if filters.get("since") is not None:
        stmt = stmt.where(File.created_at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(File.created_at < filters["until"])
    if filters.get("min_dpi") is not None:
        stmt = stmt.where(File.dpi >= filters["min_dpi"])
    if filters.get("max_dpi") is not None:
        stmt = stmt.where(File.dpi <= filters["max_dpi"])
    # Planned with its values every time: the best plan depends on the organization, the type and the search.
    return db.with_values(stmt)


def get(session: Session, file_id: int) -> File:
    """The file, or NotFound."""
    return rows.get(session, File, file_id, "File")


def find_duplicate(session: Session, sha256: str) -> File | None:
    """A live file of the current organization with this content."""
    return session.scalar(select(File).where(File.sha256 == sha256, File.status.in_(file_model.LIVE_STATUSES))
                          .order_by(File.id).limit(1))


def update(session: Session, settings: config.Settings, file_id: int, data: dict[str, Any]) -> File:
    """Rename, retag, archive or move to another type; the stored object moves with the row (committed)."""
    row = get(session, file_id)
    org = rows.get(session, org_model.Organization, row.org_id, "Organization")
    new_type = data.get("file_type", row.file_type)
    new_name = row.filename
    if "filename" in data:
        kind = filetypes.by_mime(row.mime_type)
        new_name = clean_name(data["filename"])
        new_name = filetypes.fix_extension(new_name, kind) if kind else new_name
    if new_type != row.file_type and not any(k.mime == row.mime_type for k in filetypes.ACCEPTED[new_type]):
        raise errors.Invalid(f"{row.mime_type} files cannot be {new_type}", errors={"file_type": ["Not accepted"]})
    if "tags" in data:
        row.tags = sorted(set(data["tags"]))
    if "status" in data:
        row.status = _status_change(row, data["status"])
    old_key = row.storage_key
    target = paths.folder_key(org.folder, new_type, new_name)
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


def _status_change(row: File, status: str) -> str:
    if status == "archived":
        if row.status not in file_model.LIVE_STATUSES:
            raise errors.Conflict(f"A {row.status} file cannot be archived")
        return "archived"
    if row.status != "archived":
        raise errors.Conflict("Only an archived file can be restored")
    return "backed_up" if row.backed_up_at else "ready"


def delete(session: Session, settings: config.Settings, file_id: int) -> None:
    """Remove the row and the object together: the row goes first (uncommitted), then the object, then commit."""
    row = get(session, file_id)
    audit.record(session, "file.deleted", entity=row, changes={"filename": [row.filename, None]})
    key = row.storage_key
    session.delete(row)
    session.flush()
    if not key.startswith("pending/"):
        shared.storage_for(settings).delete(key, missing_ok=True)
    session.commit()


def open_object(settings: config.Settings, row: File) -> tuple[BinaryIO, int]:
    """An open, seekable reader of the stored object and its size."""
    storage = shared.storage_for(settings)
    size = storage.stat(row.storage_key).size
    return storage.open(row.storage_key), size


def thumbnail(session: Session, settings: config.Settings, file_id: int,
              size: int = thumbnails.SIZE) -> tuple[File, bytes]:
    """The file and its cached thumbnail at `size` px (160-1024), rendered from storage when the cache lacks it;
    NotFound without one, Invalid for a size out of range."""
    try:
        thumbnails.check_size(size)
    except thumbnails.BadSize as exc:
        raise errors.Invalid(str(exc), errors={"size": [str(exc)]}) from None
    row = get(session, file_id)
    if not row.has_thumbnail or not row.sha256:
        raise errors.NotFound("This file has no thumbnail")
    cached = thumbnails.path_for(settings.cache_dir, row.sha256, size)
    if cached.exists():
        return row, cached.read_bytes()
    with shared.local_copy(settings, row.storage_key) as path:
        data = thumbnails.get(settings.cache_dir, row.sha256, lambda: path, size)
    if data is None:
        raise errors.NotFound("This file has no thumbnail")
    return row, data


def storage_stats(session: Session, settings: config.Settings) -> dict[str, Any]:
    """Bytes and counts of live files per type and per shop, totals, and the storage's free space when it tells."""
    # One read of the live files, grouped both ways (by type, by shop); grouping() tells the two kinds of row apart.
    rows = session.execute(
        select(func.grouping(File.file_type).label("by_shop"), File.file_type, File.shop_id, func.count().label("n"),
               func.coalesce(func.sum(File.size_bytes), 0).label("b"))
        .where(File.status.in_(file_model.LIVE_STATUSES))
        .group_by(func.grouping_sets(tuple_(File.file_type), tuple_(File.shop_id)))).all()
    by_type = {row.file_type: {"count": row.n, "bytes": int(row.b)} for row in rows if not row.by_shop}
    by_shop = {("none" if row.shop_id is None else str(row.shop_id)): {"count": row.n, "bytes": int(row.b)}
               for row in rows if row.by_shop}
    return {"by_type": by_type, "by_shop": by_shop,
            "total": {"count": sum(v["count"] for v in by_type.values()),
                      "bytes": sum(v["bytes"] for v in by_type.values())},
            "backend": settings.storage_backend, "free_bytes": shared.storage_for(settings).free_space()}


def clean_name(name: str) -> str:
    """A safe filename from a user's, or Invalid naming why it cannot be one."""
    parts = name.replace("\\", "/").split("/")
    if len(parts) > 1 or ".." in parts:
        raise errors.Invalid("Filenames cannot contain path separators or '..'",
                             errors={"filename": ["Path components are not allowed"]})
    try:
        return paths.sanitize_filename(name)
    except nas_errors.InvalidName as exc:
        raise errors.Invalid(f"Invalid filename: {exc}", errors={"filename": [str(exc)]}) from None
