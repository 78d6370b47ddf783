"""Personalized prints: each item's text drawn onto its design at its size, before imposition or rendering.

The renderers take files, so each personalized item becomes a file of its own (an output of the job, at exactly
the item's size and the job's DPI) and stands in for its design. Text that cannot print as defined is a
preflight finding: the job stops before anything is rendered, naming the item and why.
"""
from __future__ import annotations

import os
import tempfile
from typing import Any

from sqlalchemy.orm import Session

from models import errors
from models import print_job as job_model
from models import template as template_model
from nas import shared
from prepress import personalize, preflight
from services import inputs, outputs, work


def area_of(template: template_model.Template | None) -> personalize.TextArea | None:
    """The template's text area, or None when it has none."""
    if template is None or not template.personalization:
        return None
    return personalize.TextArea.from_dict(template.personalization)


def findings(session: Session, params: dict[str, Any]) -> list[preflight.Finding]:
    """Preflight findings of the items' personalization (nothing rendered): too long, missing glyphs, no fit."""
    template = inputs.template(session, params.get("template_id"))
    area = area_of(template)
    found: list[preflight.Finding] = []
    if area is None or template is None:
        return found
    for n, item in enumerate(params["items"]):
        if "size_id" not in item:
            continue
        size = inputs.size(template, item["size_id"], f"items.{n}.size_id")
        _, problems = personalize.fit(area, item.get("personalization") or "", float(size.width_in),
                                      float(size.height_in), template.dpi, key=str(item["file_id"]))
        found += problems
    return found


def prepare(run: work.Run, job: job_model.PrintJob) -> tuple[dict[str, Any], set[int]]:
    """The job's parameters with each personalized item pointing at its own rendered file; those files' ids."""
    params = job.params
    template = inputs.template(run.session, params.get("template_id"))
    area = area_of(template)
    if area is None or template is None:
        return params, set()
    problems = findings(run.session, params)
    if preflight.has_errors(problems):
        raise errors.Invalid("Preflight failed: " + "; ".join(f.message for f in problems))
    designs = inputs.design_files(run.session, (i["file_id"] for i in params["items"]), "items")
    items, made = [], set()
    for n, item in enumerate(params["items"]):
        text = personalize.clean(item.get("personalization"))
        if not text or "size_id" not in item:
            items.append(item)
            continue
        size = inputs.size(template, item["size_id"], f"items.{n}.size_id")
        width, height = float(size.width_in), float(size.height_in)
        fitted, _ = personalize.fit(area, text, width, height, template.dpi)
        assert fitted is not None  # checked above
        run.progress(1, f"Personalizing item {n + 1}: {text}")
        design = designs[item["file_id"]]
        with shared.local_copy(run.settings, design.storage_key) as src, tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "personalized.png")
            personalize.render(src, out, area, fitted, width_in=width, height_in=height, dpi=template.dpi,
                               stretch=bool(template.allow_stretch), max_pixels=run.settings.max_image_pixels)
            name = outputs.output_name(job, design.filename, f"{personalize.safe_stem(text)}_{size.name}_item{n + 1}")
            row = outputs.store(run, job, out, file_type="print_files", filename=name,
                                tags=["personalized", f"design-{design.id}"])
        run.session.commit()
        made.add(row.id)
        items.append({**item, "file_id": row.id})
    return {**params, "items": items}, made
