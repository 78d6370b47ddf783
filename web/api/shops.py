"""/api/organizations/{org_id}/shops: connect (OAuth PKCE), list, get, update, disconnect, sync; the OAuth callback."""
from __future__ import annotations

from urllib.parse import quote

from flask import redirect, request, url_for
from flask.views import MethodView

from models import db
from services import shops
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import shops as schemas

blp = Blueprint("shops", __name__, url_prefix="/api/organizations/<int:org_id>/shops",
                description="Etsy shops: connect with OAuth, sync settings, order sync")
callback_blp = Blueprint("etsy_oauth", __name__, url_prefix="/api/etsy/oauth", description="Etsy OAuth callback")


@blp.route("/")
class Shops(MethodView):
    @auth.required()
    @features.required("etsy_sync")
    @blp.response(200, schemas.ShopSchema(many=True))
    @blp.paginate()
    def get(self, org_id, pagination_parameters):
        """The organization's shops."""
        return pagination.page(db.get_session(), shops.search(), pagination_parameters)

    @auth.required("admin")
    @features.required("etsy_sync")
    @blp.arguments(schemas.ShopConnectSchema)
    @blp.response(201, schemas.ShopConnectStartedSchema)
    @views.commits
    def post(self, data, org_id):
        """Start connecting an Etsy shop: answers the authorization URL to send the seller to (PKCE S256)."""
        return shops.start_connect(db.get_session(), views.settings(), org_id=org_id,
                                   user_id=auth.current_user().id, scopes=data["scopes"])


@blp.route("/connect/confirm")
class Confirm(MethodView):
    @auth.required("admin")
    @features.required("etsy_sync")
    @blp.arguments(schemas.ShopConfirmSchema)
    @blp.response(200, schemas.ShopSchema)
    @views.commits
    def post(self, data, org_id):
        """Finish connecting: only the member who started the connection, with the callback's confirmation token;
        an Etsy shop another organization holds is a 409."""
        return shops.confirm_connect(db.get_session(), views.settings(), data["confirmation"],
                                     user_id=auth.current_user().id, org_id=org_id)


@blp.route("/<int:shop_id>")
class Shop(MethodView):
    @auth.required()
    @features.required("etsy_sync")
    @blp.response(200, schemas.ShopSchema)
    def get(self, org_id, shop_id):
        """One shop."""
        return shops.get(db.get_session(), shop_id)

    @auth.required("admin")
    @features.required("etsy_sync")
    @blp.arguments(schemas.ShopUpdateSchema)
    @blp.response(200, schemas.ShopSchema)
    @views.commits
    def patch(self, data, org_id, shop_id):
        """Sync on/off, interval, hold window, default template and printer."""
        return shops.update(db.get_session(), shop_id, data)

    put = patch  # the deployment guide's clients update with PUT

    @auth.required("admin")
    @features.required("etsy_sync")
    @blp.response(204)
    @views.commits
    def delete(self, org_id, shop_id):
        """Disconnect: tokens are destroyed, orders and history are kept."""
        shops.disconnect(db.get_session(), shop_id)


@blp.route("/<int:shop_id>/sync")
class Sync(MethodView):
    @auth.required("operator")
    @features.required("etsy_sync")
    @blp.arguments(schemas.ShopSyncSchema)
    @blp.response(202, schemas.PrintJobRefSchema)
    @views.commits
    def post(self, data, org_id, shop_id):
        """Sync orders and listings now, as an `orders` print job (409 while one is queued or running)."""
        return shops.sync_now(db.get_session(), shop_id, full=data["full"], created_by=auth.current_user().id)


@blp.route("/<int:shop_id>/reference/<any(sections, 'shipping-profiles', taxonomy):kind>")
class Reference(MethodView):
    @auth.required()
    @features.required("etsy_sync")
    @blp.response(200, schemas.ReferenceDataSchema)
    @views.commits
    def get(self, org_id, shop_id, kind):
        """Etsy reference data for listings: shop sections, shipping profiles, taxonomy (cached)."""
        return shops.reference(db.get_session(), views.settings(), shop_id, kind)


@callback_blp.route("/callback")
class Callback(MethodView):
    @callback_blp.doc(security=[])
    @callback_blp.arguments(schemas.OAuthCallbackArgsSchema, location="query")
    @callback_blp.response(200, schemas.OAuthCallbackAnswerSchema)
    @callback_blp.alt_response(302, success=True, description="A browser goes on to the console's confirmation page "
                                                              "(or FRONTEND_URL's /shops/confirm when it is set)")
    @views.commits
    def get(self, args):
        """Etsy sends the seller back here: the state is checked and the code kept; nothing is stored until the
        member who started the connection confirms it, signed in (console page or shops/connect/confirm)."""
        settings, session = views.settings(), db.get_session()
        attempt, _ = shops.claim_state(session, args["state"])
        auth.enter_org(attempt.org_id)
        confirmation = shops.receive_callback(session, attempt, code=args.get("code"), error=args.get("error"))
        confirm_url = url_for("console.shop_confirm", confirmation=confirmation)
        if settings.frontend_url:
            return redirect(f"{settings.frontend_url.rstrip('/')}/shops/confirm?confirmation={quote(confirmation)}")
        if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
            return redirect(confirm_url)
        return {"status": "awaiting_confirmation", "shop_id": attempt.shop_id, "confirmation": confirmation,
                "confirm_url": confirm_url}
