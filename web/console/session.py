"""The console's cookie session: sign-in through services/accounts, the signed-in member per request, CSRF."""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, g, redirect, request, session, url_for
from sqlalchemy import select

from models import audit, db, errors, tenancy
from models import organization as org_model
from models import user as user_model
from services import organizations
from web import auth

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def configure(app: Flask) -> None:
    """Sign the cookie with a key derived from JWT_SECRET (not the secret itself); HttpOnly, SameSite=Lax, and
    Secure in production."""
    settings = app.extensions["esa_settings"]
    app.secret_key = hmac.new(settings.jwt_secret.encode(), b"console-session", hashlib.sha256).hexdigest()
    app.config.update(SESSION_COOKIE_NAME="esa_console", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.env == "production",
                      PERMANENT_SESSION_LIFETIME=12 * 3600)


def csrf_token() -> str:
    """This browser's CSRF token, made on first use and kept in the signed cookie."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Refuse an unsafe request whose form field or header does not carry this browser's token."""
    if request.method not in UNSAFE:
        return
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""
    expected = session.get(CSRF_FIELD)
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description="This form has expired or did not come from this console; reload the page and "
                               "try again.")


def sign_in(email: str, password: str) -> user_model.User:
    """Check the password (lockout included) and start a fresh session for the member."""
    user = auth.sign_in(email, password)
    db.get_session().commit()
    begin(user)
    return user


def begin(user: user_model.User) -> None:
    """Start a fresh session for a member who just signed in or up."""
    token = session.get(CSRF_FIELD)
    session.clear()  # a new session id for a new sign-in: nothing of the anonymous one carries over but CSRF
    session.permanent = True
    session.update({"uid": user.id, "home": user.org_id, "org": user.org_id, "ver": user.token_version,
                    CSRF_FIELD: token or secrets.token_urlsafe(32)})


def sign_out() -> None:
    """Forget the member; a new CSRF token for the next form."""
    session.clear()


def switch_org(org_id: int) -> None:
    """A superuser acts in another existing organization (members stay in their own)."""
    user = current()
    if user is None or not user.is_superuser:
        raise errors.Forbidden("Only superusers switch organizations")
    session["org"] = organizations.get(db.get_session(), org_id).id


def current() -> user_model.User | None:
    """The signed-in member with the request scoped to their organization, or None (revoked sessions too)."""
    if getattr(g, "user", None) is not None:
        return g.user
    uid, home = session.get("uid"), session.get("home")
    if uid is None or home is None:
        return None
    with tenancy.org_scope(home):
        row = db.get_session().execute(
            select(user_model.User, org_model.Organization.is_active)
            .join(org_model.Organization, org_model.Organization.id == user_model.User.org_id)
            .where(user_model.User.id == uid)).first()
    if row is None:
        session.clear()
        return None
    user, org_active = row
    # A password reset or deactivation bumps token_version: the cookie stops working as the tokens do.
    if not user.is_active or user.token_version != session.get("ver") or not (org_active or user.is_superuser):
        session.clear()
        return None
    acting = session.get("org", home) if user.is_superuser else home
    auth.enter_org(acting)
    g.user, g.console_org = user, acting
    token = audit.set_actor(audit.Actor(user_id=user.id, source="console", request_id=g.get("request_id")))
    # Undone when the request ends: the request's first actor token (web.observability) restores what was before
    # it; without one (a bare request context), this one does.
    g.setdefault("actor_token", token)
    return user


def org_id() -> int:
    """The organization the signed-in member acts in."""
    return g.console_org


def required(role: str = "viewer") -> Callable:
    """A page for signed-in members with at least `role`; others go to the sign-in page (or a 403 page)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current()
            if user is None:
                if request.method == "GET":
                    return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
                raise errors.Unauthorized("Sign in first")
            if not user.is_superuser and not user_model.role_at_least(user.role, role):
                raise errors.Forbidden(f"This needs the {role} role or higher")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def safe_next(target: str | None) -> str:
    """Only a path of this console after sign-in: never another site."""
    if target and target.startswith("/console") and not target.startswith("//"):
        return target
    return url_for("console.today")

