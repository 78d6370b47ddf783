"""/api/auth: register, login, refresh, me."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from models import db
from services import accounts, organizations
from web import auth, tokens, views
from web.schemas import auth as schemas

blp = Blueprint("auth", __name__, url_prefix="/api/auth", description="Sign-up, sign-in and tokens")


def _tokens(user) -> dict:
    return tokens.issue(views.settings(), user_id=user.id, org_id=user.org_id, role=user.role,
                        token_version=user.token_version)


@blp.route("/register")
class Register(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.RegisterSchema)
    @blp.response(201, schemas.RegisteredSchema)
    @views.commits
    def post(self, data):
        """Create an organization and its owner; answers with tokens."""
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
    @blp.alt_response(429, response="DEFAULT_ERROR", description="Locked after repeated failed sign-ins")
    @views.commits
    def post(self, data):
        """Sign in with email and password."""
        return _tokens(auth.sign_in(data["email"], data["password"]))


@blp.route("/refresh")
class Refresh(MethodView):
    @blp.doc(security=[])
    @blp.arguments(schemas.RefreshSchema)
    @blp.response(200, schemas.TokenSchema)
    def post(self, data):
        """Exchange a refresh token for a new token pair."""
        return _tokens(auth.refreshed(data["refresh_token"]))


@blp.route("/me")
class Me(MethodView):
    @auth.required()
    @blp.response(200, schemas.MeSchema)
    def get(self):
        """The signed-in user, their organization and its feature flags."""
        return accounts.profile(db.get_session(), auth.current_user())
