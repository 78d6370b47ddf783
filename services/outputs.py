"""Storing a job's output files: fixed names per job, so a re-run replaces its outputs instead of adding more."""
from __future__ import annotations

import contextlib
import hashlib
import os
import posixpath
import tempfile
from collections.abc import Iterator
from typing import Literal

from sqlalchemy import select

from models import file as file_model
from models import organization as org_model
from models import print_job as job_model
from nas import paths, shared
from prepress import imageinfo, thumbnails
from services import backups, rows, work

CHUNK = 1024 * 1024


def store(ctx: work.Run, job: job_model.PrintJob, local_path: str, *, file_type: str, filename: str,
          mime_type: str = "image/png", tags: list[str] | None = None) -> file_model.File:
    """Put `local_path` at this job's fixed key for `filename` (replacing a previous attempt's) and upsert its row."""
    org = rows.get(ctx.session, org_model.Organization, ctx.org_id, "Organization")
    key = paths.build_key(org.shop_name, file_type, paths.sanitize_filename(filename))
    size, sha = _digest(local_path)
    existing = ctx.session.scalar(select(file_model.File).where(file_model.File.storage_key == key))
    # Only this job's own earlier output may be replaced; anything else at that name is kept.
    conflict: Literal["replace", "rename"] = (
        "replace" if existing is None or existing.print_job_id == job.id else "rename")
    with open(local_path, "rb") as stream:
        stored = shared.storage_for(ctx.settings).put(key, stream, on_conflict=conflict, expected_sha256=sha)
    row = existing if conflict == "replace" else None
    if row is None:
        row = file_model.File(org_id=ctx.org_id, storage_key=stored.key, file_type=file_type, print_job_id=job.id,
                              created_by=job.created_by, mime_type=mime_type,
                              filename=posixpath.basename(stored.key), original_filename=None)
        ctx.session.add(row)
    row.status = "ready"
    row.size_bytes, row.sha256, row.mime_type, row.print_job_id = size, sha, mime_type, job.id
    row.tags = sorted(set(tags or []) | {f"job-{job.id}"})
    if mime_type.startswith("image/"):
        facts = imageinfo.inspect(local_path, max_pixels=10**10)
        row.width_px, row.height_px, row.dpi_x, row.dpi_y = facts.width, facts.height, facts.dpi_x, facts.dpi_y
        row.dpi, row.color_mode, row.has_alpha = facts.dpi, facts.mode, facts.has_alpha
        row.has_thumbnail = thumbnails.make(ctx.settings.cache_dir, sha, local_path)
    ctx.session.flush()
    if ctx.settings.storage_backend == "hybrid":
        # An earlier attempt's backup of this output may still be waiting: then that one will do.
        backups.schedule(ctx.session, ctx.org_id, row.id)
    return row


def drop_stale(ctx: work.Run, job: job_model.PrintJob, keep_ids: set[int]) -> int:
    """Delete outputs an earlier attempt of this job made that this attempt did not (objects and rows)."""
    stale = ctx.session.scalars(select(file_model.File).where(file_model.File.print_job_id == job.id,
                                                              file_model.File.id.not_in(keep_ids or {0}))).all()
    keys = [row.storage_key for row in stale]
    for row in stale:
        ctx.session.delete(row)
    # Rows first, committed; then the objects. A crash in between leaves an unreferenced object, never a row
    # whose object is gone.
    ctx.session.commit()
    storage = shared.storage_for(ctx.settings)
    for key in keys:
        storage.delete(key, missing_ok=True)
    return len(stale)


def output_name(job: job_model.PrintJob, stem: str, suffix: str, extension: str = ".png") -> str:
    """`{stem}_{suffix}_job{id}.png`: stable across attempts of one job, unique across jobs."""
    clean = paths.sanitize_filename(stem).rsplit(".", 1)[0][:120]
    return f"{clean}_{suffix}_job{job.id}{extension}"


def _digest(path: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest()


@contextlib.contextmanager
def temp_path(suffix: str = ".png") -> Iterator[str]:
    """A temp file path for one rendered output, removed afterwards."""
    fd, path = tempfile.mkstemp(prefix="esa-out-", suffix=suffix)
    os.close(fd)
    try:
        yield path
    finally:
        if os.path.exists(path):
            os.unlink(path)
