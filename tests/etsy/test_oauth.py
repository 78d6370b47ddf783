"""Etsy OAuth 2.0 with PKCE end to end against the double's /oauth/connect and token endpoint."""
from __future__ import annotations

import dataclasses
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from etsy import client, oauth, ratelimit
from tests.etsy import conftest
from tests.etsy_double import auth


def _approve(url: str) -> dict[str, str]:
    """Follow the authorize URL as the seller's browser would; the callback's query."""
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(conftest.REDIRECT_URI + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_authorization_url_carries_pkce_s256_and_state(etsy_settings):
    verifier, state = oauth.new_code_verifier(), oauth.new_state()
    url = oauth.authorization_url(state, verifier, settings=etsy_settings)
    assert url.startswith(etsy_settings.etsy_authorize_url + "?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["response_type"] == "code" and query["client_id"] == etsy_settings.etsy_api_key
    assert query["redirect_uri"] == conftest.REDIRECT_URI and query["state"] == state
    assert query["scope"] == "transactions_r transactions_w listings_r listings_w shops_r"
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] == auth.s256(verifier)
    assert verifier not in url and 43 <= len(verifier) <= 128


def test_code_exchange_end_to_end(etsy_double, seller, etsy_settings):
    verifier, state = oauth.new_code_verifier(), oauth.new_state()
    callback = _approve(oauth.authorization_url(state, verifier, settings=etsy_settings))
    assert callback["state"] == state
    token = oauth.exchange_code(callback["code"], verifier, settings=etsy_settings)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600 and token["expires_at"]
    assert oauth.user_id_of(token["access_token"]) == seller["user_id"]
    etsy = client.EtsyClient.from_settings(lambda: token["access_token"], etsy_settings,
                                           budget=ratelimit.LocalBudget(10, 100))
    assert etsy.get_me() == {"user_id": seller["user_id"], "shop_id": seller["shop_id"]}
    assert list(etsy.iter_receipts(seller["shop_id"])) == []  # the granted scopes include transactions_r

    with pytest.raises(client.EtsyAuthError) as caught:  # a code works once
        oauth.exchange_code(callback["code"], verifier, settings=etsy_settings)
    assert caught.value.error == "invalid_grant" and callback["code"] not in str(caught.value)


def test_wrong_code_verifier_is_refused(etsy_double, seller, etsy_settings):
    callback = _approve(oauth.authorization_url("s", oauth.new_code_verifier(), settings=etsy_settings))
    with pytest.raises(client.EtsyAuthError) as caught:
        oauth.exchange_code(callback["code"], oauth.new_code_verifier(), settings=etsy_settings)
    assert caught.value.error == "invalid_grant"


def test_redirect_uri_must_match(etsy_double, seller, etsy_settings):
    verifier = oauth.new_code_verifier()
    callback = _approve(oauth.authorization_url("s", verifier, settings=etsy_settings))
    elsewhere = dataclasses.replace(etsy_settings, etsy_redirect_uri="http://127.0.0.1:9/other")
    with pytest.raises(client.EtsyAuthError):
        oauth.exchange_code(callback["code"], verifier, settings=elsewhere)


def test_refresh_gives_a_working_token(etsy_double, seller, etsy_settings, token):
    etsy_double.oauth.expire_access_tokens()
    fresh = oauth.refresh(token["refresh_token"], settings=etsy_settings)
    assert fresh["access_token"] != token["access_token"] and fresh["refresh_token"]
    etsy = client.EtsyClient.from_settings(lambda: fresh["access_token"], etsy_settings,
                                           budget=ratelimit.LocalBudget(10, 100))
    assert etsy.get_me()["user_id"] == seller["user_id"]


def test_revoked_refresh_token_is_an_auth_error(etsy_double, seller, etsy_settings, token):
    etsy_double.oauth.revoke_refresh(token["refresh_token"])
    with pytest.raises(client.EtsyAuthError) as caught:
        oauth.refresh(token["refresh_token"], settings=etsy_settings)
    assert caught.value.error == "invalid_grant"
    assert token["refresh_token"] not in str(caught.value)


def test_unknown_client_is_an_auth_error(etsy_settings, token):
    wrong = dataclasses.replace(etsy_settings, etsy_api_key="not-our-app")
    with pytest.raises(client.EtsyAuthError):
        oauth.refresh(token["refresh_token"], settings=wrong)


def test_token_endpoint_down_is_unavailable(etsy_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = dataclasses.replace(etsy_settings, etsy_token_url=f"http://127.0.0.1:{port}/v3/public/oauth/token")
    with pytest.raises(client.EtsyUnavailable):
        oauth.refresh("1.x", settings=down)
