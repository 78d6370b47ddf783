"""Organization schemas."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from models import organization
from nas import paths
from web.schemas import common, fast


class OrganizationSettingsSchema(Schema):
    """Per-organization settings; unknown keys are refused."""

    film_price_per_inch = common.Number(places=4, validate=validate.Range(min=0, max=1000),
                                        metadata={"description": "Film price per inch of sheet length"})
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    default_dpi = fields.Integer(validate=validate.Range(min=72, max=2400))
    event_retention_days = fields.Integer(validate=validate.Range(min=1, max=36500))
    timezone = fields.String(validate=validate.Length(max=64))
    nas_import_every_hours = fields.Integer(validate=validate.Range(min=0, max=720),
                                            metadata={"description": "Import new NAS files this often; 0: never"})
    nas_import_file_types = fields.List(fields.String(validate=validate.OneOf(sorted(paths.FILE_TYPES))),
                                        validate=validate.Length(min=1, max=len(paths.FILE_TYPES)))

    @post_load
    def _stored(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # Loaded settings are stored as JSON, as the API shows them (the price as a number).
        return self.dump(data)


class OrganizationSchema(fast.Schema):
    """An organization as the API shows it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    shop_name = fields.String(dump_only=True)
    nas_folder = fields.String(dump_only=True, allow_none=True)
    folder = fields.String(dump_only=True, metadata={"description": "The NAS folder holding the files"})
    settings = fields.Nested(OrganizationSettingsSchema, dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class OrganizationCreateSchema(Schema):
    """Body of POST /api/organizations/ (superusers)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    shop_name = fields.String(validate=common.validate_slug)
    settings = fields.Nested(OrganizationSettingsSchema)


class OrganizationUpdateSchema(Schema):
    """Body of PATCH /api/organizations/{org_id}; shop_name is fixed because it names the NAS folder."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    nas_folder = fields.String(allow_none=True, validate=validate.Length(min=1, max=64),
                               metadata={"description": "An existing NAS folder's name, kept as it is (mixed case "
                                                        "included); null: shop_name"})
    settings = fields.Nested(OrganizationSettingsSchema)
    is_active = common.StrictBoolean(metadata={"description": "Superusers only"})


class OrganizationQueryArgsSchema(Schema):
    """Filters of the organization list."""

    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Name or shop_name contains"})
    is_active = fields.Boolean()


class FeaturesSchema(Schema):
    """Every feature flag with its effective value."""

    features = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)


class FeaturesUpdateSchema(Schema):
    """Flags to set; names must be known."""

    features = fields.Dict(
        keys=fields.String(validate=validate.OneOf(sorted(organization.FEATURE_DEFAULTS))),
        values=common.StrictBoolean(), required=True,
    )


class OrganizationStatsSchema(Schema):
    """Aggregates of one organization."""

    members = fields.Dict(keys=fields.String(), values=fields.Integer())
    members_total = fields.Integer()
    events_total = fields.Integer()
    events_last_24h = fields.Integer()
    errors_last_24h = fields.Integer()
    shops = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "By status"})
    orders = fields.Integer()
    unmatched_items = fields.Integer()
    files = fields.Dict(metadata={"description": "Live files: count and bytes"})
    jobs = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "By status"})
