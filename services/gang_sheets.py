"""gang_sheets: a synchronous layout preview, and the job that imposes, preflights and renders every sheet."""
from __future__ import annotations

import dataclasses
import os
import tempfile
from typing import Any

from sqlalchemy.orm import Session

import config
from models import errors
from models import organization as org_model
from models import print_job as job_model
from nas import shared
from prepress import imposition, preflight, raster
from services import gang_plan, outputs, rows, work

ParamsSchema = gang_plan.ParamsSchema


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Check the request can be imposed (files, sizes, roll, every item fits) before it is queued."""
    plan = gang_plan.build(session, params, config.get_settings().gang_max_quantity)
    # A quick constructive pass: an item that can never fit the roll is named now, not when the job runs.
    dataclasses.replace(plan, time_budget=0.05).impose()
    return {**params, "template_id": params.get("template_id"),
            "printer_id": plan.printer.id if plan.printer else None}


def preview(session: Session, settings: config.Settings, org_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """Sheets, length, utilization, preflight findings (from the recorded image facts) and film cost; nothing stored."""
    plan = gang_plan.build(session, params, settings.gang_max_quantity)
    layout = plan.impose()
    findings = preflight.check_layout(imposition.layout_to_dict(layout), plan.sheet_width,
                                      gang_plan.facts_from_rows(plan.files), dpi=plan.dpi, min_dpi=plan.min_dpi,
                                      **plan.limits())
    return gang_plan.summary(rows.get(session, org_model.Organization, org_id, "Organization"), plan, layout, findings)


def render(run: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """Impose (deterministic), check the real pixels, render each sheet; a re-run replaces the same outputs."""
    plan = gang_plan.build(run.session, job.params, run.settings.gang_max_quantity)
    run.progress(2, f"Imposing {sum(i.quantity for i in plan.items)} pieces")
    layout = plan.impose()
    data = imposition.layout_to_dict(layout)
    sheets = data["sheets"]
    run.progress(5, f"Fetching {len(plan.files)} designs")
    keys = {file_id: row.storage_key for file_id, row in plan.files.items()}
    with shared.local_copies(run.settings, keys.values()) as local, tempfile.TemporaryDirectory(
            prefix="esa-gang-") as tmp:
        designs = {str(file_id): local[key] for file_id, key in keys.items()}
        facts, findings = preflight.collect_facts(designs)
        findings += preflight.check_layout(data, plan.sheet_width, facts, dpi=plan.dpi, min_dpi=plan.min_dpi,
                                           **plan.limits())
        if preflight.has_errors(findings):
            problems = "; ".join(f.message for f in findings if f.level == preflight.ERROR)
            raise errors.Invalid(f"Preflight failed: {problems}")
        kept, rendered = set(), []
        for n, sheet in enumerate(sheets, start=1):
            run.progress(20 + int(78 * (n - 1) / len(sheets)), f"Rendering sheet {n} of {len(sheets)}")
            out = os.path.join(tmp, f"sheet-{n}.png")
            result = raster.render_sheet(sheet, plan.sheet_width, designs, plan.dpi, out,
                                         max_input_pixels=run.settings.max_image_pixels,
                                         cut_guides=job.params.get("cut_guides", False),
                                         labels=job.params.get("labels", False))
            name = outputs.output_name(job, "gang-sheet", f"part{n}-of{len(sheets)}_{plan.sheet_width:g}x"
                                                          f"{sheet['length']:g}in_{plan.dpi}dpi")
            row = outputs.store(run, job, out, file_type="gang_sheets", filename=name, tags=["gang-sheet"])
            os.unlink(out)
            run.session.commit()
            kept.add(row.id)
            rendered.append({"file_id": row.id, "sheet": n, "length_in": sheet["length"],
                             "utilization": sheet["utilization"], "width_px": result.width_px,
                             "height_px": result.height_px})
    outputs.drop_stale(run, job, kept)
    org = rows.get(run.session, org_model.Organization, run.org_id, "Organization")
    summary = gang_plan.summary(org, plan, layout, findings)
    job.output_length_in = summary["total_length_in"]
    run.progress(100, f"Rendered {len(sheets)} sheet(s), {summary['total_length_in']:g} in of film")
    return {**{k: v for k, v in summary.items() if k != "layout"}, "sheets": rendered}
