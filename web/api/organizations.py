"""/api/organizations: create, list, get, update, deactivate, features, stats."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from models import audit, db, errors, org_stats
from models import organization as org_model
from web import auth, pagination
from web.schemas import organizations as schemas

blp = Blueprint("organizations", __name__, url_prefix="/api/organizations", description="Organizations (tenants)")


def _get(org_id: int) -> org_model.Organization:
    org = db.get_session().get(org_model.Organization, org_id)
    if org is None:
        raise errors.NotFound("Organization not found")
    return org


@blp.route("/")
class Organizations(MethodView):
    @auth.required()
    @blp.arguments(schemas.OrganizationQueryArgsSchema, location="query")
    @blp.response(200, schemas.OrganizationSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """Superusers list every organization; others see their own."""
        user = auth.current_user()
        stmt = select(org_model.Organization).order_by(org_model.Organization.id)
        if not user.is_superuser:
            stmt = stmt.where(org_model.Organization.id == user.org_id)
        if args.get("q"):
            stmt = stmt.where(or_(org_model.Organization.name.icontains(args["q"], autoescape=True),
                                  org_model.Organization.shop_name.icontains(args["q"], autoescape=True)))
        if "is_active" in args:
            stmt = stmt.where(org_model.Organization.is_active.is_(args["is_active"]))
        return pagination.page(db.get_session(), stmt, pagination_parameters)

    @auth.required(superuser=True)
    @blp.arguments(schemas.OrganizationCreateSchema)
    @blp.response(201, schemas.OrganizationSchema)
    def post(self, data):
        """Create an organization (superusers; everyone else registers)."""
        session = db.get_session()
        org = org_model.create(session, name=data["name"], shop_name=data.get("shop_name"),
                               settings=schemas.OrganizationSettingsSchema().dump(data.get("settings", {})))
        auth.enter_org(org.id)
        audit.record(session, "organization.created", entity=org,
                     changes={"name": [None, org.name], "shop_name": [None, org.shop_name]})
        session.commit()
        return org


@blp.route("/<int:org_id>")
class Organization(MethodView):
    @auth.required()
    @blp.response(200, schemas.OrganizationSchema)
    def get(self, org_id):
        """One organization."""
        return _get(org_id)

    @auth.required("admin")
    @blp.arguments(schemas.OrganizationUpdateSchema)
    @blp.response(200, schemas.OrganizationSchema)
    def patch(self, data, org_id):
        """Rename, change settings; superusers may (re)activate."""
        session = db.get_session()
        org = _get(org_id)
        if "is_active" in data and not auth.current_user().is_superuser:
            raise errors.Forbidden("Only a superuser can change is_active; owners use DELETE")
        if "settings" in data:
            merged = {**org.settings, **schemas.OrganizationSettingsSchema().dump(data.pop("settings"))}
            org.settings = merged
        for key, value in data.items():
            setattr(org, key, value)
        changes = audit.changes_of(org)
        if changes:
            audit.record(session, "organization.updated", entity=org, changes=changes)
        session.commit()
        return org

    @auth.required("owner")
    @blp.response(204)
    def delete(self, org_id):
        """Deactivate: data is kept, sign-ins are refused."""
        session = db.get_session()
        org = _get(org_id)
        if org.is_active:
            org.is_active = False
            audit.record(session, "organization.deactivated", entity=org, changes=audit.changes_of(org))
            session.commit()


@blp.route("/<int:org_id>/features")
class Features(MethodView):
    @auth.required()
    @blp.response(200, schemas.FeaturesSchema)
    def get(self, org_id):
        """Effective feature flags."""
        return {"features": org_model.features(db.get_session(), org_id)}

    @auth.required("admin")
    @blp.arguments(schemas.FeaturesUpdateSchema)
    @blp.response(200, schemas.FeaturesSchema)
    def put(self, data, org_id):
        """Set feature flags (others keep their value)."""
        session = db.get_session()
        changed = org_model.set_features(session, org_id, data["features"])
        if changed:
            audit.record(session, "organization.features_updated", entity_type="organizations",
                         entity_id=org_id, changes=changed)
        session.commit()
        return {"features": org_model.features(session, org_id)}


@blp.route("/<int:org_id>/stats")
class Stats(MethodView):
    @auth.required()
    @blp.response(200, schemas.OrganizationStatsSchema)
    def get(self, org_id):
        """Members, events and (as they land) shops, files and jobs of the organization."""
        return org_stats.organization_stats(db.get_session())
