"""/api/organizations/{org_id}/templates: product templates, their canvas and their named sizes."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import templates
from web import auth, pagination, views
from web.blueprint import Blueprint
from web.schemas import templates as schemas

blp = Blueprint("templates", __name__, url_prefix="/api/organizations/<int:org_id>/templates",
                description="Product templates: canvas (size, DPI, spacing, stretch policy) and named sizes")


@blp.route("/")
class Templates(MethodView):
    @auth.required()
    @blp.arguments(schemas.TemplateQueryArgsSchema, location="query")
    @blp.response(200, schemas.TemplateSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Templates by name; filter by name (contains) and product type."""
        return pagination.page(db.get_session(), templates.search(args), pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.TemplateCreateSchema)
    @blp.response(201, schemas.TemplateSchema)
    @views.commits
    def post(self, data, org_id):
        """Create a template with its canvas and (optionally) its sizes; a duplicate name is a 409."""
        return templates.create(db.get_session(), data)


@blp.route("/<int:template_id>")
class Template(MethodView):
    @auth.required()
    @blp.response(200, schemas.TemplateSchema)
    def get(self, org_id, template_id):
        """One template with its sizes."""
        return templates.get(db.get_session(), template_id)

    @auth.required("admin")
    @blp.arguments(schemas.TemplateUpdateSchema)
    @blp.response(200, schemas.TemplateSchema)
    @views.commits
    def patch(self, data, org_id, template_id):
        """Rename, describe or change the canvas (never smaller than one of its sizes)."""
        return templates.update(db.get_session(), template_id, data)

    @auth.required("admin")
    @blp.response(204)
    @views.commits
    def delete(self, org_id, template_id):
        """Delete the template and its sizes (print jobs made from it keep their own settings)."""
        templates.delete(db.get_session(), template_id)


@blp.route("/<int:template_id>/sizes")
class Sizes(MethodView):
    @auth.required()
    @blp.response(200, schemas.SizeSchema(many=True))
    @blp.paginate()
    def get(self, org_id, template_id, pagination_parameters):
        """The template's sizes, in the order they were added."""
        session = db.get_session()
        return pagination.page(session, templates.sizes(session, template_id), pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.SizeSchema)
    @blp.response(201, schemas.SizeSchema)
    @views.commits
    def post(self, data, org_id, template_id):
        """Add a size (at most the canvas; a duplicate name is a 409)."""
        return templates.add_size(db.get_session(), template_id, data)


@blp.route("/<int:template_id>/sizes/<int:size_id>")
class Size(MethodView):
    @auth.required()
    @blp.response(200, schemas.SizeSchema)
    def get(self, org_id, template_id, size_id):
        """One size."""
        return templates.get_size(templates.get(db.get_session(), template_id), size_id)

    @auth.required("admin")
    @blp.arguments(schemas.SizeUpdateSchema)
    @blp.response(200, schemas.SizeSchema)
    @views.commits
    def patch(self, data, org_id, template_id, size_id):
        """Rename or resize a size (still at most the canvas)."""
        return templates.update_size(db.get_session(), template_id, size_id, data)

    @auth.required("admin")
    @blp.response(204)
    @views.commits
    def delete(self, org_id, template_id, size_id):
        """Remove a size."""
        templates.remove_size(db.get_session(), template_id, size_id)
