"""/ping, /health and /metrics."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from web import checks, metrics, views

blp = Blueprint("health", __name__, description="Liveness, health and metrics")


class PingSchema(Schema):
    status = fields.String()


class HealthSchema(Schema):
    status = fields.String(metadata={"description": "ok, or fail naming the failing components"})
    failing = fields.List(fields.String())
    components = fields.Dict()


@blp.route("/ping")
class Ping(MethodView):
    @blp.doc(security=[])
    @blp.response(200, PingSchema)
    def get(self):
        """Cheap liveness probe (touches nothing)."""
        return {"status": "ok"}


@blp.route("/health")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="A critical component fails; `failing` names it")
    def get(self):
        """Database, queue schema, workers, Redis and storage, process use and the last hour's error rate."""
        healthy, body = checks.run_all(views.settings())
        body["status"] = "ok" if healthy else "fail"
        return body, (200 if healthy else 503)


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.doc(security=[])
    @blp.response(200, content_type="text/plain; version=0.0.4")
    def get(self):
        """Prometheus metrics."""
        body = metrics.render(views.settings())
        return Response(body, mimetype="text/plain; version=0.0.4; charset=utf-8")
