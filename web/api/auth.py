"""/api/auth: register, login, refresh, me."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import accounts, organizations, sessions
from web import auth, tokens, views
from web.blueprint import Blueprint
from web.schemas import auth as schemas

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Sign-up, sign-in and tokens")


def _tokens(user, auth_session=None) -> dict:
    """A token pair of `auth_session`, or of a new session of `user` (sign-up, sign-in)."""
    settings = views.settings()
    auth_session = auth_session or sessions.start(db.get_session(), settings, user)
    return tokens.issue(settings, user_id=user.id, org_id=user.org_id, role=user.role, session_id=auth_session.id,
                        generation=auth_session.generation)


@blp.route("/register")
class Register(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.RegisterSchema)
    @blp.response(201, schemas.RegisteredSchema)
    @blp.alt_response(429, response="DEFAULT_ERROR", description="Too many sign-ups from this address (Retry-After)")
    @views.commits
    def post(self, data):
        """Create an organization and its owner; answers with tokens."""
        auth.throttle("sign-up")
        session = db.get_session()
        org = organizations.create(session, name=data["organization_name"], shop_name=data.get("shop_name"))
        auth.enter_org(org.id)
        user = accounts.register_owner(session, org, data)
        return {**_tokens(user), "user": user, "organization": org}


@blp.route("/login")
class Login(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.LoginSchema)
    @blp.response(200, schemas.TokenSchema)
    @blp.alt_response(429, response="DEFAULT_ERROR",
                      description="Locked after repeated failed sign-ins, or too many from this address (Retry-After)")
    @views.commits
    def post(self, data):
        """Sign in with email and password."""
        return _tokens(auth.sign_in(data["email"], data["password"]))


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.RefreshSchema)
    @blp.response(200, schemas.TokenSchema)
    @blp.alt_response(401, response="DEFAULT_ERROR",
                      description="Refresh token expired, revoked, or used already (which revokes its session)")
    @blp.alt_response(429, response="DEFAULT_ERROR", description="Too many refreshes from this address (Retry-After)")
    @views.commits
    def post(self, data):
        """Exchange a refresh token for a new token pair; the refresh token is spent (each one works once)."""
        user, auth_session = auth.refreshed(data["refresh_token"])
        return _tokens(user, auth_session)


@blp.route("/me")
class Me(MethodView):
    @auth.required()
    @blp.response(200, schemas.MeSchema)
    def get(self):
        """The signed-in user, their organization and its feature flags."""
        return accounts.profile(db.get_session(), auth.current_user())
