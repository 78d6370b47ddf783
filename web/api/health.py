"""/ping, /health and /metrics."""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from marshmallow import Schema, fields
from sqlalchemy import exc as sa_exc

from models import errors
from services import monitoring
from web import auth, checks, metrics, views
from web.blueprint import Blueprint

blp = Blueprint("health", __name__, description="Liveness, health and metrics")


class PingSchema(Schema):
    status = fields.String()


class HealthSchema(Schema):
    status = fields.String(metadata={"description": "ok; degraded (still serving: an optional component is down, a "
                                                    "worker type has no live worker, the host runs short); or fail"})
    failing = fields.List(fields.String(), metadata={"description": "Critical components that fail (503)"})
    degraded = fields.List(fields.String(), metadata={"description": "Components that are not ok but not critical"})
    components = fields.Dict(metadata={"description": "database, queue (workers per WORKER_TYPE, oldest waiting "
                                                      "job), storage, redis, host (CPU, memory, disk), process, "
                                                      "requests_last_hour: each with its status; superusers also "
                                                      "see figures and errors"})


@blp.route("/ping")
class Ping(MethodView):
    @blp.doc(security=[])
    @blp.response(200, PingSchema)
    def get(self):
        """Cheap liveness probe (touches nothing)."""
        return {"status": "ok"}


@blp.route("/health")
class Health(MethodView):
    @blp.doc(security=[{}, {"bearerAuth": []}])
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="A critical component fails; `failing` names it")
    def get(self):
        """Each component's state for anyone; figures and errors for a superuser's bearer token.

        Database, queue (live workers per WORKER_TYPE, the oldest waiting job), storage, Redis (optional: degraded
        when absent or down), the host's CPU, memory and disk. Only a critical failure answers 503.
        """
        report = checks.run_all(views.settings())
        body = report if _superuser() else checks.public(report)
        return body, (503 if report["status"] == "fail" else 200)


def _superuser() -> bool:
    """Whether the request carries a superuser's valid bearer token (a probe never answers 401)."""
    if "Authorization" not in request.headers:
        return False
    try:
        return auth.authenticate().is_superuser
    except (errors.DomainError, sa_exc.SQLAlchemyError):  # a bad token, or the database the report shows down
        return False


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.doc(security=[{}, {"metricsToken": []}])
    @blp.response(200, content_type="text/plain; version=0.0.4")
    @blp.alt_response(401, response="DEFAULT_ERROR", description="METRICS_TOKEN is set and the bearer token is not it")
    def get(self):
        """Prometheus metrics (with `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set)."""
        settings = views.settings()
        if not monitoring.scrape_allowed(settings, request.headers.get("Authorization")):
            raise errors.Unauthorized("Metrics need the METRICS_TOKEN bearer token")
        body = metrics.render(settings)
        return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")
