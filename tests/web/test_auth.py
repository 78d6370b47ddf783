"""Registration, sign-in, tokens and their failures."""
from __future__ import annotations

import base64
import json
import time

from joserfc import jwt
from joserfc.jwk import OctKey
from sqlalchemy import func, select

from models import event, tenancy
from models import organization as org_model
from tests import helpers


def test_register_returns_tokens_user_and_org(client):
    data = helpers.register(client, org_name="Sunny Transfers", shop_name="sunny")
    assert data["user"]["role"] == "owner" and data["organization"]["shop_name"] == "sunny"
    assert "password" not in data["user"] and "password_hash" not in data["user"]
    me = client.get("/api/auth/me", headers=data["headers"]).get_json()
    assert me["user"]["email"] == data["user"]["email"] and me["features"]["print"] is True


def test_register_derives_unique_shop_names(client):
    a = helpers.register(client, org_name="Glitter & Co")
    b = helpers.register(client, org_name="Glitter & Co")
    assert a["organization"]["shop_name"] == "glitter-co"
    assert b["organization"]["shop_name"] == "glitter-co-2"


def test_duplicate_email_and_slug_conflict_without_half_writes(client, session):
    first = helpers.register(client, shop_name="taken-slug")
    with tenancy.system_access("test counts orgs"):
        before = session.scalar(select(func.count()).select_from(org_model.Organization))
    body = {"email": first["user"]["email"].upper(), "password": helpers.PASSWORD, "organization_name": "X"}
    helpers.assert_error(client.post("/api/auth/register", json=body), 409)
    body = {"email": "new@example.com", "password": helpers.PASSWORD, "organization_name": "X",
            "shop_name": "taken-slug"}
    helpers.assert_error(client.post("/api/auth/register", json=body), 409)
    with tenancy.system_access("test counts orgs"):
        assert session.scalar(select(func.count()).select_from(org_model.Organization)) == before


def test_register_validation_errors(client):
    cases = [
        ({"email": "not-an-email", "password": helpers.PASSWORD, "organization_name": "X"}, "email"),
        ({"email": "a@b.co", "password": "short", "organization_name": "X"}, "password"),
        ({"email": "a@b.co", "password": helpers.PASSWORD}, "organization_name"),
        ({"email": "a@b.co", "password": helpers.PASSWORD, "organization_name": "X", "shop_name": "Bad Slug"},
         "shop_name"),
        ({"email": "a@b.co", "password": helpers.PASSWORD, "organization_name": "X", "admin": True}, "admin"),
        ({"email": 5, "password": helpers.PASSWORD, "organization_name": "X"}, "email"),
    ]
    for body, field in cases:
        err = helpers.assert_error(client.post("/api/auth/register", json=body), 422)
        assert field in err["errors"], (field, err)


def test_malformed_json_and_oversized_body(client, settings):
    helpers.assert_error(client.post("/api/auth/login", data="{not json", content_type="application/json"), 400)
    huge = "x" * (settings.max_json_bytes + 1)
    helpers.assert_error(client.post("/api/auth/login", data=huge, content_type="application/json"), 413)


def test_login_and_refresh(client):
    owner = helpers.register(client)
    login = client.post("/api/auth/login", json={"email": owner["user"]["email"], "password": helpers.PASSWORD})
    assert login.status_code == 200
    body = login.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    refreshed = client.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200
    assert client.get("/api/auth/me", headers=helpers.bearer(refreshed.get_json()["access_token"])).status_code == 200
    # An access token is not a refresh token, and vice versa.
    helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": body["access_token"]}), 401)
    helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer(body["refresh_token"])), 401)


def test_wrong_password_and_unknown_email_look_alike(client):
    owner = helpers.register(client)
    wrong = helpers.assert_error(client.post("/api/auth/login", json={"email": owner["user"]["email"],
                                                                      "password": "nope-nope-nope"}), 401)
    unknown = helpers.assert_error(client.post("/api/auth/login", json={"email": "ghost@example.com",
                                                                        "password": "nope-nope-nope"}), 401)
    assert wrong["message"] == unknown["message"]


def test_repeated_failures_lock_the_account(client, settings):
    owner = helpers.register(client)
    creds = {"email": owner["user"]["email"], "password": "wrong-password!"}
    for _ in range(settings.login_max_failures):
        helpers.assert_error(client.post("/api/auth/login", json=creds), 401)
    locked = client.post("/api/auth/login", json={**creds, "password": helpers.PASSWORD})
    helpers.assert_error(locked, 429)
    assert int(locked.headers["Retry-After"]) > 0


def _forge(claims: dict, secret: str, alg: str = "HS256") -> str:
    return jwt.encode({"alg": alg}, claims, OctKey.import_key(secret))


def test_missing_expired_forged_and_none_tokens(client, settings):
    owner = helpers.register(client)
    now = int(time.time())
    segment = owner["access_token"].split(".")[1]
    sid = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))["sid"]
    claims = {"sub": str(owner["user"]["id"]), "org": owner["org_id"], "role": "owner", "typ": "access",
              "iat": now, "exp": now + 600, "sid": sid}
    helpers.assert_error(client.get("/api/auth/me"), 401)
    # A token of the release before sessions (no `sid`) is a clean 401: its holder signs in again.
    earlier = {k: v for k, v in claims.items() if k != "sid"}
    assert "sign in again" in helpers.assert_error(
        client.get("/api/auth/me", headers=helpers.bearer(_forge(earlier, settings.jwt_secret))), 401)["message"]
    helpers.assert_error(client.get("/api/auth/me", headers={"Authorization": "Basic abc"}), 401)
    helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer("garbage")), 401)
    expired = _forge({**claims, "iat": now - 7200, "exp": now - 3600}, settings.jwt_secret)
    assert "expired" in helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer(expired)),
                                             401)["message"].lower()
    helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer(_forge(claims, "w" * 40))), 401)
    no_exp = {k: v for k, v in claims.items() if k != "exp"}
    helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer(_forge(no_exp, settings.jwt_secret))),
                         401)

    def b64(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    none_token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer(none_token)), 401)
    good = _forge(claims, settings.jwt_secret)
    assert client.get("/api/auth/me", headers=helpers.bearer(good)).status_code == 200
    # A valid signature with another org in the claims does not reach the user.
    other = helpers.register(client)
    crossed = _forge({**claims, "org": other["org_id"]}, settings.jwt_secret)
    helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer(crossed)), 401)


def test_deactivated_user_cannot_refresh(client):
    owner = helpers.register(client)
    member = helpers.add_member(client, owner, "operator")
    response = client.patch(f"/api/organizations/{owner['org_id']}/members/{member['user']['id']}",
                            headers=owner["headers"], json={"is_active": False})
    assert response.status_code == 200
    helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": member["refresh_token"]}), 401)
    helpers.assert_error(client.get("/api/auth/me", headers=member["headers"]), 401)


def test_register_writes_audit_events(client, session):
    owner = helpers.register(client)
    from models import tenancy

    with tenancy.org_scope(owner["org_id"]):
        types = set(session.scalars(select(event.Event.event_type)))
    assert {"organization.created", "user.registered"} <= types
