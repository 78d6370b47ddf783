"""/api/organizations/{org_id}/templates: product templates, their canvas and their named sizes."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import audit, db, errors
from models import template as template_model
from web import auth, pagination
from web.schemas import templates as schemas

blp = Blueprint("templates", __name__, url_prefix="/api/organizations/<int:org_id>/templates",
                description="Product templates: canvas (size, DPI, spacing, stretch policy) and named sizes")

_CANVAS_KEYS = ("canvas_width_in", "canvas_height_in", "dpi", "spacing_in", "margin_in", "allow_stretch")


def _get(org_id: int, template_id: int, *, lock: bool = False) -> template_model.Template:
    # Mutations lock the template row, so a canvas change and a size change cannot both pass the fit check.
    lock_mode = {"key_share": True} if lock else None  # NO KEY UPDATE: jobs referencing it hold KEY SHARE
    row = db.get_session().get(template_model.Template, template_id, with_for_update=lock_mode)
    if row is None:
        raise errors.NotFound("Template not found")
    return row


def _get_size(template: template_model.Template, size_id: int) -> template_model.TemplateSize:
    # Looked up through the template, so another template's (or org's) size is simply not found.
    size = next((s for s in template.sizes if s.id == size_id), None)
    if size is None:
        raise errors.NotFound("Size not found")
    return size


def _canvas(template: template_model.Template) -> dict[str, Any]:
    return {key: getattr(template, key) for key in _CANVAS_KEYS}


def _check_canvas(template: template_model.Template) -> None:
    """Refuse a canvas that leaves no printable area or is smaller than one of the template's sizes."""
    canvas = _canvas(template)
    if margin := schemas.margin_errors(canvas):
        raise errors.Invalid("Margins leave no printable area", errors={"canvas": margin})
    for size in template.sizes:
        if misfit := schemas.fit_errors(canvas, size.width_in, size.height_in):
            hint = f"Smaller than size {size.name!r} ({float(size.width_in):g} x {float(size.height_in):g} in)"
            raise errors.Invalid(f"Size {size.name!r} does not fit the canvas",
                                 errors={"canvas": {key: [hint] for key in misfit}})


def _check_size(template: template_model.Template, size: template_model.TemplateSize) -> None:
    if misfit := schemas.fit_errors(_canvas(template), size.width_in, size.height_in):
        raise errors.Invalid(f"Size {size.name!r} does not fit the canvas", errors=misfit)


def _size_fields(size: template_model.TemplateSize) -> dict[str, Any]:
    return {"name": size.name, "width_in": size.width_in, "height_in": size.height_in}


def _create(session: Session, data: dict[str, Any]) -> template_model.Template:
    """A new template with its sizes, flushed, and its audit event (validated by TemplateCreateSchema)."""
    sizes = [template_model.TemplateSize(sort_order=i, **size) for i, size in enumerate(data.pop("sizes"))]
    template = template_model.Template(**data.pop("canvas"), **data)
    template.sizes = sizes
    changes = audit.changes_of(template)
    session.add(template)
    session.flush()
    changes["sizes"] = [None, [_size_fields(s) for s in sizes]]
    audit.record(session, "template.created", entity=template, changes=changes)
    return template


@blp.route("/")
class Templates(MethodView):
    @auth.required()
    @blp.arguments(schemas.TemplateQueryArgsSchema, location="query")
    @blp.response(200, schemas.TemplateSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Templates by name; filter by name (contains) and product type."""
        model = template_model.Template
        stmt = select(model).order_by(model.name, model.id)
        if "q" in args:
            stmt = stmt.where(model.name.icontains(args["q"], autoescape=True))
        if "product_type" in args:
            stmt = stmt.where(model.product_type == args["product_type"])
        return pagination.page(db.get_session(), stmt, pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.TemplateCreateSchema)
    @blp.response(201, schemas.TemplateSchema)
    def post(self, data, org_id):
        """Create a template with its canvas and (optionally) its sizes; a duplicate name is a 409."""
        session = db.get_session()
        template = _create(session, data)
        session.commit()
        return template


@blp.route("/<int:template_id>")
class Template(MethodView):
    @auth.required()
    @blp.response(200, schemas.TemplateSchema)
    def get(self, org_id, template_id):
        """One template with its sizes."""
        return _get(org_id, template_id)

    @auth.required("admin")
    @blp.arguments(schemas.TemplateUpdateSchema)
    @blp.response(200, schemas.TemplateSchema)
    def patch(self, data, org_id, template_id):
        """Rename, describe or change the canvas (never smaller than one of its sizes)."""
        session = db.get_session()
        template = _get(org_id, template_id, lock=True)
        for key, value in {**data.pop("canvas", {}), **data}.items():
            setattr(template, key, value)
        _check_canvas(template)
        if changes := audit.changes_of(template):
            audit.record(session, "template.updated", entity=template, changes=changes)
        session.commit()
        return template

    @auth.required("admin")
    @blp.response(204)
    def delete(self, org_id, template_id):
        """Delete the template and its sizes (print jobs made from it keep their own settings)."""
        session = db.get_session()
        template = _get(org_id, template_id, lock=True)
        audit.record(session, "template.deleted", entity=template,
                     changes={"name": [template.name, None],
                              "sizes": [[_size_fields(s) for s in template.sizes], None]})
        session.delete(template)
        session.commit()


@blp.route("/<int:template_id>/sizes")
class Sizes(MethodView):
    @auth.required()
    @blp.response(200, schemas.SizeSchema(many=True))
    @blp.paginate()
    def get(self, org_id, template_id, pagination_parameters):
        """The template's sizes, in the order they were added."""
        template = _get(org_id, template_id)
        size = template_model.TemplateSize
        stmt = select(size).where(size.template_id == template.id).order_by(size.id)
        return pagination.page(db.get_session(), stmt, pagination_parameters)

    @auth.required("admin")
    @blp.arguments(schemas.SizeSchema)
    @blp.response(201, schemas.SizeSchema)
    def post(self, data, org_id, template_id):
        """Add a size (at most the canvas; a duplicate name is a 409)."""
        session = db.get_session()
        template = _get(org_id, template_id, lock=True)
        if len(template.sizes) >= schemas.MAX_SIZES:
            raise errors.Invalid(f"A template has at most {schemas.MAX_SIZES} sizes")
        size = template_model.TemplateSize(sort_order=len(template.sizes), **data)
        _check_size(template, size)
        template.sizes.append(size)
        changes = audit.changes_of(size)
        session.flush()
        audit.record(session, "template.size_added", entity=size, changes=changes,
                     payload={"template_id": template.id})
        session.commit()
        return size


@blp.route("/<int:template_id>/sizes/<int:size_id>")
class Size(MethodView):
    @auth.required()
    @blp.response(200, schemas.SizeSchema)
    def get(self, org_id, template_id, size_id):
        """One size."""
        return _get_size(_get(org_id, template_id), size_id)

    @auth.required("admin")
    @blp.arguments(schemas.SizeUpdateSchema)
    @blp.response(200, schemas.SizeSchema)
    def patch(self, data, org_id, template_id, size_id):
        """Rename or resize a size (still at most the canvas)."""
        session = db.get_session()
        template = _get(org_id, template_id, lock=True)
        size = _get_size(template, size_id)
        for key, value in data.items():
            setattr(size, key, value)
        _check_size(template, size)
        if changes := audit.changes_of(size):
            audit.record(session, "template.size_updated", entity=size, changes=changes,
                         payload={"template_id": template.id})
        session.commit()
        return size

    @auth.required("admin")
    @blp.response(204)
    def delete(self, org_id, template_id, size_id):
        """Remove a size."""
        session = db.get_session()
        template = _get(org_id, template_id, lock=True)
        size = _get_size(template, size_id)
        audit.record(session, "template.size_removed", entity=size, changes={"name": [size.name, None]},
                     payload={"template_id": template.id})
        template.sizes.remove(size)
        session.commit()
