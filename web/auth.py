"""Authentication per request: bearer JWT -> user -> organization; the one place the web sets the tenant."""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import g, request
from sqlalchemy import Select, orm

from models import audit, db, errors, tenancy
from models import auth_session as session_model
from models import organization as org_model
from models import user as user_model
from services import accounts
from services import throttle as throttle_service
from web import tokens, views


def required(role: str = "viewer", *, superuser: bool = False) -> Callable:
    """Authenticate the request, scope it to its organization and check the role (superusers pass every check).

    A view with an `org_id` path argument is scoped to that org; another org's id is a 404 unless the caller is a
    superuser, who may act in any existing org.
    """
    if role not in user_model.ROLES:
        raise ValueError(f"unknown role {role}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = authenticate(kwargs.get("org_id"))
            if superuser and not user.is_superuser:
                raise errors.Forbidden("Superuser only")
            if not user.is_superuser and not user_model.role_at_least(user.role, role):
                raise errors.Forbidden(f"Requires the {role} role or higher")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def authenticate(path_org: int | None = None) -> user_model.User:
    """The user of the bearer token, with the tenant set to `path_org` (default: the user's organization).

    One query reads the user, their organization's state, the token's session, the `api_access` flag of the
    organization acted in and that organization itself (none: it does not exist). The organization stays in the
    session's identity map, so a view reading it (`session.get`) runs no second query.
    """
    if getattr(g, "user", None) is not None:
        return g.user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("Missing bearer token")
    claims = tokens.decode(views.settings(), token.strip(), typ="access")
    home = claims["org"]
    target = home if path_org is None else path_org
    with tenancy.system_access("authentication: the token's user, session and flag, filtered by id below"):
        row = db.get_session().execute(_identity(), {"user_id": int(claims["sub"]), "home": home,
                                                     "session_id": claims["sid"], "target": target}).first()
    if row is None or not row.User.is_active:
        raise errors.Unauthorized("User not found or inactive")
    user = row.User
    if not row.session_live:
        raise errors.Unauthorized("Session revoked or expired; sign in again")
    if not row.org_active and not user.is_superuser:
        raise errors.Unauthorized("Organization is deactivated")
    if target != home and (not user.is_superuser or row.target_org is None):
        raise errors.NotFound("Organization not found")
    api_access = org_model.FEATURE_DEFAULTS["api_access"] if row.api_access is None else row.api_access
    if not api_access and not user.is_superuser:
        # Members of an organization with `api_access` off are refused; superusers pass, to turn it back on.
        raise errors.FeatureDisabled("api_access")
    enter_org(target)
    g.user = user
    g.organization = row.target_org  # held for the request: the identity map keeps only what is referenced
    token = audit.set_actor(audit.Actor(user_id=user.id, source="api", request_id=g.get("request_id")))
    # Undone when the request ends: the request's first actor token (web.observability) restores what was before
    # it; without one (a bare request context), this one does.
    g.setdefault("actor_token", token)
    return user


@functools.cache
def _identity() -> Select:
    """The authentication query, built once (its parameters: user_id, home, session_id, target)."""
    org, feature, session = org_model.Organization, org_model.OrganizationFeature, session_model.AuthSession
    target_org = orm.aliased(org_model.Organization, name="target_org")
    user_id, home, session_id, target = (sa.bindparam(name, type_=sa.BigInteger)
                                         for name in ("user_id", "home", "session_id", "target"))
    live = sa.and_(session.id == session_id, session.user_id == user_model.User.id, session.revoked_at.is_(None),
                   session.expires_at > sa.func.now())
    return (
        sa.select(user_model.User, org.is_active.label("org_active"), session.id.is_not(None).label("session_live"),
                  feature.enabled.label("api_access"), target_org)
        .join(org, org.id == user_model.User.org_id)
        .outerjoin(session, live)
        .outerjoin(feature, sa.and_(feature.org_id == target, feature.name == "api_access"))
        .outerjoin(target_org, target_org.id == target)
        .where(user_model.User.id == user_id, user_model.User.org_id == home)
    )


def current_user() -> user_model.User:
    """The authenticated user of this request."""
    return g.user


def enter_org(org_id: int) -> None:
    """Scope the rest of this request to `org_id` (its token's org, or the one sign-up or a callback found)."""
    g.org_id = org_id
    if "tenant_scopes" not in g:
        g.tenant_scopes = contextlib.ExitStack()
    g.tenant_scopes.enter_context(tenancy.org_scope(org_id))


def teardown() -> None:
    """Leave the request's tenant scopes (the thread serves other orgs next)."""
    scopes = g.pop("tenant_scopes", None)
    if scopes is not None:
        scopes.close()
    g.pop("user", None)
    g.pop("organization", None)


def throttle(operation: str) -> None:
    """Count a sign-in, sign-up or refresh call of this client address (429 with Retry-After past the limit)."""
    throttle_service.hit(db.get_session(), views.settings(), operation, client_address())


def client_address() -> str:
    """The caller's address: the peer's, or with TRUSTED_PROXY_HOPS proxies in front, the X-Forwarded-For entry the
    outermost trusted proxy added (entries further left are the client's to forge)."""
    hops = views.settings().trusted_proxy_hops
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:64]
    return request.remote_addr or "unknown"


def sign_in(email: str, password: str) -> user_model.User:
    """Check email and password; the account's organization becomes the request's scope before anything is written."""
    throttle("sign-in")
    session = db.get_session()
    found = accounts.find_for_login(session, email)
    if found is not None:
        enter_org(found[0].org_id)
    return accounts.login(session, views.settings(), found, password)


def refreshed(refresh_token: str) -> tuple[user_model.User, session_model.AuthSession]:
    """The user a refresh token names and their rotated session, with the request scoped to the token's
    organization."""
    throttle("refresh")
    claims = tokens.decode(views.settings(), refresh_token, typ="refresh")
    enter_org(claims["org"])
    return accounts.refresh(db.get_session(), views.settings(), user_id=int(claims["sub"]), org_id=claims["org"],
                            session_id=claims["sid"], generation=claims["gen"])
