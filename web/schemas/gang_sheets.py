"""Gang sheet layout preview schemas (the request is the gang_sheets job's own parameter schema)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services import gang_sheets

GangSheetLayoutRequestSchema = gang_sheets.ParamsSchema
FORMATS = ("json", "png", "svg")


class GangSheetLayoutArgsSchema(Schema):
    """Query of the layout preview: what to answer with."""

    format = fields.String(validate=validate.OneOf(FORMATS), metadata={
        "description": "json (default), or a picture: png (long side at most 1600 px) or svg. Without it, the "
                       "Accept header chooses (image/png, image/svg+xml, application/json)"})
    sheet = fields.Integer(load_default=1, validate=validate.Range(min=1),
                           metadata={"description": "Which sheet a picture shows (1-based); X-Sheet-Count says "
                                                    "how many there are"})


class FindingSchema(Schema):
    """One preflight finding."""

    level = fields.String()
    code = fields.String()
    key = fields.String(allow_none=True, metadata={"description": "The design's label (file name · order), as in "
                                                                  "the layout's placements"})
    file_id = fields.Integer(allow_none=True)
    message = fields.String()
    sheet = fields.Integer(allow_none=True)


class LayoutDesignSchema(Schema):
    """The design behind a layout key."""

    file_id = fields.Integer()
    file_name = fields.String()
    order_ref = fields.String(allow_none=True)
    trimmed = fields.Boolean(metadata={"description": "Only the visible artwork is placed and printed"})
    crop_px = fields.List(fields.Integer(), allow_none=True,
                          metadata={"description": "The printed box of the file: left, top, right, bottom px"})
    width_px = fields.Integer(metadata={"description": "Pixels printed across (after trimming)"})
    height_px = fields.Integer()


class FilmCostSchema(Schema):
    """Film cost at the organization's price per inch."""

    price_per_inch = fields.Float()
    total = fields.Float()
    currency = fields.String(allow_none=True)


class GangSheetLayoutSchema(Schema):
    """A layout preview: sheets with placements (inches), totals, preflight and film cost."""

    layout = fields.Dict(metadata={"description": "Sheets with placements; each placement's key is a design label"})
    designs = fields.Dict(keys=fields.String(), values=fields.Nested(LayoutDesignSchema),
                          metadata={"description": "The design behind each layout key"})
    sheet_count = fields.Integer()
    total_length_in = fields.Float()
    utilization = fields.Float()
    sheet_width = fields.Float()
    dpi = fields.Integer()
    printer_id = fields.Integer(allow_none=True)
    grouping_cost_in = fields.Float(allow_none=True)
    preflight = fields.List(fields.Nested(FindingSchema))
    film_cost = fields.Nested(FilmCostSchema, allow_none=True)
