"""web/schemas/fast: the faster dump gives exactly what marshmallow gives, for rows, dicts and odd fields."""
from __future__ import annotations

import datetime as dt
import decimal

import marshmallow
from marshmallow import fields
from sqlalchemy import select

from models import event, organization, tenancy
from models import file as file_model
from tests import helpers
from web.schemas import events, fast, files, orders, organizations


def _plain(schema: marshmallow.Schema, obj, many: bool = False):
    """What marshmallow's own Schema._serialize makes of it."""
    return marshmallow.Schema._serialize(schema, obj, many=many)


class _Odd(fast.Schema):
    id = fields.Integer()
    as_text = fields.Integer(attribute="n", as_string=True)
    name = fields.String(data_key="title", allow_none=True)
    dotted = fields.String(attribute="inner.name")
    method = fields.Method("_twice")
    default = fields.String(dump_default="none given")
    when = fields.DateTime(format="%Y-%m-%d")
    money = fields.Decimal(as_string=True)
    flag = fields.Boolean()
    raw = fields.Raw()

    def _twice(self, obj):
        return obj["n"] * 2 if isinstance(obj, dict) else obj.n * 2


class _Row:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_odd_fields_match_marshmallow():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    rows = [_Row(id=1, n=5, name=b"bytes", inner=_Row(name="in"), when=when, money=decimal.Decimal("1.50"),
                 flag="false", raw={"a": [1]}),
            _Row(id=2, n=0, name=None, inner=_Row(name=None), when=None, money=None, flag=None, raw=None),
            {"id": 3, "n": 7, "inner": {"name": "d"}, "flag": 1, "items": "kept"}]
    schema = _Odd()
    assert schema.dump(rows, many=True) == [_plain(schema, r) for r in rows]
    assert schema.dump(rows[0]) == _plain(schema, rows[0])


def test_api_schemas_dump_rows_as_marshmallow_does(client, session):
    owner = helpers.register(client)
    client.post(f"/api/organizations/{owner['org_id']}/events/", headers=owner["headers"],
                json={"event_type": "x.y", "entity_type": "orders", "entity_id": "9", "payload": {"k": [1, 2]}})
    with tenancy.org_scope(owner["org_id"]):
        rows = session.scalars(select(event.Event)).all()
        org = session.get(organization.Organization, owner["org_id"])
        stored = file_model.File(org_id=owner["org_id"], file_type="designs", status="ready", storage_key="k/a.png",
                                 filename="a.png", mime_type="image/png", size_bytes=10, tags=["t"], dpi=300.0,
                                 created_at=dt.datetime.now(dt.UTC),
                                 updated_at=dt.datetime.now(dt.UTC))
        for schema, objs in ((events.EventSchema(), rows), (organizations.OrganizationSchema(), [org]),
                             (files.FileSchema(), [stored]),
                             (orders.OrderItemSchema(), [{"id": 1, "order_id": 2, "quantity": 3, "variations": {}}])):
            assert len(objs) and schema.dump(objs, many=True) == [_plain(schema, o) for o in objs]


class _Thing(fast.Schema):
    id = fields.Integer()
    name = fields.String()


class _Holder(fast.Schema):
    id = fields.Integer()
    things = fields.List(fast.Shared(_Thing))
    first = fast.Shared(_Thing, only=("id",), allow_none=True)


def test_shared_objects_are_dumped_once_per_response_and_the_same_as_nested():
    calls = []

    class Counted(_Row):
        def __getattribute__(self, name):
            if name == "name":
                calls.append(object.__getattribute__(self, "id"))
            return object.__getattribute__(self, name)

    a, b = Counted(id=1, name="a"), Counted(id=2, name="b")
    rows = [_Row(id=i, things=[a, b] if i % 2 else [b], first=a if i % 3 else None) for i in range(50)]
    dumped = _Holder(many=True).dump(rows)
    assert sorted(calls) == [1, 2]  # each shared object read once for the whole page
    assert dumped == [_plain(_Holder(), r) for r in rows]  # what plain Nested fields give
    assert dumped[1]["first"] == {"id": 1} and dumped[1]["things"][0] == {"id": 1, "name": "a"}  # per field
    a.name = "renamed"
    calls.clear()
    assert _Holder().dump(rows[1])["things"][0]["name"] == "renamed" and calls == [1, 2]  # a new dump reads again
