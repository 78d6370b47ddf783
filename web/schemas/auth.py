"""Registration, login and token schemas."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from web.schemas import common, members, organizations


class RegisterSchema(Schema):
    """Body of POST /api/auth/register."""

    email = common.Email(required=True)
    password = common.Password(required=True)
    organization_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    shop_name = fields.String(validate=common.validate_slug)
    full_name = fields.String(validate=validate.Length(max=200))


class LoginSchema(Schema):
    """Body of POST /api/auth/login."""

    email = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class RefreshSchema(Schema):
    """Body of POST /api/auth/refresh."""

    refresh_token = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=4096))


class TokenSchema(Schema):
    """A token pair."""

    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class RegisteredSchema(TokenSchema):
    """Answer of a registration: tokens, the user and the new organization."""

    user = fields.Nested(members.MemberSchema)
    organization = fields.Nested(organizations.OrganizationSchema)


class MeSchema(Schema):
    """The signed-in user and their organization."""

    user = fields.Nested(members.MemberSchema)
    organization = fields.Nested(organizations.OrganizationSchema)
    features = fields.Dict(keys=fields.String(), values=fields.Boolean())
