"""/api/organizations/{org_id}/print-jobs: create, search, get, retry, cancel, stats, queue info."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from jobs import control
from models import db, errors
from models import file as file_model
from models import print_job as job_model
from web import auth, pagination
from web.schemas import print_jobs as schemas

blp = Blueprint("print_jobs", __name__, url_prefix="/api/organizations/<int:org_id>/print-jobs",
                description="Print jobs (gang sheets, print files, mockups, design checks, orders) and the queue")


def _get(job_id: int, *, lock: bool = False) -> job_model.PrintJob:
    # FOR NO KEY UPDATE: a running job holds KEY SHARE on its row (its output files reference it).
    job = db.get_session().get(job_model.PrintJob, job_id, with_for_update={"key_share": True} if lock else None)
    if job is None:
        raise errors.NotFound("Print job not found")
    return job


def _with_outputs(job: job_model.PrintJob) -> dict:
    outputs = db.get_session().scalars(select(file_model.File).where(file_model.File.print_job_id == job.id)
                                       .order_by(file_model.File.id)).all()
    return {**{c.key: getattr(job, c.key) for c in job_model.PrintJob.__table__.columns}, "outputs": outputs}


@blp.route("/")
class PrintJobs(MethodView):
    @auth.required()
    @blp.arguments(schemas.PrintJobQueryArgsSchema, location="query")
    @blp.response(200, schemas.PrintJobSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Search jobs by status, type, creator, printer and date range."""
        return pagination.page(db.get_session(), job_model.search(args), pagination_parameters)

    @auth.required("operator")
    @blp.arguments(schemas.PrintJobCreateSchema)
    @blp.response(201, schemas.PrintJobSchema)
    def post(self, data, org_id):
        """Create a job; it is queued in the same transaction as its row."""
        session = db.get_session()
        job = control.create(session, job_type=data["job_type"], params=data["params"],
                             created_by=auth.current_user().id)
        session.commit()
        return job


@blp.route("/<int:job_id>")
class PrintJob(MethodView):
    @auth.required()
    @blp.response(200, schemas.PrintJobDetailSchema)
    def get(self, org_id, job_id):
        """Status, progress, attempts, timings, error, result and output files."""
        return _with_outputs(_get(job_id))


@blp.route("/<int:job_id>/retry")
class Retry(MethodView):
    @auth.required("operator")
    @blp.response(200, schemas.PrintJobSchema)
    def post(self, org_id, job_id):
        """Queue a failed or cancelled job again (409 otherwise)."""
        session = db.get_session()
        job = control.retry(session, _get(job_id, lock=True))
        session.commit()
        return job


@blp.route("/<int:job_id>/cancel")
class Cancel(MethodView):
    @auth.required("operator")
    @blp.response(200, schemas.PrintJobSchema)
    def post(self, org_id, job_id):
        """Cancel: a queued job leaves the queue; a running one stops at its next checkpoint; finished is 409."""
        session = db.get_session()
        job = control.cancel(session, _get(job_id, lock=True))
        session.commit()
        return job


@blp.route("/stats/summary")
class Stats(MethodView):
    @auth.required()
    @blp.response(200, schemas.PrintJobStatsSchema)
    def get(self, org_id):
        """Counts and durations by type and status, and the failure rate."""
        return job_model.stats(db.get_session())


@blp.route("/queue/info")
class QueueInfo(MethodView):
    @auth.required()
    @blp.response(200, schemas.QueueInfoSchema)
    def get(self, org_id):
        """Depth per queue, the oldest waiting job, live workers and jobs running now."""
        settings = current_app.extensions["esa_settings"]
        return control.queue_info(db.get_session(), settings.stalled_worker_seconds)
