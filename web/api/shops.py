"""/api/organizations/{org_id}/shops: connect (OAuth PKCE), list, get, update, disconnect, sync; the OAuth callback."""
from __future__ import annotations

from flask import current_app, g, redirect
from flask.views import MethodView
from flask_smorest import Blueprint

from etsy import client as etsy
from etsy import oauth
from jobs import etsy_reference, shop_tokens
from models import audit, db, errors, shop_ops
from services import print_jobs
from web import auth, pagination
from web.schemas import shops as schemas

blp = Blueprint("shops", __name__, url_prefix="/api/organizations/<int:org_id>/shops",
                description="Etsy shops: connect with OAuth, sync settings, order sync")
callback_blp = Blueprint("etsy_oauth", __name__, url_prefix="/api/etsy/oauth", description="Etsy OAuth callback")


def _settings():
    return current_app.extensions["esa_settings"]


@blp.route("/")
class Shops(MethodView):
    @auth.required()
    @blp.response(200, schemas.ShopSchema(many=True))
    @blp.paginate()
    def get(self, org_id, pagination_parameters):
        """The organization's shops."""
        return pagination.page(db.get_session(), shop_ops.search(), pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.ShopConnectSchema)
    @blp.response(201, schemas.ShopConnectStartedSchema)
    def post(self, data, org_id):
        """Start connecting an Etsy shop: answers the authorization URL to send the seller to (PKCE S256)."""
        settings = _settings()
        if not (settings.etsy_api_key and settings.etsy_client_secret and settings.etsy_redirect_uri):
            raise errors.Unavailable("Etsy is not configured (ETSY_API_KEY, ETSY_CLIENT_SECRET, ETSY_REDIRECT_URI)")
        session = db.get_session()
        state, verifier = oauth.new_state(), oauth.new_code_verifier()
        shop = shop_ops.start_connect(session, org_id=org_id, user_id=auth.current_user().id, state=state,
                                      code_verifier=verifier)
        shop.scopes = data["scopes"]
        url = oauth.authorization_url(state, verifier, data["scopes"], settings)
        session.commit()
        return {"shop": shop, "authorization_url": url, "expires_in": int(shop_ops.STATE_TTL.total_seconds())}


@blp.route("/<int:shop_id>")
class Shop(MethodView):
    @auth.required()
    @blp.response(200, schemas.ShopSchema)
    def get(self, org_id, shop_id):
        """One shop."""
        return shop_ops.get(db.get_session(), shop_id)

    @auth.required("admin")
    @blp.arguments(schemas.ShopUpdateSchema)
    @blp.response(200, schemas.ShopSchema)
    def patch(self, data, org_id, shop_id):
        """Sync on/off, interval, hold window, default template and printer."""
        session = db.get_session()
        shop = shop_ops.update(session, shop_ops.get(session, shop_id), data)
        session.commit()
        return shop

    @auth.required("admin")
    @blp.response(204)
    def delete(self, org_id, shop_id):
        """Disconnect: tokens are destroyed, orders and history are kept."""
        session = db.get_session()
        shop = shop_ops.get(session, shop_id)
        shop_tokens.destroy(shop)
        shop.status, shop.sync_enabled = "disconnected", False
        audit.record(session, "shop.disconnected", entity=shop)
        session.commit()


@blp.route("/<int:shop_id>/sync")
class Sync(MethodView):
    @auth.required("operator")
    @blp.arguments(schemas.ShopSyncSchema)
    @blp.response(202, schemas.PrintJobRefSchema)
    def post(self, data, org_id, shop_id):
        """Sync orders and listings now, as an `orders` print job (409 while one is queued or running)."""
        session = db.get_session()
        shop_ops.get(session, shop_id)
        job = print_jobs.create(session, job_type="orders", created_by=auth.current_user().id,
                             params={"shop_id": shop_id, "full": data["full"]})
        session.commit()
        return job


@blp.route("/<int:shop_id>/reference/<any(sections, 'shipping-profiles', taxonomy):kind>")
class Reference(MethodView):
    @auth.required()
    @blp.response(200, schemas.ReferenceDataSchema)
    def get(self, org_id, shop_id, kind):
        """Etsy reference data for listings: shop sections, shipping profiles, taxonomy (cached)."""
        session = db.get_session()
        shop = shop_ops.get(session, shop_id)
        if shop.status != "connected":
            raise errors.Conflict(f"The shop is {shop.status}; connect it first")
        try:
            data, cached = etsy_reference.fetch(shop, kind, _settings(), session)
        except shop_tokens.NeedsReauth as exc:
            raise errors.Conflict(str(exc)) from None
        except etsy.EtsyError as exc:
            raise errors.Unavailable(f"Etsy: {exc}") from None
        session.commit()  # a refreshed token, if any
        return {"kind": kind, "cached": cached, "results": data}


@callback_blp.route("/callback")
class Callback(MethodView):
    @callback_blp.doc(security=[])
    @callback_blp.arguments(schemas.OAuthCallbackArgsSchema, location="query")
    @callback_blp.response(200, schemas.ShopSchema)
    @callback_blp.alt_response(302, description="Redirect to the frontend when FRONTEND_URL is set", success=True)
    def get(self, args):
        """Etsy redirects the seller here: the state is checked, the code exchanged, the shop stored."""
        settings = _settings()
        session = db.get_session()
        attempt, verifier = shop_ops.claim_state(session, args["state"])
        auth.enter_org(attempt.org_id)
        if args.get("error") or not args.get("code"):
            session.commit()  # the state stays used: a refused or broken attempt cannot be replayed
            raise errors.Invalid(f"Etsy did not authorize the connection: {args.get('error') or 'no code'}")
        try:
            token = oauth.exchange_code(args["code"], verifier, settings)
            client = etsy.EtsyClient.from_settings(token=lambda: token["access_token"], settings=settings)
            me = client.get_me()
            etsy_shop = client.get_shop(me["shop_id"])
        except etsy.EtsyError as exc:
            session.commit()
            raise errors.Invalid(f"Etsy refused the connection: {exc}") from None
        shop = shop_ops.finish_connect(session, attempt, me, etsy_shop)
        shop_tokens.store(shop, token, settings)
        with audit.acting_as(audit.Actor(user_id=attempt.created_by, source="api", request_id=g.get("request_id"))):
            audit.record(session, "shop.connected", entity=shop, payload={"etsy_shop_id": shop.etsy_shop_id})
        session.commit()
        if settings.frontend_url:
            return redirect(f"{settings.frontend_url.rstrip('/')}/shops/{shop.id}?connected=1")
        return shop
