"""Turning a gang sheet request (design files, sizes, quantities, template or printer) into an imposition."""
from __future__ import annotations

import dataclasses
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import errors
from models import file as file_model
from models import organization as org_model
from models import printer as printer_model
from prepress import imposition, preflight
from services import inputs, printers

DEFAULT_ROLL_IN = 22.0


class ItemSchema(Schema):
    """A design, its size on the sheet and how many copies."""

    file_id = fields.Integer(required=True, validate=validate.Range(min=1))
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    size_id = fields.Integer(validate=validate.Range(min=1),
                             metadata={"description": "A template size: the design is fitted inside it"})
    width_in = fields.Float(validate=validate.Range(min=0.05, max=1000))
    height_in = fields.Float(validate=validate.Range(min=0.05, max=1000),
                             metadata={"description": "Omit to keep the design's aspect ratio from width_in"})
    group = fields.String(validate=validate.Length(min=1, max=64),
                          metadata={"description": "Order reference: items of one group stay together"})

    @validates_schema
    def _size_given(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("size_id" in data) == ("width_in" in data):
            raise ValidationError("Give either size_id or width_in (with an optional height_in)")
        if "height_in" in data and "width_in" not in data:
            raise ValidationError("height_in needs width_in")


class ParamsSchema(Schema):
    """A gang sheet request: the layout preview's body and a gang_sheets job's parameters."""

    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1, max=2000))
    template_id = fields.Integer(validate=validate.Range(min=1))
    printer_id = fields.Integer(validate=validate.Range(min=1))
    sheet_width = fields.Float(validate=validate.Range(min=1, max=200),
                               metadata={"description": "Roll width; default: printer, template canvas, or 22 in"})
    spacing = fields.Float(validate=validate.Range(min=0, max=10))
    margin = fields.Float(validate=validate.Range(min=0, max=10))
    rotation = fields.String(load_default="any", validate=validate.OneOf(imposition.ROTATIONS))
    max_length = fields.Float(validate=validate.Range(min=1, max=100_000), allow_none=True)
    group_mode = fields.Boolean(load_default=False)
    dpi = fields.Integer(validate=validate.Range(min=72, max=2400))
    min_dpi = fields.Integer(load_default=int(preflight.DEFAULT_MIN_DPI), validate=validate.Range(min=30, max=2400))
    time_budget = fields.Float(load_default=1.0, validate=validate.Range(min=0.05, max=5))
    cut_guides = fields.Boolean(load_default=False)
    labels = fields.Boolean(load_default=False)


@dataclasses.dataclass
class Plan:
    """Everything needed to impose and render."""

    items: list[imposition.Item]
    files: dict[int, file_model.File]
    sheet_width: float
    spacing: float
    margin: float
    rotation: str
    max_length: float | None
    group_mode: bool
    dpi: int
    min_dpi: int
    printer: printer_model.Printer | None
    time_budget: float

    def limits(self) -> dict[str, float | None]:
        """The chosen printer's limits for preflight (None when unknown)."""
        printer = self.printer
        return {"max_width": float(printer.max_width_in) if printer else None,
                "max_length": float(printer.max_height_in) if printer and printer.max_height_in else None}

    def impose(self) -> imposition.Layout:
        """The layout; ImpositionError names an item that cannot be placed."""
        try:
            return imposition.impose(self.items, self.sheet_width, spacing=self.spacing, margin=self.margin,
                                     rotation=self.rotation, max_length=self.max_length,
                                     time_budget=self.time_budget, group_mode=self.group_mode)
        except imposition.ImpositionError as exc:
            raise errors.Invalid(str(exc), errors={"items": [str(exc)]}) from None


def build(session: Session, params: dict[str, Any], max_quantity: int) -> Plan:
    """Resolve files, sizes, roll and limits; 422 naming the item or setting that is wrong."""
    total = sum(i["quantity"] for i in params["items"])
    if total > max_quantity:
        raise errors.Invalid(f"{total} pieces requested; at most {max_quantity} per gang sheet job",
                             errors={"items": [f"Total quantity over {max_quantity}"]})
    tpl = inputs.template(session, params.get("template_id"), "template_id")
    chosen = inputs.printer(session, params.get("printer_id"), "printer_id") or _default_printer(session)
    files = inputs.design_files(session, (i["file_id"] for i in params["items"]), "items")
    items = [_item(n, spec, files[spec["file_id"]], tpl) for n, spec in enumerate(params["items"])]
    sheet_width = params.get("sheet_width") or (float(chosen.max_width_in) if chosen else None) or (
        float(tpl.canvas_width_in) if tpl else DEFAULT_ROLL_IN)
    max_length = params.get("max_length")
    if chosen is not None and chosen.max_height_in is not None:
        printer_max = float(chosen.max_height_in)
        max_length = min(max_length, printer_max) if max_length else printer_max
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
    return Plan(items, files, float(sheet_width), spacing, margin, params["rotation"], max_length,
                params["group_mode"], int(dpi), min_dpi, chosen, params["time_budget"])


def _item(n: int, spec: dict[str, Any], design: file_model.File, tpl) -> imposition.Item:
    aspect = (design.width_px / design.height_px) if design.width_px and design.height_px else None
    if "size_id" in spec:
        if tpl is None:
            raise errors.Invalid("size_id needs a template_id", errors={"template_id": ["Missing"]})
        size = inputs.size(tpl, spec["size_id"], f"items.{n}.size_id")
        box_w, box_h = float(size.width_in), float(size.height_in)
        if aspect is None or tpl.allow_stretch:
            width, height = box_w, box_h
        else:
            # Fitted inside the size box: a wide design uses the full width and less film lengthwise.
            width, height = (box_w, box_w / aspect) if box_w / aspect <= box_h else (box_h * aspect, box_h)
    else:
        width = spec["width_in"]
        if "height_in" in spec:
            height = spec["height_in"]
        elif aspect is None:
            raise errors.Invalid(f"Item {n + 1} ({design.filename}): give height_in (the file has no pixel size)",
                                 errors={f"items.{n}.height_in": ["Required for this file"]})
        else:
            height = width / aspect
    return imposition.Item(key=str(design.id), width=round(width, 4), height=round(height, 4),
                           quantity=spec["quantity"], group=spec.get("group"))


def _default_printer(session: Session) -> printer_model.Printer | None:
    return session.scalar(select(printer_model.Printer).where(printer_model.Printer.is_default.is_(True),
                                                             printer_model.Printer.is_active.is_(True)))


def facts_from_rows(files: dict[int, file_model.File]) -> dict[str, preflight.DesignFacts]:
    """Preflight facts from what the upload recorded (no pixel reads; transparency is checked when rendering)."""
    return {str(f.id): preflight.DesignFacts(f.width_px or 0, f.height_px or 0, bool(f.has_alpha))
            for f in files.values()}


def summary(org: org_model.Organization, plan: Plan, layout: imposition.Layout,
            findings: list[preflight.Finding]) -> dict[str, Any]:
    """The layout with its sheet count, length, utilization, preflight findings and film cost."""
    price = (org.settings or {}).get("film_price_per_inch")
    data = imposition.layout_to_dict(layout)
    area = sum(p["width"] * p["height"] for s in data["sheets"] for p in s["placements"])
    total = layout.length
    return {
        "layout": data, "sheet_count": len(layout.sheets), "total_length_in": round(total, 3),
        "utilization": round(area / (plan.sheet_width * total), 4) if total else 0.0,
        "sheet_width": plan.sheet_width, "dpi": plan.dpi, "printer_id": plan.printer.id if plan.printer else None,
        "grouping_cost_in": layout.grouping_cost,
        "preflight": [dataclasses.asdict(f) for f in findings],
        "film_cost": ({"price_per_inch": float(price), "total": round(float(price) * total, 2),
                       "currency": org.settings.get("currency")} if price is not None else None),
    }
