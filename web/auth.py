"""Authentication per request: bearer JWT -> user -> organization; the one place the web sets the tenant."""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from flask import g, request
from sqlalchemy import select

from models import audit, db, errors, tenancy
from models import organization as org_model
from models import user as user_model
from services import accounts
from web import features, tokens, views


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
            user = authenticate()
            path_org = kwargs.get("org_id")
            if path_org is not None and path_org != user.org_id:
                if not user.is_superuser or db.get_session().get(org_model.Organization, path_org) is None:
                    raise errors.NotFound("Organization not found")
                enter_org(path_org)
            features.check_api_access(user)
            if superuser and not user.is_superuser:
                raise errors.Forbidden("Superuser only")
            if not user.is_superuser and not user_model.role_at_least(user.role, role):
                raise errors.Forbidden(f"Requires the {role} role or higher")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def authenticate() -> user_model.User:
    """The user of the bearer token, with the tenant set to the user's organization."""
    if getattr(g, "user", None) is not None:
        return g.user
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthorized("Missing bearer token")
    claims = tokens.decode(views.settings(), token.strip(), typ="access")
    enter_org(claims["org"])
    row = db.get_session().execute(
        select(user_model.User, org_model.Organization.is_active)
        .join(org_model.Organization, org_model.Organization.id == user_model.User.org_id)
        .where(user_model.User.id == int(claims["sub"]))
    ).first()
    if row is None or not row[0].is_active:
        raise errors.Unauthorized("User not found or inactive")
    user, org_active = row
    if not org_active and not user.is_superuser:
        raise errors.Unauthorized("Organization is deactivated")
    g.user = user
    audit.set_actor(audit.Actor(user_id=user.id, source="api", request_id=g.get("request_id")))
    return user


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


def sign_in(email: str, password: str) -> user_model.User:
    """Check email and password; the account's organization becomes the request's scope before anything is written."""
    session = db.get_session()
    found = accounts.find_for_login(session, email)
    if found is not None:
        enter_org(found[0].org_id)
    return accounts.login(session, views.settings(), found, password)


def refreshed(refresh_token: str) -> user_model.User:
    """The user a refresh token names, with the request scoped to the token's organization."""
    claims = tokens.decode(views.settings(), refresh_token, typ="refresh")
    enter_org(claims["org"])
    return accounts.check_refresh(db.get_session(), user_id=int(claims["sub"]), org_id=claims["org"],
                                  version=claims.get("ver"))
