"""/api/auth: register, login, refresh, me."""
from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from models import audit, base, db, errors, membership
from models import organization as org_model
from models import user as user_model
from web import auth, tokens
from web.schemas import auth as schemas

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Sign-up, sign-in and tokens")


def _settings():
    return current_app.extensions["esa_settings"]


@blp.route("/register")
class Register(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.RegisterSchema)
    @blp.response(201, schemas.RegisteredSchema)
    def post(self, data):
        """Create an organization and its owner; answers with tokens."""
        session = db.get_session()
        email = membership.normalize_email(data["email"])
        org = org_model.create(session, name=data["organization_name"], shop_name=data.get("shop_name"))
        auth.enter_org(org.id)
        user = membership.new_user(session, org_id=org.id, email=email, role="owner",
                                   password_hash=tokens.hash_password(data["password"]),
                                   full_name=data.get("full_name"))
        with audit.acting_as(audit.Actor(user_id=user.id, source="api", request_id=g.get("request_id"))):
            audit.record(session, "organization.created", entity=org, changes={"name": [None, org.name]})
            audit.record(session, "user.registered", entity=user, changes={"email": [None, email]})
        session.commit()
        pair = tokens.issue(_settings(), user_id=user.id, org_id=org.id, role=user.role,
                            token_version=user.token_version)
        return {**pair, "user": user, "organization": org}


@blp.route("/login")
class Login(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.LoginSchema)
    @blp.response(200, schemas.TokenSchema)
    @blp.alt_response(429, response="DEFAULT_ERROR", description="Locked after repeated failed sign-ins")
    def post(self, data):
        """Sign in with email and password."""
        settings = _settings()
        session = db.get_session()
        now = base.utcnow()
        found = membership.find_for_login(session, data["email"])
        user = found[0] if found else None
        if user is not None:
            membership.check_lock(user, now)
        if not tokens.verify_password(user.password_hash if user else None, data["password"]) or user is None:
            if user is not None:
                auth.enter_org(user.org_id)
                membership.record_failure(user, now, settings.login_max_failures, settings.login_lockout_seconds)
                audit.record(session, "user.login_failed", entity=user, level="warning",
                             payload={"locked": user.locked_until is not None})
                session.commit()
            raise errors.Unauthorized("Invalid email or password")
        if not user.is_active or not (found[1] or user.is_superuser):
            raise errors.Unauthorized("Account or organization is deactivated")
        auth.enter_org(user.org_id)
        membership.record_success(user, now)
        with audit.acting_as(audit.Actor(user_id=user.id, source="api", request_id=g.get("request_id"))):
            audit.record(session, "user.login", entity=user)
        session.commit()
        return tokens.issue(settings, user_id=user.id, org_id=user.org_id, role=user.role,
                            token_version=user.token_version)


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.RefreshSchema)
    @blp.response(200, schemas.TokenSchema)
    def post(self, data):
        """Exchange a refresh token for a new token pair."""
        settings = _settings()
        claims = tokens.decode(settings, data["refresh_token"], typ="refresh")
        auth.enter_org(claims["org"])
        session = db.get_session()
        user = session.get(user_model.User, int(claims["sub"]))
        org = session.get(org_model.Organization, claims["org"])
        if user is None or not user.is_active or claims.get("ver") != user.token_version:
            raise errors.Unauthorized("Refresh token revoked")
        if org is None or not (org.is_active or user.is_superuser):
            raise errors.Unauthorized("Organization is deactivated")
        return tokens.issue(settings, user_id=user.id, org_id=user.org_id, role=user.role,
                            token_version=user.token_version)


@blp.route("/me")
class Me(MethodView):
    @auth.required()
    @blp.response(200, schemas.MeSchema)
    def get(self):
        """The signed-in user, their organization and its feature flags."""
        user = auth.current_user()
        session = db.get_session()
        org = session.get(org_model.Organization, user.org_id)
        return {"user": user, "organization": org, "features": org_model.features(session, user.org_id)}
