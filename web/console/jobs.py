"""Print jobs: a searchable list with progress, one job with outputs, previews and events, cancel and retry;
file downloads and thumbnails for every page."""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, request, url_for

from models import db
from models import print_job as job_model
from prepress import thumbnails
from services import events, files, job_types, print_jobs, rip, today
from web import downloads, views
from web.console import pages, session


@session.required()
def jobs():
    """Jobs newest first, filtered by status, type or id."""
    filters = {k: request.args.get(k) or None for k in ("status", "job_type")}
    if filters["status"] not in (None, *job_model.STATUSES):
        filters["status"] = None
    query = request.args.get("q", "").strip().lstrip("#")
    stmt = print_jobs.search(filters)
    if query.isdigit():
        stmt = stmt.where(job_model.PrintJob.id == int(query))
    return pages.render("jobs.html", page=pages.Page(stmt), filters=filters, q=query,
                        statuses=job_model.STATUSES, types=tuple(job_types.MODULES))


@session.required()
def job(job_id: int):
    """One job: parameters, progress, outputs with previews, events."""
    dbs = db.get_session()
    detail = print_jobs.detail(dbs, job_id)
    trail = dbs.scalars(events.search({"entity_type": "print_jobs", "entity_id": str(job_id)}).limit(50)).all()
    sendable = detail["job_type"] == "gang_sheets" and detail["status"] == "completed"
    return pages.render("job.html", job=detail, events=trail, sends=dbs.scalars(rip.of_job(dbs, job_id)).all(),
                        printers=rip.ready_printers(dbs) if sendable else [])


@session.required("operator")
@pages.commits
def cancel(job_id: int):
    dbs = db.get_session()
    row = print_jobs.cancel(dbs, print_jobs.get(dbs, job_id, lock=True))
    flash(f"Job {job_id} {'cancelled' if row.status == 'cancelled' else 'will stop at its next checkpoint'}.", "ok")
    return redirect(pages.back(url_for("console.job", job_id=job_id)))


@session.required("operator")
@pages.commits
def retry(job_id: int):
    dbs = db.get_session()
    print_jobs.retry(dbs, print_jobs.get(dbs, job_id, lock=True))
    flash(f"Job {job_id} is queued again.", "ok")
    return redirect(pages.back(url_for("console.job", job_id=job_id)))


@session.required()
def progress():
    """Status and progress of the listed jobs, for the pages' progress bars."""
    ids = [int(i) for i in request.args.get("ids", "").split(",") if i.strip().isdigit()]
    return jsonify(today.progress(db.get_session(), ids))


@session.required()
def download(file_id: int):
    return downloads.send(views.settings(), files.get(db.get_session(), file_id))


@session.required()
def thumbnail(file_id: int):
    wanted = request.args.get("size", thumbnails.SIZE, type=int) or thumbnails.SIZE
    size = min(max(wanted, thumbnails.MIN_SIZE), thumbnails.MAX_SIZE)
    row, data = files.thumbnail(db.get_session(), views.settings(), file_id, size)
    return Response(data, mimetype="image/webp", headers={"ETag": f'"thumb-{size}-{row.sha256}"',
                                                          "Cache-Control": "private, max-age=86400"})


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/jobs", "jobs", jobs)
    blp.add_url_rule("/jobs/<int:job_id>", "job", job)
    blp.add_url_rule("/jobs/<int:job_id>/cancel", "job_cancel", cancel, methods=["POST"])
    blp.add_url_rule("/jobs/<int:job_id>/retry", "job_retry", retry, methods=["POST"])
    blp.add_url_rule("/jobs/progress", "job_progress", progress)
    blp.add_url_rule("/files/<int:file_id>/download", "download", download)
    blp.add_url_rule("/files/<int:file_id>/thumbnail", "thumbnail", thumbnail)
