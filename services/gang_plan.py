"""Turning a gang sheet request (design files, sizes, quantities, template or printer) into an imposition plan."""
from __future__ import annotations

import dataclasses
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

import config
from models import errors
from models import organization as org_model
from models import printer as printer_model
from prepress import imposition, preflight
from services import design_analysis, gang_items, inputs, printers

DEFAULT_ROLL_IN = 22.0
# A job whose fast layout needs this much film (a standard sheet or more) is imposed with the thorough quality:
# 10 s of search saves about 0.3% of film, and rendering that much film takes longer than the search anyway.
THOROUGH_FROM_IN = 60.0


class ParamsSchema(Schema):
    """A gang sheet request: the layout preview's body and a gang_sheets job's parameters."""

    items = fields.List(fields.Nested(gang_items.ItemSchema), required=True, validate=validate.Length(min=1, max=2000))
    template_id = fields.Integer(validate=validate.Range(min=1))
    printer_id = fields.Integer(validate=validate.Range(min=1))
    sheet_width = fields.Float(validate=validate.Range(min=1, max=200),
                               metadata={"description": "Roll width; default: printer, template canvas, or 22 in"})
    spacing = fields.Float(validate=validate.Range(min=0, max=10))
    margin = fields.Float(validate=validate.Range(min=0, max=10))
    rotation = fields.String(load_default="any", validate=validate.OneOf(imposition.ROTATIONS))
    max_length = fields.Float(validate=validate.Range(min=1, max=100_000), allow_none=True, metadata={
        "description": "Sheet length cap in inches: a longer layout is split into sheets. The printer's maximum "
                       "length (or, without a printer, the template canvas that sets the roll) also caps it"})
    group_mode = fields.Boolean(load_default=False)
    dpi = fields.Integer(validate=validate.Range(min=72, max=2400))
    min_dpi = fields.Integer(load_default=int(preflight.DEFAULT_MIN_DPI), validate=validate.Range(min=30, max=2400))
    time_budget = fields.Float(validate=validate.Range(min=0.05, max=10),
                               metadata={"description": "Seconds of imposition search; overrides quality. The "
                                                      "synchronous layout allows at most LAYOUT_MAX_SECONDS (1 s by "
                                                      "default; more is a 422: queue a gang_sheets job)"})
    quality = fields.String(validate=validate.OneOf(imposition.QUALITY_BUDGETS), metadata={
        "description": "Imposition search: fast (1 s) or thorough (10 s, saves film on long runs; jobs only, the "
                       "synchronous layout answers 422). Default: the layout preview is fast; a job is thorough when "
                       f"its film is {THOROUGH_FROM_IN:g} in or longer"})
    trim = fields.Boolean(load_default=True, metadata={
        "description": "Pack and print each design's visible artwork (transparent margins trimmed); false prints "
                       "whole canvases. Items may override it"})
    cut_guides = fields.Boolean(load_default=False)
    labels = fields.Boolean(load_default=False)


@dataclasses.dataclass
class Plan:
    """Everything needed to impose and render; `designs` maps each layout key (a label) to its design."""

    items: list[imposition.Item]
    designs: dict[str, gang_items.Design]
    sheet_width: float
    spacing: float
    margin: float
    rotation: str
    max_length: float | None
    group_mode: bool
    dpi: int
    min_dpi: int
    printer: printer_model.Printer | None
    time_budget: float | None
    quality: str | None = None
    length_cap: float | None = None
    canvas_length: float | None = None
    max_design_pixels: int | None = None

    def limits(self) -> dict[str, Any]:
        """Preflight's limits: the printer's (or the roll-setting template's) maxima, the request's length cap and
        the upload pixel limit; None when unknown. The job and the layout preview check the same ones."""
        printer = self.printer
        printer_length = float(printer.max_height_in) if printer and printer.max_height_in else None
        return {"max_width": float(printer.max_width_in) if printer else None,
                "max_length": printer_length if printer else self.canvas_length,
                "length_cap": self.length_cap, "max_design_pixels": self.max_design_pixels}

    def impose(self, quality: str | None = None) -> imposition.Layout:
        """The layout at `quality` (default: the plan's, else fast); Invalid naming an item that cannot be placed."""
        try:
            return imposition.impose(self.items, self.sheet_width, spacing=self.spacing, margin=self.margin,
                                     rotation=self.rotation, max_length=self.max_length,
                                     time_budget=self.time_budget, group_mode=self.group_mode,
                                     quality=quality or self.quality or "fast")
        except imposition.ImpositionError as exc:
            # An item too long for the sheets is told which limit made them that short.
            message = f"{exc}{self._length_note()}" if "max_length" in str(exc) else str(exc)
            raise errors.Invalid(message, errors={"items": [message]}) from None

    def _length_note(self) -> str:
        """Which limit set max_length, for a message about an item that does not fit it."""
        if self.max_length is None:
            return ""
        if self.printer is not None and self.limits()["max_length"] == self.max_length:
            return f" (printer {self.printer.name!r} takes sheets up to {self.max_length:g} in)"
        if self.length_cap == self.max_length:
            return f" (the request caps sheets at {self.max_length:g} in)"
        return f" (the template's canvas is {self.max_length:g} in long)"


def build(session: Session, settings: config.Settings, params: dict[str, Any]) -> Plan:
    """Resolve files, artwork, sizes, roll and limits; 422 naming the item or setting that is wrong."""
    total = sum(i["quantity"] for i in params["items"])
    if total > settings.gang_max_quantity:
        raise errors.Invalid(f"{total} pieces requested; at most {settings.gang_max_quantity} per gang sheet job",
                             errors={"items": [f"Total quantity over {settings.gang_max_quantity}"]})
    tpl = inputs.template(session, params.get("template_id"), "template_id")
    chosen = inputs.printer(session, params.get("printer_id"), "printer_id") or _default_printer(session)
    files = inputs.design_files(session, (i["file_id"] for i in params["items"]), "items")
    trim = params.get("trim", True)
    # Analysed now when the upload's background analysis has not run yet (or the file predates it).
    needed = {i["file_id"] for i in params["items"] if gang_items.needs_analysis(i, trim)}
    found = design_analysis.ensure(settings, [files[file_id] for file_id in needed])
    found.update({row.id: a for row in files.values()
                  if row.id not in found and (a := design_analysis.stored(row)) is not None})
    items, designs = gang_items.resolve(params["items"], files, found, tpl, trim)
    sheet_width = params.get("sheet_width") or (float(chosen.max_width_in) if chosen else None) or (
        float(tpl.canvas_width_in) if tpl else DEFAULT_ROLL_IN)
    # Without a printer or a sheet width, a template's canvas is the sheet: its width the roll, its height the
    # longest sheet.
    canvas_length = (float(tpl.canvas_height_in) if tpl is not None and chosen is None
                     and not params.get("sheet_width") else None)
    printer_length = float(chosen.max_height_in) if chosen is not None and chosen.max_height_in else None
    max_length = min((c for c in (params.get("max_length"), canvas_length, printer_length) if c), default=None)
    dpi = params.get("dpi") or (tpl.dpi if tpl else chosen.dpi if chosen else 300)
    if tpl is not None and params.get("dpi") not in (None, tpl.dpi):
        raise errors.Invalid("A template fixes the DPI of its jobs", errors={"dpi": ["Conflicts with template"]})
    if chosen is not None:
        reasons = printers.capability(chosen, sheet_width, 0, dpi)
        if reasons:
            raise errors.Invalid(f"The sheet does not fit printer {chosen.name!r}: {'; '.join(reasons)}",
                                 errors={"printer_id": reasons})
    spacing = params.get("spacing", float(tpl.spacing_in) if tpl else 0.25)
    margin = params.get("margin", float(tpl.margin_in) if tpl else 0.0)
    # The floor never exceeds the job's own DPI: a design at exactly the job's resolution is fine.
    min_dpi = min(params["min_dpi"], int(dpi))
    return Plan(items, designs, float(sheet_width), spacing, margin, params["rotation"], max_length,
                params["group_mode"], int(dpi), min_dpi, chosen, params.get("time_budget"), params.get("quality"),
                params.get("max_length"), canvas_length, settings.max_image_pixels)


def _default_printer(session: Session) -> printer_model.Printer | None:
    return session.scalar(select(printer_model.Printer).where(printer_model.Printer.is_default.is_(True),
                                                             printer_model.Printer.is_active.is_(True)))


def recorded_facts(plan: Plan) -> dict[str, preflight.DesignFacts]:
    """Preflight facts from what the upload and its analysis recorded (no pixel reads; transparency is checked again
    from the pixels when rendering)."""
    return {label: design.facts() for label, design in plan.designs.items()}


def summary(org: org_model.Organization, plan: Plan, layout: imposition.Layout,
            findings: list[preflight.Finding]) -> dict[str, Any]:
    """The layout with its sheet count, length, utilization, preflight findings and film cost."""
    price = (org.settings or {}).get("film_price_per_inch")
    data = imposition.layout_to_dict(layout)
    area = sum(p["width"] * p["height"] for s in data["sheets"] for p in s["placements"])
    total = layout.length
    return {
        "layout": data, "designs": {label: d.to_json() for label, d in plan.designs.items()},
        "sheet_count": len(layout.sheets), "total_length_in": round(total, 3),
        "utilization": round(area / (plan.sheet_width * total), 4) if total else 0.0,
        "sheet_width": plan.sheet_width, "dpi": plan.dpi, "printer_id": plan.printer.id if plan.printer else None,
        "grouping_cost_in": layout.grouping_cost,
        "preflight": [{**dataclasses.asdict(f), "file_id": plan.designs[f.key].file.id if f.key in plan.designs
                       else None} for f in findings],
        "film_cost": ({"price_per_inch": float(price), "total": round(float(price) * total, 2),
                       "currency": org.settings.get("currency")} if price is not None else None),
    }
