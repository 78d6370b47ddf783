"""Owner insight schemas: the period and how many entries a top list holds."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.schemas import common


class InsightQueryArgsSchema(common.TimeRangeArgsSchema):
    """since/until (default: the last year for sales, the last 30 days for film and cost) and a top list's size."""

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class MonthSalesSchema(Schema):
    """Sales of one month in one currency."""

    month = fields.String()
    currency = fields.String(allow_none=True)
    orders = fields.Integer()
    items = fields.Integer()
    revenue = fields.String()


class TopDesignSchema(Schema):
    """A design and how much of it sold."""

    design_file_id = fields.Integer()
    filename = fields.String()
    pieces = fields.Integer()
    orders = fields.Integer()


class TopListingSchema(Schema):
    """An Etsy listing and how much of it sold."""

    listing_id = fields.Integer()
    title = fields.String(allow_none=True)
    pieces = fields.Integer()
    orders = fields.Integer()


class FilmDaySchema(Schema):
    """Film printed on one day."""

    day = fields.String()
    jobs = fields.Integer()
    film_in = fields.Float()
    film_cost = fields.Float(allow_none=True)


class FilmByDaySchema(Schema):
    """Film per day at the organization's film price."""

    price_per_inch = fields.Float(allow_none=True)
    currency = fields.String(allow_none=True)
    days = fields.List(fields.Nested(FilmDaySchema))


class CostPerOrderSchema(Schema):
    """Film and its cost per order produced in the period."""

    orders = fields.Integer()
    film_in = fields.Float()
    film_cost = fields.Float(allow_none=True)
    currency = fields.String(allow_none=True)
    average_film_in = fields.Float(allow_none=True)
    average_cost = fields.Float(allow_none=True)
    price_per_inch = fields.Float(allow_none=True)
