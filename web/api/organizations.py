"""/api/organizations: create, list, get, update, deactivate, features, stats."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import org_stats, organizations
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import organizations as schemas

blp = Blueprint("organizations", __name__, url_prefix="/api/organizations", description="Organizations (tenants)")


@blp.route("/")
class Organizations(MethodView):
    @auth.required()
    @blp.arguments(schemas.OrganizationQueryArgsSchema, location="query")
    @blp.response(200, schemas.OrganizationSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Superusers list every organization; others see their own."""
        return pagination.page(db.get_session(), organizations.search(auth.current_user(), args),
                               pagination_parameters)

    @auth.required(superuser=True)
    @blp.arguments(schemas.OrganizationCreateSchema)
    @blp.response(201, schemas.OrganizationSchema)
    @views.commits
    def post(self, data):
        """Create an organization (superusers; everyone else registers)."""
        session = db.get_session()
        org = organizations.create(session, name=data["name"], shop_name=data.get("shop_name"),
                                   settings=data.get("settings"))
        auth.enter_org(org.id)
        organizations.record_created(session, org, ("name", "shop_name"))
        return org


@blp.route("/<int:org_id>")
class Organization(MethodView):
    @auth.required()
    @blp.response(200, schemas.OrganizationSchema)
    def get(self, org_id):
        """One organization."""
        return organizations.get(db.get_session(), org_id)

    @auth.required("admin")
    @blp.arguments(schemas.OrganizationUpdateSchema)
    @blp.response(200, schemas.OrganizationSchema)
    @views.commits
    def patch(self, data, org_id):
        """Rename, change settings; superusers may (re)activate."""
        return organizations.update(db.get_session(), org_id, data, superuser=auth.current_user().is_superuser)

    put = patch  # the deployment guide's clients update with PUT

    @auth.required("owner")
    @blp.response(204)
    @views.commits
    def delete(self, org_id):
        """Deactivate: data is kept, sign-ins are refused."""
        organizations.deactivate(db.get_session(), org_id)


@blp.route("/<int:org_id>/features")
class Features(MethodView):
    @auth.required()
    @blp.response(200, schemas.FeaturesSchema)
    def get(self, org_id):
        """Effective feature flags."""
        return {"features": organizations.features(db.get_session(), org_id)}

    @auth.required("admin")
    @blp.arguments(schemas.FeaturesUpdateSchema)
    @blp.response(200, schemas.FeaturesSchema)
    @views.commits
    def put(self, data, org_id):
        """Set feature flags (others keep their value)."""
        return {"features": organizations.set_features(db.get_session(), org_id, data["features"])}


@blp.route("/<int:org_id>/stats")
class Stats(MethodView):
    @auth.required()
    @features.required("analytics")
    @blp.response(200, schemas.OrganizationStatsSchema)
    def get(self, org_id):
        """Members, events and (as they land) shops, files and jobs of the organization."""
        return org_stats.summary(db.get_session())
