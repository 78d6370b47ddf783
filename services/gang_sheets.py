"""gang_sheets: a synchronous layout preview (data or picture), and the job that imposes, preflights and renders
every sheet with a preview image beside it."""
from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

import config
from models import errors, tenancy
from models import organization as org_model
from models import print_job as job_model
from nas import shared
from prepress import imposition, preflight, raster
from services import gang_plan, gang_previews, layout_limits, outputs, packing, personalized, rows, work

ParamsSchema = gang_plan.ParamsSchema


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Check the request can be imposed (files, sizes, roll, every item fits) before it is queued, and settle the
    imposition quality: thorough when the film is long (gang_plan.THOROUGH_FROM_IN), unless the request says."""
    plan = gang_plan.build(session, config.get_settings(), params)
    # A quick constructive pass: an item that can never fit the roll is named now, not when the job runs.
    quick = dataclasses.replace(plan, time_budget=0.05).impose()
    settled = {**params, "template_id": params.get("template_id"),
               "printer_id": plan.printer.id if plan.printer else None}
    if "quality" not in params and "time_budget" not in params:
        settled["quality"] = "thorough" if quick.length >= gang_plan.THOROUGH_FROM_IN else "fast"
    return settled


def preview(session: Session, settings: config.Settings, org_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """Sheets, length, utilization, preflight findings (from the recorded image facts) and film cost; nothing stored."""
    plan, layout, findings = _layout(session, settings, params)
    findings += personalized.findings(session, params)
    return gang_plan.summary(rows.get(session, org_model.Organization, org_id, "Organization"), plan, layout, findings)


def picture(session: Session, settings: config.Settings, params: dict[str, Any], fmt: str,
            sheet: int = 1) -> tuple[bytes, str, int]:
    """Sheet `sheet` of the layout preview drawn as `fmt` ("png" or "svg"): its bytes, MIME type and the sheet count."""
    plan, layout, _ = _layout(session, settings, params)
    data = imposition.layout_to_dict(layout)
    art = gang_previews.design_art(settings, plan.designs)
    image = gang_previews.picture(plan.designs, data, plan.sheet_width, sheet, fmt, art)
    return image, gang_previews.MIME_TYPES[fmt], len(layout.sheets)


def _layout(session: Session, settings: config.Settings,
            params: dict[str, Any]) -> tuple[gang_plan.Plan, imposition.Layout, list[preflight.Finding]]:
    # The preview answers at once: fast unless the request asks otherwise; the job may search longer. It runs on a
    # web thread, so its search is short and only a few run at once per organization.
    layout_limits.check_budget(settings, params)
    layout_limits.take_slot(session, tenancy.current_org(), settings.layout_concurrency)
    plan = gang_plan.build(session, settings, params)
    layout = plan.impose()
    findings = preflight.check_layout(imposition.layout_to_dict(layout), plan.sheet_width,
                                      gang_plan.recorded_facts(plan), dpi=plan.dpi, min_dpi=plan.min_dpi,
                                      **plan.limits())
    return plan, layout, findings


def render(run: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """Impose (deterministic), check the real pixels, render each sheet and its preview; a re-run replaces the same
    outputs, and a failed run leaves none (not even an earlier, interrupted attempt's)."""
    with outputs.all_or_nothing(run, job):
        return _render(run, job)


def _render(run: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    params, personal = personalized.prepare(run, job)
    plan = gang_plan.build(run.session, run.settings, params)
    quality = plan.quality or "fast"
    run.progress(2, f"Imposing {sum(i.quantity for i in plan.items)} pieces ({quality})")
    layout = plan.impose()
    data = imposition.layout_to_dict(layout)
    sheets = data["sheets"]
    found = packing.pieces(run.session, job, params, data, plan.designs)
    run.progress(5, f"Fetching {len({d.file.id for d in plan.designs.values()})} designs")
    keys = [d.file.storage_key for d in plan.designs.values()]
    with shared.local_copies(run.settings, keys) as local, tempfile.TemporaryDirectory(prefix="esa-gang-") as tmp:
        findings = _preflight(run, plan, data, local)
        art = gang_previews.design_art(run.settings, plan.designs, local)
        sources = {label: d.source(local[d.file.storage_key]) for label, d in plan.designs.items()}
        rendered = [_sheet(run, job, plan, data, n, sources, art, tmp, found.labels(n))
                    for n in range(1, len(sheets) + 1)]
    kept = {i for r in rendered for i in (r["file_id"], r["preview_file_id"])}
    outputs.drop_stale(run, job, kept | personal | packing.store(run, job, found))
    org = rows.get(run.session, org_model.Organization, run.org_id, "Organization")
    summary = gang_plan.summary(org, plan, layout, findings)
    job.output_length_in = summary["total_length_in"]
    run.progress(100, f"Rendered {len(sheets)} sheet(s), {summary['total_length_in']:g} in of film")
    # The layout stays in the result: where each piece went is what the operator cuts and checks by.
    return {**summary, "quality": quality, "sheets": rendered,
            "orders": found.film_by_order(summary["total_length_in"])}


def _sheet(run: work.Run, job: job_model.PrintJob, plan: gang_plan.Plan, data: dict[str, Any], n: int,
           sources: raster.Designs, art: Mapping[str, bytes | None], tmp: str,
           label_texts: list[str]) -> dict[str, Any]:
    """Render sheet `n` and its preview, store both (each at its fixed name for this job); what the result lists."""
    sheet, count = data["sheets"][n - 1], len(data["sheets"])
    run.progress(20 + int(78 * (n - 1) / count),
                 f"Rendering sheet {n} of {count} ({sheet['length']:g} in, {len(sheet['placements'])} pieces)")
    stem = f"part{n}-of{count}_{plan.sheet_width:g}x{sheet['length']:g}in_{plan.dpi}dpi"
    out = os.path.join(tmp, f"sheet-{n}.png")
    result = raster.render_sheet(sheet, plan.sheet_width, sources, plan.dpi, out,
                                 max_input_pixels=run.settings.max_image_pixels,
                                 cut_guides=job.params.get("cut_guides", False), labels=job.params.get("labels", False),
                                 label_texts=label_texts)
    row = outputs.store(run, job, out, file_type="gang_sheets", tags=["gang-sheet"],
                        filename=outputs.output_name(job, "gang-sheet", stem))
    with open(out, "wb") as fh:
        fh.write(gang_previews.picture(plan.designs, data, plan.sheet_width, n, "png", art))
    shown = outputs.store(run, job, out, file_type="gang_sheets", tags=["gang-sheet-preview"],
                          filename=outputs.output_name(job, "gang-sheet", f"{stem}_preview"))
    os.unlink(out)
    return {"file_id": row.id, "preview_file_id": shown.id, "sheet": n, "length_in": sheet["length"],
            "utilization": sheet["utilization"], "pieces": len(sheet["placements"]), "width_px": result.width_px,
            "height_px": result.height_px}


def _preflight(run: work.Run, plan: gang_plan.Plan, data: dict[str, Any],
               local: Mapping[str, str]) -> list[preflight.Finding]:
    """Preflight on the real pixels (each file read once) at the printed artwork's size; Invalid on any error."""
    by_key: dict[str, preflight.DesignFacts | Exception] = {}
    for design in plan.designs.values():
        key = design.file.storage_key
        if key not in by_key:
            try:
                by_key[key] = preflight.design_facts(local[key], run.settings.max_image_pixels)
            except (OSError, ValueError) as exc:
                by_key[key] = exc
    facts, findings = {}, []
    for label, design in plan.designs.items():
        found = by_key[design.file.storage_key]
        if isinstance(found, Exception):
            # The reader's own words, without the temporary path it was reading.
            reason = found.__cause__ or found
            findings.append(preflight.Finding(preflight.ERROR, "unreadable_design", label,
                                              f"design {label!r} cannot be read: {reason}"))
        else:
            facts[label] = dataclasses.replace(found, width_px=design.width_px, height_px=design.height_px)
    findings += preflight.check_layout(data, plan.sheet_width, facts, dpi=plan.dpi, min_dpi=plan.min_dpi,
                                       **plan.limits())
    if preflight.has_errors(findings):
        problems = "; ".join(f.message for f in findings if f.level == preflight.ERROR)
        raise errors.Invalid(f"Preflight failed: {problems}")
    return findings
