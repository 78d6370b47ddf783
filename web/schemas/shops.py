"""Shop schemas (tokens never appear in any of them)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from services import shops
from web.schemas import common


class ShopSchema(Schema):
    """A connected (or connecting) Etsy shop."""

    id = fields.Integer(dump_only=True)
    org_id = fields.Integer(dump_only=True)
    etsy_shop_id = fields.Integer(dump_only=True, allow_none=True)
    name = fields.String(dump_only=True, allow_none=True)
    currency = fields.String(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True)
    scopes = fields.List(fields.String(), dump_only=True)
    sync_enabled = fields.Boolean(dump_only=True)
    sync_interval_minutes = fields.Integer(dump_only=True)
    hold_hours = fields.Integer(dump_only=True)
    default_template_id = fields.Integer(dump_only=True, allow_none=True)
    default_printer_id = fields.Integer(dump_only=True, allow_none=True)
    token_expires_at = fields.DateTime(dump_only=True, allow_none=True)
    last_synced_at = fields.DateTime(dump_only=True, allow_none=True)
    last_full_sync_at = fields.DateTime(dump_only=True, allow_none=True)
    sync_error = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class ShopConnectSchema(Schema):
    """Body of POST .../shops/: the scopes to ask the seller for."""

    scopes = fields.List(fields.String(validate=validate.Regexp(r"^[a-z_]+$")), load_default=list(shops.DEFAULT_SCOPES),
                         validate=validate.Length(min=1, max=20))


class ShopConnectStartedSchema(Schema):
    """Where to send the seller to approve the connection."""

    shop = fields.Nested(ShopSchema)
    authorization_url = fields.String()
    expires_in = fields.Integer()


class ShopUpdateSchema(Schema):
    """Body of PATCH .../shops/{shop_id}."""

    sync_enabled = common.StrictBoolean()
    sync_interval_minutes = fields.Integer(validate=validate.Range(min=5, max=1440))
    hold_hours = fields.Integer(validate=validate.Range(min=0, max=720))
    default_template_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))
    default_printer_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))


class ShopSyncSchema(Schema):
    """Body of POST .../shops/{shop_id}/sync."""

    full = common.StrictBoolean(load_default=False,
                                metadata={"description": "Reconcile every receipt, not only recent changes"})


class OAuthCallbackArgsSchema(Schema):
    """What Etsy appends to the redirect URI."""

    class Meta:
        unknown = "exclude"

    code = fields.String(validate=validate.Length(min=1, max=2048))
    state = fields.String(required=True, validate=validate.Length(min=1, max=512))
    error = fields.String(validate=validate.Length(max=200))


class OAuthCallbackAnswerSchema(Schema):
    """The callback's answer to an API client: the connection waits for the starting member's confirmation."""

    status = fields.String(metadata={"description": "awaiting_confirmation"})
    shop_id = fields.Integer()
    confirmation = fields.String(metadata={"description": "Send it to shops/connect/confirm as the member who "
                                                          "started the connection"})
    confirm_url = fields.String(metadata={"description": "The console page where that member confirms"})


class ShopConfirmSchema(Schema):
    """The starting member confirms a connection with the token the callback answered."""

    confirmation = fields.String(required=True, validate=validate.Length(min=1, max=512))


class PrintJobRefSchema(Schema):
    """The print job doing the work."""

    id = fields.Integer()
    job_type = fields.String()
    status = fields.String()
    params = fields.Dict()


class ReferenceDataSchema(Schema):
    """Etsy reference data."""

    kind = fields.String()
    cached = fields.Boolean()
    results = fields.List(fields.Dict())
