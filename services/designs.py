"""designs: check uploaded designs (readable, whole, trimmed artwork), effective DPI at each size, low resolution."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit, base
from models import file as file_model
from models import print_job as job_model
from models import template as template_model
from nas import shared
from prepress import thumbnails
from services import design_analysis, inputs, work


class ParamsSchema(Schema):
    """Parameters of a designs job."""

    file_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                           validate=validate.Length(min=1, max=1000))
    template_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), validate=validate.Length(max=100),
                               metadata={"description": "Templates whose sizes to check; default: all templates"})
    min_dpi = fields.Integer(load_default=150, validate=validate.Range(min=30, max=2400),
                             metadata={"description": "Below this effective DPI a design is flagged too low"})


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Check the files and templates exist in the organization."""
    inputs.design_files(session, params["file_ids"], "params.file_ids")
    for n, template_id in enumerate(params.get("template_ids") or []):
        inputs.template(session, template_id, f"params.template_ids.{n}")
    return params


def analyse(ctx: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """Analyse each design (pixels read once, kept on the file) and check it at every size; idempotent.

    The result counts the verdicts and lists every design by name with its trimmed artwork, natural size and
    effective DPI at each size.
    """
    params = job.params
    files = inputs.design_files(ctx.session, params["file_ids"], "file_ids")
    stmt = select(template_model.Template).order_by(template_model.Template.id)
    if params.get("template_ids"):
        stmt = stmt.where(template_model.Template.id.in_(params["template_ids"]))
    templates = list(ctx.session.scalars(stmt))
    summary = {"checked": 0, "too_low": 0, "below_target": 0, "unreadable": 0, "not_raster": 0, "empty": 0}
    listed = []
    for n, row in enumerate(files.values()):
        ctx.progress(int(100 * n / len(files)), f"Checking {row.filename}")
        check = _check(ctx, row, templates, params["min_dpi"])
        row.analysis = check
        summary[check["status"]] = summary.get(check["status"], 0) + 1
        summary["checked"] += 1
        listed.append(_listing(row, check))
        if check["status"] in ("too_low", "unreadable", "empty"):
            audit.record(ctx.session, f"design.{check['status']}", entity=row, level="warning",
                         payload={"sizes": [s for s in check.get("sizes", []) if s["status"] == "too_low"]})
        ctx.session.commit()
    ctx.progress(100, f"Checked {summary['checked']} designs")
    return {**summary, "designs": listed}


def _check(ctx: work.Run, row: file_model.File, templates: list[template_model.Template],
           min_dpi: int) -> dict[str, Any]:
    if not design_analysis.wanted(row):
        return {"status": "not_raster", "checked_at": base.utcnow().isoformat(),
                "note": "Vector or layered file: resolution is not checked"}
    with shared.local_copy(ctx.settings, row.storage_key) as path:
        # A check re-reads the pixels: the file's analysis is made again, not trusted from before.
        found = design_analysis.record(row, path, ctx.settings.max_image_pixels)
        if found is not None and not row.has_thumbnail and row.sha256:
            row.has_thumbnail = thumbnails.make(ctx.settings.cache_dir, row.sha256, path)
    return design_analysis.checks(row, found, templates, min_dpi)


def _listing(row: file_model.File, check: dict[str, Any]) -> dict[str, Any]:
    """One design of the result: named, with its verdict, artwork and effective DPI per size."""
    view = design_analysis.describe(row) or {}
    return {"file_id": row.id, "file_name": row.filename, "status": check["status"],
            "width_px": check.get("width_px"), "height_px": check.get("height_px"),
            "trimmed_width_px": check.get("trimmed_width_px"), "trimmed_height_px": check.get("trimmed_height_px"),
            "natural_size_in": view.get("natural_size_in"), "error": check.get("error"),
            "sizes": [{k: s[k] for k in ("template", "size", "effective_dpi", "target_dpi", "status")}
                      for s in check.get("sizes", [])]}
