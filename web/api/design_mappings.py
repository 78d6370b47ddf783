"""/api/organizations/{org_id}/design-mappings: rules from listing (+ SKU or variation) to design and size."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import design_mappings
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import orders as schemas

blp = Blueprint("design_mappings", __name__, url_prefix="/api/organizations/<int:org_id>/design-mappings",
                description="Design matching rules")


@blp.route("/")
class Mappings(MethodView):
    @auth.required()
    @features.required("orders")
    @blp.arguments(schemas.DesignMappingQueryArgsSchema, location="query")
    @blp.response(200, schemas.DesignMappingSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Rules, optionally of one listing or design."""
        return pagination.page(db.get_session(), design_mappings.search(args), pagination_parameters)

    @auth.required("operator")
    @features.required("orders")
    @blp.arguments(schemas.DesignMappingSchema)
    @blp.response(201, schemas.DesignMappingSchema)
    @views.commits
    def post(self, data, org_id):
        """Add a rule; unmatched items it covers are matched at once."""
        return design_mappings.create(db.get_session(), data)


@blp.route("/<int:mapping_id>")
class Mapping(MethodView):
    @auth.required()
    @features.required("orders")
    @blp.response(200, schemas.DesignMappingSchema)
    def get(self, org_id, mapping_id):
        """One rule."""
        return design_mappings.get(db.get_session(), mapping_id)

    @auth.required("operator")
    @features.required("orders")
    @blp.arguments(schemas.DesignMappingUpdateSchema)
    @blp.response(200, schemas.DesignMappingSchema)
    @views.commits
    def patch(self, data, org_id, mapping_id):
        """Point a rule at another design or size (items already matched keep theirs)."""
        return design_mappings.update(db.get_session(), mapping_id, data)

    @auth.required("operator")
    @features.required("orders")
    @blp.response(204)
    @views.commits
    def delete(self, org_id, mapping_id):
        """Remove a rule (matched items keep their design)."""
        design_mappings.delete(db.get_session(), mapping_id)
