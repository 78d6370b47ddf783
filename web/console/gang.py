"""Gang sheet builder: pick designs, quantities and the roll; the layout preview (picture, utilization, film and
cost) follows every change; queue it as a gang_sheets job and watch it render on the job's page."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, jsonify, redirect, request, url_for

from models import db, errors
from services import files, gang_plan, gang_sheets, print_jobs, printers
from web import features, views
from web.console import pages, session


@session.required()
@features.required("gang_sheets")
def builder():
    dbs = db.get_session()
    q = request.args.get("q", "").strip()
    designs = dbs.scalars(files.search({"file_type": "designs", "q": q or None}).limit(120)).all()
    return pages.render("gang.html", designs=designs, q=q,
                        printers=dbs.scalars(printers.search({}).limit(50)).all())


def _params() -> dict:
    body = request.get_json(silent=True) if request.is_json else json.loads(request.form.get("params") or "{}")
    if not isinstance(body, dict):
        raise errors.Invalid("The layout request must be an object")
    return gang_plan.ParamsSchema().load(body)


@session.required()
@features.required("gang_sheets")
@pages.commits
def preview():
    """Sheets, length, utilization, preflight and film cost of the picked designs (nothing is stored)."""
    return jsonify(gang_sheets.preview(db.get_session(), views.settings(), session.org_id(), _params()))


@session.required()
@features.required("gang_sheets")
@pages.commits
def picture():
    """One sheet of the layout as SVG (outlines, pieces from thumbnails, labels)."""
    image, mimetype, count = gang_sheets.picture(db.get_session(), views.settings(), _params(), "svg",
                                                 max(1, request.args.get("sheet", 1, type=int) or 1))
    return Response(image, mimetype=mimetype, headers={"X-Sheet-Count": str(count)})


@session.required("operator")
@features.required("gang_sheets")
@pages.commits
def queue():
    """Queue the layout as a gang_sheets job and follow it on its page."""
    me = session.current()
    assert me is not None
    body = json.loads(request.form.get("params") or "{}")
    job = print_jobs.create(db.get_session(), job_type="gang_sheets", params=body, created_by=me.id)
    flash(f"Gang sheet queued as job #{job.id}.", "ok")
    return redirect(url_for("console.job", job_id=job.id))


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/gang-sheets", "gang_builder", builder)
    blp.add_url_rule("/gang-sheets/preview", "gang_preview", preview, methods=["POST"])
    blp.add_url_rule("/gang-sheets/picture", "gang_picture", picture, methods=["POST"])
    blp.add_url_rule("/gang-sheets/queue", "gang_queue", queue, methods=["POST"])
