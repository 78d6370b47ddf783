"""Schema pieces shared by resources."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def validate_slug(value: str) -> None:
    """A shop_name: lower-case letters, digits and inner hyphens, 1-64 characters (it names a NAS folder)."""
    if not SLUG_RE.match(value):
        raise ValidationError("Must be 1-64 lower-case letters, digits or hyphens, not starting or ending with '-'")


Email = lambda **kw: fields.Email(validate=validate.Length(max=320), **kw)  # noqa: E731 - a field factory
Password = lambda **kw: fields.String(validate=validate.Length(min=10, max=200), load_only=True, **kw)  # noqa: E731


BIGINT_MAX = 2**63 - 1


class Text(fields.String):
    """A string PostgreSQL can store: NUL characters are refused (422) before any query sees them."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters")
        return text


Id = lambda **kw: fields.Integer(validate=validate.Range(min=1, max=BIGINT_MAX), **kw)  # noqa: E731


class TimeRangeArgsSchema(Schema):
    """`since`/`until` filters on a timestamp."""

    since = fields.AwareDateTime(default_timezone=None)
    until = fields.AwareDateTime(default_timezone=None)


class Number(fields.Decimal):
    """A decimal quantity such as money: loaded as an exact Decimal (from a number or a numeric string), shown as a
    JSON number."""

    def _serialize(self, value, attr, obj, **kwargs):
        number = super()._serialize(value, attr, obj, **kwargs)
        return None if number is None else float(number)


class StrictBoolean(fields.Boolean):
    """A JSON boolean only: "yes", 1 and "true" are refused in bodies (query strings use fields.Boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):
        # A set membership test would let 1 and 0 through, since 1 == True in Python.
        if type(value) is not bool:
            raise self.make_error("invalid", input=value)
        return value
