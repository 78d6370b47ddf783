"""Etsy OAuth 2.0 (authorization code with PKCE S256, refresh tokens) through authlib's OAuth2Session."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

import config
from etsy import client, metrics

# The token endpoint is no operation of the API spec; its calls are counted under this name.
TOKEN_OPERATION = "oauthToken"
# transactions_w: marking orders shipped (createReceiptShipment).
DEFAULT_SCOPES = ("transactions_r", "transactions_w", "listings_r", "listings_w", "shops_r")


def new_state() -> str:
    """An unguessable `state` tying the callback to the session that started the flow."""
    return generate_token(32)


def new_code_verifier() -> str:
    """A PKCE code verifier (RFC 7636: 43-128 unreserved characters)."""
    return generate_token(64)


def user_id_of(access_token: str) -> int:
    """The Etsy user id an access token belongs to (Etsy's tokens read `{user_id}.{secret}`)."""
    return int(access_token.split(".", 1)[0])


def _session(settings: config.Settings, scopes: Iterable[str] | None = None) -> OAuth2Session:
    if not settings.etsy_api_key:
        raise client.EtsyError("ETSY_API_KEY must be set for Etsy OAuth")
    # Etsy's token endpoint treats the app as a public client: client_id in the form, PKCE instead of a secret.
    return OAuth2Session(client_id=settings.etsy_api_key, redirect_uri=settings.etsy_redirect_uri,
                         scope=" ".join(scopes) if scopes is not None else None, code_challenge_method="S256",
                         token_endpoint_auth_method="none")


def authorization_url(state: str, code_verifier: str, scopes: Iterable[str] = DEFAULT_SCOPES,
                      settings: config.Settings | None = None) -> str:
    """The URL to send the seller to: response_type=code, scope, state and an S256 code_challenge."""
    settings = settings or config.get_settings()
    with _session(settings, scopes) as session:
        url, _ = session.create_authorization_url(settings.etsy_authorize_url, state=state,
                                                  code_verifier=code_verifier)
    return url


def exchange_code(code: str, code_verifier: str, settings: config.Settings | None = None) -> dict[str, Any]:
    """Trade the callback's code for {access_token, token_type, expires_in, expires_at, refresh_token}."""
    settings = settings or config.get_settings()
    with _session(settings) as session:
        return _token_call(lambda: session.fetch_token(
            settings.etsy_token_url, grant_type="authorization_code", code=code, code_verifier=code_verifier,
            timeout=settings.etsy_timeout))


def refresh(refresh_token: str, settings: config.Settings | None = None) -> dict[str, Any]:
    """A fresh access token (and refresh token) for `refresh_token`; EtsyAuthError when it is expired or revoked."""
    settings = settings or config.get_settings()
    with _session(settings) as session:
        return _token_call(lambda: session.refresh_token(settings.etsy_token_url, refresh_token=refresh_token,
                                                         timeout=settings.etsy_timeout))


def _token_call(call) -> dict[str, Any]:
    # Messages carry only the OAuth error code: descriptions or bodies could echo a code or token.
    try:
        token = call()
    except OAuthError as exc:
        metrics.request(TOKEN_OPERATION, 400)  # the token endpoint answers its OAuth errors with 400
        if exc.error in ("invalid_grant", "invalid_client", "unauthorized_client", "invalid_token"):
            raise client.EtsyAuthError(f"Etsy token endpoint refused: {exc.error}", 400, exc.error,
                                       operation=TOKEN_OPERATION) from None
        raise client.EtsyBadRequest(f"Etsy token endpoint refused: {exc.error}", 400, exc.error,
                                    operation=TOKEN_OPERATION) from None
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        metrics.request(TOKEN_OPERATION, status or "connection_error")
        kind = client.EtsyUnavailable if status is None or status >= 500 else client.EtsyBadRequest
        raise kind(f"Etsy token endpoint failed: {status}", status, operation=TOKEN_OPERATION) from None
    except (requests.Timeout, requests.ConnectionError, ValueError) as exc:
        metrics.request(TOKEN_OPERATION, "timeout" if isinstance(exc, requests.Timeout)
                        else "connection_error" if isinstance(exc, requests.ConnectionError) else "invalid_response")
        raise client.EtsyUnavailable(f"Etsy token endpoint failed: {type(exc).__name__}",
                                     operation=TOKEN_OPERATION) from None
    metrics.request(TOKEN_OPERATION, 200)
    return dict(token)
