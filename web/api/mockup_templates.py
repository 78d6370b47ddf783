"""/api/organizations/{org_id}/mockup-templates: product photos with print areas, and a synchronous preview."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from jobs import mockup_inputs
from models import audit, db, errors
from models import mockup_template as mockup_model
from prepress import mockups
from web import auth, pagination
from web.schemas import mockup_templates as schemas

blp = Blueprint("mockup_templates", __name__, url_prefix="/api/organizations/<int:org_id>/mockup-templates",
                description="Mockup templates: a product photo, its print areas, watermark and output options")

MIME_TYPES = {"JPEG": "image/jpeg", "WEBP": "image/webp", "PNG": "image/png"}


def _settings():
    return current_app.extensions["esa_settings"]


def _get(org_id: int, mockup_template_id: int, *, lock: bool = False) -> mockup_model.MockupTemplate:
    row = db.get_session().get(mockup_model.MockupTemplate, mockup_template_id, with_for_update=lock or None)
    if row is None:
        raise errors.NotFound("Mockup template not found")
    return row


def _update(row: mockup_model.MockupTemplate, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Apply a PATCH body, re-checking the points against the (possibly new) photo; returns the changes."""
    for key in ("name", "base_file_id", "areas", "watermark"):
        if key in data:
            setattr(row, key, data[key])
    if "output" in data:
        row.output = {**schemas.DEFAULT_OUTPUT, **row.output, **data["output"]}
    # Taken before the check, whose queries autoflush the row and so reset its change history.
    changes = audit.changes_of(row)
    mockup_inputs.check(db.get_session(), _settings(), row, decode=set(data) & {"base_file_id", "watermark"})
    return changes


def _preview(row: mockup_model.MockupTemplate, data: dict[str, Any]) -> bytes:
    """One small mockup of a design on the template, encoded."""
    session, settings = db.get_session(), _settings()
    design = mockup_inputs.design(settings, mockup_inputs.image_file(session, data["file_id"], "file_id"), "file_id")
    template = mockup_inputs.prepared(session, settings, row, data["long_side"])
    try:
        return mockups.render_preview(template, design, long_side=data["long_side"], fmt=data["format"])
    except mockups.MockupError as exc:
        raise errors.Invalid(f"Cannot render this mockup: {exc}") from None


@blp.route("/")
class MockupTemplates(MethodView):
    @auth.required()
    @blp.arguments(schemas.MockupTemplateQueryArgsSchema, location="query")
    @blp.response(200, schemas.MockupTemplateSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Mockup templates by name; filter by name (contains)."""
        model = mockup_model.MockupTemplate
        stmt = select(model).order_by(model.name, model.id)
        if "q" in args:
            stmt = stmt.where(model.name.icontains(args["q"], autoescape=True))
        return pagination.page(db.get_session(), stmt, pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.MockupTemplateCreateSchema)
    @blp.response(201, schemas.MockupTemplateSchema)
    def post(self, data, org_id):
        """Create a template; points are checked against the photo (422 naming the area), a duplicate name is 409."""
        session = db.get_session()
        row = mockup_model.MockupTemplate(org_id=org_id, **data)
        mockup_inputs.check(session, _settings(), row)
        changes = audit.changes_of(row)
        session.add(row)
        session.flush()
        audit.record(session, "mockup_template.created", entity=row, changes=changes)
        session.commit()
        return row


@blp.route("/<int:mockup_template_id>")
class MockupTemplate(MethodView):
    @auth.required()
    @blp.response(200, schemas.MockupTemplateSchema)
    def get(self, org_id, mockup_template_id):
        """One mockup template."""
        return _get(org_id, mockup_template_id)

    @auth.required("admin")
    @blp.arguments(schemas.MockupTemplateUpdateSchema)
    @blp.response(200, schemas.MockupTemplateSchema)
    def patch(self, data, org_id, mockup_template_id):
        """Rename, change the photo, areas, watermark (null removes it) or output options."""
        session = db.get_session()
        row = _get(org_id, mockup_template_id, lock=True)
        if changes := _update(row, data):
            audit.record(session, "mockup_template.updated", entity=row, changes=changes)
        session.commit()
        return row

    @auth.required("admin")
    @blp.response(204)
    def delete(self, org_id, mockup_template_id):
        """Delete the template (mockups already rendered from it are kept)."""
        session = db.get_session()
        row = _get(org_id, mockup_template_id, lock=True)
        audit.record(session, "mockup_template.deleted", entity=row,
                     changes={"name": [row.name, None], "base_file_id": [row.base_file_id, None]})
        session.delete(row)
        session.commit()


@blp.route("/<int:mockup_template_id>/preview")
class Preview(MethodView):
    @auth.required()
    @blp.arguments(schemas.MockupPreviewSchema)
    @blp.response(200, content_type="image/jpeg",
                  description="The mockup image itself (image/jpeg, image/webp or image/png, as asked)")
    def post(self, data, org_id, mockup_template_id):
        """Render one design on the template, small and synchronously (nothing is stored)."""
        image = _preview(_get(org_id, mockup_template_id), data)
        return Response(image, mimetype=MIME_TYPES[data["format"]], headers={"Cache-Control": "no-store"})
