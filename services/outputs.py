"""Storing a job's output files: fixed names per job, so a re-run replaces its outputs instead of adding more."""
from __future__ import annotations

import contextlib
import hashlib
import logging
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
from prepress import imageinfo, imagelimits, thumbnails
from services import backups, rows, work

CHUNK = 1024 * 1024
log = logging.getLogger(__name__)


def store(ctx: work.Run, job: job_model.PrintJob, local_path: str, *, file_type: str, filename: str,
          mime_type: str = "image/png", tags: list[str] | None = None) -> file_model.File:
    """Put `local_path` at this job's fixed key for `filename` (replacing a previous attempt's), upsert its row, commit.

    Everything that can refuse the file (reading it back, its thumbnail) happens before the object is written, and
    the row is committed right after: a failure in between removes a newly written object, so storage never holds
    an object without its row.
    """
    org = rows.get(ctx.session, org_model.Organization, ctx.org_id, "Organization")
    key = paths.folder_key(org.folder, file_type, paths.sanitize_filename(filename))
    size, sha = _digest(local_path)
    facts = None
    if mime_type.startswith("image/"):
        # An output is bounded by the printer's and sheet's caps, not by the upload pixel limit.
        facts = imageinfo.inspect(local_path, max_pixels=imagelimits.PNG_MAX_SIDE_PX ** 2)
    has_thumbnail = bool(facts) and thumbnails.make(ctx.settings.cache_dir, sha, local_path)
    existing = ctx.session.scalar(select(file_model.File).where(file_model.File.storage_key == key))
    # Only this job's own earlier output may be replaced; anything else at that name is kept.
    conflict: Literal["replace", "rename"] = (
        "replace" if existing is None or existing.print_job_id == job.id else "rename")
    storage = shared.storage_for(ctx.settings)
    with open(local_path, "rb") as stream:
        stored = storage.put(key, stream, on_conflict=conflict, expected_sha256=sha)
    try:
        row = existing if conflict == "replace" else None
        if row is None:
            row = file_model.File(org_id=ctx.org_id, storage_key=stored.key, file_type=file_type,
                                  print_job_id=job.id, created_by=job.created_by, mime_type=mime_type,
                                  filename=posixpath.basename(stored.key), original_filename=None)
            ctx.session.add(row)
        row.status = "ready"
        row.size_bytes, row.sha256, row.mime_type, row.print_job_id = size, sha, mime_type, job.id
        row.tags = sorted(set(tags or []) | {f"job-{job.id}"})
        row.has_thumbnail = has_thumbnail
        if facts is not None:
            row.width_px, row.height_px, row.dpi_x, row.dpi_y = facts.width, facts.height, facts.dpi_x, facts.dpi_y
            row.dpi, row.color_mode, row.has_alpha = facts.dpi, facts.mode, facts.has_alpha
        ctx.session.flush()
        if ctx.settings.storage_backend == "hybrid":
            # An earlier attempt's backup of this output may still be waiting: then that one will do.
            backups.schedule(ctx.session, ctx.org_id, row.id)
        ctx.session.commit()
    except BaseException:
        ctx.session.rollback()
        if existing is None or conflict == "rename":
            # Nothing refers to the object just written; a replaced one stays under its row, which the failed
            # job's clean-up (all_or_nothing) removes with it.
            with contextlib.suppress(Exception):
                storage.delete(stored.key, missing_ok=True)
        raise
    return row


@contextlib.contextmanager
def all_or_nothing(ctx: work.Run, job: job_model.PrintJob) -> Iterator[None]:
    """Run a job's rendering; when it fails (or is cancelled), remove every output it has stored, rows and objects.

    A job's outputs are a set (every sheet of a layout, every print file of an order): a failed attempt must not
    leave part of one behind. A later attempt renders them all again anyway.
    """
    try:
        yield
    except BaseException:
        ctx.session.rollback()
        try:
            drop_stale(ctx, job, set())
        except Exception:
            # The original failure is the one to report; what is left is swept by the next attempt's drop_stale.
            log.exception("could not remove the outputs of failed job %s", job.id)
            ctx.session.rollback()
        raise


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
