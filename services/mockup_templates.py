"""Mockup templates: a product photo with print areas checked against it, and a small synchronous preview."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

import config
from models import audit, errors
from models import mockup_template as mockup_model
from prepress import mockups
from services import mockup_inputs, rows

MockupTemplate = mockup_model.MockupTemplate
DEFAULT_OUTPUT = {"format": "JPEG", "long_side": 2000, "quality": 90}
MIME_TYPES = {"JPEG": "image/jpeg", "WEBP": "image/webp", "PNG": "image/png"}


def search(filters: dict[str, Any]) -> Select:
    """Mockup templates by name; filter by name (contains)."""
    stmt = select(MockupTemplate).order_by(MockupTemplate.name, MockupTemplate.id)
    if "q" in filters:
        stmt = stmt.where(MockupTemplate.name.icontains(filters["q"], autoescape=True))
    return stmt


def get(session: Session, mockup_template_id: int, *, lock: bool = False) -> MockupTemplate:
    """The mockup template, or NotFound."""
    return rows.get(session, MockupTemplate, mockup_template_id, "Mockup template", with_for_update=lock or None)


def create(session: Session, settings: config.Settings, org_id: int, data: dict[str, Any]) -> MockupTemplate:
    """A new template; its points are checked against the photo (422 naming the area)."""
    row = MockupTemplate(org_id=org_id, **data)
    mockup_inputs.check(session, settings, row)
    changes = audit.changes_of(row)
    session.add(row)
    session.flush()
    audit.record(session, "mockup_template.created", entity=row, changes=changes)
    return row


def update(session: Session, settings: config.Settings, mockup_template_id: int,
           data: dict[str, Any]) -> MockupTemplate:
    """Rename, change the photo, areas, watermark (None removes it) or output options (merged)."""
    row = get(session, mockup_template_id, lock=True)
    for key in ("name", "base_file_id", "areas", "watermark"):
        if key in data:
            setattr(row, key, data[key])
    if "output" in data:
        row.output = {**DEFAULT_OUTPUT, **row.output, **data["output"]}
    # Taken before the check, whose queries autoflush the row and so reset its change history.
    changes = audit.changes_of(row)
    mockup_inputs.check(session, settings, row, decode=set(data) & {"base_file_id", "watermark"})
    if changes:
        audit.record(session, "mockup_template.updated", entity=row, changes=changes)
    return row


def delete(session: Session, mockup_template_id: int) -> None:
    """Delete the template (mockups already rendered from it are kept)."""
    row = get(session, mockup_template_id, lock=True)
    audit.record(session, "mockup_template.deleted", entity=row,
                 changes={"name": [row.name, None], "base_file_id": [row.base_file_id, None]})
    session.delete(row)


def preview(session: Session, settings: config.Settings, mockup_template_id: int,
            data: dict[str, Any]) -> tuple[bytes, str]:
    """One small mockup of a design on the template, encoded, and its MIME type (nothing is stored)."""
    row = get(session, mockup_template_id)
    design = mockup_inputs.design(settings, mockup_inputs.image_file(session, data["file_id"], "file_id"), "file_id")
    template = mockup_inputs.prepared(session, settings, row, data["long_side"])
    try:
        image = mockups.render_preview(template, design, long_side=data["long_side"], fmt=data["format"])
    except mockups.MockupError as exc:
        raise errors.Invalid(f"Cannot render this mockup: {exc}") from None
    return image, MIME_TYPES[data["format"]]
