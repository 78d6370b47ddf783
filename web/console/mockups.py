"""Mockup templates: upload a product photo, place the print area by clicking its four corners, and preview a
design on it."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, request, url_for

from models import db, errors
from services import files, mockup_templates, uploads
from web import features, views
from web import uploads as received
from web.console import pages, session
from web.schemas import mockup_templates as schemas


@session.required()
@features.required("mockups")
def mockups():
    rows = db.get_session().scalars(mockup_templates.search({}).limit(200)).all()
    return pages.render("mockups.html", templates=rows)


@session.required("operator")
@features.required("mockups")
@pages.commits
def create():
    """A new template from a photo, with a first print area in its middle to move by clicking four corners."""
    part = request.files.get("photo")
    if part is None or not part.filename:
        raise errors.Invalid("Choose a product photo", errors={"photo": ["Missing file"]})
    me = session.current()
    assert me is not None
    dbs, settings = db.get_session(), views.settings()
    photo, _ = uploads.upload(dbs, settings, org_id=session.org_id(), user_id=me.id,
                              path=received.spooled_path(part), original_filename=part.filename,
                              form={"file_type": "templates"})
    w, h = photo.width_px or 1000, photo.height_px or 1000
    middle = [[w * 0.3, h * 0.3], [w * 0.7, h * 0.3], [w * 0.7, h * 0.7], [w * 0.3, h * 0.7]]
    data = schemas.MockupTemplateCreateSchema().load({
        "name": request.form.get("name") or photo.filename, "base_file_id": photo.id,
        "areas": [{"points": [[round(x), round(y)] for x, y in middle]}]})
    row = mockup_templates.create(dbs, settings, session.org_id(), data)
    flash("Template created: click the four corners of the print area on the photo.", "ok")
    return redirect(url_for("console.mockup", mockup_id=row.id))


@session.required()
@features.required("mockups")
def mockup(mockup_id: int):
    dbs = db.get_session()
    row = mockup_templates.get(dbs, mockup_id)
    designs = dbs.scalars(files.search({"file_type": "designs"}).limit(200)).all()
    return pages.render("mockup.html", template=row, photo=files.get(dbs, row.base_file_id), designs=designs)


@session.required("operator")
@features.required("mockups")
@pages.commits
def place(mockup_id: int):
    """Save the print area's four corners (photo pixels, clockwise from the top left)."""
    points = json.loads(request.form.get("points") or "[]")
    row = mockup_templates.get(db.get_session(), mockup_id)
    area = {**(row.areas[0] if row.areas else {}), "points": points, "shape": "quad"}
    area.pop("size", None)
    data = schemas.MockupTemplateUpdateSchema().load({"areas": [area, *row.areas[1:]]})
    mockup_templates.update(db.get_session(), views.settings(), mockup_id, data)
    flash("Print area saved.", "ok")
    return redirect(url_for("console.mockup", mockup_id=mockup_id))


@session.required()
@features.required("mockups")
def preview(mockup_id: int):
    """A small mockup of a design on the template (nothing is stored)."""
    data = schemas.MockupPreviewSchema().load({"file_id": request.args.get("file_id", type=int) or 0,
                                               "long_side": 800, "format": "JPEG"})
    image, mimetype = mockup_templates.preview(db.get_session(), views.settings(), mockup_id, data)
    return Response(image, mimetype=mimetype, headers={"Cache-Control": "no-store"})


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/mockups", "mockups", mockups)
    blp.add_url_rule("/mockups/new", "mockup_create", create, methods=["POST"])
    blp.add_url_rule("/mockups/<int:mockup_id>", "mockup", mockup)
    blp.add_url_rule("/mockups/<int:mockup_id>/area", "mockup_place", place, methods=["POST"])
    blp.add_url_rule("/mockups/<int:mockup_id>/preview", "mockup_preview", preview)
