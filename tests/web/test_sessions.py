"""Sessions end with what ended them: password reset, deactivation and removal revoke access tokens at once;
refresh tokens rotate and a spent one revokes its session; authentication is one query."""
from __future__ import annotations

import flask
from sqlalchemy import event

from models import audit, db, tenancy
from models import user as user_model
from services import accounts
from tests import helpers
from web import auth


def _me(client, headers) -> int:
    return client.get("/api/auth/me", headers=headers).status_code


def test_a_password_reset_revokes_access_tokens(client, session):
    owner = helpers.register(client)
    member = helpers.add_member(client, owner, "operator")
    assert _me(client, member["headers"]) == 200
    with tenancy.org_scope(owner["org_id"]):
        user = session.get(user_model.User, member["user"]["id"])
        accounts.reset_password(session, user, "a-brand-new-password")
        session.flush()
    helpers.assert_error(client.get("/api/auth/me", headers=member["headers"]), 401)
    helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": member["refresh_token"]}), 401)
    assert _me(client, owner["headers"]) == 200


def test_deactivation_and_removal_revoke_access_tokens(client):
    owner = helpers.register(client)
    base = f"/api/organizations/{owner['org_id']}/members/"
    paused, removed = helpers.add_member(client, owner, "viewer"), helpers.add_member(client, owner, "operator")
    assert _me(client, paused["headers"]) == 200 and _me(client, removed["headers"]) == 200
    assert client.patch(base + str(paused["user"]["id"]), headers=owner["headers"],
                        json={"is_active": False}).status_code == 200
    helpers.assert_error(client.get("/api/auth/me", headers=paused["headers"]), 401)
    assert client.patch(base + str(paused["user"]["id"]), headers=owner["headers"],
                        json={"is_active": True}).status_code == 200
    # Back on, the old session stays revoked: they sign in again.
    helpers.assert_error(client.get("/api/auth/me", headers=paused["headers"]), 401)
    assert client.delete(base + str(removed["user"]["id"]), headers=owner["headers"]).status_code == 204
    helpers.assert_error(client.get(f"/api/organizations/{owner['org_id']}/members/", headers=removed["headers"]),
                         401)


def test_refresh_tokens_rotate_and_reuse_revokes_the_session(client):
    owner = helpers.register(client)
    first = owner["refresh_token"]
    second = client.post("/api/auth/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    pair = second.get_json()
    assert pair["refresh_token"] != first and _me(client, helpers.bearer(pair["access_token"])) == 200
    reused = helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": first}), 401)
    assert "used already" in reused["message"]
    # The theft ends the whole session: the newest tokens stop working too.
    helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}), 401)
    helpers.assert_error(client.get("/api/auth/me", headers=helpers.bearer(pair["access_token"])), 401)
    events = client.get(f"/api/organizations/{owner['org_id']}/events/?event_type=user.session_revoked",
                        headers=helpers.bearer(client.post("/api/auth/login", json={
                            "email": owner["user"]["email"], "password": helpers.PASSWORD}).get_json()["access_token"]))
    assert [e["level"] for e in events.get_json()] == ["warning"]


def test_other_sessions_of_the_user_are_untouched_by_a_reuse(client):
    owner = helpers.register(client)
    other = client.post("/api/auth/login", json={"email": owner["user"]["email"], "password": helpers.PASSWORD})
    assert client.post("/api/auth/refresh", json={"refresh_token": owner["refresh_token"]}).status_code == 200
    helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": owner["refresh_token"]}), 401)
    assert _me(client, helpers.bearer(other.get_json()["access_token"])) == 200


def test_authentication_is_one_query(app, client, connection):
    owner = helpers.register(client)
    superuser = helpers.register(client)
    with tenancy.system_access("test: make a superuser"):
        db.get_session().get(user_model.User, superuser["user"]["id"]).is_superuser = True
        db.get_session().commit()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):  # the test's nesting
            statements.append(statement)

    @auth.required("viewer")
    def view(org_id):
        return auth.current_user()

    event.listen(connection, "before_cursor_execute", count)
    try:
        for who, org in ((owner, owner["org_id"]), (superuser, owner["org_id"]), (superuser, superuser["org_id"])):
            statements.clear()
            with app.test_request_context(headers=who["headers"]):
                assert view(org_id=org).id == who["user"]["id"]
                assert flask.g.org_id == org
            assert len(statements) == 1, statements
            # The request's end undoes its actor, also without the app's before_request: later events of this
            # thread are not written in the name of a user who may be gone by then.
            assert audit._actor.get() == audit._SYSTEM
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_a_refresh_token_of_the_previous_release_is_a_clean_401(client, settings):
    import time

    from joserfc import jwt
    from joserfc.jwk import OctKey

    owner = helpers.register(client)
    now = int(time.time())
    earlier = {"sub": str(owner["user"]["id"]), "org": owner["org_id"], "typ": "refresh", "ver": 1, "iat": now,
               "exp": now + 3600, "jti": "0123456789abcdef"}
    token = jwt.encode({"alg": "HS256"}, earlier, OctKey.import_key(settings.jwt_secret))
    body = helpers.assert_error(client.post("/api/auth/refresh", json={"refresh_token": token}), 401)
    assert "sign in again" in body["message"]
