"""Design analysis: each image file's pixel size, DPI and visible artwork box, made once after upload and kept.

The upload queues `analyse_design` (general worker, queue `designs`) in the transaction that makes the file ready;
the task reads the pixels once and keeps the result on the file (`design_analysis`), with the effective DPI of the
trimmed artwork at every template size (`analysis`). Files of earlier releases, and any the task has not reached
yet, are analysed on first need (`ensure`) and by the periodic file sweep (`sweep`). A record names the content
(sha256) it was made from, so a stale one is never trusted.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import config
from models import base
from models import file as file_model
from models import template as template_model
from nas import errors as nas_errors
from nas import shared
from prepress import analysis, filetypes, imageinfo, preflight, print_file
from services import defer

File = file_model.File
log = logging.getLogger(__name__)
SWEEP_BATCH = 200
NATURAL_SIZE = ("With neither width_in nor size_id the design prints at its natural size: its (trimmed) pixels over "
                "the DPI in its metadata; a file without DPI metadata is a 422 asking for width_in or size_id.")
VERDICTS = ("ok", "below_target", "too_low")


def wanted(row: File) -> bool:
    """True for raster images (the files that have pixels to analyse)."""
    kind = filetypes.by_mime(row.mime_type)
    return kind is not None and kind.is_image


def stored(row: File) -> analysis.DesignAnalysis | None:
    """The row's analysis, when it has one made from its current content."""
    data = row.design_analysis
    if not data or data.get("sha256") != row.sha256 or "error" in data:
        return None
    try:
        return analysis.DesignAnalysis.from_json(data)
    except ValueError:
        return None  # an older record version: analysed again on first need


def crop(found: analysis.DesignAnalysis | None) -> tuple[int, int, int, int] | None:
    """The visible artwork's box (left, top, right, bottom px) when trimming removes something; else None."""
    box = found.trim_box if found is not None else None
    if found is None or box is None or (box.width, box.height) == (found.width_px, found.height_px):
        return None
    return box.left, box.top, box.right, box.bottom


def failure(row: File) -> str | None:
    """Why the row's current content could not be analysed, when it could not."""
    data = row.design_analysis
    return data.get("error") if data and data.get("sha256") == row.sha256 else None


def unknown_size_reason(row: File) -> str:
    """Why a file without an analysis has no known pixel size, in words for a 422."""
    if not wanted(row):
        return f"a {row.mime_type} file has no pixels to measure"
    return failure(row) or "its stored file could not be read"


def record(row: File, path: str, max_pixels: int) -> analysis.DesignAnalysis | None:
    """Analyse the row's content at `path` and keep the result on the row; None (the reason kept) when unreadable."""
    try:
        found = analysis.analyze(path, imageinfo.inspect(path, max_pixels=max_pixels))
    except ValueError as exc:  # BadImage included: a bomb or a damaged file is recorded, not retried forever
        row.design_analysis = {"version": analysis.VERSION, "sha256": row.sha256, "error": str(exc)[:500]}
        return None
    row.design_analysis = {**found.to_json(), "sha256": row.sha256}
    return found


def ensure(settings: config.Settings, rows: Iterable[File],
           local: Mapping[str, str] | None = None) -> dict[int, analysis.DesignAnalysis]:
    """The analyses of these rows by file id, analysing now those without one (from `local` copies by storage key
    when given, else fetched); files that are not images or cannot be read have none."""
    found: dict[int, analysis.DesignAnalysis] = {}
    for row in rows:
        if not wanted(row):
            continue
        result = stored(row)
        if result is None and failure(row) is None:
            if local is not None and row.storage_key in local:
                result = record(row, local[row.storage_key], settings.max_image_pixels)
            else:
                try:
                    with shared.local_copy(settings, row.storage_key) as path:
                        result = record(row, path, settings.max_image_pixels)
                except nas_errors.ObjectNotFound:
                    # Not recorded: the object may come back. Until then the file prints (if at all) untrimmed,
                    # and rendering names it as missing.
                    log.warning("file %s: no stored object at %r to analyse", row.id, row.storage_key)
        if result is not None:
            found[row.id] = result
    return found


def schedule(session: Session, org_id: int, file_id: int) -> bool:
    """Queue the file's analysis in the caller's transaction; False when one is already waiting."""
    return defer.once(session, defer.ANALYSE_DESIGN, queue=defer.DESIGNS_QUEUE, queueing_lock=f"analyse:{file_id}",
                      org_id=org_id, file_id=file_id)


def run(session: Session, settings: config.Settings, file_id: int) -> str:
    """The analyse_design task: analyse one file unless it already is (idempotent; a retry redoes nothing)."""
    row = session.get(File, file_id)
    if row is None or row.status not in file_model.LIVE_STATUSES or row.status == "uploading" or not wanted(row):
        return "skipped"
    if stored(row) is not None or failure(row) is not None:
        return "already analysed"
    with shared.local_copy(settings, row.storage_key) as path:
        found = record(row, path, settings.max_image_pixels)
    if row.analysis is None:
        # A designs job's check (its own templates and floor) is never replaced by this default one.
        templates = session.scalars(select(template_model.Template).order_by(template_model.Template.id)).all()
        row.analysis = checks(row, found, templates, int(preflight.DEFAULT_MIN_DPI))
    return "analysed" if found is not None else "unreadable"


def sweep(session: Session, org_id: int, limit: int = SWEEP_BATCH) -> int:
    """Queue analyses for live image designs that have none (files of earlier releases); returns how many."""
    missing = session.scalars(select(File.id).where(
        File.file_type == "designs", File.status.in_(("ready", "backed_up")), File.design_analysis.is_(None),
        File.mime_type.in_(sorted({k.mime for k in filetypes.ACCEPTED["designs"] if k.is_image}))
    ).order_by(File.id).limit(limit)).all()
    return sum(schedule(session, org_id, file_id) for file_id in missing)


def checks(row: File, found: analysis.DesignAnalysis | None, templates: Iterable[template_model.Template],
           min_dpi: int) -> dict[str, Any]:
    """The design check kept in `analysis`: effective DPI of the printed (trimmed) artwork at each template size,
    each size's verdict and the worst one; "unreadable" or "empty" (nothing visible) when there is nothing to size."""
    checked_at = base.utcnow().isoformat()
    if found is None:
        return {"status": "unreadable", "checked_at": checked_at, "error": failure(row)}
    px_w, px_h = found.trimmed_size_px
    head = {"checked_at": checked_at, "width_px": found.width_px, "height_px": found.height_px,
            "has_alpha": found.has_alpha, "trimmed_width_px": px_w, "trimmed_height_px": px_h}
    if found.trim_box is None:
        return {"status": "empty", **head, "sizes": [], "note": "Every pixel is transparent: nothing would print"}
    sizes, worst = [], "ok"
    for tpl in templates:
        for size in tpl.sizes:
            dpi = print_file.effective_dpi(px_w, px_h, float(size.width_in), float(size.height_in),
                                           bool(tpl.allow_stretch))
            status = "too_low" if dpi < min_dpi else "below_target" if dpi < tpl.dpi else "ok"
            worst = max(worst, status, key=VERDICTS.index)
            sizes.append({"template_id": tpl.id, "template": tpl.name, "size_id": size.id, "size": size.name,
                          "effective_dpi": round(dpi, 1), "target_dpi": tpl.dpi, "status": status})
    return {"status": worst, **head, "sizes": sizes}


def describe(row: File) -> dict[str, Any] | None:
    """What the API shows of a file's analysis: the design check (DPI per size, verdict) and the artwork facts
    (trimmed box and size, natural print size); None for a file that has neither."""
    check = row.analysis or {}
    found = stored(row)
    if not check and found is None and (not wanted(row) or row.file_type != "designs"):
        return None  # not an image, or an output (sheets, print files): nothing was or will be analysed
    artwork = ("trim_box", "trimmed_width_px", "trimmed_height_px", "trimmed_width_in", "trimmed_height_in",
               "alpha_threshold")
    data = found.to_json() if found is not None else {}
    return {"status": check.get("status"), "checked_at": check.get("checked_at"), "sizes": check.get("sizes", []),
            "analysed": found is not None, "error": failure(row), **{k: data.get(k) for k in artwork},
            "natural_size_in": _natural(found) if found is not None else None}


def _natural(found: analysis.DesignAnalysis) -> dict[str, float] | None:
    try:
        width, height = analysis.natural_size(found)
    except analysis.SizeUnknown:
        return None
    return {"width_in": round(width, 4), "height_in": round(height, 4)}
