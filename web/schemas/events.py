"""Audit event schemas."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from models import event
from services import events
from web.schemas import common, fast


class EventSchema(fast.Schema):
    """An event as the API shows it."""

    id = fields.Integer(dump_only=True)
    org_id = fields.Integer(dump_only=True)
    user_id = fields.Integer(dump_only=True, allow_none=True)
    event_type = fields.String(dump_only=True)
    entity_type = fields.String(dump_only=True, allow_none=True)
    entity_id = fields.String(dump_only=True, allow_none=True)
    level = fields.String(dump_only=True)
    source = fields.String(dump_only=True)
    changes = fields.Dict(dump_only=True, allow_none=True)
    payload = fields.Dict(dump_only=True, allow_none=True)
    request_id = fields.String(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class EventCreateSchema(Schema):
    """Body of POST .../events/ (an integration's own event)."""

    event_type = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_.:-]{1,100}$"), metadata={
        "description": "The integration's own type, e.g. `zapier.order_tagged`. The system's namespaces (the part "
                       "before the first dot: " + ", ".join(sorted(events.SYSTEM_NAMESPACES)) + ") are refused "
                       "with 422; the event is stored with source `integration`."})
    entity_type = common.Text(validate=validate.Length(min=1, max=64))
    entity_id = common.Text(validate=validate.Length(min=1, max=64))
    level = fields.String(validate=validate.OneOf(events.CUSTOM_LEVELS), load_default="info",
                          metadata={"description": "`error` is the system's own level and is refused"})
    payload = fields.Dict(keys=fields.String(), load_default=dict)


class EventQueryArgsSchema(common.TimeRangeArgsSchema):
    """Filters of the event search."""

    event_type = common.Text(validate=validate.Length(max=100))
    entity_type = common.Text(validate=validate.Length(max=64))
    entity_id = common.Text(validate=validate.Length(max=64))
    user_id = common.Id()
    level = fields.String(validate=validate.OneOf(event.LEVELS))
    source = common.Text(validate=validate.Length(max=16))


class EventListArgsSchema(EventQueryArgsSchema):
    """Filters of the event list, and its keyset cursor."""

    after = fields.String(validate=validate.Length(min=1, max=200), metadata={"description": (
        "Keyset pagination: the `X-Next-Cursor` header of the previous page (with `page` 1). Every page of 50 "
        "costs the same however deep; a full page answers the header, the last page does not.")})


class EventExportArgsSchema(EventQueryArgsSchema):
    """Filters and format of the audit export."""

    format = fields.String(validate=validate.OneOf(["csv", "jsonl"]), load_default="jsonl")


class EventStatsSchema(Schema):
    """Event counts of an organization."""

    total = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_level = fields.Dict(keys=fields.String(), values=fields.Integer())
    last_24h = fields.Integer()
    last_7d = fields.Integer()
