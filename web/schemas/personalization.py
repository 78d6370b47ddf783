"""A template's personalization text area: where an item's text prints, in which font, size and colour."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from prepress import personalize


class TextAreaSchema(Schema):
    """Box as fractions of the printed piece; sizes in points (1/72 in), so the text has a physical size."""

    x = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    y = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    width = fields.Float(required=True, validate=validate.Range(min=0.01, max=1))
    height = fields.Float(required=True, validate=validate.Range(min=0.01, max=1))
    max_length = fields.Integer(required=True, validate=validate.Range(min=1, max=256))
    font = fields.String(load_default="dejavu-sans-bold", validate=validate.OneOf(sorted(personalize.FONTS)),
                         metadata={"description": "A bundled open-licence font"})
    size_pt = fields.Float(load_default=36.0, validate=validate.Range(min=1, max=1000))
    min_size_pt = fields.Float(load_default=10.0, validate=validate.Range(min=1, max=1000),
                               metadata={"description": "With fit=shrink, the smallest size tried"})
    color = fields.String(load_default="#000000", validate=validate.Length(min=3, max=32))
    align = fields.String(load_default="center", validate=validate.OneOf(personalize.ALIGNS))
    fit = fields.String(load_default="shrink", validate=validate.OneOf(personalize.FITS),
                        metadata={"description": "shrink to fit (down to min_size_pt) or exact: text that does not "
                                                 "fit is a preflight finding"})
    required = fields.Boolean(load_default=True, metadata={"description": "Items without text are findings"})

    @validates_schema
    def _usable(self, data: dict[str, Any], **kwargs: Any) -> None:
        try:
            personalize.TextArea.from_dict(data)
        except personalize.AreaError as exc:
            raise ValidationError(str(exc)) from None
