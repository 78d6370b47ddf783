"""/api/organizations/{org_id}/print-jobs: create, search, get, retry, cancel, stats, queue info."""
from __future__ import annotations

from flask.views import MethodView

from models import db
from services import print_jobs
from web import auth, features, pagination, views
from web.blueprint import Blueprint
from web.schemas import print_jobs as schemas

blp = Blueprint("print_jobs", __name__, url_prefix="/api/organizations/<int:org_id>/print-jobs",
                description="Print jobs (gang sheets, print files, mockups, design checks, orders) and the queue")


@blp.route("/search", methods=["GET"])  # the deployment guide's path
@blp.route("/")
class PrintJobs(MethodView):
    @auth.required()
    @blp.arguments(schemas.PrintJobQueryArgsSchema, location="query")
    @blp.response(200, schemas.PrintJobSchema(many=True))
    @blp.paginate()
    def get(self, args, org_id, pagination_parameters):
        """Search jobs by status, type, creator, printer and date range."""
        return pagination.page(db.get_session(), print_jobs.search(args), pagination_parameters)

    @auth.required("operator")
    @blp.arguments(schemas.PrintJobCreateSchema)
    @blp.response(201, schemas.PrintJobSchema)
    @views.commits
    def post(self, data, org_id):
        """Create a job; it is queued in the same transaction as its row."""
        return print_jobs.create(db.get_session(), job_type=data["job_type"], params=data["params"],
                                 created_by=auth.current_user().id)


@blp.route("/<int:job_id>")
class PrintJob(MethodView):
    @auth.required()
    @blp.response(200, schemas.PrintJobDetailSchema)
    def get(self, org_id, job_id):
        """Status, progress, attempts, timings, error, result and output files."""
        return print_jobs.detail(db.get_session(), job_id)


@blp.route("/<int:job_id>/retry")
class Retry(MethodView):
    @auth.required("operator")
    @blp.response(200, schemas.PrintJobSchema)
    @views.commits
    def post(self, org_id, job_id):
        """Queue a failed or cancelled job again (409 otherwise)."""
        session = db.get_session()
        return print_jobs.retry(session, print_jobs.get(session, job_id, lock=True))


@blp.route("/<int:job_id>/cancel")
class Cancel(MethodView):
    @auth.required("operator")
    @blp.response(200, schemas.PrintJobSchema)
    @views.commits
    def post(self, org_id, job_id):
        """Cancel: a queued job leaves the queue; a running one stops at its next checkpoint; finished is 409."""
        session = db.get_session()
        return print_jobs.cancel(session, print_jobs.get(session, job_id, lock=True))


@blp.route("/stats/summary")
class Stats(MethodView):
    @auth.required()
    @features.required("analytics")
    @blp.response(200, schemas.PrintJobStatsSchema)
    def get(self, org_id):
        """Counts and durations by type and status, and the failure rate."""
        return print_jobs.stats(db.get_session())


@blp.route("/queue/info")
class QueueInfo(MethodView):
    @auth.required()
    @blp.response(200, schemas.QueueInfoSchema)
    def get(self, org_id):
        """Depth per queue, the oldest waiting job, live workers and jobs running now."""
        return print_jobs.queue_info(db.get_session(), views.settings().stalled_worker_seconds)
