"""Listing draft schemas: what to put up for sale on Etsy, and how far each listing got."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import listing_draft
from services import listing_drafts

WHO_MADE = ("i_did", "someone_else", "collective")
WHEN_MADE = ("made_to_order", "2020_2025", "2010_2019")


class ListingDraftSchema(Schema):
    """A listing being (or already) created on Etsy."""

    id = fields.Integer(dump_only=True)
    shop_id = fields.Integer(dump_only=True)
    design_file_id = fields.Integer(dump_only=True, allow_none=True)
    template_id = fields.Integer(dump_only=True, allow_none=True)
    print_job_id = fields.Integer(dump_only=True, allow_none=True)
    spec = fields.Dict(dump_only=True)
    status = fields.String(dump_only=True)
    etsy_listing_id = fields.Integer(dump_only=True, allow_none=True)
    inventory_set_at = fields.DateTime(dump_only=True, allow_none=True)
    completed_at = fields.DateTime(dump_only=True, allow_none=True)
    error = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class ListingDraftCreateSchema(Schema):
    """Body of POST .../listing-drafts/: one template applied to one or many designs, one listing each."""

    shop_id = fields.Integer(required=True, validate=validate.Range(min=1))
    template_id = fields.Integer(required=True, validate=validate.Range(min=1))
    design_file_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                                  validate=validate.Length(min=1, max=listing_drafts.MAX_BULK))
    prices = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[0-9]+$")),
                         values=fields.Decimal(validate=validate.Range(min=0.2, max=50000)), required=True,
                         validate=validate.Length(min=1, max=70),
                         metadata={"description": "Price per template size id; sizes without one are not listed"})
    quantity = fields.Integer(load_default=100, validate=validate.Range(min=1, max=999),
                              metadata={"description": "Available per size"})
    title = fields.String(validate=validate.Length(min=1, max=140),
                          metadata={"description": "{design} is replaced by the design's name (the default)"})
    description = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    tags = fields.List(fields.String(validate=validate.Length(min=1, max=20)), load_default=list,
                       validate=validate.Length(max=13))
    materials = fields.List(fields.String(validate=validate.Length(min=1, max=45)), load_default=list,
                            validate=validate.Length(max=13))
    taxonomy_id = fields.Integer(required=True, validate=validate.Range(min=1))
    shipping_profile_id = fields.Integer(required=True, validate=validate.Range(min=1))
    shop_section_id = fields.Integer(validate=validate.Range(min=1))
    who_made = fields.String(load_default="i_did", validate=validate.OneOf(WHO_MADE))
    when_made = fields.String(load_default="made_to_order", validate=validate.OneOf(WHEN_MADE))
    mockup_template_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), load_default=list,
                                      validate=validate.Length(max=listing_drafts.MAX_IMAGES),
                                      metadata={"description": "Rendered and uploaded in this order (rank 1 first)"})
    personalization_instructions = fields.String(validate=validate.Length(max=256))


class ListingDraftQueryArgsSchema(Schema):
    """Filters of the draft list."""

    shop_id = fields.Integer()
    design_file_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(listing_draft.STATUSES))
