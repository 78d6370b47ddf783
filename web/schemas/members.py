"""Member (user within an organization) schemas."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import user
from web.schemas import common


class MemberSchema(Schema):
    """A user as the API shows it (never the password hash)."""

    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True, allow_none=True)
    role = fields.String(dump_only=True)
    org_id = fields.Integer(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    is_superuser = fields.Boolean(dump_only=True)
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class MemberCreateSchema(Schema):
    """Body of POST .../members."""

    email = common.Email(required=True)
    password = common.Password(required=True)
    role = fields.String(required=True, validate=validate.OneOf(user.ROLES))
    full_name = fields.String(validate=validate.Length(max=200))


class MemberUpdateSchema(Schema):
    """Body of PATCH .../members/{user_id}."""

    role = fields.String(validate=validate.OneOf(user.ROLES))
    full_name = fields.String(validate=validate.Length(max=200))
    is_active = common.StrictBoolean()


class MemberQueryArgsSchema(Schema):
    """Filters of the member list."""

    role = fields.String(validate=validate.OneOf(user.ROLES))
    is_active = fields.Boolean()
