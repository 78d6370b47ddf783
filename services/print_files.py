"""print_files: each design rendered as a print-ready PNG at a size's exact physical size and the job's DPI."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy.orm import Session

import config
from models import errors
from models import file as file_model
from models import print_job as job_model
from nas import shared
from prepress import analysis, imagelimits, personalize, print_file, raster
from services import design_analysis, inputs, outputs, personalized, work


class ItemSchema(Schema):
    """One design at one size: a template size, or an explicit width and height in inches."""

    file_id = fields.Integer(required=True, validate=validate.Range(min=1))
    size_id = fields.Integer(validate=validate.Range(min=1),
                             metadata={"description": "A template size. " + design_analysis.NATURAL_SIZE})
    width_in = fields.Float(validate=validate.Range(min=0.1, max=1000), metadata={
        "description": "With height_in, an explicit size. " + design_analysis.NATURAL_SIZE})
    height_in = fields.Float(validate=validate.Range(min=0.1, max=1000))
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000),
                              metadata={"description": "Copies to print (one file is rendered per design and size)"})
    trim = fields.Boolean(metadata={"description": "Fit only the visible artwork; default: the job's trim"})
    personalization = fields.String(validate=validate.Length(max=256), allow_none=True,
                                    metadata={"description": "Text printed in the template's text area"})

    @validates_schema
    def _one_size(self, data: dict[str, Any], **kwargs: Any) -> None:
        explicit = "width_in" in data or "height_in" in data
        if (explicit and "size_id" in data) or (explicit and not ("width_in" in data and "height_in" in data)):
            raise ValidationError("Give size_id, or both width_in and height_in, or neither (the natural size)")


class ParamsSchema(Schema):
    """Parameters of a print_files job."""

    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1, max=500))
    template_id = fields.Integer(validate=validate.Range(min=1))
    printer_id = fields.Integer(validate=validate.Range(min=1))
    dpi = fields.Integer(validate=validate.Range(min=72, max=2400),
                         metadata={"description": "Only without a template (a template fixes the DPI)"})
    stretch = fields.Boolean(metadata={"description": "Fill the size exactly; default: the template's setting"})
    trim = fields.Boolean(load_default=True, metadata={
        "description": "Fit each design's visible artwork (transparent margins trimmed) to the ordered size, so it "
                       "prints at the size bought; false fits the whole canvas"})


def check_params(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Resolve sizes and check files, template and printer; the stored params are explicit and self-contained."""
    tpl = inputs.template(session, params.get("template_id"), "params.template_id")
    if tpl is not None and params.get("dpi") not in (None, tpl.dpi):
        raise errors.Invalid("A template fixes the DPI of its jobs", errors={"params": {"dpi": ["Conflicts"]}})
    dpi = tpl.dpi if tpl is not None else params.get("dpi", 300)
    files = inputs.design_files(session, (i["file_id"] for i in params["items"]), "params.items")
    chosen = inputs.printer(session, params.get("printer_id"), "params.printer_id")
    natural = [files[i["file_id"]] for i in params["items"] if "size_id" not in i and "width_in" not in i]
    found = design_analysis.ensure(config.get_settings(), natural)
    items: dict[tuple[int, float, float, bool, str], dict[str, Any]] = {}
    for n, item in enumerate(params["items"]):
        design, trim = files[item["file_id"]], item.get("trim", params["trim"])
        if "size_id" in item:
            if tpl is None:
                raise errors.Invalid("size_id needs a template_id", errors={"params": {"template_id": ["Missing"]}})
            size = inputs.size(tpl, item["size_id"], f"params.items.{n}.size_id")
            width, height, name = float(size.width_in), float(size.height_in), size.name
        elif "width_in" in item:
            width, height, name = item["width_in"], item["height_in"], f"{item['width_in']:g}x{item['height_in']:g}in"
        else:
            width, height = _natural(n, design, found.get(design.id), trim)
            name = f"{width:g}x{height:g}in"
        inputs.check_fits(session, chosen, width, height, dpi, f"Item {n + 1} ({design.filename})")
        refusal = imagelimits.output_refusal(width, height, dpi)
        if refusal is not None:
            raise errors.Invalid(f"Item {n + 1} ({design.filename}) cannot be rendered: {refusal}",
                                 errors={"params": {f"items.{n}": [refusal]}})
        # The same design at the same size is one print file, printed `quantity` times.
        text = personalize.clean(item.get("personalization"))
        merged = items.setdefault((item["file_id"], width, height, trim, text), {
            "file_id": item["file_id"], "width_in": width, "height_in": height, "size_name": name, "quantity": 0,
            "trim": trim, **({"personalization": text} if text else {})})
        merged["quantity"] += item["quantity"]
    stretch = params.get("stretch", bool(tpl.allow_stretch) if tpl is not None else False)
    return {"items": list(items.values()), "dpi": dpi, "stretch": stretch, "template_id": params.get("template_id"),
            "printer_id": params.get("printer_id")}


def _natural(n: int, design: file_model.File, found: analysis.DesignAnalysis | None,
             trim: bool) -> tuple[float, float]:
    """The design's natural print size (its pixels over its DPI), rounded to a thousandth of an inch."""
    field = f"params.items.{n}"
    if found is None:
        reason = design_analysis.unknown_size_reason(design)
        message = (f"Item {n + 1} ({design.filename}): its natural size is unknown ({reason}): give width_in and "
                   "height_in, or size_id")
        raise errors.Invalid(message, errors={field: [message]})
    try:
        width, height = analysis.natural_size(found, trimmed=trim, name=design.filename)
    except analysis.SizeUnknown as exc:
        message = f"Item {n + 1}: {str(exc).replace('give width_in', 'give width_in and height_in')}"
        raise errors.Invalid(message, errors={field: [message]}) from None
    return round(width, 3), round(height, 3)


def render(ctx: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    """Render every item; re-running replaces this job's outputs, and a failed run leaves none."""
    with outputs.all_or_nothing(ctx, job):
        return _render_all(ctx, job)


def _render_all(ctx: work.Run, job: job_model.PrintJob) -> dict[str, Any]:
    params = job.params
    items, dpi = params["items"], params["dpi"]
    files = inputs.design_files(ctx.session, (i["file_id"] for i in items), "items")
    kept, rendered = set(), []
    ctx.progress(1, f"Fetching {len(files)} designs")
    with shared.local_copies(ctx.settings, [f.storage_key for f in files.values()]) as local:
        trimmed = [files[i["file_id"]] for i in items if i.get("trim", False)]
        found = design_analysis.ensure(ctx.settings, trimmed, local)
        for n, item in enumerate(items):
            design = files[item["file_id"]]
            ctx.progress(int(100 * n / len(items)), f"Rendering {design.filename} at {item['size_name']}")
            source = _source(local[design.storage_key], found.get(design.id) if item.get("trim") else None)
            row, facts = _render(ctx, job, design, source, item, dpi, params["stretch"])
            kept.add(row.id)
            rendered.append({"file_id": row.id, "design_id": design.id, "design": design.filename,
                             "size": item["size_name"], "quantity": item.get("quantity", 1),
                             "width_px": facts.width_px, "height_px": facts.height_px,
                             "trimmed": source.crop is not None, "effective_dpi": facts.effective_dpi})
        outputs.drop_stale(ctx, job, kept)
    job.output_length_in = sum(i["height_in"] * i.get("quantity", 1) for i in items)
    ctx.progress(100, f"Rendered {len(rendered)} print files")
    return {"outputs": rendered}


def _source(path: str, found: analysis.DesignAnalysis | None) -> raster.DesignSource:
    """The file, cropped to its visible artwork when it has transparent margins."""
    crop = design_analysis.crop(found)
    return raster.DesignSource(path, crop)


def _render(ctx: work.Run, job: job_model.PrintJob, design: file_model.File, src: raster.DesignSource,
            item: dict[str, Any], dpi: int, stretch: bool) -> tuple[file_model.File, print_file.PrintFile]:
    size = {"width_in": item["width_in"], "height_in": item["height_in"], "dpi": dpi, "stretch": stretch,
            "max_pixels": ctx.settings.max_image_pixels}
    area = personalized.area_of(inputs.template(ctx.session, job.params.get("template_id")))
    text = item.get("personalization") or ""
    suffix = f"{item['size_name']}_{dpi}dpi" + (f"_{personalize.safe_stem(text)}" if text else "")
    with outputs.temp_path() as out:
        if area is not None:
            fitted, findings = personalize.fit(area, text, item["width_in"], item["height_in"], dpi, design.filename)
            if findings:
                raise errors.Invalid("Preflight failed: " + "; ".join(f.message for f in findings))
            facts = (personalize.render(src, out, area, fitted, **size) if fitted is not None
                     else print_file.render(src, out, **size))
        else:
            facts = print_file.render(src, out, **size)
        row = outputs.store(ctx, job, out, file_type="print_files", tags=["print-file"],
                            filename=outputs.output_name(job, design.filename, suffix))
    # Each output is committed as it lands (outputs.store): a retry after a crash replaces it rather than redoing the
    # batch inside one long transaction.
    return row, facts
