"""Event lists written by PostgreSQL (web.rowjson): the same JSON as the schema's dump, scoped to the tenant."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from marshmallow import Schema, fields
from sqlalchemy import DateTime, bindparam, cast, select, text

from models import event as event_model
from models import tenancy
from tests import helpers
from web import rowjson
from web.schemas import events as event_schemas

Event = event_model.Event
AWKWARD = {"quote\"back\\slash": "line\nbreak\ttab\u001f<script>", "unicode": "Grüße 🎨 日本", "nested": {
    "list": [1, 2.5, -3, True, None, {"deep": []}], "big": 12345678901234567890, "small": 1e-7}, "": "empty key"}


def _add(session, org_id: int, **values) -> Event:
    row = Event(org_id=org_id, event_type=values.pop("event_type", "test.rowjson"), **values)
    session.add(row)
    session.flush()
    return row


def _schema_dump(session, org_id: int, ids: list[int]) -> list[dict]:
    """What the schema dumps for these events, through the app's JSON (as the API answered before)."""
    with tenancy.org_scope(org_id):
        rows = session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.created_at.desc(),
                                                                               Event.id.desc())).all()
    return json.loads(json.dumps(event_schemas.EventSchema(many=True).dump(rows)))


def test_list_json_is_the_schemas_dump_value_for_value(client, session):
    owner = helpers.register(client)
    org_id = owner["org_id"]
    with tenancy.org_scope(org_id):
        whole_second = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
        made = [
            _add(session, org_id, payload=AWKWARD, changes={"name": ["old", "new"]}, entity_type="orders",
                 entity_id="o-1", request_id="req-1", level="warning", source="integration"),
            _add(session, org_id, payload=None, changes=None, user_id=None, created_at=whole_second),
            _add(session, org_id, payload={}, created_at=whole_second.replace(microsecond=1)),
            _add(session, org_id, payload={"n": 1}, created_at=whole_second.replace(microsecond=120000)),
        ]
    answered = client.get(f"/api/organizations/{org_id}/events/?event_type=test.rowjson&page_size=10",
                          headers=owner["headers"])
    assert answered.status_code == 200 and answered.mimetype == "application/json"
    body = answered.get_json()
    assert body == _schema_dump(session, org_id, [row.id for row in made])
    by_id = {item["id"]: item for item in body}
    # Python's isoformat: no fraction on a whole second, six digits otherwise.
    assert by_id[made[1].id]["created_at"] == "2026-03-01T12:00:00+00:00"
    assert by_id[made[2].id]["created_at"] == "2026-03-01T12:00:00.000001+00:00"
    assert by_id[made[3].id]["created_at"] == "2026-03-01T12:00:00.120000+00:00"
    assert by_id[made[0].id]["payload"] == AWKWARD and by_id[made[1].id]["payload"] is None
    assert json.loads(answered.headers["X-Pagination"])["total"] == 4


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/St_Johns", "UTC"])
@pytest.mark.parametrize("micro", [0, 5, 120000, 999999])
def test_timestamps_are_written_like_pythons_isoformat_in_any_session_time_zone(session, zone, micro):
    session.execute(text(f"SET LOCAL TIME ZONE '{zone}'"))
    at = cast(bindparam("at", type_=DateTime(timezone=True)), DateTime(timezone=True))
    when = dt.datetime(2026, 7, 4, 23, 59, 58, micro, tzinfo=dt.UTC)
    written, returned = session.execute(select(rowjson._isoformat(at), at), {"at": when}).one()
    assert written == returned.isoformat() and dt.datetime.fromisoformat(written) == when


def test_other_tenants_events_never_show(client, session):
    mine, theirs = helpers.register(client), helpers.register(client)
    with tenancy.org_scope(theirs["org_id"]):
        _add(session, theirs["org_id"], payload={"secret": "theirs"})
    for suffix in ("?event_type=test.rowjson", "system-errors", "audit-trail/orders/o-1"):
        answered = client.get(f"/api/organizations/{mine['org_id']}/events/{suffix}", headers=mine["headers"])
        assert answered.status_code == 200 and answered.get_json() == []
    helpers.assert_error(client.get(f"/api/organizations/{theirs['org_id']}/events/", headers=mine["headers"]), 404)


def test_deep_pages_are_the_same_rows_as_the_entity_path(client, session):
    owner = helpers.register(client)
    org_id = owner["org_id"]
    with tenancy.org_scope(org_id):
        session.add_all([Event(org_id=org_id, event_type="test.deep", entity_id=str(i), payload={"i": i})
                         for i in range(1_060)])
        session.flush()
    url = f"/api/organizations/{org_id}/events/?event_type=test.deep&page_size=50&page=21"  # rows 1,000 - 1,049
    body = client.get(url, headers=owner["headers"]).get_json()
    with tenancy.org_scope(org_id):
        expected = session.scalars(select(Event.id).where(Event.event_type == "test.deep")
                                   .order_by(Event.created_at.desc(), Event.id.desc()).offset(1_000).limit(50)).all()
    assert [item["id"] for item in body] == expected
    assert body == _schema_dump(session, org_id, expected)


def test_a_schema_with_a_field_postgresql_does_not_write_is_refused():
    class Computed(Schema):
        id = fields.Integer()
        label = fields.Method("make_label")

        def make_label(self, obj):
            return str(obj.id)

    class Nested(Schema):
        payload = fields.Dict(keys=fields.String(), values=fields.Integer())

    class Missing(Schema):
        nowhere = fields.String()

    class WrongType(Schema):
        level = fields.Integer()  # a text column: marshmallow would int() it, PostgreSQL would not

    class TextAsDict(Schema):
        event_type = fields.Dict()

    for schema in (Computed(), Nested(), Missing(), WrongType(), TextAsDict()):
        with pytest.raises(ValueError):
            rowjson.columns(schema, Event)
    assert rowjson.columns(event_schemas.EventSchema(), Event)[0].name == rowjson.JSON_LABEL
