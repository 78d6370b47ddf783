"""/api/organizations/{org_id}/mockup-templates: product photos with print areas, and a synchronous preview."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView

from models import db
from services import mockup_templates
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import mockup_templates as schemas

blp = Blueprint("mockup_templates", __name__, url_prefix="/api/organizations/<int:org_id>/mockup-templates",
                description="Mockup templates: a product photo, its print areas, watermark and output options")


@blp.route("/")
class MockupTemplates(MethodView):
    @auth.required()
    @features.required("mockups")
    @blp.arguments(schemas.MockupTemplateQueryArgsSchema, location="query")
    @blp.response(200, schemas.MockupTemplateSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Mockup templates by name; filter by name (contains)."""
        return pagination.page(db.get_session(), mockup_templates.search(args), pagination_parameters)

    @auth.required("admin")
    @features.required("mockups")
    @blp.arguments(schemas.MockupTemplateCreateSchema)
    @blp.response(201, schemas.MockupTemplateSchema)
    @views.commits
    def post(self, data, org_id):
        """Create a template; points are checked against the photo (422 naming the area), a duplicate name is 409."""
        return mockup_templates.create(db.get_session(), views.settings(), org_id, data)


@blp.route("/<int:mockup_template_id>")
class MockupTemplate(MethodView):
    @auth.required()
    @features.required("mockups")
    @blp.response(200, schemas.MockupTemplateSchema)
    def get(self, org_id, mockup_template_id):
        """One mockup template."""
        return mockup_templates.get(db.get_session(), mockup_template_id)

    @auth.required("admin")
    @features.required("mockups")
    @blp.arguments(schemas.MockupTemplateUpdateSchema)
    @blp.response(200, schemas.MockupTemplateSchema)
    @views.commits
    def patch(self, data, org_id, mockup_template_id):
        """Rename, change the photo, areas, watermark (null removes it) or output options."""
        return mockup_templates.update(db.get_session(), views.settings(), mockup_template_id, data)

    @auth.required("admin")
    @features.required("mockups")
    @blp.response(204)
    @views.commits
    def delete(self, org_id, mockup_template_id):
        """Delete the template (mockups already rendered from it are kept)."""
        mockup_templates.delete(db.get_session(), mockup_template_id)


@blp.route("/<int:mockup_template_id>/preview")
class Preview(MethodView):
    @auth.required()
    @features.required("mockups")
    @blp.arguments(schemas.MockupPreviewSchema)
    @blp.response(200, content_type="image/jpeg",
                  description="The mockup image itself (image/jpeg, image/webp or image/png, as asked)")
    def post(self, data, org_id, mockup_template_id):
        """Render one design on the template, small and synchronously (nothing is stored)."""
        image, mimetype = mockup_templates.preview(db.get_session(), views.settings(), mockup_template_id, data)
        return Response(image, mimetype=mimetype, headers={"Cache-Control": "no-store"})
