"""Uploads: a received file is hashed, typed and inspected on disk, then stored with its row (or found a duplicate)."""
from __future__ import annotations

import contextlib
import dataclasses
import glob
import hashlib
import logging
import os
import posixpath
import tempfile
import time
import uuid
from typing import Any

from sqlalchemy.orm import Session

import config
from models import audit, errors
from models import file as file_model
from models import organization as org_model
from models import shop as shop_model
from nas import errors as nas_errors
from nas import paths, shared
from prepress import filetypes, imageinfo, thumbnails
from services import backups, design_analysis, files, rows

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024
# Upload parts are spooled to `<temp dir>/esa-upload-*.part` (web/uploads.py); the sweep knows them by this name.
TEMP_PREFIX, TEMP_SUFFIX = "esa-upload-", ".part"


@dataclasses.dataclass
class Received:
    """An uploaded file checked and described, still in its temp file."""

    path: str
    size: int
    sha256: str
    kind: filetypes.Kind
    facts: imageinfo.ImageFacts | None
    original_filename: str


def sweep_temp(max_age_seconds: int, folder: str | None = None, now: float | None = None) -> int:
    """Delete upload temp files older than `max_age_seconds` (left by a web worker killed mid-upload)."""
    folder = folder or tempfile.gettempdir()
    cutoff = (time.time() if now is None else now) - max_age_seconds
    removed = 0
    for path in glob.glob(os.path.join(glob.escape(folder), f"{TEMP_PREFIX}*{TEMP_SUFFIX}")):
        with contextlib.suppress(FileNotFoundError):  # a live request finished with it meanwhile
            if os.lstat(path).st_mtime < cutoff:
                os.unlink(path)
                removed += 1
    if removed:
        log.info("removed %d upload temp files older than %d s", removed, max_age_seconds)
    return removed


def receive(path: str, original_filename: str | None, file_type: str, settings: config.Settings) -> Received:
    """Hash, type and inspect the file at `path`; Invalid for empty, unsupported, corrupt or bomb files."""
    size, digest, head = 0, hashlib.sha256(), b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if not head:
                head = chunk[:512]
            size += len(chunk)
            digest.update(chunk)
    if size == 0:
        raise errors.Invalid("The file is empty", errors={"file": ["Empty file"]})
    if size > settings.max_upload_bytes:
        raise errors.Invalid(f"The file is larger than {settings.max_upload_bytes // 2**20} MB",
                             errors={"file": ["Too large"]})
    try:
        kind = filetypes.accept(file_type, head)
    except filetypes.UnsupportedType as exc:
        raise errors.Invalid(str(exc), errors={"file": [str(exc)]}) from None
    facts = None
    if kind.is_image:
        try:
            facts = imageinfo.inspect(path, max_pixels=settings.max_image_pixels)
        except imageinfo.BadImage as exc:
            raise errors.Invalid(str(exc), errors={"file": [str(exc)]}) from None
    return Received(path, size, digest.hexdigest(), kind, facts, (original_filename or "upload")[:500])


def image_columns(facts: imageinfo.ImageFacts | None) -> dict[str, Any]:
    """File row columns from image facts."""
    if facts is None:
        return {}
    return {"width_px": facts.width, "height_px": facts.height, "dpi_x": facts.dpi_x, "dpi_y": facts.dpi_y,
            "dpi": facts.dpi, "color_mode": facts.mode, "has_alpha": facts.has_alpha}


def upload(session: Session, settings: config.Settings, *, org_id: int, user_id: int, path: str,
           original_filename: str | None, form: dict[str, Any]) -> tuple[file_model.File, bool]:
    """Store an upload and its row (committed); returns (file, duplicate) where a duplicate is the existing file."""
    file_type = form["file_type"]
    received = receive(path, original_filename, file_type, settings)
    if form.get("shop_id") is not None and session.get(shop_model.Shop, form["shop_id"]) is None:
        raise errors.Invalid("Unknown shop", errors={"shop_id": ["No such shop in this organization"]})
    if not form.get("allow_duplicate"):
        existing = files.find_duplicate(session, received.sha256)
        if existing is not None:
            return existing, True
    org = rows.get(session, org_model.Organization, org_id, "Organization")
    filename = filetypes.fix_extension(files.clean_name(received.original_filename), received.kind)
    key = paths.folder_key(org.folder, file_type, filename)
    storage = shared.storage_for(settings)
    # Phase 1: the row exists (status uploading) before any byte reaches storage, so a crash mid-transfer
    # leaves a visible, sweepable record rather than an untracked object.
    row = file_model.File(org_id=org_id, file_type=file_type, status="uploading", filename=filename,
                          storage_key=f"pending/{uuid.uuid4().hex}", original_filename=received.original_filename,
                          shop_id=form.get("shop_id"), mime_type=received.kind.mime, size_bytes=received.size,
                          sha256=received.sha256, tags=form.get("tags") or [], created_by=user_id,
                          **image_columns(received.facts))
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
            backups.schedule(session, org_id, row.id)
        if received.kind.is_image and file_type == "designs":
            # Read the pixels (trim box, DPI per size) in the background: the upload answers at once.
            design_analysis.schedule(session, org_id, row.id)
        session.commit()
    except BaseException:
        session.rollback()
        with contextlib.suppress(nas_errors.StorageError, OSError):
            storage.delete(stored.key, missing_ok=True)
        raise
    return row, False
