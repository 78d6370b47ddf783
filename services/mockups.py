"""mockups: every design rendered on every mockup template, each stored as a listing photo (file type mockups)."""
from __future__ import annotations

import collections
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

from models import errors
from models import file as file_model
from models import mockup_template as mockup_model
from models import print_job as job_model
from prepress import mockups
from services import inputs, mockup_inputs, mockup_publish, mockup_templates, outputs, work

FORMATS = ("JPEG", "WEBP", "PNG")
MAX_DESIGNS = 500
# Every template of a job stays prepared (decoded photo and masks) while the job runs.
MAX_TEMPLATES = 20
MAX_COMBINATIONS = 500


class ParamsSchema(Schema):
    """Parameters of a mockups job: designs x templates."""

    design_file_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                                  validate=validate.Length(min=1, max=MAX_DESIGNS))
    mockup_template_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                                      validate=validate.Length(min=1, max=MAX_TEMPLATES))
    long_side = fields.Integer(strict=True, validate=validate.Range(min=200, max=6000),
                               metadata={"description": "Output long side in pixels; default: each template's"})
    format = fields.String(validate=validate.OneOf(FORMATS),
                           metadata={"description": "JPEG, WEBP or PNG; default: each template's"})
    publish = fields.Nested(mockup_publish.PublishSchema,
                            metadata={"description": "Upload the images to this Etsy listing, in order"})

    @validates_schema
    def _combinations(self, data: dict[str, Any], **kwargs: Any) -> None:
        count = len(set(data.get("design_file_ids", ()))) * len(set(data.get("mockup_template_ids", ())))
        if count > MAX_COMBINATIONS:
            raise ValidationError(f"{count} designs x templates; at most {MAX_COMBINATIONS} per job")


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Check every design is an image and every template exists in the organization (422 naming the ids)."""
    design_ids = list(dict.fromkeys(params["design_file_ids"]))
    files = inputs.design_files(session, design_ids, "params.design_file_ids")
    not_images = [i for i in design_ids if files[i].mime_type not in mockup_inputs.RASTER_MIMES]
    if not_images:
        raise errors.Invalid(f"Not raster images: {', '.join(map(str, not_images))}",
                             errors={"params.design_file_ids": [f"File {i} is not a raster image" for i in not_images]})
    templates = mockup_inputs.templates(session, params["mockup_template_ids"], "params.mockup_template_ids")
    normalized = {"design_file_ids": design_ids, "mockup_template_ids": [t.id for t in templates],
                  "long_side": params.get("long_side"), "format": params.get("format")}
    if params.get("publish"):
        count = len(design_ids) * len(templates)
        normalized["publish"] = mockup_publish.check_params(session, params["publish"], count)
    return normalized


def _options(job: job_model.PrintJob, template: mockup_model.MockupTemplate) -> tuple[int, str, int]:
    output = template.output or {}
    return (job.params.get("long_side") or output.get("long_side", 2000),
            job.params.get("format") or output.get("format", "JPEG"), output.get("quality", 90))


def _names(job: job_model.PrintJob, designs: list[file_model.File],
           templates: list[mockup_model.MockupTemplate]) -> dict[tuple[int, int], str]:
    """A fixed output name per (design, template); names whose slugs collide get a numbered suffix, in order."""
    names: dict[tuple[int, int], str] = {}
    seen: collections.Counter[str] = collections.Counter()
    for design in designs:
        for template in templates:
            long_side, fmt, _ = _options(job, template)
            stem = mockups.mockup_filename(design.filename, template.name, fmt)
            seen[stem] += 1
            suffix = f"{long_side}px" + ("" if seen[stem] == 1 else f"-{seen[stem]}")
            names[design.id, template.id] = outputs.output_name(job, stem, suffix, "." + stem.rsplit(".", 1)[1])
    return names


def render(ctx: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """Render designs x templates with progress; a re-run replaces this job's outputs."""
    files = inputs.design_files(ctx.session, job.params["design_file_ids"], "design_file_ids")
    designs = [files[i] for i in job.params["design_file_ids"]]
    templates = mockup_inputs.templates(ctx.session, job.params["mockup_template_ids"], "mockup_template_ids")
    made = render_set(ctx, job, designs, templates)
    outputs.drop_stale(ctx, job, {e["file_id"] for e in made})
    result = {"mockups": made, "count": len(made)}
    if job.params.get("publish"):
        result["published"] = mockup_publish.publish(ctx, job, made, alt_texts(designs, templates, made))
    ctx.progress(100, f"Rendered {len(made)} mockups")
    return result


def render_set(ctx: work.Run, job: job_model.PrintJob, designs: list[file_model.File],
               templates: list[mockup_model.MockupTemplate]) -> list[dict[str, Any]]:
    """Every design on every template, stored as this job's outputs in that order: [{design_id, file_id...}]."""
    names = _names(job, designs, templates)
    total, prepared = len(designs) * len(templates), {}
    made: list[dict[str, Any]] = []
    for design_row in designs:
        design = mockup_inputs.design(ctx.settings, design_row, "design_file_ids")
        for template in templates:
            ctx.progress(int(100 * len(made) / total), f"Rendering {design_row.filename} on {template.name}")
            long_side, fmt, quality = _options(job, template)
            if template.id not in prepared:
                prepared[template.id] = mockup_inputs.prepared(ctx.session, ctx.settings, template, long_side)
            try:
                data = mockups.render_mockup(prepared[template.id], design, long_side=long_side, fmt=fmt,
                                             quality=quality)
            except mockups.MockupError as exc:
                raise errors.Invalid(f"{design_row.filename} on {template.name!r}: {exc}") from None
            name = names[design_row.id, template.id]
            with outputs.temp_path("." + name.rsplit(".", 1)[1]) as out:
                with open(out, "wb") as fh:
                    fh.write(data)
                row = outputs.store(ctx, job, out, file_type="mockups", filename=name,
                                    mime_type=mockup_templates.MIME_TYPES[fmt],
                                    tags=["mockup", f"design-{design_row.id}", f"mockup-template-{template.id}"])
            # Committed one by one: a retry after a crash replaces what landed instead of redoing one huge batch.
            ctx.session.commit()
            made.append({"design_id": design_row.id, "mockup_template_id": template.id, "file_id": row.id,
                         "width_px": row.width_px, "height_px": row.height_px})
    return made


def alt_texts(designs: list[file_model.File], templates: list[mockup_model.MockupTemplate],
              made: list[dict[str, Any]]) -> dict[int, str]:
    """'<design> on <template>' per rendered file id."""
    design_names = {d.id: d.filename.rsplit(".", 1)[0] for d in designs}
    template_names = {t.id: t.name for t in templates}
    return {e["file_id"]: f"{design_names[e['design_id']]} on {template_names[e['mockup_template_id']]}"
            for e in made}
