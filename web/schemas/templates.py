"""Product template schemas: the template, its canvas and its named sizes."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate, validates_schema

from services import templates
from web.schemas import common, personalization

# Bounds keep values inside the NUMERIC columns (an overflow would be a 500, not a 422).
MAX_CANVAS_WIDTH_IN = 1000
MAX_CANVAS_HEIGHT_IN = 50000
MAX_SPACING_IN = 100


def _name(max_len: int) -> validate.Validator:
    """A name of 1..max_len characters, not blank and without surrounding spaces (so "Adult " is not a new size)."""
    return validate.And(validate.Length(min=1, max=max_len),
                        validate.Regexp(r"^\S(?:.*\S)?$", error="Must not be blank or start or end with spaces"))


class Inches(fields.Decimal):
    """A length in inches: a JSON number (strings refused), kept to 3 decimals, shown as a float."""

    def __init__(self, *, minimum: float = 0, maximum: float, exclusive_min: bool = True, **kwargs: Any):
        kwargs.setdefault("validate", validate.Range(min=minimum, max=maximum, min_inclusive=not exclusive_min))
        super().__init__(places=3, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:
        return None if value is None else float(value)


class JsonInteger(fields.Integer):
    """An integer given as a JSON number ("300" and 300.5 are refused)."""

    def __init__(self, **kwargs: Any):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class _Flattened(fields.Nested):
    """Nested schema dumped from the parent object itself (the canvas columns sit on the template row)."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return obj


class CanvasSchema(Schema):
    """The sheet designs are laid out on; loads to the template's column names."""

    width_in = Inches(attribute="canvas_width_in", maximum=MAX_CANVAS_WIDTH_IN, required=True)
    height_in = Inches(attribute="canvas_height_in", maximum=MAX_CANVAS_HEIGHT_IN, required=True)
    dpi = JsonInteger(validate=validate.Range(min=72, max=4800), load_default=300,
                      metadata={"description": "The one DPI of every job made from the template"})
    spacing_in = Inches(maximum=MAX_SPACING_IN, exclusive_min=False, load_default=Decimal("0.25"),
                        metadata={"description": "Gap between items on a sheet"})
    margin_in = Inches(maximum=MAX_SPACING_IN, exclusive_min=False, load_default=Decimal("0"))
    allow_stretch = common.StrictBoolean(load_default=False,
                                         metadata={"description": "Whether designs may be scaled out of proportion"})


class CanvasUpdateSchema(CanvasSchema):
    """Canvas fields of a PATCH (loaded with partial=True: those given change, the others are kept)."""


class SizeSchema(Schema):
    """A named print size (Adult, Youth, Pocket...); at most the canvas size."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=_name(64))
    width_in = Inches(maximum=MAX_CANVAS_HEIGHT_IN, required=True)
    height_in = Inches(maximum=MAX_CANVAS_HEIGHT_IN, required=True)


class SizeUpdateSchema(Schema):
    """Body of PATCH .../sizes/{size_id}."""

    name = fields.String(validate=_name(64))
    width_in = Inches(maximum=MAX_CANVAS_HEIGHT_IN)
    height_in = Inches(maximum=MAX_CANVAS_HEIGHT_IN)


class TemplateSchema(Schema):
    """A template as the API shows it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    product_type = fields.String(dump_only=True, allow_none=True)
    canvas = _Flattened(CanvasSchema, dump_only=True)
    sizes = fields.List(fields.Nested(SizeSchema), dump_only=True)
    personalization = fields.Nested(personalization.TextAreaSchema, dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class TemplateCreateSchema(Schema):
    """Body of POST .../templates/; the sizes must fit the canvas and have distinct names."""

    name = fields.String(required=True, validate=_name(120))
    description = fields.String(allow_none=True, validate=validate.Length(max=1000))
    product_type = fields.String(allow_none=True, validate=_name(64),
                                 metadata={"description": "e.g. uvdtf, dtf, sublimation, tee"})
    canvas = fields.Nested(CanvasSchema, required=True)
    personalization = fields.Nested(personalization.TextAreaSchema, allow_none=True,
                                    metadata={"description": "Where an item's personalization text prints"})
    sizes = fields.List(fields.Nested(SizeSchema), load_default=list, validate=validate.Length(max=templates.MAX_SIZES))

    @validates_schema
    def _sizes_fit(self, data: dict[str, Any], **kwargs: Any) -> None:
        canvas = data["canvas"]
        errors: dict[str, Any] = {}
        if margin := templates.margin_errors(canvas):
            errors["canvas"] = margin
        seen: set[str] = set()
        by_index: dict[int, dict[str, list[str]]] = {}
        for index, size in enumerate(data["sizes"]):
            problems = templates.fit_errors(canvas, size["width_in"], size["height_in"])
            if size["name"] in seen:
                problems["name"] = [f"Duplicate size name {size['name']!r}"]
            seen.add(size["name"])
            if problems:
                by_index[index] = problems
        if by_index:
            errors["sizes"] = by_index
        if errors:
            raise ValidationError(errors)


class TemplateUpdateSchema(Schema):
    """Body of PATCH .../templates/{template_id}; canvas fields given are changed, others kept."""

    name = fields.String(validate=_name(120))
    description = fields.String(allow_none=True, validate=validate.Length(max=1000))
    product_type = fields.String(allow_none=True, validate=_name(64))
    canvas = fields.Nested(CanvasUpdateSchema(partial=True))
    personalization = fields.Nested(personalization.TextAreaSchema, allow_none=True)


class TemplateQueryArgsSchema(Schema):
    """Filters of the template list."""

    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Name contains"})
    product_type = fields.String(validate=validate.Length(min=1, max=64))
