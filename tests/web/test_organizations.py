"""Organizations: visibility, updates, features, stats, deactivation, superusers."""
from __future__ import annotations

from sqlalchemy import select

from models import event, tenancy
from models import user as user_model
from services import passwords
from tests import helpers


def _superuser(client, session) -> dict:
    owner = helpers.register(client, org_name="Platform")
    with tenancy.org_scope(owner["org_id"]):
        user = session.get(user_model.User, owner["user"]["id"])
        user.is_superuser = True
        session.commit()
    login = client.post("/api/auth/login", json={"email": owner["user"]["email"], "password": helpers.PASSWORD})
    return {**owner, "headers": helpers.bearer(login.get_json()["access_token"])}


def _events(session, org_id: int, event_type: str) -> list[event.Event]:
    with tenancy.org_scope(org_id):
        return list(session.scalars(select(event.Event).where(event.Event.event_type == event_type)))


def test_members_see_only_their_org(client):
    a, b = helpers.register(client), helpers.register(client)
    listed = client.get("/api/organizations/", headers=a["headers"])
    assert [o["id"] for o in listed.get_json()] == [a["org_id"]]
    assert "X-Pagination" in listed.headers
    helpers.assert_error(client.get(f"/api/organizations/{b['org_id']}", headers=a["headers"]), 404)


def test_superuser_lists_creates_and_enters_any_org(client, session):
    su = _superuser(client, session)
    other = helpers.register(client, org_name="Other Shop")
    ids = [o["id"] for o in client.get("/api/organizations/?page_size=100", headers=su["headers"]).get_json()]
    assert {su["org_id"], other["org_id"]} <= set(ids)
    assert client.get(f"/api/organizations/{other['org_id']}", headers=su["headers"]).status_code == 200
    created = client.post("/api/organizations/", headers=su["headers"],
                          json={"name": "Made By Admin", "settings": {"default_dpi": 300}})
    assert created.status_code == 201 and created.get_json()["settings"] == {"default_dpi": 300}
    assert _events(session, created.get_json()["id"], "organization.created")
    helpers.assert_error(client.post("/api/organizations/", headers=other["headers"], json={"name": "Nope"}), 403)
    helpers.assert_error(client.get("/api/organizations/999999", headers=su["headers"]), 404)


def test_update_settings_audited_and_validated(client, session):
    owner = helpers.register(client)
    url = f"/api/organizations/{owner['org_id']}"
    response = client.patch(url, headers=owner["headers"],
                            json={"name": "Renamed", "settings": {"film_price_per_inch": "0.35", "currency": "USD"}})
    assert response.status_code == 200
    assert response.get_json()["settings"] == {"film_price_per_inch": 0.35, "currency": "USD"}
    changes = _events(session, owner["org_id"], "organization.updated")[0].changes
    assert changes["name"] == [owner["organization"]["name"], "Renamed"]
    err = helpers.assert_error(client.patch(url, headers=owner["headers"], json={"settings": {"color": "red"}}), 422)
    assert "settings" in err["errors"]
    helpers.assert_error(client.patch(url, headers=owner["headers"], json={"shop_name": "new-slug"}), 422)
    helpers.assert_error(client.patch(url, headers=owner["headers"], json={"is_active": False}), 403)
    viewer = helpers.add_member(client, owner, "viewer")
    helpers.assert_error(client.patch(url, headers=viewer["headers"], json={"name": "x"}), 403)


def test_features_get_put(client, session):
    owner = helpers.register(client)
    url = f"/api/organizations/{owner['org_id']}/features"
    assert client.get(url, headers=owner["headers"]).get_json()["features"]["analytics"] is True
    response = client.put(url, headers=owner["headers"], json={"features": {"analytics": False, "mockups": False}})
    assert response.status_code == 200
    flags = response.get_json()["features"]
    assert flags["analytics"] is False and flags["mockups"] is False and flags["print"] is True
    assert _events(session, owner["org_id"], "organization.features_updated")[0].changes == {
        "analytics": [True, False], "mockups": [True, False]}
    helpers.assert_error(client.put(url, headers=owner["headers"], json={"features": {"teleport": True}}), 422)
    helpers.assert_error(client.put(url, headers=owner["headers"], json={"features": {"print": "yes"}}), 422)


def test_stats_are_aggregates(client):
    owner = helpers.register(client)
    helpers.add_member(client, owner, "operator")
    helpers.add_member(client, owner, "viewer")
    helpers.set_features(client, owner, analytics=True)
    stats = client.get(f"/api/organizations/{owner['org_id']}/stats", headers=owner["headers"]).get_json()
    assert stats["members"] == {"owner": 1, "admin": 0, "operator": 1, "viewer": 1}
    assert stats["members_total"] == 3 and stats["events_total"] >= 4
    assert stats["files"] == {"count": 0, "bytes": 0} and stats["jobs"] == {} and stats["orders"] == 0


def test_delete_deactivates_and_blocks_logins(client, session):
    owner = helpers.register(client)
    admin = helpers.add_member(client, owner, "admin")
    url = f"/api/organizations/{owner['org_id']}"
    helpers.assert_error(client.delete(url, headers=admin["headers"]), 403)
    assert client.delete(url, headers=owner["headers"]).status_code == 204
    helpers.assert_error(client.post("/api/auth/login", json={"email": owner["user"]["email"],
                                                              "password": helpers.PASSWORD}), 401)
    helpers.assert_error(client.get("/api/auth/me", headers=owner["headers"]), 401)
    assert _events(session, owner["org_id"], "organization.deactivated")
    with tenancy.org_scope(owner["org_id"]):
        assert session.get(user_model.User, owner["user"]["id"]) is not None  # data kept


def test_password_hash_never_leaves(client):
    owner = helpers.register(client)
    text = client.get(f"/api/organizations/{owner['org_id']}/members/", headers=owner["headers"]).get_data(True)
    assert "argon2" not in text and "password" not in text
    assert passwords.verify_password(None, "anything") is False
