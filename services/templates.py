"""Product templates: a canvas (size, DPI, spacing, stretch) and named sizes that always fit it."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import audit, errors
from models import template as template_model
from services import rows

Template = template_model.Template
TemplateSize = template_model.TemplateSize
MAX_SIZES = 100
CANVAS_KEYS = ("canvas_width_in", "canvas_height_in", "dpi", "spacing_in", "margin_in", "allow_stretch")


def fit_errors(canvas: Mapping[str, Any], width_in: Decimal, height_in: Decimal) -> dict[str, list[str]]:
    """Field errors of a size that exceeds the canvas (`canvas` keyed by the model's attribute names)."""
    out: dict[str, list[str]] = {}
    if width_in > canvas["canvas_width_in"]:
        out["width_in"] = [f"Wider than the canvas ({float(canvas['canvas_width_in']):g} in)"]
    if height_in > canvas["canvas_height_in"]:
        out["height_in"] = [f"Taller than the canvas ({float(canvas['canvas_height_in']):g} in)"]
    return out


def margin_errors(canvas: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors of margins that leave no printable area."""
    margin = canvas["margin_in"] * 2
    if margin >= canvas["canvas_width_in"] or margin >= canvas["canvas_height_in"]:
        return {"margin_in": ["Margins leave no printable area on the canvas"]}
    return {}


def search(filters: dict[str, Any]) -> Select:
    """Templates by name; filter by name (contains) and product type."""
    stmt = select(Template).order_by(Template.name, Template.id)
    if "q" in filters:
        stmt = stmt.where(Template.name.icontains(filters["q"], autoescape=True))
    if "product_type" in filters:
        stmt = stmt.where(Template.product_type == filters["product_type"])
    return stmt


def get(session: Session, template_id: int, *, lock: bool = False) -> Template:
    """The template, or NotFound; `lock` serializes changes so a canvas and a size change cannot both pass the fit."""
    # NO KEY UPDATE: jobs referencing the template hold KEY SHARE and need not wait.
    return rows.get(session, Template, template_id, "Template", with_for_update={"key_share": True} if lock else None)


def get_size(template: Template, size_id: int) -> TemplateSize:
    """A size of this template, or NotFound (so another template's or org's size is simply not found)."""
    size = next((s for s in template.sizes if s.id == size_id), None)
    if size is None:
        raise errors.NotFound("Size not found")
    return size


def sizes(session: Session, template_id: int) -> Select:
    """The template's sizes, in the order they were added."""
    template = get(session, template_id)
    return select(TemplateSize).where(TemplateSize.template_id == template.id).order_by(TemplateSize.id)


def create(session: Session, data: dict[str, Any]) -> Template:
    """A new template with its sizes, flushed, and its audit event (the schema checked the sizes fit)."""
    data = dict(data)
    new_sizes = [TemplateSize(sort_order=i, **size) for i, size in enumerate(data.pop("sizes"))]
    template = Template(**data.pop("canvas"), **data)
    template.sizes = new_sizes
    changes = audit.changes_of(template)
    session.add(template)
    session.flush()
    changes["sizes"] = [None, [_size_fields(s) for s in new_sizes]]
    audit.record(session, "template.created", entity=template, changes=changes)
    return template


def update(session: Session, template_id: int, data: dict[str, Any]) -> Template:
    """Rename, describe or change the canvas (never smaller than one of its sizes)."""
    template = get(session, template_id, lock=True)
    for key, value in {**data.get("canvas", {}), **{k: v for k, v in data.items() if k != "canvas"}}.items():
        setattr(template, key, value)
    _check_canvas(template)
    if changes := audit.changes_of(template):
        audit.record(session, "template.updated", entity=template, changes=changes)
    return template


def delete(session: Session, template_id: int) -> None:
    """Delete the template and its sizes (print jobs made from it keep their own settings)."""
    template = get(session, template_id, lock=True)
    audit.record(session, "template.deleted", entity=template,
                 changes={"name": [template.name, None], "sizes": [[_size_fields(s) for s in template.sizes], None]})
    session.delete(template)


def add_size(session: Session, template_id: int, data: dict[str, Any]) -> TemplateSize:
    """Add a size (at most the canvas; a duplicate name is refused by the unique constraint)."""
    template = get(session, template_id, lock=True)
    if len(template.sizes) >= MAX_SIZES:
        raise errors.Invalid(f"A template has at most {MAX_SIZES} sizes")
    size = TemplateSize(sort_order=len(template.sizes), **data)
    _check_size(template, size)
    template.sizes.append(size)
    changes = audit.changes_of(size)
    session.flush()
    audit.record(session, "template.size_added", entity=size, changes=changes, payload={"template_id": template.id})
    return size


def update_size(session: Session, template_id: int, size_id: int, data: dict[str, Any]) -> TemplateSize:
    """Rename or resize a size (still at most the canvas)."""
    template = get(session, template_id, lock=True)
    size = get_size(template, size_id)
    for key, value in data.items():
        setattr(size, key, value)
    _check_size(template, size)
    if changes := audit.changes_of(size):
        audit.record(session, "template.size_updated", entity=size, changes=changes,
                     payload={"template_id": template.id})
    return size


def remove_size(session: Session, template_id: int, size_id: int) -> None:
    """Remove a size."""
    template = get(session, template_id, lock=True)
    size = get_size(template, size_id)
    audit.record(session, "template.size_removed", entity=size, changes={"name": [size.name, None]},
                 payload={"template_id": template.id})
    template.sizes.remove(size)


def _canvas(template: Template) -> dict[str, Any]:
    return {key: getattr(template, key) for key in CANVAS_KEYS}


def _check_canvas(template: Template) -> None:
    # A canvas must leave a printable area and hold every one of the template's sizes.
    canvas = _canvas(template)
    if margin := margin_errors(canvas):
        raise errors.Invalid("Margins leave no printable area", errors={"canvas": margin})
    for size in template.sizes:
        if misfit := fit_errors(canvas, size.width_in, size.height_in):
            hint = f"Smaller than size {size.name!r} ({float(size.width_in):g} x {float(size.height_in):g} in)"
            raise errors.Invalid(f"Size {size.name!r} does not fit the canvas",
                                 errors={"canvas": {key: [hint] for key in misfit}})


def _check_size(template: Template, size: TemplateSize) -> None:
    if misfit := fit_errors(_canvas(template), size.width_in, size.height_in):
        raise errors.Invalid(f"Size {size.name!r} does not fit the canvas", errors=misfit)


def _size_fields(size: TemplateSize) -> dict[str, Any]:
    return {"name": size.name, "width_in": size.width_in, "height_in": size.height_in}
