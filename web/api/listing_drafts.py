"""/api/organizations/{org_id}/listing-drafts: put designs up for sale on Etsy, one listings job per listing."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import listing_drafts
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import listing_drafts as schemas

blp = Blueprint("listing_drafts", __name__, url_prefix="/api/organizations/<int:org_id>/listing-drafts",
                description="Draft listings created on Etsy from designs")


@blp.route("/")
class ListingDrafts(MethodView):
    @auth.required()
    @features.required("etsy_sync")
    @blp.arguments(schemas.ListingDraftQueryArgsSchema, location="query")
    @blp.response(200, schemas.ListingDraftSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Drafts by shop, design or status, newest first."""
        return pagination.page(db.get_session(), listing_drafts.search(args), pagination_parameters)

    @auth.required("operator")
    @features.required("etsy_sync")
    @blp.arguments(schemas.ListingDraftCreateSchema)
    @blp.response(201, schemas.ListingDraftSchema(many=True))
    @views.commits
    def post(self, data, org_id):
        """One draft listing per design (a listings job each), checked against the shop's Etsy data."""
        return listing_drafts.create(db.get_session(), views.settings(), data, auth.current_user().id)


@blp.route("/<int:draft_id>")
class ListingDraft(MethodView):
    @auth.required()
    @features.required("etsy_sync")
    @blp.response(200, schemas.ListingDraftSchema)
    def get(self, org_id, draft_id):
        """One draft: its Etsy listing id, the step it reached, and Etsy's reason when it was refused."""
        return listing_drafts.get(db.get_session(), draft_id)
