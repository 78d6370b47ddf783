"""Every mutating API call writes an audit event in its own transaction (who, what, which entity)."""
from __future__ import annotations

from sqlalchemy import func, select

from models import event, tenancy
from tests import helpers


def _count(session, org_id: int) -> int:
    with tenancy.org_scope(org_id):
        return session.scalar(select(func.count()).select_from(event.Event))


def test_each_mutation_adds_an_event(client, session):
    owner = helpers.register(client)
    member = helpers.add_member(client, owner, "viewer")
    org = f"/api/organizations/{owner['org_id']}"
    h = owner["headers"]
    mutations = [
        ("PATCH", org, {"name": "Renamed Shop"}, "organization.updated"),
        ("PUT", f"{org}/features", {"features": {"analytics": False}}, "organization.features_updated"),
        ("POST", f"{org}/members/", {"email": "m2@example.com", "password": helpers.PASSWORD, "role": "viewer"},
         "member.added"),
        ("PATCH", f"{org}/members/{member['user']['id']}", {"role": "operator"}, "member.updated"),
        ("DELETE", f"{org}/members/{member['user']['id']}", None, "member.removed"),
        ("POST", f"{org}/events/", {"event_type": "custom.thing"}, "custom.thing"),
        ("DELETE", org, None, "organization.deactivated"),
    ]
    for method, path, body, expected in mutations:
        before = _count(session, owner["org_id"])
        response = client.open(path, method=method, headers=h, json=body)
        assert response.status_code < 300, (method, path, response.get_json())
        assert _count(session, owner["org_id"]) == before + 1, (method, path)
        with tenancy.org_scope(owner["org_id"]):
            last = session.scalars(select(event.Event).order_by(event.Event.id.desc())).first()
        assert last.event_type == expected and last.user_id == owner["user"]["id"] and last.request_id


def test_sign_ins_are_audited_without_secrets(client, session):
    owner = helpers.register(client)
    client.post("/api/auth/login", json={"email": owner["user"]["email"], "password": "wrong-password!"})
    client.post("/api/auth/login", json={"email": owner["user"]["email"], "password": helpers.PASSWORD})
    with tenancy.org_scope(owner["org_id"]):
        rows = session.scalars(select(event.Event).where(event.Event.event_type.like("user.login%"))
                               .order_by(event.Event.id)).all()
    assert [r.event_type for r in rows] == ["user.login_failed", "user.login"]
    assert helpers.PASSWORD not in str([(r.changes, r.payload) for r in rows])


def test_failed_validation_writes_nothing(client, session):
    owner = helpers.register(client)
    before = _count(session, owner["org_id"])
    client.patch(f"/api/organizations/{owner['org_id']}", headers=owner["headers"], json={"name": ""})
    client.post(f"/api/organizations/{owner['org_id']}/members/", headers=owner["headers"],
                json={"email": owner["user"]["email"], "password": helpers.PASSWORD, "role": "viewer"})
    assert _count(session, owner["org_id"]) == before
