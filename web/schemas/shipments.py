"""Shipment schemas: orders marked shipped with carrier and tracking code."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import shipment
from services import shipments


class ShipmentSchema(Schema):
    """One receipt shipment and whether Etsy has it."""

    id = fields.Integer(dump_only=True)
    order_id = fields.Integer(dump_only=True)
    carrier_name = fields.String(dump_only=True)
    tracking_code = fields.String(dump_only=True, allow_none=True)
    note_to_buyer = fields.String(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    print_job_id = fields.Integer(dump_only=True, allow_none=True)
    attempted_at = fields.DateTime(dump_only=True, allow_none=True)
    sent_at = fields.DateTime(dump_only=True, allow_none=True)
    etsy_receipt_shipping_id = fields.Integer(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class _Carrier(Schema):
    carrier_name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                 metadata={"description": "As Etsy names it: usps, ups, fedex, dhl, other..."})
    note_to_buyer = fields.String(validate=validate.Length(max=500))
    send_bcc = fields.Boolean(load_default=False, metadata={"description": "Copy the notification to the seller"})


class ShipOrderSchema(_Carrier):
    """Body of POST .../orders/{order_id}/ship."""

    tracking_code = fields.String(validate=validate.Length(min=1, max=100))


class OrderTrackingSchema(Schema):
    """One order and its tracking code."""

    order_id = fields.Integer(required=True, validate=validate.Range(min=1))
    tracking_code = fields.String(validate=validate.Length(min=1, max=100), allow_none=True)


class ShipmentCreateSchema(_Carrier):
    """Body of POST .../shipments/: orders with their tracking codes, or a gang sheet job's orders (or both)."""

    orders = fields.List(fields.Nested(OrderTrackingSchema), load_default=list,
                         validate=validate.Length(max=shipments.MAX_ORDERS))
    print_job_id = fields.Integer(validate=validate.Range(min=1),
                                  metadata={"description": "Every open order of this gang sheet job; tracking codes "
                                                           "from `orders` where given"})


class ShipmentBatchSchema(Schema):
    """The shipments created and the job sending them."""

    print_job_id = fields.Integer()
    shipments = fields.List(fields.Nested(ShipmentSchema))


class ShipmentQueryArgsSchema(Schema):
    """Filters of the shipment list."""

    order_id = fields.Integer()
    print_job_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(shipment.STATUSES))
