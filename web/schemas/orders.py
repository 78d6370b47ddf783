"""Order, order item, match and production schemas."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services import matching
from web.schemas import common, fast, files


class OrderItemSchema(fast.Schema):
    """An Etsy transaction with its match and production state."""

    id = fields.Integer(dump_only=True)
    order_id = fields.Integer(dump_only=True)
    etsy_transaction_id = fields.Integer(dump_only=True)
    listing_id = fields.Integer(dump_only=True, allow_none=True)
    product_id = fields.Integer(dump_only=True, allow_none=True)
    sku = fields.String(dump_only=True, allow_none=True)
    variations = fields.Dict(dump_only=True)
    personalization = fields.String(dump_only=True, allow_none=True)
    quantity = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True, allow_none=True)
    match_status = fields.String(dump_only=True)
    matched_by = fields.String(dump_only=True, allow_none=True)
    mapping_id = fields.Integer(dump_only=True, allow_none=True)
    design_file_id = fields.Integer(dump_only=True, allow_none=True)
    template_id = fields.Integer(dump_only=True, allow_none=True)
    size_id = fields.Integer(dump_only=True, allow_none=True)
    print_job_id = fields.Integer(dump_only=True, allow_none=True)
    reprints = fields.Integer(dump_only=True)


class OrderSchema(fast.Schema):
    """An Etsy receipt."""

    id = fields.Integer(dump_only=True)
    shop_id = fields.Integer(dump_only=True)
    etsy_receipt_id = fields.Integer(dump_only=True)
    buyer_name = fields.String(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True, allow_none=True)
    is_paid = fields.Boolean(dump_only=True)
    is_shipped = fields.Boolean(dump_only=True)
    is_canceled = fields.Boolean(dump_only=True)
    grandtotal = common.Number(dump_only=True, allow_none=True)
    currency = fields.String(dump_only=True, allow_none=True)
    etsy_created_at = fields.DateTime(dump_only=True, allow_none=True)
    etsy_updated_at = fields.DateTime(dump_only=True, allow_none=True)
    paid_at = fields.DateTime(dump_only=True, allow_none=True)
    production_status = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "sent (to a printer's hot folder) or printed (every sheet carrying it printed)"})
    printed_at = fields.DateTime(dump_only=True, allow_none=True)


class OrderDetailSchema(OrderSchema):
    """A receipt with its items."""

    items = fields.List(fields.Nested(OrderItemSchema), dump_only=True)


class OrderQueryArgsSchema(common.TimeRangeArgsSchema):
    """Filters of the order search (time range on Etsy's creation time)."""

    shop_id = fields.Integer()
    is_paid = fields.Boolean()
    is_shipped = fields.Boolean()
    is_canceled = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Buyer name contains"})
    receipt_id = fields.Integer(metadata={"description": "Etsy receipt id"})


class UnmatchedItemSchema(OrderItemSchema):
    """An unmatched item with design suggestions."""

    # The same few files are suggested for many items of a page: each is dumped once (fast.Shared).
    suggestions = fields.List(fast.Shared(files.FileSchema), dump_only=True)


class MatchSchema(Schema):
    """Body of POST .../orders/items/{item_id}/match."""

    design_file_id = fields.Integer(required=True, validate=validate.Range(min=1))
    template_id = fields.Integer(validate=validate.Range(min=1))
    size_id = fields.Integer(validate=validate.Range(min=1))
    scope = fields.String(load_default="listing", validate=validate.OneOf(["item", "listing", "sku", "variation"]),
                          metadata={"description": "What the saved rule covers: just this item, the listing, the "
                                                   "listing and SKU, or the listing and these variation values"})


class MatchResultSchema(Schema):
    """The matched item, the rule saved, and how many other items it matched."""

    item = fields.Nested(OrderItemSchema)
    mapping_id = fields.Integer(allow_none=True)
    also_matched = fields.Integer()


class ProduceSchema(Schema):
    """Body of POST .../orders/produce: orders picked by hand (the hold window does not apply)."""

    order_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                            validate=validate.Length(min=1, max=500))


class ProduceResultSchema(Schema):
    """Jobs created, items taken, and items left out with the reason."""

    jobs = fields.List(fields.Integer())
    items = fields.Integer()
    skipped = fields.List(fields.Dict())


class DesignMappingSchema(Schema):
    """A matching rule."""

    id = fields.Integer(dump_only=True)
    listing_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**63 - 1))
    sku = fields.String(load_default="", validate=validate.Length(max=200))
    variations = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                             values=fields.String(validate=validate.Length(max=200)), load_default=dict,
                             validate=validate.Length(max=10))
    design_file_id = fields.Integer(required=True, validate=validate.Range(min=1))
    template_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    size_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    created_at = fields.DateTime(dump_only=True)


    @validates_schema
    def _key_fits(self, data: dict, **kwargs) -> None:
        if len(matching.variation_key(data.get("variations"))) > 500:
            raise ValidationError("Variation values are too long together (500 characters at most)", "variations")


class DesignMappingUpdateSchema(Schema):
    """Body of PATCH .../design-mappings/{mapping_id}."""

    design_file_id = fields.Integer(validate=validate.Range(min=1))
    template_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    size_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))


class DesignMappingQueryArgsSchema(Schema):
    """Filters of the mapping list."""

    listing_id = fields.Integer()
    design_file_id = fields.Integer()
