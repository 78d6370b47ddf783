"""Connecting an Etsy shop: OAuth 2.0 with PKCE against the local double, and refused callbacks."""
from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select, update

from models import shop as shop_model
from models import tenancy
from tests import etsy_flow, helpers


def _start(client, owner) -> tuple[dict, dict]:
    response = client.post(f"/api/organizations/{owner['org_id']}/shops/", headers=owner["headers"], json={})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    return body, {k: v[0] for k, v in parse_qs(urlsplit(body["authorization_url"]).query).items()}


def _approve(url: str) -> dict[str, str]:
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def _connect(client, owner, started: dict) -> dict:
    """Etsy's approval, the callback, and the starting member's confirmation: the connected shop."""
    back = _approve(started["authorization_url"])
    waiting = client.get("/api/etsy/oauth/callback", query_string=back)
    assert waiting.status_code == 200, waiting.get_json()
    confirmed = client.post(f"/api/organizations/{owner['org_id']}/shops/connect/confirm", headers=owner["headers"],
                            json={"confirmation": waiting.get_json()["confirmation"]})
    assert confirmed.status_code == 200, confirmed.get_json()
    return confirmed.get_json()


def test_connect_with_pkce_and_store_encrypted_tokens(client, etsy_app, double, session):
    seller = double.add_seller(shop_name="SunnyDTF")
    owner = helpers.register(client)
    started, query = _start(client, owner)
    assert started["shop"]["status"] == "pending"
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] and query["state"]
    assert query["redirect_uri"] == etsy_flow.REDIRECT_URI and "transactions_r" in query["scope"]
    back = _approve(started["authorization_url"])
    assert back["state"] == query["state"]
    response = client.get("/api/etsy/oauth/callback", query_string=back)
    assert response.status_code == 200, response.get_json()
    waiting = response.get_json()
    assert waiting["status"] == "awaiting_confirmation" and waiting["shop_id"] == started["shop"]["id"]
    assert waiting["confirm_url"] == f"/console/shops/confirm/{waiting['confirmation']}"
    # Nothing is stored before the member who started the connection confirms it.
    with tenancy.org_scope(owner["org_id"]):
        assert session.get(shop_model.Shop, started["shop"]["id"]).status == "pending"
    response = client.post(f"/api/organizations/{owner['org_id']}/shops/connect/confirm", headers=owner["headers"],
                           json={"confirmation": waiting["confirmation"]})
    assert response.status_code == 200, response.get_json()
    shop = response.get_json()
    assert shop["status"] == "connected" and shop["name"] == "SunnyDTF" and shop["etsy_shop_id"] == seller["shop_id"]
    text = response.get_data(as_text=True) + client.get(
        f"/api/organizations/{owner['org_id']}/shops/{shop['id']}", headers=owner["headers"]).get_data(as_text=True)
    assert "token" not in text.replace("token_expires_at", "")
    with tenancy.org_scope(owner["org_id"]):
        row = session.get(shop_model.Shop, shop["id"])
        issued = list(double.oauth.access)
        assert row.access_token_enc and all(t not in row.access_token_enc for t in issued)
    # The same state cannot be used twice, nor the same confirmation.
    err = helpers.assert_error(client.get("/api/etsy/oauth/callback", query_string=back), 422)
    assert "already used" in err["message"]
    again = client.post(f"/api/organizations/{owner['org_id']}/shops/connect/confirm", headers=owner["headers"],
                        json={"confirmation": waiting["confirmation"]})
    assert "already confirmed" in helpers.assert_error(again, 422)["message"]


@pytest.mark.parametrize("case", ["wrong", "expired", "denied"])
def test_refused_callbacks_store_no_tokens(client, etsy_app, double, session, case):
    double.add_seller()
    owner = helpers.register(client)
    started, query = _start(client, owner)
    back = _approve(started["authorization_url"])
    if case == "wrong":
        back["state"] = "not-the-state"
    elif case == "expired":
        with tenancy.org_scope(owner["org_id"]):
            session.execute(update(shop_model.OAuthState).values(expires_at=dt.datetime(2000, 1, 1,
                                                                                        tzinfo=dt.UTC)))
    else:
        back = {"state": back["state"], "error": "access_denied"}
    helpers.assert_error(client.get("/api/etsy/oauth/callback", query_string=back), 422)
    with tenancy.org_scope(owner["org_id"]):
        shops = session.scalars(select(shop_model.Shop)).all()
    assert [(s.status, s.access_token_enc) for s in shops] == [("pending", None)]


def test_shop_settings_disconnect_and_roles(client, etsy_app, double, session):
    double.add_seller()
    owner = helpers.register(client)
    started, _ = _start(client, owner)
    shop = _connect(client, owner, started)
    url = f"/api/organizations/{owner['org_id']}/shops/{shop['id']}"
    updated = client.patch(url, headers=owner["headers"], json={"hold_hours": 6, "sync_interval_minutes": 30})
    assert updated.status_code == 200 and updated.get_json()["hold_hours"] == 6
    helpers.assert_error(client.patch(url, headers=owner["headers"], json={"hold_hours": -1}), 422)
    helpers.assert_error(client.patch(url, headers=owner["headers"], json={"default_template_id": 99999}), 422)
    viewer = helpers.add_member(client, owner, "viewer")
    helpers.assert_error(client.delete(url, headers=viewer["headers"]), 403)
    assert client.delete(url, headers=owner["headers"]).status_code == 204
    gone = client.get(url, headers=owner["headers"]).get_json()
    assert gone["status"] == "disconnected" and gone["sync_enabled"] is False
    with tenancy.org_scope(owner["org_id"]):
        row = session.get(shop_model.Shop, shop["id"])
        assert row.access_token_enc is None and row.refresh_token_enc is None
    helpers.assert_error(client.post(url + "/sync", headers=owner["headers"], json={}), 422)


def test_connect_needs_etsy_configured(client):
    owner = helpers.register(client)
    err = helpers.assert_error(client.post(f"/api/organizations/{owner['org_id']}/shops/",
                                           headers=owner["headers"], json={}), 503)
    assert "ETSY_API_KEY" in err["message"]


def test_reference_data_is_cached_in_redis(client, app, settings, double, monkeypatch):
    import os

    import redis

    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    seller = double.add_seller()
    double.store.add_section(seller["shop_id"], "T-shirts")
    monkeypatch.setitem(app.extensions, "esa_settings",
                        dataclasses.replace(etsy_flow.settings_for(settings, double), redis_url=redis_url))
    cache = redis.Redis.from_url(redis_url)
    cache.delete(f"esa:etsy:sections:{seller['shop_id']}")
    owner = helpers.register(client)
    started, _ = _start(client, owner)
    shop = _connect(client, owner, started)
    url = f"/api/organizations/{owner['org_id']}/shops/{shop['id']}/reference/sections"
    first = client.get(url, headers=owner["headers"]).get_json()
    second = client.get(url, headers=owner["headers"]).get_json()
    assert first["cached"] is False and second["cached"] is True
    assert [s["title"] for s in second["results"]] == ["T-shirts"]
    assert len(double.log.calls("getShopSections")) == 1
    cache.delete(f"esa:etsy:sections:{seller['shop_id']}")


def test_a_link_another_org_made_never_connects_the_sellers_shop(client, etsy_app, double, session):
    """Review item 1: whoever approves a link org B made must not attach their shop to B. The callback stores
    nothing; only B's starting member could confirm, and they never see the token the seller's browser holds."""
    double.add_seller(shop_name="VictimShop")
    attacker = helpers.register(client)
    started, _ = _start(client, attacker)
    back = _approve(started["authorization_url"])  # the seller approves the attacker's link
    waiting = client.get("/api/etsy/oauth/callback", query_string=back, headers={"Accept": "text/html"})
    assert waiting.status_code == 302 and "/console/shops/confirm/" in waiting.headers["Location"]
    with tenancy.org_scope(attacker["org_id"]):
        rows = session.scalars(select(shop_model.Shop)).all()
    assert [(s.status, s.access_token_enc, s.etsy_shop_id) for s in rows] == [("pending", None, None)]
    # Guessing is no use: the state the attacker knows is no confirmation.
    guess = client.post(f"/api/organizations/{attacker['org_id']}/shops/connect/confirm",
                        headers=attacker["headers"], json={"confirmation": back["state"]})
    helpers.assert_error(guess, 404)


def test_only_the_starting_member_confirms(client, etsy_app, double, session):
    double.add_seller()
    owner = helpers.register(client)
    admin = helpers.add_member(client, owner, "admin")
    outsider = helpers.register(client)
    started, _ = _start(client, owner)
    confirmation = client.get("/api/etsy/oauth/callback",
                              query_string=_approve(started["authorization_url"])).get_json()["confirmation"]
    for who in (admin, outsider):
        refused = client.post(f"/api/organizations/{who['org_id']}/shops/connect/confirm", headers=who["headers"],
                              json={"confirmation": confirmation})
        assert "member who started" in helpers.assert_error(refused, 403)["message"]
    with tenancy.org_scope(owner["org_id"]):
        assert session.get(shop_model.Shop, started["shop"]["id"]).status == "pending"
    assert client.post(f"/api/organizations/{owner['org_id']}/shops/connect/confirm", headers=owner["headers"],
                       json={"confirmation": confirmation}).status_code == 200


def test_one_etsy_shop_belongs_to_one_organization(client, etsy_app, double, session):
    seller = double.add_seller(shop_name="SharedShop")
    first, second = helpers.register(client), helpers.register(client)
    _connect(client, first, _start(client, first)[0])
    started, _ = _start(client, second)
    confirmation = client.get("/api/etsy/oauth/callback",
                              query_string=_approve(started["authorization_url"])).get_json()["confirmation"]
    refused = client.post(f"/api/organizations/{second['org_id']}/shops/connect/confirm",
                          headers=second["headers"], json={"confirmation": confirmation})
    err = helpers.assert_error(refused, 409)
    assert "SharedShop" in err["message"] and "another organization" in err["message"]
    with tenancy.org_scope(second["org_id"]):
        assert all(s.etsy_shop_id is None and s.access_token_enc is None
                   for s in session.scalars(select(shop_model.Shop)))
    # Once the first organization disconnects it, the second may connect it.
    shop_id = client.get(f"/api/organizations/{first['org_id']}/shops/", headers=first["headers"]).get_json()[0]["id"]
    assert client.delete(f"/api/organizations/{first['org_id']}/shops/{shop_id}",
                         headers=first["headers"]).status_code == 204
    assert _connect(client, second, _start(client, second)[0])["etsy_shop_id"] == seller["shop_id"]


def test_with_a_frontend_the_callback_hands_it_the_confirmation(client, app, settings, double, monkeypatch):
    double.add_seller()
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(
        etsy_flow.settings_for(settings, double), frontend_url="https://app.example.com/"))
    owner = helpers.register(client)
    started, _ = _start(client, owner)
    answer = client.get("/api/etsy/oauth/callback", query_string=_approve(started["authorization_url"]))
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert (location.netloc, location.path) == ("app.example.com", "/shops/confirm")
    confirmation = parse_qs(location.query)["confirmation"][0]
    confirmed = client.post(f"/api/organizations/{owner['org_id']}/shops/connect/confirm", headers=owner["headers"],
                            json={"confirmation": confirmation})
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "connected"
