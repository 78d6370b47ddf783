"""The double's OAuth 2.0 server: /oauth/connect approves at once, the token endpoint checks PKCE and grants."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

ALL_SCOPES = ("transactions_r", "transactions_w", "listings_r", "listings_w", "listings_d", "shops_r", "shops_w",
              "profile_r", "email_r")
REFRESH_TTL = 90 * 86400
CODE_TTL = 600


@dataclasses.dataclass
class Grant:
    """An access or refresh token, or an authorization code."""

    user_id: int
    scopes: frozenset[str]
    expires_at: float
    challenge: str = ""
    redirect_uri: str = ""
    client_id: str = ""
    revoked: bool = False


def s256(verifier: str) -> str:
    """RFC 7636 S256 code challenge of `verifier`."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class OAuthServer:
    """Codes, access tokens and refresh tokens; `access_ttl` is the knob for expiry tests."""

    def __init__(self, api_key: str, clock: Callable[[], float] = time.time, access_ttl: int = 3600):
        self.api_key = api_key
        self.clock = clock
        self.access_ttl = access_ttl
        self.approving_user_id: int | None = None
        self.codes: dict[str, Grant] = {}
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, user_id: int, scopes: frozenset[str] | tuple[str, ...] = ALL_SCOPES) -> dict[str, Any]:
        """A token pair for `user_id`, as the token endpoint answers."""
        now = self.clock()
        access, refresh = f"{user_id}.{secrets.token_urlsafe(24)}", f"{user_id}.{secrets.token_urlsafe(24)}"
        with self._lock:
            self.access[access] = Grant(user_id, frozenset(scopes), now + self.access_ttl)
            self.refresh[refresh] = Grant(user_id, frozenset(scopes), now + REFRESH_TTL)
        return {"access_token": access, "token_type": "Bearer", "expires_in": self.access_ttl,
                "refresh_token": refresh}

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is now expired."""
        with self._lock:
            for grant in self.access.values():
                grant.expires_at = 0

    def revoke_refresh(self, refresh_token: str | None = None) -> None:
        """Revoke one refresh token, or all (the seller removed the app)."""
        with self._lock:
            for token, grant in self.refresh.items():
                if refresh_token in (None, token):
                    grant.revoked = True

    def bearer(self, header: str | None) -> Grant | str:
        """The grant of an `Authorization: Bearer` header, or the OAuth error code."""
        if not header or not header.startswith("Bearer "):
            return "invalid_token"
        grant = self.access.get(header[len("Bearer "):].strip())
        if grant is None or grant.revoked or grant.expires_at <= self.clock():
            return "invalid_token"
        return grant

    def connect(self, request: Request) -> Response:
        """GET /oauth/connect: check the request as Etsy does, then approve and redirect back with a code."""
        args = request.args
        problems = [name for name in ("client_id", "redirect_uri", "scope", "state", "code_challenge") if
                    not args.get(name)]
        if args.get("response_type") != "code" or args.get("code_challenge_method") != "S256" or problems:
            return Response(f"invalid authorization request {problems}", status=400)
        if args["client_id"] != self.api_key:
            return Response("unknown client_id", status=400)
        scopes = frozenset(args["scope"].split())
        if not scopes <= set(ALL_SCOPES):
            return Response("invalid scope", status=400)
        code = secrets.token_urlsafe(32)
        with self._lock:
            self.codes[code] = Grant(self.approving_user_id or 0, scopes, self.clock() + CODE_TTL,
                                     args["code_challenge"], args["redirect_uri"], args["client_id"])
        location = args["redirect_uri"] + ("&" if "?" in args["redirect_uri"] else "?") + urlencode(
            {"code": code, "state": args["state"]})
        return Response(status=302, headers={"Location": location})

    def token(self, request: Request) -> tuple[int, dict[str, Any]]:
        """POST /v3/public/oauth/token: authorization_code (PKCE S256) and refresh_token grants."""
        form = request.form
        if form.get("client_id") != self.api_key:
            return 401, {"error": "invalid_client", "error_description": "unknown client_id"}
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            with self._lock:
                grant = self.codes.pop(form.get("code", ""), None)  # single use, even when the checks fail
            if grant is None or grant.expires_at <= self.clock():
                return 400, {"error": "invalid_grant", "error_description": "code is invalid or was already used"}
            if grant.redirect_uri != form.get("redirect_uri"):
                return 400, {"error": "invalid_grant", "error_description": "redirect_uri does not match"}
            if s256(form.get("code_verifier", "")) != grant.challenge:
                return 400, {"error": "invalid_grant", "error_description": "code_verifier does not match"}
            return 200, self.issue(grant.user_id, grant.scopes)
        if grant_type == "refresh_token":
            grant = self.refresh.get(form.get("refresh_token", ""))
            if grant is None or grant.revoked or grant.expires_at <= self.clock():
                return 400, {"error": "invalid_grant", "error_description": "refresh token is invalid or revoked"}
            return 200, self.issue(grant.user_id, grant.scopes)
        return 400, {"error": "unsupported_grant_type"}
