"""Members: role checks and the one-owner rule."""
from __future__ import annotations

from tests import helpers


def _url(org: dict, user_id: int | None = None) -> str:
    base = f"/api/organizations/{org['org_id']}/members/"
    return base if user_id is None else f"{base.rstrip('/')}/{user_id}"


def test_roles_gate_member_management(client):
    owner = helpers.register(client)
    admin = helpers.add_member(client, owner, "admin")
    operator = helpers.add_member(client, owner, "operator")
    viewer = helpers.add_member(client, owner, "viewer")
    new = {"email": "new@example.com", "password": helpers.PASSWORD, "role": "viewer"}
    for who in (viewer, operator):
        helpers.assert_error(client.post(_url(owner), headers=who["headers"], json=new), 403)
        assert client.get(_url(owner), headers=who["headers"]).status_code == 200
    assert client.post(_url(owner), headers=admin["headers"], json=new).status_code == 201
    helpers.assert_error(client.post(_url(owner), headers=admin["headers"],
                                     json={**new, "email": "o2@example.com", "role": "owner"}), 403)
    helpers.assert_error(client.patch(_url(owner, operator["user"]["id"]), headers=admin["headers"],
                                      json={"role": "owner"}), 403)
    assert client.patch(_url(owner, operator["user"]["id"]), headers=admin["headers"],
                        json={"role": "admin"}).get_json()["role"] == "admin"
    helpers.assert_error(client.delete(_url(owner, owner["user"]["id"]), headers=admin["headers"]), 403)


def test_org_keeps_one_owner(client):
    owner = helpers.register(client)
    helpers.assert_error(client.patch(_url(owner, owner["user"]["id"]), headers=owner["headers"],
                                      json={"role": "admin"}), 409)
    helpers.assert_error(client.delete(_url(owner, owner["user"]["id"]), headers=owner["headers"]), 409)
    second = helpers.add_member(client, owner, "owner")
    assert client.patch(_url(owner, owner["user"]["id"]), headers=second["headers"],
                        json={"role": "admin"}).status_code == 200
    helpers.assert_error(client.patch(_url(owner, second["user"]["id"]), headers=second["headers"],
                                      json={"is_active": False}), 409)


def test_member_validation_and_duplicates(client):
    owner = helpers.register(client)
    helpers.assert_error(client.post(_url(owner), headers=owner["headers"],
                                     json={"email": "x@example.com", "password": helpers.PASSWORD,
                                           "role": "emperor"}), 422)
    helpers.assert_error(client.post(_url(owner), headers=owner["headers"],
                                     json={"email": owner["user"]["email"], "password": helpers.PASSWORD,
                                           "role": "viewer"}), 409)
    helpers.assert_error(client.get(_url(owner, 987654), headers=owner["headers"]), 404)
    helpers.assert_error(client.patch(_url(owner, owner["user"]["id"]), headers=owner["headers"],
                                      json={"email": "new@example.com"}), 422)


def test_member_changes_are_audited(client):
    owner = helpers.register(client)
    member = helpers.add_member(client, owner, "viewer")
    client.patch(_url(owner, member["user"]["id"]), headers=owner["headers"], json={"role": "operator"})
    client.delete(_url(owner, member["user"]["id"]), headers=owner["headers"])
    trail = client.get(f"/api/organizations/{owner['org_id']}/events/audit-trail/users/{member['user']['id']}",
                       headers=owner["headers"]).get_json()
    trail = [e for e in trail if e["event_type"].startswith("member.")]
    assert [e["event_type"] for e in trail] == ["member.removed", "member.updated", "member.added"]
    assert trail[1]["changes"] == {"role": ["viewer", "operator"]}
    assert all(e["user_id"] == owner["user"]["id"] and e["request_id"] for e in trail)
