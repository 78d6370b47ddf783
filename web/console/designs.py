"""Designs library: thumbnails, search and tags, each design's size, DPI verdict and trimmed box; uploads of many
files at once (the page's script sends them one by one and shows each one's progress)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from models import db, errors
from services import design_analysis, files, uploads
from web import uploads as received
from web import views
from web.console import pages, session


@session.required()
def designs():
    q, tag = request.args.get("q", "").strip(), request.args.get("tag", "").strip()
    stmt = files.search({"file_type": "designs", "q": q or None, "tags": [tag] if tag else None})
    return pages.render("designs.html", page=pages.Page(stmt, size=60), q=q, tag=tag,
                        describe=design_analysis.describe)


@session.required("operator")
def upload():
    """One file of a multi-file upload (answers JSON for the page's script)."""
    part = request.files.get("file")
    if part is None or not part.filename:
        raise errors.Invalid("Choose a file", errors={"file": ["Missing file"]})
    tags = [t.strip() for t in request.form.get("tags", "").split(",") if t.strip()][:20]
    me = session.current()
    assert me is not None
    row, duplicate = uploads.upload(db.get_session(), views.settings(), org_id=session.org_id(), user_id=me.id,
                                    path=received.spooled_path(part), original_filename=part.filename,
                                    form={"file_type": "designs", "tags": tags})
    return jsonify({"id": row.id, "filename": row.filename, "duplicate": duplicate}), 200 if duplicate else 201


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/designs", "designs", designs)
    blp.add_url_rule("/designs/upload", "design_upload", upload, methods=["POST"])
