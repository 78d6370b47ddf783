"""Gang sheet layout preview schemas (the request is the gang_sheets job's own parameter schema)."""
from __future__ import annotations

from marshmallow import Schema, fields

from services import gang_sheets

GangSheetLayoutRequestSchema = gang_sheets.ParamsSchema


class FindingSchema(Schema):
    """One preflight finding."""

    level = fields.String()
    code = fields.String()
    key = fields.String(allow_none=True, metadata={"description": "The design's file id"})
    message = fields.String()
    sheet = fields.Integer(allow_none=True)


class FilmCostSchema(Schema):
    """Film cost at the organization's price per inch."""

    price_per_inch = fields.Float()
    total = fields.Float()
    currency = fields.String(allow_none=True)


class GangSheetLayoutSchema(Schema):
    """A layout preview: sheets with placements (inches), totals, preflight and film cost."""

    layout = fields.Dict()
    sheet_count = fields.Integer()
    total_length_in = fields.Float()
    utilization = fields.Float()
    sheet_width = fields.Float()
    dpi = fields.Integer()
    printer_id = fields.Integer(allow_none=True)
    grouping_cost_in = fields.Float(allow_none=True)
    preflight = fields.List(fields.Nested(FindingSchema))
    film_cost = fields.Nested(FilmCostSchema, allow_none=True)
