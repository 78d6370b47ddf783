"""Gang sheet items: which artwork of which design prints at what size, keyed by a label people read.

Each item's design is placed by its visible artwork (the trim box found when it was uploaded) unless the job or the
item says `trim: false`. An item sized by neither `width_in` nor `size_id` prints at its natural size: its
(trimmed) pixels over the DPI in its metadata. Layout keys are labels (file name and order reference, numbered
when two would read the same), so placements, preflight findings and job messages name designs as shops know them;
`Design` maps each label back to its file.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from models import errors
from models import file as file_model
from models import template as template_model
from prepress import analysis, imposition, labels, preflight, preview, raster
from services import design_analysis, inputs


class ItemSchema(Schema):
    """A design, its size on the sheet and how many copies."""

    file_id = fields.Integer(required=True, validate=validate.Range(min=1))
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    size_id = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "A template size: the design is fitted inside it. " + design_analysis.NATURAL_SIZE})
    width_in = fields.Float(validate=validate.Range(min=0.05, max=1000), metadata={
        "description": "Width of the printed artwork in inches. " + design_analysis.NATURAL_SIZE})
    height_in = fields.Float(validate=validate.Range(min=0.05, max=1000),
                             metadata={"description": "Omit to keep the design's aspect ratio from width_in"})
    group = fields.String(validate=validate.Length(min=1, max=64),
                          metadata={"description": "Order reference: items of one group stay together, and labels "
                                                   "name it"})
    trim = fields.Boolean(metadata={"description": "Print only the visible artwork (transparent margins trimmed); "
                                                   "default: the request's trim"})
    personalization = fields.String(validate=validate.Length(max=256), allow_none=True,
                                    metadata={"description": "Text printed in the template's text area"})

    @validates_schema
    def _size_given(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "size_id" in data and "width_in" in data:
            raise ValidationError("Give size_id or width_in (with an optional height_in), not both")
        if "height_in" in data and "width_in" not in data:
            raise ValidationError("height_in needs width_in")


@dataclasses.dataclass(frozen=True)
class Design:
    """A design as it prints: its file, its order, and the box of its pixels that is printed (None: all of them)."""

    label: str
    file: file_model.File
    order_ref: str | None
    trim: bool
    crop: tuple[int, int, int, int] | None
    width_px: int
    height_px: int
    found: analysis.DesignAnalysis | None

    def source(self, path: str | os.PathLike[str]) -> raster.DesignSource:
        """What the renderer reads: the local copy of the file and the printed box."""
        return raster.DesignSource(path, self.crop)

    def crop_fractions(self) -> preview.Crop | None:
        """The printed box as fractions of the image, for cropping its thumbnail in a preview."""
        return self.found.trim_fractions if self.crop is not None and self.found is not None else None

    def facts(self) -> preflight.DesignFacts:
        """Preflight facts from what the upload and its analysis recorded (no pixel reads)."""
        empty = self.found is not None and self.found.trim_box is None
        return preflight.DesignFacts(self.width_px, self.height_px, bool(self.file.has_alpha), empty)

    def to_json(self) -> dict[str, Any]:
        """How the layout answer names the design behind a key."""
        return {"file_id": self.file.id, "file_name": self.file.filename, "order_ref": self.order_ref,
                "trimmed": self.crop is not None, "crop_px": list(self.crop) if self.crop else None,
                "width_px": self.width_px, "height_px": self.height_px}


def needs_analysis(spec: Mapping[str, Any], trim: bool) -> bool:
    """True when the item's size or artwork depends on the design's analysis."""
    return spec.get("trim", trim) or ("size_id" not in spec and "width_in" not in spec)


def resolve(specs: Sequence[Mapping[str, Any]], files: Mapping[int, file_model.File],
            found: Mapping[int, analysis.DesignAnalysis], tpl: template_model.Template | None,
            trim: bool) -> tuple[list[imposition.Item], dict[str, Design]]:
    """Imposition items keyed by label, and the design behind each label; Invalid naming the item at fault."""
    idents = {n: (spec["file_id"], spec.get("group"), bool(spec.get("trim", trim))) for n, spec in enumerate(specs)}
    names = labels.design_labels({_key(ident): (files[ident[0]].filename, ident[1]) for ident in idents.values()})
    designs: dict[str, Design] = {}
    for file_id, group, trimmed in dict.fromkeys(idents.values()):
        label = names[_key((file_id, group, trimmed))]
        designs[label] = _design(label, files[file_id], group, trimmed, found.get(file_id))
    items = []
    for n, spec in enumerate(specs):
        design = designs[names[_key(idents[n])]]
        width, height = _size(n, spec, design, tpl)
        items.append(imposition.Item(key=design.label, width=round(width, 4), height=round(height, 4),
                                     quantity=spec["quantity"], group=spec.get("group")))
    return items, designs


def _key(ident: tuple[int, str | None, bool]) -> str:
    file_id, group, trimmed = ident
    return f"{file_id}/{int(trimmed)}/{group or ''}"


def _design(label: str, row: file_model.File, group: str | None, trim: bool,
            found: analysis.DesignAnalysis | None) -> Design:
    crop = design_analysis.crop(found) if trim else None
    if crop is not None:
        width, height = crop[2] - crop[0], crop[3] - crop[1]
    elif found is not None:
        width, height = found.width_px, found.height_px
    else:
        width, height = row.width_px or 0, row.height_px or 0
    return Design(label, row, group, trim, crop, width, height, found)


def _size(n: int, spec: Mapping[str, Any], design: Design,
          tpl: template_model.Template | None) -> tuple[float, float]:
    """The item's placed width and height in inches (before any rotation)."""
    aspect = design.width_px / design.height_px if design.width_px and design.height_px else None
    if "size_id" in spec:
        if tpl is None:
            raise errors.Invalid("size_id needs a template_id", errors={"template_id": ["Missing"]})
        size = inputs.size(tpl, spec["size_id"], f"items.{n}.size_id")
        box_w, box_h = float(size.width_in), float(size.height_in)
        if aspect is None or tpl.allow_stretch:
            return box_w, box_h
        # Fitted inside the size box: a wide design uses the full width and less film lengthwise.
        return (box_w, box_w / aspect) if box_w / aspect <= box_h else (box_h * aspect, box_h)
    if "width_in" in spec:
        if "height_in" in spec:
            return spec["width_in"], spec["height_in"]
        if aspect is None:
            raise errors.Invalid(f"Item {n + 1} ({design.label}): give height_in (the file has no pixel size)",
                                 errors={f"items.{n}.height_in": ["Required for this file"]})
        return spec["width_in"], spec["width_in"] / aspect
    return natural_size(n, design)


def natural_size(n: int, design: Design) -> tuple[float, float]:
    """The design's natural print size; Invalid saying what to give when the file does not tell it."""
    field = f"items.{n}"
    if design.found is None:
        reason = design_analysis.unknown_size_reason(design.file)
        message = (f"Item {n + 1} ({design.label}): its natural size is unknown ({reason}): give width_in "
                   "(the height follows its proportions) or size_id")
        raise errors.Invalid(message, errors={field: [message]})
    try:
        return analysis.natural_size(design.found, trimmed=design.trim, name=design.label)
    except analysis.SizeUnknown as exc:
        message = f"Item {n + 1}: {exc}"
        raise errors.Invalid(message, errors={field: [message]}) from None
