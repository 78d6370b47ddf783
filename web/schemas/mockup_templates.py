"""Mockup template schemas: a base photo, its print areas (points in photo pixels), watermark and output options."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from prepress import mockup_checks, mockup_geometry
from services import mockup_templates

FORMATS = ("JPEG", "WEBP", "PNG")
MAX_AREAS = 10
MAX_POLYGON_POINTS = 64
PREVIEW_MAX_LONG_SIDE = 1200
# Not blank and no surrounding spaces, so "Tee front " is not a second "Tee front".
NAME = validate.And(validate.Length(min=1, max=120),
                    validate.Regexp(r"^\S(?:.*\S)?$", error="Must not be blank or start or end with spaces"))


class Number(fields.Float):
    """A finite JSON number ("12.5" and booleans are refused)."""

    def __init__(self, **kwargs: Any):
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, (str, bool)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


Point = fields.List(Number(), validate=validate.Length(equal=2),
                    metadata={"description": "[x, y] in photo pixels; (0, 0) is the photo's top-left corner"})


class MockupAreaSchema(Schema):
    """Where a design goes on the photo; loads to prepress.mockups.PrintArea's fields."""

    shape = fields.String(load_default="quad", validate=validate.OneOf(mockup_checks.SHAPES))
    points = fields.List(Point, required=True, validate=validate.Length(min=3, max=MAX_POLYGON_POINTS), metadata={
        "description": "quad: 4 corners top-left, top-right, bottom-right, bottom-left; polygon: 3-64 points"})
    fit = fields.String(load_default="contain", validate=validate.OneOf(mockup_geometry.FITS))
    align = fields.String(load_default="center", validate=validate.OneOf(tuple(mockup_geometry.ALIGNMENTS)))
    blend = fields.String(load_default="normal", validate=validate.OneOf(mockup_checks.BLENDS))
    opacity = Number(load_default=1.0, validate=validate.Range(min=0, max=1))
    displacement = Number(load_default=0.0, validate=validate.Range(min=0, max=500),
                          metadata={"description": "Fold displacement in photo pixels (0 = off)"})
    aspect = Number(validate=validate.Range(min=0, min_inclusive=False, max=100),
                    metadata={"description": "Width/height of the flat print area; default: from the points"})

    @validates_schema
    def _quad_corners(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("shape") == "quad" and "points" in data and len(data["points"]) != 4:
            raise ValidationError(f"A quad needs exactly 4 points, got {len(data['points'])}", "points")


class MockupWatermarkSchema(Schema):
    """A mark drawn over every mockup of the template."""

    file_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             metadata={"description": "An image file of the organization (PNG with alpha is best)"})
    opacity = Number(load_default=0.3, validate=validate.Range(min=0, max=1))
    scale = Number(load_default=0.2, validate=validate.Range(min=0, max=1, min_inclusive=False),
                   metadata={"description": "The mark's long side as a fraction of the output's"})
    position = fields.String(load_default="bottom-right", validate=validate.OneOf(mockup_checks.WATERMARK_POSITIONS))
    margin = Number(load_default=0.02, validate=validate.Range(min=0, max=0.5, max_inclusive=False))


class MockupOutputSchema(Schema):
    """How the template's mockups are encoded."""

    format = fields.String(load_default="JPEG", validate=validate.OneOf(FORMATS))
    long_side = fields.Integer(strict=True, load_default=2000, validate=validate.Range(min=200, max=6000),
                               metadata={"description": "Pixels; a smaller photo is never upscaled"})
    quality = fields.Integer(strict=True, load_default=90, validate=validate.Range(min=1, max=100))


class MockupOutputUpdateSchema(MockupOutputSchema):
    """Output fields of a PATCH (loaded with partial=True: those given change, the others are kept)."""


class MockupTemplateSchema(Schema):
    """A mockup template as the API shows it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    base_file_id = fields.Integer(dump_only=True)
    areas = fields.List(fields.Nested(MockupAreaSchema), dump_only=True)
    watermark = fields.Nested(MockupWatermarkSchema, dump_only=True, allow_none=True)
    output = fields.Nested(MockupOutputSchema, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class MockupTemplateCreateSchema(Schema):
    """Body of POST .../mockup-templates/; the points are checked against the photo when the template is saved."""

    name = fields.String(required=True, validate=NAME)
    base_file_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                                  metadata={"description": "The product photo: an image file of the organization"})
    areas = fields.List(fields.Nested(MockupAreaSchema), required=True, validate=validate.Length(min=1, max=MAX_AREAS))
    watermark = fields.Nested(MockupWatermarkSchema, allow_none=True, load_default=None)
    output = fields.Nested(MockupOutputSchema, load_default=lambda: dict(mockup_templates.DEFAULT_OUTPUT))


class MockupTemplateUpdateSchema(Schema):
    """Body of PATCH .../mockup-templates/{id}: fields given replace the stored ones; output fields are merged."""

    name = fields.String(validate=NAME)
    base_file_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    areas = fields.List(fields.Nested(MockupAreaSchema), validate=validate.Length(min=1, max=MAX_AREAS))
    watermark = fields.Nested(MockupWatermarkSchema, allow_none=True, metadata={"description": "null removes it"})
    output = fields.Nested(MockupOutputUpdateSchema(partial=True))


class MockupTemplateQueryArgsSchema(Schema):
    """Filters of the mockup template list."""

    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Name contains"})


class MockupPreviewSchema(Schema):
    """Body of POST .../mockup-templates/{id}/preview: one design rendered small, answered as the image itself."""

    file_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1),
                             metadata={"description": "A design: an image file of the organization"})
    long_side = fields.Integer(strict=True, load_default=600,
                               validate=validate.Range(min=100, max=PREVIEW_MAX_LONG_SIDE))
    format = fields.String(load_default="JPEG", validate=validate.OneOf(FORMATS))
