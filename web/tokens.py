"""JWT access and refresh tokens (HS256 via joserfc)."""
from __future__ import annotations

import secrets
import time
from typing import Any

from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import OctKey

import config
from models import errors

_ALGORITHMS = ["HS256"]


def issue(settings: config.Settings, *, user_id: int, org_id: int, role: str, session_id: int,
          generation: int) -> dict[str, Any]:
    """A fresh access + refresh token pair of one session (the refresh token of its current generation)."""
    now = int(time.time())
    access_ttl = settings.access_token_minutes * 60
    base = {"sub": str(user_id), "org": org_id, "iat": now, "sid": session_id}
    access = _encode(settings, {**base, "role": role, "typ": "access", "exp": now + access_ttl,
                                "jti": secrets.token_hex(8)})
    refresh = _encode(settings, {**base, "typ": "refresh", "gen": generation,
                                 "exp": now + settings.refresh_token_days * 86400, "jti": secrets.token_hex(8)})
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": access_ttl}


def decode(settings: config.Settings, token: str, *, typ: str) -> dict[str, Any]:
    """Verified claims of a token of type `typ`; Unauthorized for anything forged, expired or malformed."""
    try:
        decoded = jwt.decode(token, OctKey.import_key(settings.jwt_secret), algorithms=_ALGORITHMS)
        registry = jwt.JWTClaimsRegistry(
            exp={"essential": True}, iat={"essential": True}, sub={"essential": True},
            typ={"essential": True, "value": typ}, org={"essential": True},
        )
        registry.validate(decoded.claims)
    except jose_errors.ExpiredTokenError:
        raise errors.Unauthorized("Token expired") from None
    except (jose_errors.JoseError, ValueError, TypeError):
        raise errors.Unauthorized("Invalid token") from None
    claims = decoded.claims
    if not str(claims["sub"]).isdigit() or not isinstance(claims["org"], int):
        raise errors.Unauthorized("Invalid token")
    if not isinstance(claims.get("sid"), int) or (typ == "refresh" and not isinstance(claims.get("gen"), int)):
        # Tokens of the release before sessions name none: refused, the client signs in again.
        raise errors.Unauthorized("Token without a session (issued by an earlier release); sign in again")
    return claims


def _encode(settings: config.Settings, claims: dict[str, Any]) -> str:
    return jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, OctKey.import_key(settings.jwt_secret))
