"""designs: check uploaded designs (readable, whole), record effective DPI at each size, flag low resolution."""
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
from prepress import imageinfo, print_file, thumbnails
from services import inputs, work


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
    """Inspect each design and store its analysis on the file (idempotent: a re-run overwrites it)."""
    params = job.params
    files = inputs.design_files(ctx.session, params["file_ids"], "file_ids")
    stmt = select(template_model.Template).order_by(template_model.Template.id)
    if params.get("template_ids"):
        stmt = stmt.where(template_model.Template.id.in_(params["template_ids"]))
    templates = list(ctx.session.scalars(stmt))
    summary = {"checked": 0, "too_low": 0, "below_target": 0, "unreadable": 0, "not_raster": 0}
    for n, row in enumerate(files.values()):
        ctx.progress(int(100 * n / len(files)), f"Checking {row.filename}")
        analysis = _analyse(ctx, row, templates, params["min_dpi"])
        row.analysis = analysis
        summary[analysis["status"]] = summary.get(analysis["status"], 0) + 1
        summary["checked"] += 1
        if analysis["status"] in ("too_low", "unreadable"):
            audit.record(ctx.session, f"design.{analysis['status']}", entity=row, level="warning",
                         payload={"sizes": [s for s in analysis.get("sizes", []) if s["status"] == "too_low"]})
        ctx.session.commit()
    ctx.progress(100, f"Checked {summary['checked']} designs")
    return summary


def _analyse(ctx: work.Run, row: file_model.File, templates: list[template_model.Template],
             min_dpi: int) -> dict[str, Any]:
    checked_at = base.utcnow().isoformat()
    if not row.mime_type.startswith("image/") or row.mime_type == "image/svg+xml":
        return {"status": "not_raster", "checked_at": checked_at,
                "note": "Vector or layered file: resolution is not checked"}
    with shared.local_copy(ctx.settings, row.storage_key) as path:
        try:
            facts = imageinfo.inspect(path, max_pixels=ctx.settings.max_image_pixels)
        except imageinfo.BadImage as exc:
            return {"status": "unreadable", "checked_at": checked_at, "error": str(exc)}
        if not row.has_thumbnail and row.sha256:
            row.has_thumbnail = thumbnails.make(ctx.settings.cache_dir, row.sha256, path)
    sizes, worst = [], "ok"
    for tpl in templates:
        for size in tpl.sizes:
            dpi = print_file.effective_dpi(facts.width, facts.height, float(size.width_in), float(size.height_in),
                                           bool(tpl.allow_stretch))
            status = "too_low" if dpi < min_dpi else "below_target" if dpi < tpl.dpi else "ok"
            worst = max(worst, status, key=("ok", "below_target", "too_low").index)
            sizes.append({"template_id": tpl.id, "template": tpl.name, "size_id": size.id, "size": size.name,
                          "effective_dpi": round(dpi, 1), "target_dpi": tpl.dpi, "status": status})
    return {"status": worst, "checked_at": checked_at, "width_px": facts.width, "height_px": facts.height,
            "has_alpha": facts.has_alpha, "sizes": sizes}
